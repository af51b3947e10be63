# Helpers for the credential provider tests (sourced after lib.sh): the
# credentials service of credserver.py (STS, instance metadata, container
# endpoint) on 127.0.0.1, the mock S3 accepting the keys it issues, and
# botocore's own resolution under the same environment.

# creds_py: sets PY to a python3 whose botocore knows AWS_ENDPOINT_URL_STS
# (1.31 and later; an older one would ask the real STS); non-zero if none.
# PY is the interpreter itself, not a version manager's shim, which costs
# a fraction of a second at every start.
creds_py() {
	local p
	PY=""
	for p in python3 /usr/bin/python3; do
		PY=$("$p" -c 'import sys, botocore, boto3
v = tuple(int(x) for x in botocore.__version__.split(".")[:2])
sys.exit(1) if v < (1, 31) else print(sys.executable)' 2>/dev/null) &&
			[ -x "$PY" ] && return 0
	done
	PY=""
	return 1
}

# cs_start [CREDSERVER OPTIONS...]: starts credserver.py in $CS (a new
# directory); sets CS_URL.  The mock must be started afterwards with
# --keys-file "$CS/keys".
cs_start() {
	CS="$TMP/cs"
	mkdir -p "$CS"
	"$PY" "$ROOT/tests/e2e/credserver.py" "$CS" "$@" 2>"$CS/stderr" &
	CS_PID=$!
	on_exit "kill $CS_PID 2>/dev/null; wait $CS_PID 2>/dev/null"
	local i
	for i in $(seq 1 100); do
		[ -s "$CS/port" ] && break
		sleep 0.05
	done
	[ -s "$CS/port" ] || return 1
	CS_URL="http://127.0.0.1:$(cat "$CS/port")"
}

# cs_ctl PATH JSON: posts JSON to the control endpoint /_ctl/PATH.
cs_ctl() { curl -fsS -X POST --data-binary "$2" "$CS_URL/_ctl/$1" >/dev/null; }
cs_clear() { curl -fsS -X DELETE "$CS_URL/_ctl/faults" >/dev/null; }
# cs_log_mark / cs_log_since MARK: the service's request log.
cs_log_mark() { cat "$CS/log" 2>/dev/null | wc -l; }
cs_log_since() { tail -n +"$(($1 + 1))" "$CS/log" 2>/dev/null; }

# clean_env: no credentials anywhere but what the test sets next.
clean_env() {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
		AWS_PROFILE AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN \
		AWS_ROLE_SESSION_NAME AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
		AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN \
		AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \
		AWS_EC2_METADATA_SERVICE_ENDPOINT AWS_STS_REGIONAL_ENDPOINTS
	export AWS_EC2_METADATA_DISABLED=true
	export AWS_SHARED_CREDENTIALS_FILE="$TMP/none" AWS_CONFIG_FILE="$TMP/none"
	export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
	export AWS_ENDPOINT_URL_S3=$MOCK_URL AWS_ENDPOINT_URL_STS=$CS_URL
	unset AWS_ENDPOINT_URL
	# A safety net: anything not for 127.0.0.1 (an STS or metadata
	# address a client would fall back to) goes to a closed local port.
	export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
	export HTTP_PROXY=$http_proxy HTTPS_PROXY=$https_proxy
	export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
}

# boto_creds: botocore's provider name and access key id, "METHOD AKID",
# or "none".
boto_creds() {
	"$PY" - <<'EOF'
import botocore.session
c = botocore.session.Session().get_credentials()
if c is None:
    print("none")
else:
    f = c.get_frozen_credentials()
    print(c.method, f.access_key)
EOF
}

# av_creds ARGS...: runs archivist -v ARGS (normally an ls of the mock);
# sets AV_RC, AV_ERR (stderr) and AV_USED, "PROVIDER AKID" from its
# "credentials from ..." line ("none" without one).
av_creds() {
	"$AV" --no-progress -v "$@" >"$TMP/av.out" 2>"$TMP/av.err" </dev/null
	AV_RC=$?
	AV_ERR=$(cat "$TMP/av.err")
	AV_USED=$(sed -n 's/^archivist: credentials from .* (\([a-z0-9-]*\)), access key id \([^ ,]*\).*/\1 \2/p' \
		"$TMP/av.err" | head -n 1)
	[ -n "$AV_USED" ] || AV_USED=none
}

# signed_by MARK: the access key ids that signed the mock's requests
# since the request log's MARK, sorted, unique.
signed_by() {
	log_since "$1" | "$PY" -c 'import json, sys
print(" ".join(sorted({json.loads(l).get("access_key") or "-" for l in sys.stdin})))'
}
