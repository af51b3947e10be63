#!/usr/bin/env bash
# End-to-end: publish of .tar, .tar.gz and .tar.zst runtimes against the
# mock: names, targets, no-clobber, conflicts, dry run and usage errors;
# results checked with boto3, zstd and Python's tarfile.
. "$(dirname "$0")/lib.sh"

DATA="$TMP/data"
mkdir -p "$DATA/rel"
workflow_setup "$DATA"
av() { "$AV" --no-progress "$@"; }

W="$TMP/work"
mkdir -p "$W"
MKRUNTIME_BIN=stub "$ROOT/scripts/mkruntime.sh" /usr/bin/python3 "$W/python-3.11.2.tar.gz" json >/dev/null
gzip -dc "$W/python-3.11.2.tar.gz" >"$W/legacy.tar"
cp "$W/legacy.tar" "$W/python-3.12.1.tar"
zstd -q -3 "$W/legacy.tar" -o "$W/python-3.13.0rc1.tar.zst"
cp "$W/python-3.11.2.tar.gz" "$W/python-3.11.2-ubuntu-24.04-arm64.tar.gz"

# --- the three input formats --------------------------------------------
out=$(av --json publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 3); rc=$?
check_eq "publish .tar.gz: exit 0" 0 "$rc"
check_match "prints the public URL, size and sha256" \
	'"result":"created".*"key":"python-3.11.2-ubuntu-22.04-amd64.tar.zst","url":"https://[^"]*/python-3.11.2-ubuntu-22.04-amd64.tar.zst".*"size":[1-9][0-9]*,"sha256":"[0-9a-f]{64}"' "$out"
sha=$(printf '%s' "$out" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["sha256"])')
check "publish .tar with --target" av publish "$W/python-3.12.1.tar" --to s3://rel/pre --target ubuntu-24.04-arm64 --level 3
check "publish .tar.zst with --stack/--arch" av publish "$W/python-3.13.0rc1.tar.zst" --to s3://rel --stack heroku-24 --arch amd64 --level 3
check "publish a file named in the new scheme" av publish "$W/python-3.11.2-ubuntu-24.04-arm64.tar.gz" --to s3://rel --level 3
check_eq "the keys are the new-scheme names" \
"pre/python-3.12.1-ubuntu-24.04-arm64.tar.zst
python-3.11.2-ubuntu-22.04-amd64.tar.zst
python-3.11.2-ubuntu-24.04-arm64.tar.zst
python-3.13.0rc1-ubuntu-24.04-amd64.tar.zst" \
	"$(boto 'print("\n".join(sorted(o["Key"] for o in s3.list_objects_v2(Bucket="rel")["Contents"])))')"
for k in python-3.11.2-ubuntu-22.04-amd64 pre/python-3.12.1-ubuntu-24.04-arm64 python-3.13.0rc1-ubuntu-24.04-amd64; do
	boto 's3.download_file("rel", sys.argv[1], sys.argv[2])' "$k.tar.zst" "$TMP/got.tar.zst"
	zstd -q -d -f "$TMP/got.tar.zst" -o "$TMP/got.tar"
	check "$k holds the input after the pyc transform" \
		"$PY" "$ROOT/tests/e2e/compare_runtime.py" "$W/legacy.tar" "$TMP/got.tar" unchecked-hash drop
done
check_eq "the object's sha256 is the one printed" "$sha" \
	"$(boto 'import hashlib; print(hashlib.sha256(s3.get_object(Bucket="rel", Key="python-3.11.2-ubuntu-22.04-amd64.tar.zst")["Body"].read()).hexdigest())')"

# --- no-clobber ---------------------------------------------------------
mark=$(log_mark)
out=$(av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 3); rc=$?
check_eq "republishing the same input: exit 0" 0 "$rc"
check_match "... and it says identical" "^identical " "$out"
out=$(av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 5 2>&1); rc=$?
check_eq "other content at the key: exit 3" 3 "$rc"
check_match "... named as a conflict" "conflict" "$out"
check_eq "... and the object is untouched" "$sha" \
	"$(boto 'import hashlib; print(hashlib.sha256(s3.get_object(Bucket="rel", Key="python-3.11.2-ubuntu-22.04-amd64.tar.zst")["Body"].read()).hexdigest())')"
check_status "--on-conflict skip: exit 0" 0 \
	av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 5 --on-conflict skip
check_eq "no PUT replaced anything" 0 \
	"$(log_since "$mark" | grep '"method":"PUT"' | grep -c '"status":200')"

