/* s3req: build, sign, send, retry and explain S3 requests (see s3req.h). */
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "s3req.h"
#include "archivist/uri.h"

/* host, x-amz-date, x-amz-content-sha256, token, authorization */
#define FIXED_HEADERS 5
/* A 403 without a body whose Date is this far off is taken as skew. */
#define SKEW_SUSPECT_SECONDS 600

void s3req_init(struct s3_req *r, const char *op, const char *method,
		const char *bucket, const char *key)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->method = method;
	r->bucket = bucket;
	r->key = key;
	r->body_fd = -1;
}

void s3_reply_init(struct s3_reply *rep)
{
	http_response_init(&rep->http);
	xml_error_init(&rep->err);
	rep->attempts = 0;
	rep->transport = 0;
}

void s3_reply_release(struct s3_reply *rep)
{
	http_response_release(&rep->http);
	xml_error_release(&rep->err);
}

time_t s3req_now(const struct s3_client *c)
{
	return time(NULL) + (time_t)atomic_load(&c->skew);
}

int s3req_name(struct buf *out, const char *bucket, const char *key)
{
	return buf_addf(out, "s3://%s/%s", bucket, key ? key : "");
}

static int add_query(struct buf *url, const struct sigv4_kv *q, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		rc = buf_addc(url, i ? '&' : '?');
		rc = rc ? rc : uri_encode(url, q[i].name, strlen(q[i].name), 0);
		if (!rc && q[i].value[0]) {
			rc = buf_addc(url, '=');
			rc = rc ? rc : uri_encode(url, q[i].value, strlen(q[i].value), 0);
		}
	}
	return rc;
}

int s3req_target(const struct s3_client *c, const char *bucket, const char *key,
		 const struct sigv4_kv *query, size_t nquery, struct s3_target *t)
{
	int rc = endpoint_target(&c->ep, bucket, key, t);

	return rc ? rc : add_query(&t->url, query, nquery);
}

/* Everything one attempt allocates. */
struct attempt {
	struct s3_target t;
	struct buf auth;
	struct sigv4_kv *hdrs;
	size_t nhdrs;
	char date[17];
	struct creds_snap *snap;	/* what this attempt is signed with */
};

static void attempt_release(struct attempt *a)
{
	s3_target_release(&a->t);
	buf_release(&a->auth);
	free(a->hdrs);
	a->hdrs = NULL;
	creds_snap_put(a->snap);
	a->snap = NULL;
}

/* The headers as sent: the fixed ones, the request's, Authorization last. */
static int attempt_build(struct s3_client *c, const struct s3_req *r, struct attempt *a)
{
	struct sigv4_request sr;
	struct sigv4_params sp;
	time_t now = s3req_now(c);
	size_t n = 0;
	int rc;

	if ((rc = s3req_target(c, r->bucket, r->key, r->query, r->nquery, &a->t)) ||
	    (!c->anonymous && (rc = credcache_get(c->creds, &a->snap))))
		return rc;
	if (!(a->hdrs = calloc(r->nheaders + FIXED_HEADERS, sizeof(*a->hdrs))))
		return AV_ENOMEM;
	sigv4_amz_date(a->date, now);
	a->hdrs[n++] = (struct sigv4_kv){ "host", a->t.host.ptr };
	a->hdrs[n++] = (struct sigv4_kv){ "x-amz-date", a->date };
	a->hdrs[n++] = (struct sigv4_kv){ "x-amz-content-sha256",
		r->payload_hash ? r->payload_hash : SIGV4_EMPTY_SHA256 };
	if (a->snap && a->snap->c.session_token)
		a->hdrs[n++] = (struct sigv4_kv){ "x-amz-security-token",
			a->snap->c.session_token };
	if (r->nheaders)
		memcpy(a->hdrs + n, r->headers, r->nheaders * sizeof(*a->hdrs));
	n += r->nheaders;
	a->nhdrs = n;
	if (c->anonymous)
		return 0;
	sr = (struct sigv4_request){ r->method, a->t.path.ptr, r->query, r->nquery,
		a->hdrs, n, a->hdrs[2].value };
	sigv4_params_s3(&sp, c->region, now);
	if ((rc = sigv4_authorization(&sr, &sp, &a->snap->c.sig, &a->auth)))
		return rc;
	a->hdrs[a->nhdrs++] = (struct sigv4_kv){ "Authorization", a->auth.ptr };
	return 0;
}

/* The S3 error code of a reply, if any ("" when none). */
static const char *reply_code(const struct s3_reply *rep)
{
	return rep->err.code.ptr;
}

/*
 * A HEAD reply has no body, so a 403 caused by our clock says nothing:
 * compare the server's Date with ours.
 */
