#!/usr/bin/env bash
# End-to-end: the secret key and the session token never appear in any
# output, nor do the SigV4 signing key or an Authorization header: every
# command, at -v and -v -v, on success and on error paths (unreachable
# endpoint, 403s, 500s, a wrong secret, bad configuration and credential
# files), and with the other providers: the session tokens and secrets STS,
# the container endpoint and the instance metadata service hand out, the
# web identity token, the container authorization token, an IMDS session
# token, on success, across a renewal and when each provider fails.  The
# only place a secret may show is the one it must: the session token in a
# presigned URL on stdout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/creds_lib.sh"

# A sanitizer report exits 86, so it cannot pass for an expected exit.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=86"
if [ ! -x "$MOCK" ]; then
	skip "secrets never printed" "needs build/mock-s3"
	finish; exit 0
fi
AKID=AKIDSECRETSTEST00001
SECRET=SECRETsecret-7f3a9c1e5b2d8f4a6c0e9b7d
WRONG=SECRETwrong0-0d1e2f3a4b5c6d7e8f9a0b1c
# As long as real STS tokens, with characters that need URL encoding.
TOKEN="TOKENtoken-$(printf 'Zm9vYmFy%.0s' $(seq 40))+/=end"
DATA="$TMP/data"
mkdir -p "$DATA/bkt/heroku-22/runtimes" "$TMP/out"
MKRUNTIME_BIN=stub "$ROOT/scripts/mkruntime.sh" /usr/bin/python3 "$TMP/python-3.12.1.tar.gz" json >/dev/null
cp "$TMP/python-3.12.1.tar.gz" "$DATA/bkt/heroku-22/runtimes/"
echo "hello" >"$DATA/bkt/obj.txt"
echo "upload me" >"$TMP/up.txt"
head -c 6000000 /dev/urandom >"$TMP/big.bin"
# The web identity and container tokens are secrets too.
WEBTOKEN="eyJhbGciOiJSUzI1NiJ9.WEBtoken-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CTOKEN="CTOKENcontainer-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BADTOKEN="eyJhbGciOiJSUzI1NiJ9.BADtoken-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CS=""
if creds_py; then
	cs_start --token "$WEBTOKEN" --container-auth "$CTOKEN" --key "$AKID:$SECRET" || CS=""
fi
mock_start "$DATA" --access-key "$AKID" --secret-key "$SECRET" \
	${CS:+--keys-file "$CS/keys"} ||
	{ not_ok "mock starts"; finish; exit 1; }
export AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET AWS_SESSION_TOKEN=$TOKEN
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL=$MOCK_URL
export AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none"
unset AWS_PROFILE AWS_DEFAULT_REGION
export ARCHIVIST_MAX_ATTEMPTS=2

# What must never be printed: each secret whole and in 10-byte slices (so
# that a cut-off copy is caught too), and the SigV4 signing key (and the
# first key of its chain) for yesterday, today and tomorrow, in hex and
# base64, for every secret key.  The credentials service's keys and
# tokens are added as it hands them out (forbid, before each check).
# The list is made again only when the service has handed out more.
FORBID_SEEN=unset
forbid() {
	local extra=() seen
	if [ -n "$CS" ]; then
		mapfile -t extra < <(cut -d' ' -f2,3 "$CS/keys" | tr ' ' '\n' | grep -v '^-$'
			cat "$CS/imds_tokens" 2>/dev/null)
	fi
	seen="${extra[*]+"${extra[*]}"}"
	[ "$seen" = "$FORBID_SEEN" ] && return 0
	FORBID_SEEN=$seen
	"${PY:-python3}" - "$SECRET" "$WRONG" "$TOKEN" "$WEBTOKEN" "$CTOKEN" "$BADTOKEN" \
		"${extra[@]+"${extra[@]}"}" >"$TMP/forbidden" <<'EOF'
import base64, datetime, hashlib, hmac, sys
def h(k, m):
    return hmac.new(k, m.encode(), hashlib.sha256).digest()
for s in sys.argv[1:]:
    print(s)
    for i in range(0, len(s) - 9, 10):
        print(s[i:i + 10])
for secret in sys.argv[1:3] + [s for s in sys.argv[7:] if s.startswith("sk")]:
    today = datetime.datetime.now(datetime.timezone.utc).date()
    for d in (-1, 0, 1):
        day = (today + datetime.timedelta(days=d)).strftime("%Y%m%d")
        k_date = h(("AWS4" + secret).encode(), day)
        for svc in ("s3", "sts"):
            k = h(h(h(k_date, "us-east-1"), svc), "aws4_request")
            for key in (k_date, k):
                print(key.hex())
                print(base64.b64encode(key).decode())
EOF
}
forbid
# What may not be on stderr either (signatures belong on the wire only).
printf '%s\n' "Authorization" "AWS4-HMAC-SHA256 Credential" "Signature=" \
	"x-amz-security-token" >"$TMP/forbidden-stderr"

