#!/usr/bin/env bash
# The help texts: `archivist help COMMAND` is `archivist COMMAND --help`,
# the synopsis in `archivist --help` is the one in each command's usage,
# and every option a command's getopt table accepts is in its --help.
. "$(dirname "$0")/lib.sh"

# The commands, from `archivist --help` (its lines "  NAME ARGS...").
"$AV" --help >"$TMP/help" 2>"$TMP/help.err"
check_eq "--help exits 0, nothing on stderr" "0:" "$?:$(cat "$TMP/help.err")"
mapfile -t cmds < <(sed -n '/^commands:/,/^$/p' "$TMP/help" |
	sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p' | grep -vx help)
check_eq "--help lists the ten commands" \
	"ls stat get put presign recompress publish migrate manifest audit" "${cmds[*]}"

# The synopsis of NAME in --help: its line "  NAME ARGS" and the lines
# under it indented to its first argument, joined, spaces squeezed (the
# summary under them is indented 4).
table_synopsis() {
	local pad
	pad=$(printf '%*s' $((${#1} + 3)) '')
	sed -n '/^commands:/,/^$/p' "$TMP/help" |
		awk -v n="$1" -v pad="$pad" '
		/^  [a-z]/ { on = ($1 == n); if (on) s = substr($0, 3); next }
		on && index($0, pad) == 1 && substr($0, length(pad) + 1, 1) != " " {
			s = s " " substr($0, length(pad) + 1); next }
		{ on = 0 }
		END { print s }' | tr -s ' '
}
# The synopsis in `archivist NAME --help`: from "usage: archivist " to the
# first empty line, joined, spaces squeezed.
usage_synopsis() {
	sed -n '1,/^$/p' "$TMP/$1.help" | sed 's/^usage: archivist //; s/^ *//' |
		tr '\n' ' ' | tr -s ' ' | sed 's/ $//'
}

for c in "${cmds[@]}"; do
	"$AV" "$c" --help >"$TMP/$c.help" 2>"$TMP/$c.err"
	s1=$?
	"$AV" help "$c" >"$TMP/$c.help2" 2>"$TMP/$c.err2"
	s2=$?
	check_eq "$c --help: exit 0, nothing on stderr" "0:" "$s1:$(cat "$TMP/$c.err")"
	check "help $c is $c --help (stdout)" cmp "$TMP/$c.help" "$TMP/$c.help2"
	check_eq "help $c: same status and stderr" "0:" "$s2:$(cat "$TMP/$c.err2")"
	check_match "$c --help starts with its usage" "^usage: archivist $c( |\$)" \
		"$(head -n 1 "$TMP/$c.help")"
	check_eq "$c: the synopsis of --help is the one of its usage" \
		"$(table_synopsis "$c")" "$(usage_synopsis "$c")"
	# Every long option of the command's getopt table is in its --help.
	src=$(grep -l "^int cmd_$c(" "$ROOT"/src/cmd/*.c)
	opts=$(sed -n 's/^[[:space:]]*{ "\([a-z][a-z0-9-]*\)", *\(no\|required\|optional\)_argument.*/\1/p' "$src")
	missing=""
	for o in $opts; do
		[ "$o" = help ] && continue	# --help prints this very text
		grep -q -- "--$o\b" "$TMP/$c.help" || missing="$missing --$o"
	done
	check_eq "$c: every option of its getopt table ($(echo $opts | wc -w)) is in --help" "" "$missing"
done

# The global options: main.c's table against `archivist --help`.
gl=$(sed -n 's/^[[:space:]]*{ "\([a-z][a-z0-9-]*\)", \(0\|'"'"'.'"'"'\), [01], G_.*/\1/p' "$ROOT/src/main.c")
missing=""
for o in $gl; do grep -q -- "--$o\b" "$TMP/help" || missing="$missing --$o"; done
check_eq "every global option ($(echo $gl | wc -w)) is in --help" "" "$missing"

check_status "help with no command: exit 0" 0 "$AV" help
check "help alone prints --help" cmp "$TMP/help" <("$AV" help)
check_status "help of an unknown command: exit 2" 2 "$AV" help frobnicate
check_match "... and names it" "unknown command 'frobnicate'" "$("$AV" help frobnicate 2>&1)"
check_status "help with two commands: exit 2" 2 "$AV" help ls stat
check_eq "help COMMAND takes global options too" "$(cat "$TMP/ls.help")" \
	"$("$AV" -q help ls)"
finish
