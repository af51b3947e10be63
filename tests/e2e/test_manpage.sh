#!/usr/bin/env bash
# The man page: lint clean, and nothing a --help prints is missing from
# it: each command's options in its own subsection, the global options in
# theirs, and every environment variable the code reads in ENVIRONMENT.
. "$(dirname "$0")/lib.sh"
MAN="$ROOT/doc/archivist.1"

# mandoc -Tlint: no message at all.  What it says about the machine's own
# manual database (absent pages for SEE ALSO) is not about this page.
if command -v mandoc >/dev/null; then
	lint=$(mandoc -Tlint "$MAN" 2>&1 | grep -v -e 'mandoc\.db' -e 'referenced manual not found')
	check_eq "mandoc -Tlint finds nothing" "" "$lint"
else
	not_ok "mandoc is missing (scripts/deps.sh installs it)"
fi
if command -v groff >/dev/null; then
	check_eq "groff -mandoc -ww finds nothing" "" "$(groff -mandoc -ww -z "$MAN" 2>&1)"
else
	skip "groff -mandoc -ww" "no groff"
fi
command -v mandoc >/dev/null || { finish; exit; }

# The page as a reader sees it, without overstrike.
mandoc -Tascii "$MAN" 2>/dev/null | sed $'s/.\b//g' >"$TMP/page"
check_match "the page renders" "EXIT STATUS" "$(cat "$TMP/page")"

# section NAME: the lines of the rendered section NAME (a heading at the
# left margin); subsection NAME: those of subsection NAME (3 spaces in).
section() { awk -v n="$1" '/^[A-Z]/ { on = ($0 == n); next } on' "$TMP/page"; }
subsection() {
	awk -v n="$1" '/^[A-Z]/ { on = 0; next }
		/^   [^ ]/ { on = (substr($0, 4) == n); next } on' "$TMP/page"
}
# The options a help text mentions, --long and -x (options FILE), and
# those it defines, on lines of their own (defined FILE).
options() {
	grep -oE -- '(^|[^a-zA-Z0-9-])--?[a-zA-Z][a-zA-Z0-9-]*' "$1" |
		sed 's/^[^-]*//' | grep -vE -- '^-(tar|opt|O|OO|vv)$' | sort -u
}
defined() { grep -E '^ +-' "$1" | sed 's/   .*//' >"$1.def"; options "$1.def"; }
# has_item OPTION FILE: a list item of the page (a line 5 spaces in that
# starts with an option) names OPTION.
has_item() { grep -qE -- "^     (-.*[ ,])?$1\b" "$2"; }

"$AV" --help >"$TMP/help"
mapfile -t cmds < <(sed -n '/^commands:/,/^$/p' "$TMP/help" |
	sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p')
check_eq "eleven commands, help included" 11 "${#cmds[@]}"

sed -n '/^global options/,$p' "$TMP/help" >"$TMP/global.help"
subsection "Global options" >"$TMP/global.man"
missing=""
for o in $(defined "$TMP/global.help"); do
	has_item "$o" "$TMP/global.man" || missing="$missing $o"
done
check_eq "every global option of --help has an entry under Global options" "" "$missing"
check "... and they are many" test "$(defined "$TMP/global.help" | wc -l)" -ge 17

synopsis=$(section SYNOPSIS)
for c in "${cmds[@]}"; do
	"$AV" "$c" --help >"$TMP/$c.help" 2>/dev/null
	subsection "$c" >"$TMP/$c.man"
	check "$c has a subsection" test -s "$TMP/$c.man"
	check_match "$c is in the SYNOPSIS" "archivist .*$c( |$)" "$synopsis"
	missing=""
	for o in $(options "$TMP/$c.help"); do
		[ "$o" = --help ] && continue
		# global options a command's help mentions are documented once
		grep -q -- "$o\b" "$TMP/global.man" && ! grep -q -- "^ *$o\b" "$TMP/$c.help" &&
			continue
		grep -q -- "$o\b" "$TMP/$c.man" || missing="$missing $o"
	done
	check_eq "$c: every option its --help prints is in its subsection" "" "$missing"
	missing=""
	for o in $(defined "$TMP/$c.help"); do
		has_item "$o" "$TMP/$c.man" || missing="$missing $o"
	done
	check_eq "$c: every option its --help defines has an entry" "" "$missing"
done

# Every variable the code reads: getenv("X"), and the AWS_* / ARCHIVIST_*
# names it passes around as strings.
mapfile -t vars < <(grep -rhoE 'getenv\("[A-Za-z_][A-Za-z0-9_]*"\)|"(AWS|ARCHIVIST)_[A-Z0-9_]+"' \
	"$ROOT/src" "$ROOT/include" | grep -oE '[A-Za-z_][A-Za-z0-9_]+"' | tr -d '"' | sort -u)
env=$(section ENVIRONMENT)
missing=""
for v in "${vars[@]}"; do
	grep -qw -- "$v" <<<"$env" || missing="$missing $v"
done
check_eq "all ${#vars[@]} variables the code reads are in ENVIRONMENT" "" "$missing"
check "... among them the tunables" test "${#vars[@]}" -ge 18

for s in NAME SYNOPSIS DESCRIPTION ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	check "section $s is there" test -n "$(section "$s")"
done
finish
