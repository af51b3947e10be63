/*
 * creds_sts: credentials from AWS STS (see creds_int.h):
 * AssumeRoleWithWebIdentity (unsigned; the token read from its file on
 * every call, as the platforms rotate it) and AssumeRole (SigV4, service
 * "sts", with the source credentials).  Query protocol: a form-encoded
 * POST to "/", an XML reply parsed by xml.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "retry.h"
#include "archivist/uri.h"
#include "xml.h"
#include "creds_int.h"

#define STS_VERSION "2011-06-15"
#define STS_ATTEMPTS 3
#define STS_CONNECT_TIMEOUT 10
#define STS_LOW_SPEED_TIME 30
/* The source credentials of an assumed role are renewed this long
 * before they expire (botocore's advisory window). */
#define SOURCE_WINDOW (15 * 60)

/* botocore's LEGACY_GLOBAL_STS_REGIONS: sts.amazonaws.com with
 * sts_regional_endpoints = legacy. */
static const char *const legacy_regions[] = {
	"ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"aws-global", "ca-central-1", "eu-central-1", "eu-north-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1",
	"us-east-2", "us-west-1", "us-west-2", NULL
};

struct sts {
	struct creds_provider base;
	char *url;		/* "scheme://host[:port]/" */
	char *hostport;
	char *endpoint_from;
	char *region;
	char *role_arn;
	char *session_name;
	char *external_id;
	long duration;
	char *token_file;	/* web identity; NULL for AssumeRole */
	struct creds source;	/* AssumeRole's signing credentials */
	struct http_pool *pool;
	struct retry_policy retry;
};

static int is_legacy(const char *region)
{
	const char *const *r;

	for (r = legacy_regions; *r; r++)
		if (!strcmp(*r, region))
			return 1;
	return 0;
}

int sts_endpoint(const struct aws_env *env, const struct aws_profile *p,
		 const char *region, struct buf *url, const char **from)
{
	const char *mode = aws_env_set(env->sts_regional_endpoints) ?
		env->sts_regional_endpoints :
		aws_profile_get(p, "sts_regional_endpoints");
	const char *v, *why = "";
	struct endpoint ep;
	int rc;

	memset(&ep, 0, sizeof(ep));
	if (aws_env_set(v = env->endpoint_url_sts))
		*from = "AWS_ENDPOINT_URL_STS";
	else if (aws_env_set(v = env->endpoint_url))
		*from = "AWS_ENDPOINT_URL";
	else if (aws_env_set(v = aws_profile_service(p, "sts", "endpoint_url")))
		*from = "profile services sts endpoint_url";
	else if (aws_env_set(v = aws_profile_get(p, "endpoint_url")))
		*from = "profile endpoint_url";
	else
		v = NULL;
	if (!v && aws_env_set(mode) && strcasecmp(mode, "regional") &&
	    strcasecmp(mode, "legacy")) {
		msg_error("sts_regional_endpoints '%s' is not regional or "
			  "legacy", mode);
		return AV_ECONFIG;
	}
	if (v) {
		rc = endpoint_parse_url(v, &ep, &why);
		if (rc == AV_ECONFIG)
			msg_error("bad STS endpoint URL '%s' (from %s): %s", v,
				  *from, why);
		if (!rc)
			rc = buf_sets(url, ep.url);
		endpoint_release(&ep);
		return rc;
	}
	*from = "AWS";
	if (aws_env_set(mode) && !strcasecmp(mode, "legacy") &&
	    is_legacy(region))
		return buf_sets(url, "https://sts.amazonaws.com");
	return buf_addf(url, "https://sts.%s.amazonaws.com%s", region,
			strncmp(region, "cn-", 3) ? "" : ".cn");
}

static void sts_free(struct creds_provider *pv)
{
	struct sts *s = (struct sts *)pv;

	free(s->url);
	free(s->hostport);
	free(s->endpoint_from);
	free(s->region);
	free(s->role_arn);
	free(s->session_name);
	free(s->external_id);
	free(s->token_file);
	creds_release(&s->source);
	http_pool_free(s->pool);
	free(s);
}

/* "&Name=VALUE", form-encoded. */
static int param(struct buf *b, const char *name, const char *value)
{
	int rc = buf_addf(b, "%s%s=", b->len ? "&" : "", name);

	return rc ? rc : uri_encode(b, value, strlen(value), 0);
}

static int form(const struct sts *s, const char *token, struct buf *body)
{
	char dur[32];
	int rc;

	rc = param(body, "Action", token ? "AssumeRoleWithWebIdentity" :
		   "AssumeRole");
	rc = rc ? rc : param(body, "Version", STS_VERSION);
	rc = rc ? rc : param(body, "RoleArn", s->role_arn);
	rc = rc ? rc : param(body, "RoleSessionName", s->session_name);
	if (!rc && s->external_id)
		rc = param(body, "ExternalId", s->external_id);
	if (!rc && s->duration > 0) {
		snprintf(dur, sizeof(dur), "%ld", s->duration);
		rc = param(body, "DurationSeconds", dur);
	}
	if (!rc && token)
		rc = param(body, "WebIdentityToken", token);
	return rc;
}

