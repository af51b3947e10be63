/*
 * sigv4_verify: parse a received request's signature (Authorization
 * header or presigned query) and check it by recomputing it with the
 * same stages the signer uses (see sigv4.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/sigv4.h"
#include "sigv4_int.h"

void sigv4_auth_release(struct sigv4_auth *a)
{
	if (!a)
		return;
	free(a->mem_);
	memset(a, 0, sizeof(*a));
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Signed header list: lower-case names separated by single ';'. */
static int is_header_list(const char *s)
{
	const char *p;

	if (!*s || *s == ';' || s[strlen(s) - 1] == ';' || strstr(s, ";;"))
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == ':' || *p == ',' ||
		    (*p >= 'A' && *p <= 'Z') || *p == 127)
			return 0;
	return 1;
}

/* Splits "AK/DATE/REGION/SERVICE/aws4_request" (in place) into a. */
static int split_credential(char *s, struct sigv4_auth *a)
{
	char *part[5];
	int i;

	for (i = 0; i < 5; i++) {
		part[i] = s;
		s = strchr(s, '/');
		if (i < 4) {
			if (!s)
				return AV_EINVAL;
			*s++ = '\0';
		}
	}
	if (s || !*part[0] || !all_digits(part[1], 8) || !*part[2] ||
	    !*part[3] || strcmp(part[4], "aws4_request"))
		return AV_EINVAL;
	a->access_key = part[0];
	a->date = part[1];
	a->region = part[2];
	a->service = part[3];
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* One "Name=value" part of an Authorization header. */
static int auth_part(char *part, struct sigv4_auth *a, char **cred)
{
	char *eq = strchr(part, '=');
	char *name = part, *value;

	if (!eq)
		return AV_EINVAL;
	*eq = '\0';
	value = eq + 1;
	if (!strcmp(name, "Credential") && !*cred)
		*cred = value;
	else if (!strcmp(name, "SignedHeaders") && !a->signed_headers)
		a->signed_headers = value;
	else if (!strcmp(name, "Signature") && !a->signature)
		a->signature = value;
	else
		return AV_EINVAL;
	return 0;
}

static int auth_check(const struct sigv4_auth *a)
{
	if (!a->signed_headers || !a->signature || !a->access_key ||
	    !is_header_list(a->signed_headers) ||
	    !hex_is(a->signature, 64, 0))
		return AV_EINVAL;
	return 0;
}

int sigv4_parse_authorization(const char *value, struct sigv4_auth *a)
{
	size_t alg = strlen(SIGV4_ALGORITHM);
	char *rest, *part, *save = NULL, *cred = NULL;
	int rc = AV_EINVAL;

	memset(a, 0, sizeof(*a));
	if (!value || strncmp(value, SIGV4_ALGORITHM, alg) ||
	    (value[alg] != ' ' && value[alg] != '\t'))
		return AV_EINVAL;
	if (!(a->mem_ = strdup(value + alg)))
		return AV_ENOMEM;
	rest = a->mem_;
	for (part = strtok_r(rest, ",", &save); part;
	     part = strtok_r(NULL, ",", &save))
		if ((rc = auth_part(trim(part), a, &cred)))
			goto out;
	if (!cred) {
		rc = AV_EINVAL;
		goto out;
	}
	if ((rc = split_credential(cred, a)) || (rc = auth_check(a)))
		goto out;
out:
	if (rc)
		sigv4_auth_release(a);
	return rc;
}

static const char *query_get(const struct sigv4_kv *q, size_t n,
			     const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (q[i].name && !strcmp(q[i].name, name))
			return q[i].value ? q[i].value : "";
	return NULL;
}

/* Copies the presigned parameters into one block and points a at it. */
static int presigned_copy(const char *cred, const char *list,
			  const char *sig, const char *date,
			  struct sigv4_auth *a)
{
	size_t lc = strlen(cred) + 1, ll = strlen(list) + 1;
	size_t ls = strlen(sig) + 1, ld = strlen(date) + 1;
	char *m;

	if (!(m = a->mem_ = malloc(lc + ll + ls + ld)))
		return AV_ENOMEM;
	memcpy(m, cred, lc);
	a->signed_headers = memcpy(m + lc, list, ll);
	a->signature = memcpy(m + lc + ll, sig, ls);
	a->amz_date = memcpy(m + lc + ll + ls, date, ld);
	return split_credential(m, a);
}

int sigv4_parse_presigned(const struct sigv4_kv *query, size_t nquery,
			  struct sigv4_auth *a)
{
	const char *alg, *cred, *date, *exp, *list, *sig;
	time_t t;
	int rc;

	memset(a, 0, sizeof(*a));
	if (nquery && !query)
		return AV_EINVAL;
	alg = query_get(query, nquery, "X-Amz-Algorithm");
	cred = query_get(query, nquery, "X-Amz-Credential");
	date = query_get(query, nquery, "X-Amz-Date");
	exp = query_get(query, nquery, "X-Amz-Expires");
	list = query_get(query, nquery, "X-Amz-SignedHeaders");
	sig = query_get(query, nquery, "X-Amz-Signature");
	if (!alg || strcmp(alg, SIGV4_ALGORITHM) || !cred || !date || !exp ||
	    !list || !sig || sigv4_parse_amz_date(date, &t) ||
	    !*exp || strlen(exp) > 6 || strspn(exp, "0123456789") !=
	    strlen(exp))
		return AV_EINVAL;
	a->expires = strtol(exp, NULL, 10);
	a->presigned = 1;
	if (a->expires < 1 || a->expires > SIGV4_MAX_EXPIRES)
		rc = AV_EINVAL;
	else if (!(rc = presigned_copy(cred, list, sig, date, a)))
		rc = auth_check(a);
	if (rc)
		sigv4_auth_release(a);
	return rc;
}

/* Every name in a's signed list must be among the received headers. */
static int signed_present(const struct sigv4_request *r, const char *list)
{
	const char *s = list;
	char name[256];

	while (*s) {
		size_t len = strcspn(s, ";");

		if (len >= sizeof(name))
			return 0;
		memcpy(name, s, len);
		name[len] = '\0';
		if (!sigv4_find_header(r->headers, r->nheaders, name))
			return 0;
		s += len + (s[len] == ';');
	}
	return 1;
}

static int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *s = list;

	while (*s) {
		size_t len = strcspn(s, ";");

		if (len == n && !memcmp(s, name, n))
			return 1;
		s += len + (s[len] == ';');
	}
	return 0;
}