# --- an object made from this input with these settings, other bytes ----
# (as an earlier version, compressing otherwise, would have made it): the
# recorded source sha256 and settings make it identical, with no work.
K=python-3.11.2-ubuntu-22.04-amd64.tar.zst
boto 'h = s3.head_object(Bucket="rel", Key=sys.argv[1])
body = b"made by an earlier version"
m = dict(h["Metadata"], sha256=hashlib.sha256(body).hexdigest())
s3.put_object(Bucket="rel", Key=sys.argv[1], Body=body, Metadata=m)' "$K"
planted=$(printf 'made by an earlier version' | sha256sum | cut -d' ' -f1)
mark=$(log_mark)
out=$(av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 3); rc=$?
check_eq "same input and settings, other bytes: exit 0" 0 "$rc"
check_match "... identical, with the object's sha256" "^identical .*sha256 $planted" "$out"
check_eq "... after one HEAD" "HEAD" "$(log_methods "$mark")"
out=$(av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 4 2>&1); rc=$?
check_eq "... but with another level: a conflict, exit 3" 3 "$rc"
out=$(av publish "$W/legacy.tar" --to s3://rel --version 3.11.2 --stack heroku-22 --level 3 2>&1); rc=$?
check_eq "... and so is another input file (the same tar, not gzipped)" 3 "$rc"
check_eq "... the object is still the planted one" "$planted" \
	"$(boto 'print(hashlib.sha256(s3.get_object(Bucket="rel", Key=sys.argv[1])["Body"].read()).hexdigest())' "$K")"
mock_fault "error 500 InternalError op=HeadObject"
mark=$(log_mark)
out=$(ARCHIVIST_MAX_ATTEMPTS=2 av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-22 --level 3 2>&1); rc=$?
mock_faults_clear
check_eq "the HEAD before making fails: exit 1" 1 "$rc"
check_match "... the file reported failed" "^failed +$K" "$out"
check_eq "... and nothing but HEADs sent" "HEAD" "$(log_methods "$mark")"
boto 's3.delete_object(Bucket="rel", Key=sys.argv[1])' "$K"

# --- --as-is ------------------------------------------------------------
zstd -q -19 --long=27 "$W/legacy.tar" -o "$W/python-3.10.1.tar.zst"
check "--as-is uploads a .tar.zst unchanged" av publish "$W/python-3.10.1.tar.zst" --to s3://rel --stack heroku-20 --as-is
check_eq "... byte for byte" "$(sha256sum <"$W/python-3.10.1.tar.zst" | cut -d' ' -f1)" \
	"$(boto 'import hashlib; print(hashlib.sha256(s3.get_object(Bucket="rel", Key="python-3.10.1-ubuntu-20.04-amd64.tar.zst")["Body"].read()).hexdigest())')"
check_status "--as-is refuses a gzip" 1 av publish "$W/python-3.11.2.tar.gz" --to s3://rel/x --stack heroku-20 --as-is

# --- dry run sends only HEAD ----------------------------------------------
mark=$(log_mark)
out=$(av publish "$W/python-3.11.2.tar.gz" "$W/python-3.12.1.tar" --to s3://rel --stack heroku-22 --dry-run --level 3); rc=$?
check_eq "dry run: exit 0" 0 "$rc"
check_match "dry run: exists / create" "^exists +python-3.11.2-ubuntu-22.04-amd64.tar.zst.*
create +python-3.12.1-ubuntu-22.04-amd64.tar.zst" "$out"
check_eq "dry run sent only HEAD" "HEAD" "$(log_methods "$mark")"

# --- usage errors: exit 2, nothing sent ---------------------------------
mark=$(log_mark)
check_status "a directory as input: exit 2" 2 av publish "$W" --to s3://rel --stack heroku-22
check_status "an unreadable file: exit 2" 2 av publish "$W/nope.tar.gz" --to s3://rel --stack heroku-22
check_status "no target: exit 2" 2 av publish "$W/python-3.11.2.tar.gz" --to s3://rel
check_status "a stack with two arches needs --arch: exit 2" 2 av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-24
check_status "unknown stack: exit 2" 2 av publish "$W/python-3.11.2.tar.gz" --to s3://rel --stack heroku-19
check_status "unknown target: exit 2" 2 av publish "$W/python-3.11.2.tar.gz" --to s3://rel --target ubuntu-20.04-arm64
check_status "no version: exit 2" 2 av publish "$W/legacy.tar" --to s3://rel --stack heroku-22
check_status "bad version: exit 2" 2 av publish "$W/legacy.tar" --to s3://rel --stack heroku-22 --version 3.12
check_status "no --to: exit 2" 2 av publish "$W/python-3.11.2.tar.gz" --stack heroku-22
check_status "s3:// without bucket: exit 2" 2 av publish "$W/python-3.11.2.tar.gz" --to s3:// --stack heroku-22
check_eq "usage errors sent no request" 0 "$(log_since "$mark" | wc -l)"
finish
