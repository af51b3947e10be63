#!/usr/bin/env bash
# make install / uninstall into a DESTDIR, and the bash completion it
# installs: commands, each command's options, option values.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
D="$TMP/root"

# -o: the binary is taken as it is, never rebuilt here (with other flags).
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -o "$BUILD/archivist" O="$BUILD" DESTDIR="$D" "$@"; }

check "make install PREFIX=/usr DESTDIR=..." mk install PREFIX=/usr >"$TMP/install.log" 2>&1
check "the binary, executable" test -x "$D/usr/bin/archivist"
check_eq "... and it runs" "$("$AV" --version)" "$("$D/usr/bin/archivist" --version)"
check "the man page, as in the tree" cmp doc/archivist.1 "$D/usr/share/man/man1/archivist.1"
check "the completion script, as in the tree" \
	cmp completions/archivist.bash "$D/usr/share/bash-completion/completions/archivist"
check_eq "nothing else installed" 3 "$(find "$D" -type f | wc -l)"
check_eq "modes 755 and 644" "755 644 644" "$(stat -c %a "$D/usr/bin/archivist" \
	"$D/usr/share/man/man1/archivist.1" "$D/usr/share/bash-completion/completions/archivist" | tr '\n' ' ' | sed 's/ $//')"
check "make uninstall" mk uninstall PREFIX=/usr >>"$TMP/install.log" 2>&1
check_eq "... removes the three files" 0 "$(find "$D" -type f | wc -l)"
check_match "PREFIX defaults to /usr/local" "$D/usr/local/bin/archivist" "$(mk -n install)"
check_match "... the completion goes to share/bash-completion/completions" \
	"$D/usr/local/share/bash-completion/completions/archivist" "$(mk -n install)"
# Both commands the README starts with do their own set-up.
for t in check demo; do
	first=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -n "$t" 2>/dev/null | head -n 1)
	check_eq "make -n $t starts with scripts/deps.sh" "scripts/deps.sh" "$first"
done

# The completion, sourced in a bash of its own: complete WORDS... prints
# what it offers for the last word.
complete_words() {
	bash --norc --noprofile -c 'source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _archivist
		printf "%s\n" "${COMPREPLY[@]}"' _ completions/archivist.bash "$@" | sort -u
}
check_eq "complete -p names the function" "complete -F _archivist archivist" \
	"$(bash --norc --noprofile -c 'source completions/archivist.bash; complete -p archivist')"

cmds=$("$AV" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z]*\).*/\1/p' | sort)
check_eq "every command of --help, and no other" "$cmds" "$(complete_words archivist '')"
check_eq "'mi' completes to migrate" "migrate" "$(complete_words archivist mi)"
check_eq "after global options too" "presign publish put" \
	"$(complete_words archivist --region eu-west-1 -j 2 p | tr '\n' ' ' | sed 's/ $//')"
check_eq "help COMMAND" "manifest migrate" "$(complete_words archivist help m | tr '\n' ' ' | sed 's/ $//')"
for c in $cmds; do
	[ "$c" = help ] && continue
	src=$(grep -l "^int cmd_$c(" src/cmd/*.c)
	want=$(sed -n 's/^[[:space:]]*{ "\([a-z][a-z0-9-]*\)", *\(no\|required\|optional\)_argument.*/--\1/p' "$src" | sort -u)
	got=$(complete_words archivist "$c" --)
	missing=$(comm -23 <(echo "$want") <(echo "$got") | tr '\n' ' ')
	check_eq "$c --: every option of its getopt table is offered" "" "$missing"
done
gl=$(sed -n 's/^[[:space:]]*{ "\([a-z][a-z0-9-]*\)", \(0\|'"'"'.'"'"'\), [01], G_.*/--\1/p' src/main.c | sort -u)
check_eq "global options before a command: every one of main.c's" "$gl" "$(complete_words archivist --)"
check_eq "--pyc values" "checked-hash keep unchecked-hash" \
	"$(complete_words archivist recompress --pyc '' | tr '\n' ' ' | sed 's/ $//')"
check_eq "--format values" "json toml" "$(complete_words archivist manifest --format '' | tr '\n' ' ' | sed 's/ $//')"
touch "$TMP/runtime-one.tar.gz"
check_eq "files for operands" "$TMP/runtime-one.tar.gz" "$(complete_words archivist publish "$TMP/runtime-o")"
check_eq "nothing after an option taking a free value" "" "$(complete_words archivist migrate --level '')"
finish