# sweep DESC RC REGEX CMD...: runs CMD at each of LEVELS (-v -v, then
# -v); passes if neither stdout nor stderr holds anything forbidden, and
# each run did its work: exited RC with REGEX (grep -E) in its stdout or
# stderr -- a command that printed nothing and did nothing fails.  Keeps
# the exit status of the last run in RC.
LEVELS=("-v -v" "-v")
sweep() {
	local d=$1 want=$2 re=$3 v hits="" i=0 bad=""
	shift 3
	for v in "${LEVELS[@]}"; do
		i=$((i + 1))
		# shellcheck disable=SC2086
		"$AV" --no-progress $v "$@" >"$TMP/out/o$i" 2>"$TMP/out/e$i" </dev/null
		RC=$?
		[ -n "$CS" ] && forbid
		hits+=$(grep -F -f "$TMP/forbidden" "$TMP/out/o$i" "$TMP/out/e$i")
		hits+=$(grep -i -F -f "$TMP/forbidden-stderr" "$TMP/out/e$i")
		[ "$RC" -eq "$want" ] || bad+="at $v: exit $RC, wanted $want; "
		cat "$TMP/out/o$i" "$TMP/out/e$i" | grep -Eq -- "$re" ||
			bad+="at $v: no /$re/ in the output; "
	done
	if [ -n "$hits" ]; then not_ok "$d: no secret printed" "$hits"
	elif [ -n "$bad" ]; then not_ok "$d: no secret printed, and it did its work" "$bad" "$(tail -n 5 "$TMP/out/e1")"
	else ok "$d: no secret printed, and it did its work (exit $RC)"; fi
}
# said DESC PATTERN: the -v -v run of the last sweep said PATTERN, so the
# sweep looked at real output.
said() { check_match "$1: -v -v says what it does" "$2" "$(cat "$TMP/out/e1")"; }