static void suspect_skew(struct s3_reply *rep, time_t local)
{
	long off;

	if (rep->http.status != 403 || rep->err.code.len ||
	    retry_skew_offset(http_response_header(&rep->http, "date"), local, &off))
		return;
	if (off > SKEW_SUSPECT_SECONDS || off < -SKEW_SUSPECT_SECONDS)
		buf_sets(&rep->err.code, "RequestTimeTooSkewed");
}

static int attempt_once(struct s3_client *c, const struct s3_req *r, struct s3_reply *rep)
{
	struct attempt a;
	struct http_request hr;
	int rc;

	memset(&a, 0, sizeof(a));
	s3_target_init(&a.t);
	buf_init(&a.auth, 0);
	buf_reset(&rep->err.code);
	buf_reset(&rep->err.message);
	buf_reset(&rep->err.request_id);
	if ((rc = attempt_build(c, r, &a)))
		goto out;
	hr = (struct http_request){ r->method, a.t.url.ptr, a.hdrs, a.nhdrs, r->body,
		r->body_fd, r->body_off, r->body_len, r->sink, r->sink_ctx, r->sent,
		r->sent_ctx, r->slow_reply };
	rc = http_do(c->pool, &hr, &rep->http);
	rep->transport = rc == AV_ENET || rc == AV_ETIMEOUT ? rc : 0;
	if (rc)
		goto out;
	if ((rep->http.status >= 300 || r->error_in_200) && rep->http.body.len)
		xml_parse_error(rep->http.body.ptr, rep->http.body.len, &rep->err);
	suspect_skew(rep, time(NULL));
out:
	attempt_release(&a);
	return rc;
}

/* The code for a final reply. */
static int reply_rc(const struct s3_reply *rep)
{
	const char *code = reply_code(rep);
	long st = rep->http.status;

	if (st >= 200 && st < 300 && !*code)
		return 0;
	if (strcmp(code, "RequestTimeTooSkewed") == 0)
		return AV_ESKEW;
	if (strcmp(code, "BadDigest") == 0 || strcmp(code, "InvalidDigest") == 0 ||
	    strcmp(code, "XAmzContentSHA256Mismatch") == 0)
		return AV_ECHECKSUM;
	if (retry_classify(0, st, code) == RETRY_YES)
		return AV_ERETRY;
	switch (st) {
	case 404: return AV_ENOTFOUND;
	case 403: return AV_EAUTH;
	case 412: return AV_EEXIST;
	case 501: return AV_EUNSUPP;
	}
	return *code ? AV_ES3 : AV_EHTTP;
}

/* Applies the server's clock; 1 if it changed anything. */
static int correct_skew(struct s3_client *c, const struct s3_reply *rep)
{
	long off;

	if (retry_skew_offset(http_response_header(&rep->http, "date"), time(NULL), &off))
		return 0;
	atomic_store(&c->skew, off);
	msg_verbose("clock differs from the server's by %ld s: correcting", off);
	return 1;
}

static int format(const struct s3_req *r, const struct s3_reply *rep, int rc,
		  int final, struct buf *out);

static void say_retry(const struct s3_req *r, const struct s3_reply *rep,
		      int rc, int n, int max, int resume)
{
	struct buf m = BUF_INIT;

	if (msg_level() < MSG_VERBOSE || format(r, rep, rc, 0, &m))
		;
	else if (resume)
		msg_verbose("%s; resuming after %llu bytes", m.ptr,
			    (unsigned long long)rep->http.received);
	else
		msg_verbose("%s; retrying (attempt %d of %d)", m.ptr, n + 1, max);
	buf_release(&m);
}

int s3req_send(struct s3_client *c, const struct s3_req *r, struct s3_reply *rep)
{
	enum retry_verdict v;
	int n, rc, resume, skew_fixed = 0;

	rep->attempts = 0;
	for (n = 1;; n++) {
		if (r->before && (rc = r->before(r->before_ctx, n)))
			return rc;
		rep->attempts++;
		rc = attempt_once(c, r, rep);
		if (rc && !rep->transport)
			return rc;
		v = retry_classify(rep->transport, rep->http.status, reply_code(rep));
		if (v == RETRY_SKEW && !skew_fixed && correct_skew(c, rep)) {
			skew_fixed = 1;
			n--;
			continue;
		}
		rc = rc ? rc : reply_rc(rep);
		if (v != RETRY_YES)
			return rc;
		/* A download that got somewhere resumes without using up attempts. */
		resume = rep->transport && rep->http.received > 0;
		if (resume)
			n = 0;
		else if (n >= c->retry.max_attempts)
			return rc;
		say_retry(r, rep, rc, n, c->retry.max_attempts, resume);
		retry_wait(&c->retry, n > 0 ? n : 1);
	}
}

