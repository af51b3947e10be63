#!/usr/bin/env bash
# End-to-end: the credential providers (web identity, assumed roles,
# credential_process, the container endpoint, instance metadata), each
# compared with botocore's own choice under the same environment, their
# order, their failures (exit 1 when a provider fails, 2 when the
# settings cannot work) and the renewal of expiring credentials in the
# middle of a multipart upload and of a migration.  Everything runs
# against credserver.py and the mock on 127.0.0.1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/creds_lib.sh"

export ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=86" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:exitcode=86"
if [ ! -x "$MOCK" ] || ! creds_py; then
	skip "credential providers" "needs build/mock-s3 and python3 with botocore 1.31+"
	finish; exit 0
fi
WEBTOKEN="eyJhbGciOiJSUzI1NiJ9.web-identity-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CTOKEN="Bearer container-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
BASE_AK=AKIDBASE00000001 BASE_SK=base-secret-5e1f0a
PROC_AK=AKIDPROC00000001 PROC_SK=proc-secret-77aa01
ROLE=arn:aws:iam::123456789012:role/archivist
LOG="$TMP/requests.log"
mkdir -p "$TMP/data/bkt"
echo hello >"$TMP/data/bkt/obj.txt"
cs_start --token "$WEBTOKEN" --container-auth "$CTOKEN" --key "$BASE_AK:$BASE_SK" ||
	{ not_ok "the credentials service starts" "$(cat "$CS/stderr")"; finish; exit 1; }
echo "$PROC_AK $PROC_SK - 0" >>"$CS/keys"
mock_start "$TMP/data" --log "$LOG" --keys-file "$CS/keys" \
	--access-key "$BASE_AK" --secret-key "$BASE_SK" ||
	{ not_ok "mock starts"; finish; exit 1; }
printf '%s' "$WEBTOKEN" >"$TMP/webtoken"
printf '%s' "$CTOKEN" >"$TMP/ctoken"
cat >"$TMP/proc.sh" <<EOF
#!/bin/sh
[ "\${1:-}" = fail ] && { echo "cannot reach the vault" >&2; exit 3; }
[ "\${1:-}" = v2 ] && { echo '{"Version": 2, "AccessKeyId": "x", "SecretAccessKey": "y"}'; exit 0; }
echo '{"Version": 1, "AccessKeyId": "$PROC_AK", "SecretAccessKey": "$PROC_SK"}'
EOF
chmod +x "$TMP/proc.sh"

# agree DESC METHOD [same]: botocore and archivist both choose METHOD,
# archivist's access key is the one that signed its requests, and with
# "same" it is botocore's too.  CS_MARK: the service's log before.
agree() {
	local d=$1 want=$2 same=${3:-} b m
	m=$(log_mark)
	CS_MARK=$(cs_log_mark)
	b=$(boto_creds 2>"$TMP/boto.err") || b="error $(tail -n 1 "$TMP/boto.err")"
	av_creds ls s3://bkt
	check_eq "$d: botocore chooses $want" "$want" "${b%% *}"
	check_eq "$d: archivist chooses $want and lists (exit 0)" "$want 0" \
		"${AV_USED%% *} $AV_RC"
	check_eq "$d: archivist's access key signed its requests" "${AV_USED#* }" \
		"$(signed_by "$m")"
	if [ -n "$same" ]; then
		check_eq "$d: the access key botocore uses" "${b#* }" "${AV_USED#* }"
	fi
}