# The forbidden list works: the token is where it must be.
url=$("$AV" presign s3://bkt/obj.txt)
check_match "the presigned URL carries the token (the one place it must be)" \
	"X-Amz-Security-Token=TOKENtoken-Zm9v" "$url"
check_eq "and the URL works" "hello" "$(curl -fsS "$url")"
check_match "the forbidden list catches the token" "TOKENtoken" \
	"$(printf '%s\n' "$url" | grep -F -f "$TMP/forbidden")"

# --- success paths ---------------------------------------------------------
sweep "ls" 0 "obj\.txt" ls s3://bkt
said "ls" "> GET http"
sweep "ls --json" 0 '"key":"obj\.txt"' --json ls s3://bkt
sweep "stat" 0 '"size":6,' --json stat s3://bkt/obj.txt
sweep "get" 0 "downloaded" get s3://bkt/obj.txt "$TMP/got.txt"
check_eq "get got the object" "hello" "$(cat "$TMP/got.txt")"
sweep "get to stdout" 0 "^hello$" get s3://bkt/obj.txt -
sweep "put" 0 "uploaded|already there" put "$TMP/up.txt" s3://bkt/up.txt
said "put" "> PUT http.*up.txt"
check "put stored the file (the mock's own copy)" cmp "$TMP/up.txt" "$DATA/bkt/up.txt"
sweep "put, identical already there" 0 "already there" put "$TMP/up.txt" s3://bkt/up.txt
# presign prints the token in the URL by design: check stderr, and that
# stdout holds nothing but the URL.
for v in "-v" "-v -v"; do
	# shellcheck disable=SC2086
	"$AV" $v presign s3://bkt/obj.txt >"$TMP/out/o" 2>"$TMP/out/e"
	check_eq "presign $v: nothing on stderr but where the credentials came from" "" \
		"$(grep -v -e 'credentials from environment' -e '^archivist: endpoint ' "$TMP/out/e")"
	check_eq "presign $v: one URL line, the secret key not in it" "1 0" \
		"$(wc -l <"$TMP/out/o") $(grep -c -F -e "$SECRET" "$TMP/out/o")"
done
sweep "publish" 0 "python-3.12.1-ubuntu-22.04-amd64.tar.zst" publish "$TMP/python-3.12.1.tar.gz" --to s3://bkt/pub --stack heroku-22 --level 3
said "publish" "> PUT http.*pub/python-3.12.1-ubuntu-22.04-amd64.tar.zst"
sweep "publish --dry-run" 0 "python-3.12.1-ubuntu-22.04-amd64.tar.zst" publish "$TMP/python-3.12.1.tar.gz" --to s3://bkt/pub2 --stack heroku-22 --dry-run
sweep "migrate" 0 "python-3.12.1-ubuntu-22.04-amd64.tar.zst" migrate --from s3://bkt --to s3://bkt/new --level 3
said "migrate" "> PUT http.*new/python-3.12.1-ubuntu-22.04-amd64.tar.zst"
check "publish and migrate stored their archives" zstd -q -t "$DATA/bkt/pub/python-3.12.1-ubuntu-22.04-amd64.tar.zst" \
	"$DATA/bkt/new/python-3.12.1-ubuntu-22.04-amd64.tar.zst"
sweep "migrate --dry-run" 0 "python-3.12.1-ubuntu-22.04-amd64.tar.zst" migrate --from s3://bkt --to s3://bkt/new2 --dry-run
sweep "audit" 1 "unrecognised +obj\.txt" audit s3://bkt
if "$AV" manifest --help >/dev/null 2>&1; then
	sweep "manifest" 0 "python-3.12.1-ubuntu-22.04-amd64.tar.zst" manifest s3://bkt/new
else
	skip "manifest: no secret printed" "no manifest command in this build"
fi
sweep "recompress" 0 "re\.tar\.zst" recompress "$TMP/python-3.12.1.tar.gz" "$TMP/re.tar.zst" --level 1

# --- error paths -------------------------------------------------------------
# At -v -v only: a level shows everything the levels below it show.
LEVELS=("-v -v")
port=$("${PY:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for cmd in "ls s3://bkt" "stat s3://bkt/obj.txt" "get s3://bkt/obj.txt $TMP/x" \
	"put $TMP/up.txt s3://bkt/e1.txt" "migrate --from s3://bkt --to s3://bkt/e1 --level 3" \
	"publish $TMP/python-3.12.1.tar.gz --to s3://bkt/e1 --stack heroku-22 --level 3" "audit s3://bkt"; do
	# shellcheck disable=SC2086
	sweep "${cmd%% *}, endpoint down" 1 "127\.0\.0\.1:$port" --endpoint "http://127.0.0.1:$port" $cmd
	[ "$RC" -eq 1 ] || not_ok "${cmd%% *}, endpoint down: exit 1" "exit $RC"
	for f in "error 403 AccessDenied" "error 403 InvalidToken" "error 500"; do
		mock_fault "$f"
		# shellcheck disable=SC2086
		sweep "${cmd%% *}, ${f#error }" 1 "$(cut -d" " -f2 <<<"$f")" $cmd
		mock_faults_clear
	done
	# shellcheck disable=SC2086
	AWS_SECRET_ACCESS_KEY=$WRONG sweep "${cmd%% *}, a wrong secret (403 SignatureDoesNotMatch)" 1 "SignatureDoesNotMatch|403" $cmd
done
said "audit, a wrong secret" "SignatureDoesNotMatch"
mock_fault "complete-error"
sweep "put, 200 with <Error> on complete" 1 "InternalError|error" put "$TMP/big.bin" s3://bkt/mp.bin --part-size 5M
said "put, 200 with <Error> on complete" "> POST http.*uploadId"
mock_faults_clear

# --- bad configuration and credential files --------------------------------
echo '{"name": "python",' >"$TMP/bad.json"
sweep "migrate, bad --config" 2 "bad\.json" --config "$TMP/bad.json" migrate --from s3://bkt --to s3://bkt/e2
sweep "publish, bad --config" 2 "bad\.json" --config "$TMP/bad.json" publish "$TMP/python-3.12.1.tar.gz" --to s3://bkt/e2 --stack heroku-22
sweep "ls, bad endpoint URL with the secret in it" 2 "user information" --endpoint "http://$AKID:$SECRET@127.0.0.1:$port" ls s3://bkt
# Credential files whose broken lines hold the secret.
# what each file below gives: an exit status and what the output says
CRED_RC=(- 2 2 0 2 2 0 1)
CRED_RE=(- "expected 'key = value'" "but not aws_access_key_id" "obj\\.txt" "duplicate key"
	"section header" "obj\\.txt" "InvalidAccessKeyId")
n=0
while IFS= read -r body; do
	n=$((n + 1))
	# shellcheck disable=SC2059 # the lines are formats for the secrets
	printf "$body\n" "$SECRET" "$TOKEN" >"$TMP/cred$n"
	AWS_SHARED_CREDENTIALS_FILE="$TMP/cred$n" \
		sweep "ls, credentials file $n" "${CRED_RC[$n]}" "${CRED_RE[$n]}" \
		--profile default ls s3://bkt
done <<'EOF'
[default]\naws_access_key_id = AKIDSECRETSTEST00001\naws_secret_access_key %s\naws_session_token = %s
[default]\naws_secret_access_key = %s\naws_session_token = %s
[default]\naws_access_key_id = AKIDSECRETSTEST00001\naws_secret_access_key = %s\naws_session_token %s
[default]\naws_access_key_id = AKIDSECRETSTEST00001\naws_secret_access_key = %s\naws_secret_access_key = %s
[default\naws_secret_access_key = %s\naws_session_token = %s
[default]\naws_access_key_id = AKIDSECRETSTEST00001\naws_secret_access_key = %s\naws_session_token = %s\nrole_arn = arn:aws:iam::1:role/x
[default]\naws_access_key_id = WRONGKEY\naws_secret_access_key = %s\naws_session_token = %s
EOF

# --- the other providers ---------------------------------------------------
if [ -z "$CS" ]; then
	skip "secrets of the other providers" "needs python3 with botocore 1.31+"
	check "the mock exits cleanly" mock_stop
	finish; exit 0
fi
LEVELS=("-v -v" "-v")
printf '%s' "$WEBTOKEN" >"$TMP/webtoken"
printf '%s' "$BADTOKEN" >"$TMP/badtoken"
printf '%s' "$CTOKEN" >"$TMP/ctoken"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
export AWS_ENDPOINT_URL_STS=$CS_URL AWS_ROLE_ARN=arn:aws:iam::123456789012:role/r
export AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/webtoken"
# said_used DESC PROVIDER: the last sweep said it used PROVIDER.
said_used() { said "$1" "credentials from .*\($2\), access key id ASIA"; }

sweep "web identity: ls" 0 "obj\.txt" ls s3://bkt
said_used "web identity: ls" assume-role-with-web-identity
sweep "web identity: get" 0 "downloaded" get s3://bkt/obj.txt "$TMP/wi.txt"
check_eq "web identity: get got the object" "hello" "$(cat "$TMP/wi.txt")"
sweep "web identity: multipart put" 0 "uploaded|already there" put "$TMP/big.bin" s3://bkt/wi-big.bin --part-size 5M
said "web identity: multipart put" "> POST http.*uploadId"
"$AV" presign s3://bkt/obj.txt >"$TMP/out/url" 2>"$TMP/out/e"
forbid
check_eq "web identity: presign prints no secret on stderr" "" \
	"$(grep -F -f "$TMP/forbidden" "$TMP/out/e")"
check_eq "web identity: the presigned URL works (its STS token in it)" "hello" \
	"$(curl -fsS "$(cat "$TMP/out/url")")"
# A renewal in the middle of an upload: the new keys must not show either.
# The first keys are due for renewal after 2 s; the parts take 1.5 s each.
cs_ctl issue '[{"report": 902, "valid": 60}]'
mock_fault "stall 1.5 method=PUT"
ARCHIVIST_PART_JOBS=1 sweep "web identity: put across a renewal" 0 "uploaded|already there" put "$TMP/big.bin" s3://bkt/wi-big2.bin --part-size 5M
mock_faults_clear
said "web identity: put across a renewal" "renewed: access key id ASIA"
sweep "web identity: migrate" 0 "python-3\.12\.1-ubuntu-22\.04-amd64\.tar\.zst" migrate --from s3://bkt --to s3://bkt/wi --level 3
said "web identity: migrate" "> PUT http.*wi/python-3.12.1-ubuntu-22.04-amd64.tar.zst"

LEVELS=("-v -v")
AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/badtoken" sweep "web identity: token refused" 1 "InvalidIdentityToken" ls s3://bkt
said "web identity: token refused" "InvalidIdentityToken"
for f in '{"where": "sts", "kind": "status", "status": 500, "count": -1}' \
	'{"where": "sts", "kind": "malformed", "count": 1}' \
	'{"where": "sts", "kind": "expired", "count": 1}'; do
	cs_ctl faults "[$f]"
	sweep "web identity: STS fault $f" 1 "STS" ls s3://bkt
	[ "$RC" -eq 1 ] || not_ok "web identity: STS fault $f: exit 1" "exit $RC"
	cs_clear
done
cs_ctl issue '[{"report": 599, "valid": 60}]'
cs_ctl faults '[{"where": "sts", "kind": "status", "status": 500, "count": -1, "skip": 1}]'
mock_fault "stall 1 method=PUT"
sweep "web identity: renewal failing inside the last 10 minutes" 1 "could not be renewed" put "$TMP/big.bin" s3://bkt/wi-big3.bin --part-size 5M
said "web identity: renewal failing inside the last 10 minutes" "could not be renewed"
mock_faults_clear
cs_clear

unset AWS_WEB_IDENTITY_TOKEN_FILE
cat >"$TMP/config" <<EOF
[profile role]
role_arn = arn:aws:iam::123456789012:role/r
credential_source = Environment
EOF
AWS_CONFIG_FILE="$TMP/config" AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$SECRET \
	AWS_SESSION_TOKEN=$TOKEN sweep "assume-role: ls" 0 "obj\.txt" --profile role ls s3://bkt
said_used "assume-role: ls" assume-role
AWS_CONFIG_FILE="$TMP/config" AWS_ACCESS_KEY_ID=$AKID AWS_SECRET_ACCESS_KEY=$WRONG \
	sweep "assume-role: a wrong source secret" 1 "SignatureDoesNotMatch" --profile role ls s3://bkt
said "assume-role: a wrong source secret" "SignatureDoesNotMatch"

export AWS_CONTAINER_CREDENTIALS_FULL_URI="$CS_URL/container/v1"
AWS_CONTAINER_AUTHORIZATION_TOKEN=$CTOKEN sweep "container (token): ls" 0 "obj\.txt" ls s3://bkt
said_used "container (token): ls" container-role
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$TMP/ctoken" sweep "container (token file): put" \
	0 "uploaded" put "$TMP/up.txt" s3://bkt/c-up.txt
said "container (token file): put" "> PUT http.*c-up.txt"
AWS_CONTAINER_AUTHORIZATION_TOKEN=$BADTOKEN sweep "container: a wrong token" 1 "HTTP 401" ls s3://bkt
said "container: a wrong token" "HTTP 401"
for f in '{"where": "container", "kind": "malformed", "count": 1}' \
	'{"where": "container", "kind": "status", "status": 500, "count": -1}'; do
	cs_ctl faults "[$f]"
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$TMP/ctoken" sweep "container fault $f" 1 "container" ls s3://bkt
	[ "$RC" -eq 1 ] || not_ok "container fault $f: exit 1" "exit $RC"
	cs_clear
done
unset AWS_CONTAINER_CREDENTIALS_FULL_URI

export AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=$CS_URL
sweep "instance metadata: ls" 0 "obj\.txt" ls s3://bkt
said_used "instance metadata: ls" iam-role
cs_ctl faults '[{"where": "imds", "kind": "malformed", "count": 3}]'
sweep "instance metadata: cut JSON" 1 "not a JSON object" ls s3://bkt
said "instance metadata: cut JSON" "not a JSON object"
cs_clear
export AWS_EC2_METADATA_DISABLED=true
unset AWS_EC2_METADATA_SERVICE_ENDPOINT

cat >"$TMP/proc.sh" <<EOF
#!/bin/sh
[ "\${1:-}" = fail ] && { echo "vault says no" >&2; exit 3; }
echo '{"Version": 1, "AccessKeyId": "$AKID", "SecretAccessKey": "$SECRET", "SessionToken": "$TOKEN"}'
EOF
chmod +x "$TMP/proc.sh"
printf '[profile p]\ncredential_process = %s --secret %s\n[profile pf]\ncredential_process = %s fail\n' \
	"$TMP/proc.sh" "$SECRET" "$TMP/proc.sh" >"$TMP/config"
AWS_CONFIG_FILE="$TMP/config" sweep "credential_process: ls" 0 "obj\.txt" --profile p ls s3://bkt
said "credential_process: ls" "credentials from credential_process .*\(custom-process\), access key id $AKID"
AWS_CONFIG_FILE="$TMP/config" sweep "credential_process failing" 1 "exited with status 3" --profile pf ls s3://bkt
said "credential_process failing" "archivist: error: credentials from custom-process: '$TMP/proc.sh' exited with status 3"
said "credential_process failing: its own message" "^vault says no"
check "the mock exits cleanly" mock_stop
finish