/* The headers of one attempt, signed for AssumeRole. */
struct attempt {
	struct sigv4_kv h[6];
	size_t n;
	char date[17];
	char sha[65];
	struct buf auth;
};

static int sign(struct sts *s, const struct buf *body, struct attempt *a)
{
	struct sigv4_request r;
	struct sigv4_params p;
	time_t now = time(NULL);
	int rc;

	a->n = 0;
	a->h[a->n++] = (struct sigv4_kv){ "host", s->hostport };
	a->h[a->n++] = (struct sigv4_kv){ "content-type",
		"application/x-www-form-urlencoded; charset=utf-8" };
	if (s->token_file)
		return 0;
	sigv4_amz_date(a->date, now);
	a->h[a->n++] = (struct sigv4_kv){ "x-amz-date", a->date };
	if (s->source.session_token)
		a->h[a->n++] = (struct sigv4_kv){ "x-amz-security-token",
			s->source.session_token };
	if ((rc = sigv4_sha256_hex(body->ptr, body->len, a->sha)))
		return rc;
	memset(&p, 0, sizeof(p));
	p.region = s->region;
	p.service = "sts";
	p.now = now;
	p.normalize_path = 1;
	p.double_encode = 1;
	r = (struct sigv4_request){ "POST", "/", NULL, 0, a->h, a->n, a->sha };
	buf_reset(&a->auth);
	if ((rc = sigv4_authorization(&r, &p, &s->source.sig, &a->auth)))
		return rc;
	a->h[a->n++] = (struct sigv4_kv){ "Authorization", a->auth.ptr };
	return 0;
}

static int retryable(const struct http_response *r, const struct xml_error *e)
{
	static const char *const codes[] = { "Throttling",
		"ThrottlingException", "RequestLimitExceeded",
		"IDPCommunicationError", "ServiceUnavailable", NULL };
	const char *const *c;

	if (r->status >= 500)
		return 1;
	for (c = codes; *c; c++)
		if (!strcmp(e->code.ptr, *c))
			return 1;
	return 0;
}

/* What went wrong, for why. */
static void describe(const struct sts *s, int rc, const struct http_response *r,
		     const struct xml_error *e, int attempts, struct buf *why)
{
	buf_addf(why, "STS at %s (from %s), role %s: ", s->url,
		 s->endpoint_from, s->role_arn);
	if (rc)
		buf_addf(why, "%s%s%s", error_message(rc),
			 r->error.len ? ": " : "", r->error.ptr);
	else if (e->code.len)
		buf_addf(why, "%ld %s%s%s", r->status, e->code.ptr,
			 e->message.len ? ": " : "", e->message.ptr);
	else
		buf_addf(why, "HTTP %ld", r->status);
	if (e->request_id.len)
		buf_addf(why, " (request id %s)", e->request_id.ptr);
	if (attempts > 1)
		buf_addf(why, " (after %d attempts)", attempts);
}

/* Posts body until a final answer; 0 with the reply in r (2xx), else
 * AV_ECREDS with why. */
static int post(struct sts *s, const struct buf *body,
		struct http_response *r, struct buf *why)
{
	struct attempt a;
	struct xml_error e;
	struct http_request q;
	int n, rc = 0;

	memset(&a, 0, sizeof(a));
	buf_init(&a.auth, 0);
	xml_error_init(&e);
	for (n = 1;; n++) {
		if ((rc = sign(s, body, &a)))
			break;
		q = (struct http_request){ "POST", s->url, a.h, a.n, body->ptr,
			-1, 0, body->len, NULL, NULL, NULL, NULL, 0 };
		rc = http_do(s->pool, &q, r);
		if (rc == AV_ENOMEM || rc == AV_ECONFIG || rc == AV_ETLS)
			break;
		if (!rc && r->status >= 200 && r->status < 300)
			break;
		if (!rc) {
			xml_parse_sts_error(r->body.ptr, r->body.len, &e);
			if (!retryable(r, &e))
				break;
		}
		if (n >= STS_ATTEMPTS)
			break;
		msg_verbose("credentials from %s: STS at %s: %s; retrying",
			    s->base.name, s->url, rc ? error_message(rc) :
			    e.code.len ? e.code.ptr : "server error");
		retry_wait(&s->retry, n);
		buf_reset(&e.code);
		buf_reset(&e.message);
		buf_reset(&e.request_id);
	}
	if (rc == AV_ENOMEM) {
		;
	} else if (rc || r->status < 200 || r->status >= 300) {
		describe(s, rc, r, &e, n, why);
		rc = AV_ECREDS;
	}
	buf_release(&a.auth);
	xml_error_release(&e);
	return rc;
}