/* The x-amz-date the request was signed with, checked against the scope. */
static int signed_time(const struct sigv4_request *r,
		       const struct sigv4_auth *a, time_t *t)
{
	const char *date = a->presigned ? a->amz_date :
		sigv4_find_header(r->headers, r->nheaders, "x-amz-date");

	if (!date || sigv4_parse_amz_date(date, t) ||
	    strncmp(date, a->date, 8))
		return AV_EINVAL;
	return 0;
}

int sigv4_verify(const struct sigv4_request *r, const struct sigv4_auth *a,
		 const char *secret_key, time_t *signed_at)
{
	struct buf canon = BUF_INIT, list = BUF_INIT, sig = BUF_INIT;
	struct sigv4_request rr;
	struct sigv4_params p;
	time_t t;
	int rc;

	if (!r || !a || !a->signature || !a->signed_headers || !secret_key)
		return AV_EINVAL;
	if ((rc = signed_time(r, a, &t)))
		return rc;
	if (!list_has(a->signed_headers, "host") ||
	    !signed_present(r, a->signed_headers))
		return AV_EINVAL;
	rr = *r;
	if (!rr.payload_hash)
		rr.payload_hash = a->presigned ? SIGV4_UNSIGNED_PAYLOAD :
			sigv4_find_header(r->headers, r->nheaders,
					  "x-amz-content-sha256");
	if (!rr.payload_hash)
		return AV_EINVAL;
	sigv4_params_s3(&p, a->region, t);
	p.service = a->service;
	if ((rc = sigv4_canonical_full(&rr, &p, NULL, 0,
				       a->presigned ? "X-Amz-Signature" : NULL,
				       a->signed_headers, &canon, &list)) ||
	    (rc = sigv4_sign_canonical(canon.ptr, &p, secret_key, &sig)))
		goto out;
	/* A list out of order or with repeats cannot match what we built. */
	if (strcmp(list.ptr, a->signed_headers))
		rc = AV_EINVAL;
	else if (CRYPTO_memcmp(sig.ptr, a->signature, 64))
		rc = AV_EAUTH;
	if (signed_at)
		*signed_at = t;
out:
	buf_release(&canon);
	buf_release(&list);
	buf_release(&sig);
	return rc;
}
