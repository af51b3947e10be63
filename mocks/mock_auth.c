/* mock_auth: SigV4 checks of incoming requests (see mock_auth.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "archivist/error.h"
#include "archivist/sigv4.h"
#include "mock_auth.h"
#include "mock_server.h"

#define MAX_HEADERS 200

/* One key the server knows: --access-key's, or a line of --keys-file. */
struct known_key {
	char *line;		/* owned: the fields point into it */
	const char *secret;
	const char *token;	/* NULL: none required */
	time_t not_after;	/* 0: never expires */
};

struct header_list {
	struct sigv4_kv kv[MAX_HEADERS];
	size_t n;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind,
				      const char *name, const char *value)
{
	struct header_list *h = cls;

	(void)kind;
	if (h->n == MAX_HEADERS)
		return MHD_NO;
	h->kv[h->n].name = name;
	h->kv[h->n++].value = value ? value : "";
	return MHD_YES;
}

static int deny(const struct mock_req *r, struct mock_reply *out,
		unsigned status, const char *code, const char *message)
{
	reply_error(r, out, status, code, message);
	return 1;
}

static void key_release(struct known_key *k)
{
	free(k->line);
	memset(k, 0, sizeof(*k));
}

/* Finds ak in the keys file; 1 if found (k filled), 0 if not. */
static int key_from_file(const char *path, const char *ak,
			 struct known_key *k)
{
	FILE *f = fopen(path, "re");
	size_t cap = 0;
	char *line = NULL, *save, *id, *exp;

	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		if (!(id = strtok_r(line, " \t\n", &save)) || strcmp(id, ak) ||
		    !(k->secret = strtok_r(NULL, " \t\n", &save)))
			continue;
		k->token = strtok_r(NULL, " \t\n", &save);
		if (k->token && !strcmp(k->token, "-"))
			k->token = NULL;
		exp = strtok_r(NULL, " \t\n", &save);
		k->not_after = exp ? (time_t)strtoll(exp, NULL, 10) : 0;
		k->line = line;
		fclose(f);
		return 1;
	}
	free(line);
	fclose(f);
	return 0;
}

static int key_find(const struct mock_config *cfg, const char *ak,
		    struct known_key *k)
{
	memset(k, 0, sizeof(*k));
	if (!strcmp(ak, cfg->access_key)) {
		k->secret = cfg->secret_key;
		return 1;
	}
	return cfg->keys_file && key_from_file(cfg->keys_file, ak, k);
}

/* The parsed credentials must name a known key, our region and service. */
static int check_scope(const struct mock_req *r, struct mock_reply *out,
		       const struct sigv4_auth *a, struct known_key *k)
{
	const struct mock_config *cfg = r->srv->cfg;

	if (!key_find(cfg, a->access_key, k))
		return deny(r, out, 403, "InvalidAccessKeyId",
			    "The AWS Access Key Id you provided does not "
			    "exist in our records.");
	if (cfg->region && strcmp(a->region, cfg->region) != 0)
		return deny(r, out, 400, "AuthorizationHeaderMalformed",
			    "The authorization header is malformed; the "
			    "region is wrong.");
	if (strcmp(a->service, "s3") != 0)
		return deny(r, out, 400, "AuthorizationHeaderMalformed",
			    "The authorization header is malformed; the "
			    "service is not 's3'.");
	return 0;
}

/* A temporary key needs its session token, before its expiry. */
static int check_token(const struct mock_req *r, struct mock_reply *out,
		       const struct known_key *k)
{
	const char *t = req_header(r, "x-amz-security-token");

	if (!t)
		t = req_query(r, "X-Amz-Security-Token");
	if (k->token && (!t || strcmp(t, k->token)))
		return deny(r, out, 403, "InvalidToken",
			    "The provided token is malformed or otherwise "
			    "invalid.");
	if (k->not_after && r->now > k->not_after)
		return deny(r, out, 400, "ExpiredToken",
			    "The provided token has expired.");
	return 0;
}

static int check_time(const struct mock_req *r, struct mock_reply *out,
		      const struct sigv4_auth *a, time_t signed_at)
{
	if (a->presigned && r->now > signed_at + a->expires)
		return deny(r, out, 403, "AccessDenied",
			    "Request has expired");
	if (a->presigned && signed_at > r->now + AUTH_MAX_SKEW)
		return deny(r, out, 403, "AccessDenied",
			    "Request is not valid yet");
	if (!a->presigned && (signed_at > r->now + AUTH_MAX_SKEW ||
			      signed_at < r->now - AUTH_MAX_SKEW))
		return deny(r, out, 403, "RequestTimeTooSkewed",
			    "The difference between the request time and "
			    "the current time is too large.");
	return 0;
}

