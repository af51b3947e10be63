#!/usr/bin/env bash
# The documents: a README short enough to be a front door, and every
# relative link in the Markdown files leading to a file (and heading)
# that exists.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

n=$(wc -l <README.md)
check "README.md is a front door: $n lines, at most 250" test "$n" -le 250

# slug TEXT: GitHub's anchor for a heading.
slug() {
	tr 'A-Z' 'a-z' <<<"$1" | sed 's/`//g; s/[^a-z0-9 _-]//g; s/ /-/g'
}
bad=""
nlinks=0
for md in README.md CHANGELOG.md docs/*.md mocks/README.md; do
	dir=$(dirname "$md")
	# [text](target): relative targets only (no scheme)
	while read -r target; do
		nlinks=$((nlinks + 1))
		file=${target%%#*} anchor=""
		[[ $target == *'#'* ]] && anchor=${target#*#}
		[ -z "$file" ] && path=$md || path=$dir/$file
		if [ ! -e "$path" ]; then
			bad="$bad $md->$target"
			continue
		fi
		if [ -n "$anchor" ]; then
			found=0
			while read -r h; do
				[ "$(slug "$h")" = "$anchor" ] && found=1 && break
			done < <(sed -n 's/^#\{1,6\} //p' "$path")
			[ "$found" = 1 ] || bad="$bad $md->$target"
		fi
	done < <(grep -oE '\]\([^)]+\)' "$md" | sed 's/^](//; s/)$//' | grep -v '://')
done
check_eq "every relative link ($nlinks) leads somewhere" "" "$bad"
check "... and there are links to check" test "$nlinks" -ge 20
finish
