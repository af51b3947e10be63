#!/usr/bin/env bash
# make demo: the main job, end to end, on the local mock S3 server.
#
# Starts the mock on a free port with a fresh data directory, seeds a
# bucket with legacy runtime archives built from the real Pythons on this
# machine (the system python3, and pyenv's if present), then runs
#   migrate --dry-run, migrate, manifest (JSON and TOML), audit --deep
# and stops the mock.  The bucket stays on disk for a look afterwards.
# The demo compresses at zstd level 19 (DEMO_LEVEL) rather than 22 so it
# takes about a minute on 2 cores; everything else is as in production.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
av="$root/$build/archivist"
level=${DEMO_LEVEL:-19}
demo=$(mktemp -d "${TMPDIR:-/tmp}/archivist-demo.XXXXXX")
bucket="$demo/data/runtimes"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Only the mock: the endpoint is given to every command, whatever the
# environment said.
run() { printf '$ %s\n' "archivist $*"; "$av" --no-progress --endpoint "$AWS_ENDPOINT_URL" "$@"; }

step "seeding s3://runtimes with legacy archives from this machine's Pythons"
pythons=()
[ -x /usr/bin/python3 ] && pythons+=(/usr/bin/python3)
for v in 3.12 3.10; do
	p=$(ls -d "$HOME"/.pyenv/versions/$v.*/bin/python3 2>/dev/null | tail -n 1 || true)
	[ -n "$p" ] && pythons+=("$p")
done
stacks=(heroku-22 heroku-24 heroku-20)
i=0
for py in "${pythons[@]}"; do
	ver=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
	for s in "${stacks[@]:$i:2}"; do
		mkdir -p "$bucket/$s/runtimes"
		"$root/scripts/mkruntime.sh" "$py" "$bucket/$s/runtimes/python-$ver.tar.gz" >/dev/null
		printf '  %s/runtimes/python-%s.tar.gz  (%s, %s bytes)\n' "$s" "$ver" "$py" \
			"$(stat -c %s "$bucket/$s/runtimes/python-$ver.tar.gz")"
	done
	i=$(((i + 1) % 3))
done
if [ ${#pythons[@]} -eq 0 ]; then	# no Python at all: a generated tree
	mkdir -p "$demo/tree/lib/python3.12" "$bucket/heroku-24/runtimes"
	head -c 4000000 /dev/urandom | base64 >"$demo/tree/lib/python3.12/data.py"
	tar --format=gnu -C "$demo/tree" -czf "$bucket/heroku-24/runtimes/python-3.12.0.tar.gz" .
fi

step "starting the mock S3 server"
read -r port pid < <(MOCK_BIN="$root/$build/mock-s3" "$root/mocks/mockctl" start "$demo/data" 0 --log "$demo/requests.log")
trap '"$root/mocks/mockctl" stop "$demo/data" >/dev/null 2>&1 || true' EXIT
echo "  http://127.0.0.1:$port (pid $pid), data in $demo/data"
export AWS_ACCESS_KEY_ID=minioadmin AWS_SECRET_ACCESS_KEY=minioadmin AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true	# no instance metadata, for any AWS tool
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3 AWS_DEFAULT_REGION ARCHIVIST_CONFIG \
	AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	AWS_CONTAINER_CREDENTIALS_FULL_URI

step "the plan (a dry run sends only GET and HEAD)"
run migrate --from s3://runtimes --to s3://runtimes --level "$level" --dry-run

step "the migration (zstd level $level, long mode; pycs made hash-based, opt pycs dropped)"
start=$(date +%s)
run migrate --from s3://runtimes --to s3://runtimes --level "$level"
echo "  took $(($(date +%s) - start)) s"

step "a rerun does nothing"
run migrate --from s3://runtimes --to s3://runtimes --level "$level"

if "$av" manifest --help >/dev/null 2>&1; then
	step "manifests"
	run manifest s3://runtimes -o "$demo/manifest.json"
	run manifest s3://runtimes --format toml -o "$demo/inventory.toml"
	sed -n '1,14p' "$demo/inventory.toml"
fi

step "audit, in depth (each archive re-read and compared with its source)"
run audit s3://runtimes --deep

step "the bucket now"
run ls s3://runtimes
cat <<MSG

Done.  Look at:
  $demo/data/runtimes     the bucket (plain files; the mock serves them)
  $demo/requests.log      every request the mock answered (JSON lines)
  $demo/manifest.json, $demo/inventory.toml   the manifests
Remove it with: rm -rf $demo
MSG