/* Recomputes the signature over the request as received. */
static int check_signature(struct mock_req *r, struct mock_reply *out,
			   const struct sigv4_auth *a, const char *secret)
{
	struct header_list *h = calloc(1, sizeof(*h));
	struct sigv4_kv *q = calloc(r->nquery + 1, sizeof(*q));
	struct sigv4_request req;
	time_t signed_at = 0;
	size_t i;
	int rc = AV_ENOMEM;

	if (!h || !q)
		goto out;
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_header, h);
	for (i = 0; i < r->nquery; i++) {
		q[i].name = r->query[i].name;
		q[i].value = r->query[i].value;
	}
	memset(&req, 0, sizeof(req));
	req.method = r->method;
	req.path = r->path;
	req.query = q;
	req.nquery = r->nquery;
	req.headers = h->kv;
	req.nheaders = h->n;
	rc = sigv4_verify(&req, a, secret, &signed_at);
out:
	free(h);
	free(q);
	if (rc == AV_EAUTH)
		return deny(r, out, 403, "SignatureDoesNotMatch",
			    "The request signature we calculated does not "
			    "match the signature you provided. Check your "
			    "key and signing method.");
	if (rc == AV_EINVAL)
		return deny(r, out, 403, "AccessDenied",
			    "The signature cannot be checked: a signed "
			    "header or the request date is missing.");
	if (rc)
		return deny(r, out, 500, "InternalError",
			    "cannot verify the signature");
	return check_time(r, out, a, signed_at);
}

static int parse(struct mock_req *r, struct mock_reply *out,
		 const char *header, struct sigv4_auth *a)
{
	struct sigv4_kv *q;
	size_t i;
	int rc;

	if (header) {
		if (sigv4_parse_authorization(header, a) == 0)
			return 0;
		return deny(r, out, 400, "AuthorizationHeaderMalformed",
			    "The authorization header is malformed.");
	}
	if (!(q = calloc(r->nquery + 1, sizeof(*q))))
		return deny(r, out, 500, "InternalError", "out of memory");
	for (i = 0; i < r->nquery; i++) {
		q[i].name = r->query[i].name;
		q[i].value = r->query[i].value;
	}
	rc = sigv4_parse_presigned(q, r->nquery, a);
	free(q);
	if (rc == 0)
		return 0;
	return deny(r, out, 400, "AuthorizationQueryParametersError",
		    "The presigned query parameters are missing or "
		    "malformed.");
}

int auth_check(struct mock_req *r, struct mock_reply *out, int read_only)
{
	const struct mock_config *cfg = r->srv->cfg;
	const char *header = req_header(r, "Authorization");
	int presigned = req_query(r, "X-Amz-Algorithm") ||
			req_query(r, "X-Amz-Signature") ||
			req_query(r, "AWSAccessKeyId");
	struct sigv4_auth a;
	struct known_key k;
	int denied;

	memset(&a, 0, sizeof(a));
	memset(&k, 0, sizeof(k));
	if (cfg->no_auth)
		return 0;
	if (!header && !presigned)
		return cfg->anonymous_read && read_only ? 0 :
		       deny(r, out, 403, "AccessDenied", "Access Denied");
	if ((header && !strncmp(header, "AWS ", 4)) ||
	    (!header && req_query(r, "AWSAccessKeyId")))
		return deny(r, out, 403, "AccessDenied",
			    "Signature Version 2 is not supported; sign with "
			    "AWS4-HMAC-SHA256.");
	if (header && presigned)
		return deny(r, out, 400, "InvalidArgument",
			    "Only one auth mechanism allowed.");
	if (!presigned && !req_header(r, "x-amz-content-sha256"))
		return deny(r, out, 400, "InvalidRequest",
			    "Missing required header for this request: "
			    "x-amz-content-sha256");
	denied = parse(r, out, header, &a) || check_scope(r, out, &a, &k) ||
		 check_signature(r, out, &a, k.secret) || check_token(r, out, &k);
	if (a.access_key)
		snprintf(r->access_key, sizeof(r->access_key), "%s",
			 a.access_key);
	key_release(&k);
	sigv4_auth_release(&a);
	r->authenticated = !denied;
	return denied;
}
