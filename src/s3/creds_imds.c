/*
 * creds_imds: credentials of the instance's IAM role from the EC2
 * instance metadata service (see creds_int.h).  IMDSv2: a session token
 * (PUT latest/api/token), then the role's name and its credentials with
 * that token.  Like botocore, a service that refuses tokens (403, 404,
 * 405) is asked without one (IMDSv1) unless that is disabled; unlike
 * botocore, a service that does not answer the token request at all is
 * not asked again without one, so a machine off EC2 waits once.
 */
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "creds_int.h"

#define TOKEN_PATH "/latest/api/token"
#define ROLE_PATH "/latest/meta-data/iam/security-credentials/"
#define TOKEN_TTL "21600"

struct imds {
	struct creds_provider base;
	char *endpoint;		/* no trailing '/' */
	int attempts;
	int v1_disabled;
	struct http_pool *pool;
};

static void imds_free(struct creds_provider *pv)
{
	struct imds *m = (struct imds *)pv;

	free(m->endpoint);
	http_pool_free(m->pool);
	free(m);
}

/* One request, retried per attempts; 0 with r holding the last reply
 * (any status), or the transport error of the last attempt.  ok says
 * which replies are final. */
static int ask(struct imds *m, const char *method, const char *path,
	       const struct sigv4_kv *h, size_t nh,
	       int (*ok)(const struct http_response *r),
	       struct http_response *r, struct buf *why)
{
	struct buf url = BUF_INIT;
	struct http_request q;
	int n, rc = 0;

	if ((rc = buf_addf(&url, "%s%s", m->endpoint, path)))
		return rc;
	q = (struct http_request){ method, url.ptr, h, nh, NULL, -1, 0, 0,
		NULL, NULL, NULL, NULL, 0 };
	for (n = 1; n <= m->attempts; n++) {
		rc = http_do(m->pool, &q, r);
		if (rc == AV_ENOMEM || (!rc && ok(r)))
			break;
		msg_debug("credentials from %s: %s %s: %s", m->base.name,
			  method, url.ptr, rc ? error_message(rc) : "retrying");
	}
	if (rc && rc != AV_ENOMEM)
		buf_addf(why, "no answer from the instance metadata service "
			 "at %s: %s%s%s", url.ptr, error_message(rc),
			 r->error.len ? ": " : "", r->error.ptr);
	buf_release(&url);
	return rc;
}

static int token_final(const struct http_response *r)
{
	return r->status < 500;
}

static int data_final(const struct http_response *r)
{
	return r->status == 200 && r->body.len > 0;
}

/* The session token into tok; "" for IMDSv1. */
static int session(struct imds *m, struct buf *tok, struct buf *why)
{
	static const struct sigv4_kv h[] = {
		{ "x-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL } };
	struct http_response r;
	int rc;

	http_response_init(&r);
	if ((rc = ask(m, "PUT", TOKEN_PATH, h, 1, token_final, &r, why)))
		goto out;
	if (r.status == 200 && r.body.len) {
		rc = buf_add(tok, r.body.ptr, r.body.len);
		msg_add_secret(tok->ptr);
	} else if (r.status == 400 || m->v1_disabled) {
		buf_addf(why, "the instance metadata service at %s refused a "
			 "session token (HTTP %ld)%s", m->endpoint, r.status,
			 m->v1_disabled ? " and IMDSv1 is disabled" : "");
		rc = AV_ECREDS;
	}
out:
	buf_wipe(&r.body);
	http_response_release(&r);
	return rc ? (rc == AV_ENOMEM ? rc : AV_ECREDS) : 0;
}

/* GET path with the token; the body (non-empty) into out. */
static int data(struct imds *m, const char *path, const struct buf *tok,
		struct buf *out, struct buf *why)
{
	struct sigv4_kv h[] = { { "x-aws-ec2-metadata-token", tok->ptr } };
	struct http_response r;
	int rc;

	http_response_init(&r);
	rc = ask(m, "GET", path, h, tok->len ? 1 : 0, data_final, &r, why);
	if (!rc && !data_final(&r)) {
		buf_addf(why, "the instance metadata service at %s answered "
			 "HTTP %ld%s to %s", m->endpoint, r.status,
			 r.status == 200 ? " with nothing" : "", path);
		rc = AV_ECREDS;
	}
	if (!rc)
		rc = buf_add(out, r.body.ptr, r.body.len);
	buf_wipe(&r.body);
	http_response_release(&r);
	return rc ? (rc == AV_ENOMEM ? rc : AV_ECREDS) : 0;
}

static int imds_fetch(struct creds_provider *pv, struct creds *out,
		      struct buf *why)
{
	struct imds *m = (struct imds *)pv;
	struct buf tok = BUF_INIT, role = BUF_INIT, path = BUF_INIT,
		   doc = BUF_INIT, what = BUF_INIT;
	int rc;

	if ((rc = session(m, &tok, why)) ||
	    (rc = data(m, ROLE_PATH, &tok, &role, why)))
		goto out;
	buf_setlen(&role, strcspn(role.ptr, "\r\n"));
	if (!role.len || strchr(role.ptr, '/')) {
		buf_addf(why, "the instance metadata service at %s named no "
			 "usable IAM role", m->endpoint);
		rc = AV_ECREDS;
		goto out;
	}
	if ((rc = buf_addf(&path, "%s%s", ROLE_PATH, role.ptr)) ||
	    (rc = data(m, path.ptr, &tok, &doc, why)))
		goto out;
	rc = creds_from_json(doc.ptr, doc.len, pv->name, "Token", 1, out,
			     &what);
	if (rc == AV_ECREDS)
		buf_addf(why, "the instance metadata service at %s, role %s: "
			 "%s", m->endpoint, role.ptr, what.ptr);
	else if (!rc && out->expires <= time(NULL)) {
		buf_addf(why, "the instance metadata service at %s returned "
			 "credentials that have already expired", m->endpoint);
		rc = AV_ECREDS;
	}
	if (!rc) {
		buf_reset(&out->source);
		rc = buf_addf(&out->source, "instance metadata at %s, role %s%s",
			      m->endpoint, role.ptr, tok.len ? "" : " (IMDSv1)");
	}
out:
	buf_wipe(&tok);
	buf_wipe(&doc);
	buf_release(&role);
	buf_release(&path);
	buf_release(&what);
	return rc;
}

int imds_provider_new(const struct imds_opts *o, struct creds_provider **out)
{
	struct http_config hc = { NULL, o->timeout, 1, o->timeout };
	struct imds *m = calloc(1, sizeof(*m));
	size_t n;
	int rc = AV_ENOMEM;

	if (!m)
		return rc;
	m->base.name = "iam-role";
	m->base.fetch = imds_fetch;
	m->base.free = imds_free;
	m->attempts = o->attempts > 0 ? o->attempts : 1;
	m->v1_disabled = o->v1_disabled;
	if ((m->endpoint = strdup(o->endpoint))) {
		n = strlen(m->endpoint);
		while (n && m->endpoint[n - 1] == '/')
			m->endpoint[--n] = '\0';
		rc = http_pool_new(&hc, &m->pool);
	}
	if (rc)
		imds_free(&m->base);
	else
		*out = &m->base;
	return rc;
}
