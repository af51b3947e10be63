#!/usr/bin/env bash
# End-to-end: bad input from the user -- files that cannot be read,
# directories where a file is expected, s3:// URLs without a bucket,
# shard specs that are not I/N, and --config files with each kind of
# error.  Each must be refused with a message that names the problem and
# exit 2, and the mock's request log must show that nothing was sent.
. "$(dirname "$0")/lib.sh"

# A sanitizer report exits 86, so it cannot pass for an expected exit.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=86"
if [ ! -x "$MOCK" ]; then
	skip "bad user input" "needs build/mock-s3"
	finish; exit 0
fi
DATA="$TMP/data"
LOG="$TMP/requests.log"
mkdir -p "$DATA/bkt/heroku-22/runtimes" "$TMP/in/adir"
MKRUNTIME_BIN=stub "$ROOT/scripts/mkruntime.sh" /usr/bin/python3 "$TMP/in/python-3.12.1.tar.gz" json >/dev/null
cp "$TMP/in/python-3.12.1.tar.gz" "$DATA/bkt/heroku-22/runtimes/"
mock_start "$DATA" --log "$LOG" || { not_ok "mock starts"; finish; exit 1; }
mock_env
export AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none"
GOOD="$TMP/in/python-3.12.1.tar.gz"
MIG="migrate --from s3://bkt --to s3://bkt/new --level 3"
PUB="publish $GOOD --to s3://bkt/new --stack heroku-22 --level 3"

# refused DESC PATTERN CMD...: CMD exits 2, stderr matches PATTERN and
# holds no other line, and the mock logged no request meanwhile (the
# closing check waits for late lines).
refused() {
	local d=$1 re=$2 before rc
	shift 2
	before=$(wc -l <"$LOG")
	"$@" >"$TMP/out" 2>"$TMP/err" </dev/null; rc=$?
	if [ "$rc" -ne 2 ]; then
		not_ok "$d" "wanted exit 2, got $rc: ${*:1:6}" "$(head -n 5 "$TMP/err")"
	elif ! grep -Eq -- "$re" "$TMP/err"; then
		not_ok "$d" "no /$re/ in:" "$(head -n 5 "$TMP/err")"
	elif [ "$(grep -c . "$TMP/err")" -ne 1 ] || [ -s "$TMP/out" ]; then
		not_ok "$d" "wanted one line on stderr, nothing on stdout:" "$(cat "$TMP/out" "$TMP/err" | head)"
	elif [ "$(wc -l <"$LOG")" -ne "$before" ]; then
		not_ok "$d" "requests were sent:" "$(tail -n +"$((before + 1))" "$LOG" | head -n 3)"
	else
		ok "$d"
	fi
}

# The request log does record what a real command sends.  (log_mark waits
# for a late line, so none is taken for one of the commands below.)
before=$(log_mark)
"$AV" ls s3://bkt >/dev/null 2>&1
check_eq "a valid command is seen in the request log" 1 "$(($(log_mark) - before))"
before=$(log_mark)

# --- files that are not there, not files, or not readable -----------------
for cmd in "$PUB" "put $GOOD s3://bkt/x" "recompress $GOOD $TMP/out.tar.zst"; do
	name=${cmd%% *}
	refused "$name: a missing input" "'$TMP/in/nope.tar.gz'.*No such file" \
		"$AV" ${cmd/$GOOD/$TMP/in/nope.tar.gz}
	refused "$name: a directory as input" "'$TMP/in/adir'.*(directory|not a (readable )?regular file)" \
		"$AV" ${cmd/$GOOD/$TMP/in/adir}
done
check_eq "recompress created no output" "" "$(ls "$TMP"/out.tar.zst* 2>/dev/null)"
# Unreadable: root reads anything, so run archivist as nobody then.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups env TMPDIR="$TMP/nobody" "$@"; }
	chmod 711 "$TMP"
	mkdir -m 777 "$TMP/nobody"
elif [ "$(id -u)" -ne 0 ]; then
	as_user() { "$@"; }
fi
if [ "$(type -t as_user)" = function ]; then
	cp "$GOOD" "$TMP/in/secret.tar.gz"
	cp "$ROOT/config/heroku-python.json" "$TMP/in/secret.json"
	chmod 000 "$TMP/in/secret.tar.gz" "$TMP/in/secret.json"
	chmod 755 "$TMP/in"
	for cmd in "$PUB" "put $GOOD s3://bkt/x" "recompress $GOOD $TMP/nobody/out.tar.zst"; do
		refused "${cmd%% *}: an unreadable input" "'$TMP/in/secret.tar.gz'.*Permission denied" \
			as_user "$AV" ${cmd/$GOOD/$TMP/in/secret.tar.gz}
	done
	refused "migrate: an unreadable --config" "$TMP/in/secret.json.*Permission denied" \
		as_user "$AV" --config "$TMP/in/secret.json" $MIG