# sts_same DESC: the two STS calls since CS_MARK (botocore's, then
# archivist's) asked for the same thing: action, role, session name (or
# both a default one), signer, and both succeeded.
sts_same() {
	local calls
	calls=$(cs_log_since "$CS_MARK" | "$PY" -c 'import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if "action" in e:
        s = e["session"] or ""
        if s.startswith(("botocore-session-", "archivist-")):
            s = "(default)"
        print(e["action"], e["role"], s, e["signed_by"], e["error"])')
	if [ "$(echo "$calls" | wc -l)" -eq 2 ] &&
	   [ "$(echo "$calls" | sort -u | wc -l)" -eq 1 ] &&
	   [[ "$calls" == *" None" ]]; then
		ok "$1: botocore and archivist asked STS the same ($(echo "$calls" | head -n 1))"
	else
		not_ok "$1: botocore and archivist asked STS the same" "$calls"
	fi
}

# fails DESC STATUS PATTERN ARGS...: archivist ARGS exits STATUS and
# says PATTERN.
fails() {
	local d=$1 st=$2 pat=$3
	shift 3
	av_creds "$@"
	check_eq "$d: exit $st" "$st" "$AV_RC"
	check_match "$d: says why" "$pat" "$AV_ERR"
}

# obj_sha KEY: the sha256 of s3://bkt/KEY, read with boto3.
obj_sha() {
	"$PY" - "$1" <<EOF
import hashlib, sys, boto3
s3 = boto3.client("s3", endpoint_url="$MOCK_URL", region_name="us-east-1",
    aws_access_key_id="$BASE_AK", aws_secret_access_key="$BASE_SK")
print(hashlib.sha256(s3.get_object(Bucket="bkt", Key=sys.argv[1])["Body"].read()).hexdigest())
EOF
}

# --- each provider against botocore -----------------------------------------
clean_env
export AWS_ACCESS_KEY_ID=$BASE_AK AWS_SECRET_ACCESS_KEY=$BASE_SK
agree "environment" env same

clean_env
export AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/webtoken" AWS_ROLE_ARN=$ROLE AWS_ROLE_SESSION_NAME=ci-run-7
agree "web identity (environment)" assume-role-with-web-identity
sts_same "web identity (environment)"
check_match "web identity: -v says STS, the role and the expiry" \
	"credentials from STS at $CS_URL/, role $ROLE \(assume-role-with-web-identity\), access key id ASIA[A-Z0-9]+, with a session token, expire 20[0-9-]+T" "$AV_ERR"

clean_env
cat >"$TMP/config" <<EOF
[profile ci]
web_identity_token_file = $TMP/webtoken
role_arn = $ROLE
EOF
export AWS_CONFIG_FILE="$TMP/config" AWS_PROFILE=ci
agree "web identity (profile)" assume-role-with-web-identity
sts_same "web identity (profile)"

clean_env
cat >"$TMP/credentials" <<EOF
[base]
aws_access_key_id = $BASE_AK
aws_secret_access_key = $BASE_SK
EOF
cat >"$TMP/config" <<EOF
[profile deploy]
role_arn = $ROLE
source_profile = base
role_session_name = deploy-1
external_id = ext-42
EOF
export AWS_SHARED_CREDENTIALS_FILE="$TMP/credentials" AWS_CONFIG_FILE="$TMP/config" AWS_PROFILE=deploy
agree "assume-role (source_profile)" assume-role
sts_same "assume-role (source_profile, AssumeRole signed with its keys)"

clean_env
cat >"$TMP/config" <<EOF
[profile chained]
role_arn = $ROLE
source_profile = deploy
[profile deploy]
role_arn = $ROLE
source_profile = base
EOF
export AWS_SHARED_CREDENTIALS_FILE="$TMP/credentials" AWS_CONFIG_FILE="$TMP/config" AWS_PROFILE=chained
m=$(cs_log_mark)
av_creds ls s3://bkt
check_eq "assume-role chain: two AssumeRole calls, the second signed by the first's key" \
	"0 $BASE_AK ASIA" "$AV_RC $(cs_log_since "$m" | "$PY" -c 'import json, sys
s = [json.loads(l)["signed_by"] for l in sys.stdin if "action" in l]
print(s[0], s[1][:4] if len(s) == 2 else s)')"

clean_env
cat >"$TMP/config" <<EOF
[profile fromenv]
role_arn = $ROLE
credential_source = Environment
EOF
export AWS_CONFIG_FILE="$TMP/config" AWS_PROFILE=fromenv
export AWS_ACCESS_KEY_ID=$BASE_AK AWS_SECRET_ACCESS_KEY=$BASE_SK
# AWS_PROFILE does not hide the environment's keys: env comes first.
agree "AWS_PROFILE with a role and keys in the environment" env same
m=$(cs_log_mark)
av_creds --profile fromenv ls s3://bkt
check_eq "--profile: the environment's keys only sign AssumeRole (credential_source)" \
	"assume-role 0 $BASE_AK" "${AV_USED%% *} $AV_RC $(cs_log_since "$m" | "$PY" -c 'import json, sys
print(*[json.loads(l)["signed_by"] for l in sys.stdin if "action" in l])')"

clean_env
cat >"$TMP/config" <<EOF
[profile proc]
credential_process = "$TMP/proc.sh" --quiet
EOF
export AWS_CONFIG_FILE="$TMP/config" AWS_PROFILE=proc
agree "credential_process" custom-process same

clean_env
export AWS_CONTAINER_CREDENTIALS_FULL_URI="$CS_URL/container/v1" AWS_CONTAINER_AUTHORIZATION_TOKEN="$CTOKEN"
agree "container (full URI, token)" container-role
export AWS_CONTAINER_CREDENTIALS_FULL_URI="http://localhost:${CS_URL##*:}/container/v2"
unset AWS_CONTAINER_AUTHORIZATION_TOKEN
export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$TMP/ctoken"
agree "container (localhost, token file)" container-role
check_eq "container: the authorization token was right every time" "" \
	"$(cs_log_since "$CS_MARK" | grep '"container"' | grep -v '"auth_ok": true')"

clean_env
export AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="$CS_URL/"
agree "instance metadata (IMDSv2)" iam-role
check_match "instance metadata: a session token was asked for first" \
	'"imds": "token"' "$(cs_log_since "$CS_MARK")"

# --- order ---------------------------------------------------------------------
clean_env
export AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/webtoken" AWS_ROLE_ARN=$ROLE
export AWS_CONTAINER_CREDENTIALS_FULL_URI="$CS_URL/container/v1" AWS_CONTAINER_AUTHORIZATION_TOKEN="$CTOKEN"
export AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="$CS_URL"
agree "web identity, container and metadata all set" assume-role-with-web-identity
unset AWS_WEB_IDENTITY_TOKEN_FILE
agree "container and metadata set" container-role
export AWS_CONFIG_FILE="$TMP/config" AWS_PROFILE=proc
agree "credential_process before the container" custom-process same
cat >>"$TMP/config" <<EOF
[profile both]
credential_process = $TMP/proc.sh
aws_access_key_id = $BASE_AK
aws_secret_access_key = $BASE_SK
EOF
export AWS_PROFILE=both
agree "credential_process before the config file's keys" custom-process same
printf '[both]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$BASE_AK" "$BASE_SK" \
	>"$TMP/credentials"
export AWS_SHARED_CREDENTIALS_FILE="$TMP/credentials"
agree "the credentials file before credential_process" shared-credentials-file same
cat >"$TMP/config" <<EOF
[profile deploy]
role_arn = $ROLE
source_profile = base
EOF
printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$BASE_AK" "$BASE_SK" \
	>"$TMP/credentials"
export AWS_PROFILE=deploy AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/webtoken"
agree "a profile's role before web identity from the environment" assume-role

# --- failures -----------------------------------------------------------------
clean_env
export AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/webtoken" AWS_ROLE_ARN=$ROLE
printf 'not-the-token' >"$TMP/badtoken"
AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/badtoken" fails "web identity, token refused" 1 \
	"credentials from assume-role-with-web-identity: STS at $CS_URL/ .*403 InvalidIdentityToken" ls s3://bkt
AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/absent" fails "web identity, no token file" 2 \
	"assume-role-with-web-identity: cannot read the web identity token file '$TMP/absent'" ls s3://bkt
AWS_ROLE_ARN="" fails "web identity without a role" 2 \
	"web identity token file is set .* but no role to assume" ls s3://bkt
cs_ctl faults '[{"where": "sts", "kind": "status", "status": 500, "count": -1}]'
fails "STS answering 500" 1 "assume-role-with-web-identity: .*HTTP 500 \(after 3 attempts\)" ls s3://bkt
cs_clear
cs_ctl faults '[{"where": "sts", "kind": "malformed", "count": 1}]'
fails "STS answering cut XML" 1 "assume-role-with-web-identity: .*not the XML expected" ls s3://bkt
cs_ctl faults '[{"where": "sts", "kind": "expired", "count": 1}]'
fails "STS giving expired credentials" 1 "returned credentials that have already expired" ls s3://bkt
cs_ctl faults '[{"where": "sts", "kind": "status", "status": 503, "count": 2}]'
av_creds ls s3://bkt
check_eq "STS failing twice, then answering: retried, exit 0" "0" "$AV_RC"
cs_clear
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" fails "STS down" 1 \
	"assume-role-with-web-identity: STS at http://127.0.0.1:$port/ \(from AWS_ENDPOINT_URL_STS\).*network error" ls s3://bkt

clean_env
cat >"$TMP/config" <<EOF
[profile loop1]
role_arn = $ROLE
source_profile = loop2
[profile loop2]
role_arn = $ROLE
source_profile = loop1
[profile nosrc]
role_arn = $ROLE
[profile both]
role_arn = $ROLE
source_profile = loop1
credential_source = Environment
[profile sso]
sso_session = corp
sso_account_id = 123456789012
[profile badproc]
credential_process = $TMP/proc.sh fail
[profile v2proc]
credential_process = $TMP/proc.sh v2
[profile quote]
credential_process = "$TMP/proc.sh
EOF
export AWS_CONFIG_FILE="$TMP/config"
fails "source_profile loop" 2 "source_profile 'loop1' makes a loop" --profile loop1 ls s3://bkt
fails "role without a source" 2 "has role_arn and neither of source_profile and credential_source" --profile nosrc ls s3://bkt
fails "role with two sources" 2 "has role_arn and both of" --profile both ls s3://bkt
fails "sso" 2 "uses sso_session .*which archivist does not support" --profile sso ls s3://bkt
fails "credential_process failing" 1 \
	"credentials from custom-process: '$TMP/proc.sh' exited with status 3" --profile badproc ls s3://bkt
check_match "credential_process failing: its own message is shown" "^cannot reach the vault" "$AV_ERR"
check_eq "credential_process failing: its arguments are not shown" "" "$(grep -F ' fail' "$TMP/av.err")"
fails "credential_process Version 2" 1 "printed no JSON with \"Version\": 1" --profile v2proc ls s3://bkt
fails "credential_process unclosed quote" 2 "credential_process is not a command line" --profile quote ls s3://bkt

clean_env
export AWS_CONTAINER_CREDENTIALS_FULL_URI="$CS_URL/container/v1" AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong"
fails "container, wrong authorization" 1 "container-role: $CS_URL/container/v1 \(from AWS_CONTAINER_CREDENTIALS_FULL_URI\): HTTP 401 \(after 3 attempts\)" ls s3://bkt
export AWS_CONTAINER_AUTHORIZATION_TOKEN="$CTOKEN"
cs_ctl faults '[{"where": "container", "kind": "status", "status": 404, "count": -1}]'
fails "container answering 404" 1 "HTTP 404" ls s3://bkt
cs_clear
cs_ctl faults '[{"where": "container", "kind": "malformed", "count": 1}]'
fails "container, cut JSON" 1 "container-role: .*the reply is not a JSON object" ls s3://bkt
cs_ctl faults '[{"where": "container", "kind": "empty", "count": 1}]'
fails "container, no keys in the JSON" 1 "the reply has no AccessKeyId" ls s3://bkt
cs_ctl faults '[{"where": "container", "kind": "expired", "count": 1}]'
fails "container, expired credentials" 1 "already expired" ls s3://bkt
cs_ctl faults '[{"where": "container", "kind": "slow", "seconds": 4, "count": 1}]'
start=$(date +%s)
av_creds ls s3://bkt
check_eq "container, one reply slower than the 2 s timeout: retried, exit 0" 0 "$AV_RC"
check_match "container, slow: within 2 s timeout plus a pause" "^[0-9]$" "$(( $(date +%s) - start ))"
cs_clear
# 0.0.0.0 is neither loopback nor allowed: refused before any packet.
AWS_CONTAINER_CREDENTIALS_FULL_URI="http://0.0.0.0:1/creds" fails "container URL on a host not allowed" 2 \
	"AWS_CONTAINER_CREDENTIALS_FULL_URI: host '0.0.0.0' is not allowed over http" ls s3://bkt
b=$(AWS_CONTAINER_CREDENTIALS_FULL_URI="http://0.0.0.0:1/creds" boto_creds 2>&1 | tail -n 1)
check_match "and botocore refuses it too" "Unsupported host '0.0.0.0'" "$b"
printf '%s\n' "$CTOKEN" >"$TMP/ctoken-nl"
unset AWS_CONTAINER_AUTHORIZATION_TOKEN
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$TMP/ctoken-nl" fails "container token file with a line break" 2 \
	"line break" ls s3://bkt

clean_env
fails "nothing anywhere (metadata disabled)" 2 "no credentials found" ls s3://bkt
check_eq "nothing anywhere: botocore finds none either" "none" "$(boto_creds)"
export AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="$CS_URL"
cs_ctl faults '[{"where": "imds", "kind": "status", "status": 500, "count": -1}]'
fails "instance metadata answering 500" 1 "credentials from iam-role: .*HTTP 500" ls s3://bkt
cs_clear
cs_ctl faults '[{"where": "imds", "kind": "malformed", "count": 3}]'
fails "instance metadata, cut JSON" 1 "iam-role: .*not a JSON object" ls s3://bkt
cs_clear
AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$port" fails "instance metadata endpoint down" 1 \
	"no answer from the instance metadata service at http://127.0.0.1:$port/latest/api/token" ls s3://bkt

# --- renewal during a run -----------------------------------------------------
head -c $((26 << 20)) /dev/urandom >"$TMP/big.bin"
sha=$(sha256sum "$TMP/big.bin" | cut -c1-64)
export ARCHIVIST_PART_SIZE=5M ARCHIVIST_PART_JOBS=1
clean_env
export AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/webtoken" AWS_ROLE_ARN=$ROLE
# The first keys say they expire in 15 min 3 s (renewed after 3 s) and
# stop working after 6 s; each part takes 1.5 s or more (9 s in all).
cs_ctl issue '[{"report": 903, "valid": 6}]'
mock_fault "stall 1.5 method=PUT"
m=$(log_mark)
av_creds put "$TMP/big.bin" s3://bkt/big.bin
mock_faults_clear
check_eq "multipart put across a renewal: exit 0" 0 "$AV_RC"
check_match "the renewal is said at -v" "credentials from assume-role-with-web-identity renewed: access key id ASIA[A-Z0-9]+, expire" "$AV_ERR"
check_eq "the parts were signed with the first keys, then the new ones" "2" \
	"$(signed_by "$m" | wc -w)"
check_eq "no request failed on an expired token" "" "$(log_since "$m" | grep ExpiredToken)"
check_eq "the object is whole (read back with boto3)" "$sha" "$(obj_sha big.bin)"

# A migration across a renewal: three archives one at a time, each PUT
# slowed to 2.5 s, the first keys renewed after 3 s and refused after 5 s.
mkdir -p "$TMP/data/mig/heroku-22/runtimes"
for v in 3.12.1 3.11.5 3.10.9; do
	MKRUNTIME_BIN=stub "$ROOT/scripts/mkruntime.sh" /usr/bin/python3 \
		"$TMP/data/mig/heroku-22/runtimes/python-$v.tar.gz" json >/dev/null
done
cs_ctl issue '[{"report": 903, "valid": 5}]'
mock_fault "stall 2.5 method=PUT"
m=$(log_mark)
av_creds -j 1 migrate --from s3://mig --to s3://mig/new --level 1
mock_faults_clear
check_eq "migration across a renewal: exit 0" 0 "$AV_RC"
check_eq "migration: signed with the first keys, then the new ones" 2 "$(signed_by "$m" | wc -w)"
check_eq "migration: the three archives are there, whole (boto3 reads them)" 3 \
	"$("$PY" - <<EOF
import boto3
s3 = boto3.client("s3", endpoint_url="$MOCK_URL", region_name="us-east-1",
    aws_access_key_id="$BASE_AK", aws_secret_access_key="$BASE_SK")
n = 0
for o in s3.list_objects_v2(Bucket="mig", Prefix="new/").get("Contents", []):
    if o["Key"].endswith(".tar.zst"):
        body = s3.get_object(Bucket="mig", Key=o["Key"])["Body"].read()
        n += body[:4] == b"\x28\xb5\x2f\xfd" and len(body) == o["Size"]
print(n)
EOF
)"

# The first keys are inside the 10-minute window after 3 s, and STS is
# down from then on: the upload stops, saying which provider failed.
cs_ctl issue '[{"report": 603, "valid": 60}]'
cs_ctl faults '[{"where": "sts", "kind": "status", "status": 500, "count": -1, "skip": 1}]'
mock_fault "stall 1.2 method=PUT"
"$AV" --no-progress -v put "$TMP/big.bin" s3://bkt/big2.bin >/dev/null 2>"$TMP/av.err"
rc=$?
mock_faults_clear
cs_clear
check_eq "renewal impossible inside the last 10 minutes: exit 1" 1 "$rc"
check_match "and it says which provider could not renew them" \
	"credentials from assume-role-with-web-identity could not be renewed \(they expire 20.*HTTP 500" "$(cat "$TMP/av.err")"
check "the mock exits cleanly" mock_stop
finish