static const char *reason(long status)
{
	switch (status) {
	case 301: return "Moved Permanently";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 416: return "Range Not Satisfiable";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	}
	return "";
}

int s3req_format(const struct s3_req *r, const struct s3_reply *rep, int rc,
		 struct buf *out)
{
	return format(r, rep, rc, 1, out);
}

/* The message; final adds how many attempts it took. */
static int format(const struct s3_req *r, const struct s3_reply *rep, int rc,
		  int final, struct buf *out)
{
	const struct xml_error *e = &rep->err;
	int err;

	err = buf_addf(out, "%s '", r->op);
	err = err ? err : s3req_name(out, r->bucket, r->key);
	err = err ? err : buf_adds(out, "': ");
	if (err)
		return err;
	if (rep->http.sink_error == AV_ETOOBIG && rc == AV_ETOOBIG)
		return buf_addf(out, "the server's reply is larger than %zu MiB: refused",
				HTTP_BODY_MAX >> 20);
	if (rep->transport || !rep->http.status) {
		err = buf_addf(out, "%s%s%s", error_message(rc),
			       rep->http.error.len ? ": " : "", rep->http.error.ptr);
		if (!err && final && rep->attempts > 1)
			err = buf_addf(out, " (after %d attempts)", rep->attempts);
		return err;
	}
	if (e->code.len)
		err = buf_addf(out, "%ld %s%s%s", rep->http.status, e->code.ptr,
			       e->message.len ? ": " : "", e->message.ptr);
	else
		err = buf_addf(out, "%ld %s", rep->http.status, reason(rep->http.status));
	if (!err && e->request_id.len)
		err = buf_addf(out, " (request id %s)", e->request_id.ptr);
	else if (!err && http_response_header(&rep->http, "x-amz-request-id"))
		err = buf_addf(out, " (request id %s)",
			       http_response_header(&rep->http, "x-amz-request-id"));
	if (!err && final && rep->attempts > 1)
		err = buf_addf(out, " (after %d attempts)", rep->attempts);
	return err;
}

static const struct {
	const char *code;
	const char *hint;
} hints[] = {
	{ "InvalidAccessKeyId", "the server does not know this access key id: check "
	  "AWS_ACCESS_KEY_ID or the profile's credentials (and --endpoint)" },
	{ "SignatureDoesNotMatch", "the secret key does not match the access key id: "
	  "check AWS_SECRET_ACCESS_KEY or the profile's credentials" },
	{ "NoSuchBucket", "the bucket does not exist at this endpoint: check the "
	  "bucket name, --endpoint and --region" },
	{ "AccessDenied", "these credentials may not do this (or, for a missing "
	  "object, may not list the bucket)" },
	{ "ExpiredToken", "the session token has expired: renew the credentials" },
	{ "InvalidToken", "the session token is not valid: renew the credentials" },
	{ "RequestTimeTooSkewed", "the system clock is far from the server's: "
	  "fix the clock (NTP)" },
	{ "PermanentRedirect", "the bucket is in another region: use --region "
	  "(or --endpoint) for it" },
	{ "AuthorizationHeaderMalformed", "the bucket is in another region: use "
	  "--region for it" },
};

const char *s3req_hint(const struct s3_reply *rep, int rc)
{
	const char *code = reply_code(rep);
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(code, hints[i].code) == 0)
			return hints[i].hint;
	if (rc == AV_EAUTH && !*code)
		return "access denied: check the credentials and their permissions";
	if (rep->http.status == 301 || rep->http.status == 307)
		return "the bucket is in another region: use --region (or --endpoint)";
	if (rc == AV_ETLS)
		return "the endpoint's certificate is not trusted: for a private CA, "
		       "give its certificate with --ca-bundle FILE";
	return NULL;
}

void s3req_report(const struct s3_client *c, const struct s3_req *r,
		  const struct s3_reply *rep, int rc)
{
	struct buf m = BUF_INIT;
	const char *hint = s3req_hint(rep, rc);
	const char *region = rep->err.region.len ? rep->err.region.ptr :
			     http_response_header(&rep->http, "x-amz-bucket-region");

	if (s3req_format(r, rep, rc, &m)) {
		msg_error("%s: %s", r->op, error_message(rc));
	} else {
		msg_error("%s", m.ptr);
	}
	if (region && *region && strcmp(region, c->region) != 0)
		msg_info("hint: the bucket is in region '%s': use --region %s", region, region);
	else if (hint)
		msg_info("hint: %s", hint);
	buf_release(&m);
}