else
	skip "unreadable inputs" "running as root without setpriv"
fi

# --- s3:// URLs without a bucket, and other bad URLs -----------------------
for u in "s3://" "s3:///key"; do
	refused "ls $u: refused" "bad S3 URI '$u': missing bucket name" "$AV" ls "$u"
	refused "stat $u: refused" "bad S3 URI '$u': missing bucket name" "$AV" stat "$u"
	refused "get $u: refused" "bad S3 URI '$u': missing bucket name" "$AV" get "$u" "$TMP/x"
	refused "put to $u: refused" "bad S3 URI '$u': missing bucket name" "$AV" put "$GOOD" "$u"
	refused "presign $u: refused" "bad S3 URI '$u': missing bucket name" "$AV" presign "$u"
	refused "migrate --from $u: refused" "bad S3 URI '$u': missing bucket name" \
		"$AV" migrate --from "$u" --to s3://bkt/new
	refused "migrate --to $u: refused" "bad S3 URI '$u': missing bucket name" \
		"$AV" migrate --from s3://bkt --to "$u"
	refused "publish --to $u: refused" "bad S3 URI '$u': missing bucket name" \
		"$AV" publish "$GOOD" --to "$u" --stack heroku-22
done
for u in "S3://bkt/k" "http://bkt/k" "s3:/bkt/k" "s3://Bkt/k" "s3://b/k" "s3://bk..t/k" "s3://192.168.1.1/k"; do
	refused "stat $u: refused" "bad S3 URI '$u'" "$AV" stat "$u"
done

# --- shard specs ------------------------------------------------------------
for s in 0/2 3/2 1/0 2/1 a/b 1/2/3 -1/2 1/ /2 "" 1.5/2 " 1/2" 99999999999999999999/2 1/1001; do
	refused "--shard '$s': refused" "--shard.*'$s'" "$AV" $MIG --shard "$s"
done
refused "--shard without a value: refused" "shard" "$AV" $MIG --shard

# --- --config files with each kind of error -------------------------------
python3 - "$ROOT/config/heroku-python.json" "$TMP/cfg" <<'EOF'
import copy, json, os, sys
base = json.load(open(sys.argv[1]))
out = sys.argv[2]
os.mkdir(out)
def w(name, obj):
    with open(os.path.join(out, name + ".json"), "w") as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj, indent=1))
def v(name, change):
    c = copy.deepcopy(base); change(c); w(name, c)
w("badjson", json.dumps(base, indent=1)[:-40])
w("dupkey", '{"name": "python", "name": "ruby"}')
v("placeholder", lambda c: c["templates"].update(new="{name}-{version}-{distro}-{arch}.tar.zst"))
v("ambiguous", lambda c: c["templates"].update(new="{name}-{version}.{distro_name}.{distro_version}.{arch}.tar.zst"))
v("adjacent", lambda c: c["templates"].update(new="{name}-{version}-{distro_name}-{distro_version}{arch}.tar.zst"))
v("dupstack", lambda c: c["stacks"].append(copy.deepcopy(c["stacks"][3])))
v("arch", lambda c: c["stacks"][2].update(arches=["amd64", "x86"]))
v("empty", lambda c: c.update(stacks=[]))
v("type", lambda c: c["stacks"][0].update(arches="amd64"))
v("unknown", lambda c: c.update(colour="blue"))
v("missing", lambda c: c.pop("templates"))
EOF
mkdir "$TMP/cfg/adir.json"
while read -r f re; do
	for cmd in "$MIG --dry-run" "$PUB"; do
		refused "--config $f.json, ${cmd%% *}${cmd##*level 3}: refused" "$TMP/cfg/$f.json.*$re" \
			"$AV" --config "$TMP/cfg/$f.json" $cmd
	done
done <<'EOF'
badjson invalid JSON
dupkey duplicate object key
placeholder unknown placeholder \{distro\}
ambiguous templates.new: .*more than one way
adjacent templates.new: .*adjacent
dupstack stacks\[6\].name: duplicate stack 'heroku-22'
arch stacks\[2\].arches\[1\]: 'x86' is not a known arch
empty stacks: empty list
type stacks\[0\].arches: expected an array
unknown colour
missing templates
nope cannot open: No such file
adir cannot read: Is a directory
EOF
refused "ARCHIVIST_CONFIG with an error: refused too" "$TMP/cfg/arch.json: stacks\[2\]" \
	env ARCHIVIST_CONFIG="$TMP/cfg/arch.json" "$AV" $MIG

check_eq "no request reached the server after the control" "$before" "$(log_mark)"
check "the mock exits cleanly" mock_stop
finish