/* The source credentials, renewed when they are close to expiring. */
static int fresh_source(struct sts *s, struct buf *why)
{
	struct creds next;
	int rc;

	if (!s->source.expires || s->source.expires - time(NULL) >= SOURCE_WINDOW)
		return 0;
	creds_init(&next);
	if ((rc = creds_refresh(&s->source, &next, why))) {
		buf_addf(why, " (renewing the source credentials of role %s)",
			 s->role_arn);
		creds_release(&next);
		return rc == AV_ENOMEM ? rc : AV_ECREDS;
	}
	next.refresh = s->source.refresh;
	s->source.refresh = NULL;
	creds_release(&s->source);
	s->source = next;
	return 0;
}

static int sts_fetch(struct creds_provider *pv, struct creds *out,
		     struct buf *why)
{
	struct sts *s = (struct sts *)pv;
	struct buf token = BUF_INIT, body = BUF_INIT;
	struct xml_sts_creds x;
	struct http_response r;
	const char *action = s->token_file ? "AssumeRoleWithWebIdentity" :
		"AssumeRole";
	int rc;

	xml_sts_creds_init(&x);
	http_response_init(&r);
	if (s->token_file &&
	    creds_read_token(s->token_file, "web identity token", &token, why)) {
		rc = AV_ECONFIG;
		goto out;
	}
	if ((!s->token_file && (rc = fresh_source(s, why))) ||
	    (rc = form(s, s->token_file ? token.ptr : NULL, &body)) ||
	    (rc = post(s, &body, &r, why)))
		goto out;
	if (xml_parse_sts(r.body.ptr, r.body.len, action, &x)) {
		buf_addf(why, "STS at %s: the reply to %s is not the XML "
			 "expected", s->url, action);
		rc = AV_ECREDS;
		goto out;
	}
	if (x.expiration <= time(NULL)) {
		buf_addf(why, "STS at %s returned credentials that have "
			 "already expired", s->url);
		rc = AV_ECREDS;
		goto out;
	}
	rc = creds_set(out, pv->name, x.access_key.ptr, x.secret_key.ptr,
		       x.session_token.ptr, x.expiration, why);
	rc = rc == AV_ECORRUPT ? AV_ECREDS : rc;
	if (!rc) {
		buf_reset(&out->source);
		rc = buf_addf(&out->source, "STS at %s, role %s", s->url,
			      s->role_arn);
	}
out:
	buf_wipe(&token);
	buf_wipe(&body);
	buf_wipe(&r.body);
	http_response_release(&r);
	xml_sts_creds_release(&x);
	return rc;
}

static char *dup_or_null(const char *v, int *fail)
{
	char *d;

	if (!v || !*v)
		return NULL;
	if (!(d = strdup(v)))
		*fail = 1;
	return d;
}

static int sts_new(const struct sts_opts *o, const char *name,
		   struct sts **out)
{
	struct http_config hc = { o->ca_bundle, STS_CONNECT_TIMEOUT, 1,
		STS_LOW_SPEED_TIME };
	struct endpoint ep;
	const char *why = "";
	char session[64];
	struct sts *s;
	int fail = 0, rc;

	memset(&ep, 0, sizeof(ep));
	if (!(s = calloc(1, sizeof(*s))))
		return AV_ENOMEM;
	s->base.name = name;
	s->base.fetch = sts_fetch;
	s->base.free = sts_free;
	creds_init(&s->source);
	retry_policy_init(&s->retry, STS_ATTEMPTS);
	snprintf(session, sizeof(session), "archivist-%lld",
		 (long long)time(NULL));
	if ((rc = endpoint_parse_url(o->endpoint, &ep, &why))) {
		msg_error("bad STS endpoint URL '%s': %s", o->endpoint, why);
		goto out;
	}
	s->hostport = dup_or_null(ep.hostport, &fail);
	s->endpoint_from = dup_or_null(o->endpoint_from, &fail);
	s->region = dup_or_null(o->region, &fail);
	s->role_arn = dup_or_null(o->role_arn, &fail);
	s->session_name = dup_or_null(aws_env_set(o->session_name) ?
				      o->session_name : session, &fail);
	s->external_id = dup_or_null(o->external_id, &fail);
	s->token_file = dup_or_null(o->token_file, &fail);
	s->duration = o->duration;
	if (fail || !(s->url = malloc(strlen(ep.url) + 2)))
		rc = AV_ENOMEM;
	else
		sprintf(s->url, "%s/", ep.url);
	if (!rc)
		rc = http_pool_new(&hc, &s->pool);
out:
	endpoint_release(&ep);
	if (rc)
		sts_free(&s->base);
	else
		*out = s;
	return rc;
}

int sts_web_identity_new(const struct sts_opts *o, struct creds_provider **out)
{
	struct sts *s;
	int rc = sts_new(o, "assume-role-with-web-identity", &s);

	if (!rc)
		*out = &s->base;
	return rc;
}

int sts_assume_role_new(const struct sts_opts *o, struct creds *source,
			struct creds_provider **out)
{
	struct sts *s;
	int rc = sts_new(o, "assume-role", &s);

	if (!rc) {
		s->source = *source;	/* sig's views move with the strings */
		creds_init(source);
		*out = &s->base;
	} else {
		creds_release(source);
	}
	return rc;
}
