# bash completion for archivist(1): commands, their options, and the
# values of options that take a fixed set or a file.
# Installed as $(PREFIX)/share/bash-completion/completions/archivist;
# or: source completions/archivist.bash

_archivist_commands="ls stat get put presign recompress publish migrate manifest audit help"
_archivist_global="--endpoint --region --profile --config --ca-bundle --path-style
	--virtual-hosted --no-sign-request --jobs --json --quiet --verbose
	--no-progress --help --version"
# Global options that take a value (the next word).
_archivist_global_arg="--endpoint|--region|--profile|--config|--ca-bundle|--jobs|-j"

# _archivist_options COMMAND: the command's own options.
_archivist_options() {
	case $1 in
	ls) echo "--delimiter" ;;
	stat | get) echo "" ;;
	put) echo "--content-type --meta --part-size" ;;
	presign) echo "--expires" ;;
	recompress) echo "--level --pyc --keep-opt-pyc --workers" ;;
	publish) echo "--to --target --stack --arch --version --dry-run
		--on-conflict --pyc --keep-opt-pyc --level --as-is --tmpdir
		--replace --if-match" ;;
	migrate) echo "--from --to --stack --version --dry-run --shard --pyc
		--keep-opt-pyc --level --manifest --tmpdir" ;;
	manifest) echo "--format --output --upload --compute-missing --base-url
		--version --reuse --final-only --include-retired" ;;
	audit) echo "--deep --ignore --tmpdir" ;;
	esac
}

_archivist() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local i w cmd="" at=0
	COMPREPLY=()
	# The command: the first word that is not an option or its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == @($_archivist_global_arg) ]]; then
			((i++))
		elif [[ $w != -* ]]; then
			cmd=$w at=$i
			break
		fi
	done
	case $prev in
	--pyc)
		COMPREPLY=($(compgen -W "unchecked-hash checked-hash keep" -- "$cur"))
		return ;;
	--format)
		COMPREPLY=($(compgen -W "json toml" -- "$cur"))
		return ;;
	--on-conflict)
		COMPREPLY=($(compgen -W "fail skip" -- "$cur"))
		return ;;
	--config | --ca-bundle | --manifest | --output | -o | --reuse)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--tmpdir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--endpoint | --region | --profile | --jobs | -j | --level | --workers | \
	--expires | --part-size | --content-type | --meta | --to | --from | \
	--target | --stack | --arch | --version | --shard | --upload | \
	--base-url | --ignore | -d | --delimiter)
		[[ $prev == --version && -z $cmd ]] || return ;;
	esac
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$_archivist_global" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_archivist_commands" -- "$cur"))
		fi
		return
	fi
	if [[ $cmd == help ]]; then
		((COMP_CWORD == at + 1)) &&
			COMPREPLY=($(compgen -W "$_archivist_commands" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_archivist_options "$cmd") $_archivist_global" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _archivist archivist
