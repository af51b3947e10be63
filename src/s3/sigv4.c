/*
 * sigv4: AWS Signature Version 4 signing (see sigv4.h).
 *
 * A pipeline of small stages, each appending to a caller's buffer:
 * canonical path, query and headers -> canonical request -> string to
 * sign -> signature.  The time is a parameter, never read here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/sigv4.h"
#include "archivist/uri.h"
#include "sigv4_int.h"

/* Headers that intermediaries (and libcurl) may add, drop or rewrite:
 * hop-by-hop headers and those botocore never signs either. */
static const char *const unsigned_headers[] = {
	"authorization", "connection", "expect", "keep-alive",
	"proxy-authenticate", "proxy-authorization", "te", "trailer",
	"transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", NULL
};

void sigv4_params_s3(struct sigv4_params *p, const char *region, time_t now)
{
	memset(p, 0, sizeof(*p));
	p->region = region;
	p->service = "s3";
	p->now = now;
}

int sigv4_encode_path(struct buf *out, const char *path)
{
	if (!path)
		return AV_EINVAL;
	return uri_encode(out, path, strlen(path), 1);
}

void sigv4_amz_date(char out[17], time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		snprintf(out, 17, "19700101T000000Z");
}

int sigv4_parse_amz_date(const char *s, time_t *t)
{
	struct tm tm;
	char back[17];
	const char *end;

	if (!s || strlen(s) != 16)
		return AV_EINVAL;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y%m%dT%H%M%SZ", &tm);
	if (!end || *end)
		return AV_EINVAL;
	*t = timegm(&tm);
	/* strptime accepts "2013524T..." style short fields: round-trip. */
	sigv4_amz_date(back, *t);
	return strcmp(back, s) ? AV_EINVAL : 0;
}

int sigv4_sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32)
		return AV_ECRYPTO;
	hex_encode(md, 32, out);
	return 0;
}

/* Removes "." and ".." segments and empty segments ("//"), keeping a
 * trailing slash; the rules of the generic services, never S3's. */
static int normalize_path(const char *path, struct buf *out)
{
	const char *seg = path, *end;
	size_t len, root = out->len;
	int rc;

	while (*seg) {
		while (*seg == '/')
			seg++;
		end = strchr(seg, '/');
		len = end ? (size_t)(end - seg) : strlen(seg);
		if (len == 2 && !memcmp(seg, "..", 2)) {
			char *slash = memrchr(out->ptr + root, '/',
					      out->len - root);

			buf_setlen(out, slash ? (size_t)(slash - out->ptr) :
				   root);
		} else if (len && !(len == 1 && *seg == '.')) {
			if ((rc = buf_addc(out, '/')) ||
			    (rc = buf_add(out, seg, len)))
				return rc;
		}
		seg += len;
	}
	if (out->len == root || (path[0] && path[strlen(path) - 1] == '/'))
		return buf_addc(out, '/');
	return 0;
}

/* The canonical URI: decoded path, normalised and encoded per p. */
static int canon_path(const char *path, const struct sigv4_params *p,
		      struct buf *out)
{
	struct buf norm = BUF_INIT, once = BUF_INIT;
	int rc;

	if (p->normalize_path) {
		if ((rc = normalize_path(path, &norm)))
			goto out;
		path = norm.ptr;
	}
	if (!p->double_encode) {
		rc = sigv4_encode_path(out, path);
		goto out;
	}
	if ((rc = sigv4_encode_path(&once, path)))
		goto out;
	rc = sigv4_encode_path(out, once.ptr);
out:
	buf_release(&norm);
	buf_release(&once);
	return rc;
}

struct qpair {
	struct buf name;
	struct buf value;
};

static int qpair_cmp(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c = strcmp(x->name.ptr, y->name.ptr);

	return c ? c : strcmp(x->value.ptr, y->value.ptr);
}

static int qpair_set(struct qpair *q, const struct sigv4_kv *kv)
{
	int rc;

	buf_init(&q->name, 0);
	buf_init(&q->value, 0);
	if (!kv->name || !*kv->name)
		return AV_EINVAL;
	if ((rc = uri_encode(&q->name, kv->name, strlen(kv->name), 0)))
		return rc;
	if (!kv->value)
		return 0;
	return uri_encode(&q->value, kv->value, strlen(kv->value), 0);
}

/*
 * The canonical query string of two parameter lists (the request's and,
 * for presigning, the X-Amz-* ones), skipping parameters named skip
 * (X-Amz-Signature when verifying): encoded, sorted by name then value.
 */
int sigv4_canon_query(const struct sigv4_kv *q1, size_t n1,
		      const struct sigv4_kv *q2, size_t n2, const char *skip,
		      struct buf *out)
{
	struct qpair *v = NULL;
	size_t i, n = 0, total = n1 + n2;
	int rc = 0;

	if (total && !(v = calloc(total, sizeof(*v))))
		return AV_ENOMEM;
	for (i = 0; i < total && !rc; i++) {
		const struct sigv4_kv *kv = i < n1 ? &q1[i] : &q2[i - n1];

		if (skip && kv->name && !strcmp(kv->name, skip))
			continue;
		rc = qpair_set(&v[n++], kv);
	}
	if (rc)
		goto out;
	if (n)
		qsort(v, n, sizeof(*v), qpair_cmp);
	for (i = 0; i < n && !rc; i++)
		rc = buf_addf(out, "%s%s=%s", i ? "&" : "", v[i].name.ptr,
			      v[i].value.ptr);
out:
	for (i = 0; i < n; i++) {
		buf_release(&v[i].name);
		buf_release(&v[i].value);
	}
	free(v);
	return rc;
}

struct hpair {
	struct buf name;	/* lower-cased */
	struct buf value;	/* trimmed, white space collapsed */
	size_t order;		/* position given: keeps repeats in order */
};

static int hpair_cmp(const void *a, const void *b)
{
	const struct hpair *x = a, *y = b;
	int c = strcmp(x->name.ptr, y->name.ptr);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hpair_set(struct hpair *h, const struct sigv4_kv *kv, size_t order)
{
	const char *s;
	int rc, pending = 0;

	buf_init(&h->name, 0);
	buf_init(&h->value, 0);
	h->order = order;
	if (!kv->name || !*kv->name || !kv->value)
		return AV_EINVAL;
	for (s = kv->name; *s; s++) {
		char c = *s;

		if (c <= ' ' || c == ':' || c == 127)
			return AV_EINVAL;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((rc = buf_addc(&h->name, c)))
			return rc;
	}
	for (s = kv->value; *s; s++) {
		if (is_space(*s)) {
			pending = h->value.len > 0;
			continue;
		}
		if ((pending && (rc = buf_addc(&h->value, ' '))) ||
		    (rc = buf_addc(&h->value, *s)))
			return rc;
		pending = 0;
	}
	return 0;
}

int sigv4_header_is_signable(const char *lname)
{
	const char *const *u;

	for (u = unsigned_headers; *u; u++)
		if (!strcmp(*u, lname))
			return 0;
	return 1;
}

/* The name of a signed-list entry: ';'-separated, exact match. */
static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *s = list;

	while (s && *s) {
		const char *end = strchr(s, ';');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (len == n && !memcmp(s, name, n))
			return 1;
		s = end ? end + 1 : NULL;
	}
	return 0;
}

static void hpairs_free(struct hpair *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf_release(&v[i].name);
		buf_release(&v[i].value);
	}
	free(v);
}

/* Emits the sorted "name:value\n" lines, merging repeated names. */
static int hpairs_emit(const struct hpair *v, size_t n, struct buf *canon,
		       struct buf *list)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		int repeat = i && !strcmp(v[i].name.ptr, v[i - 1].name.ptr);

		if (repeat) {
			rc = buf_addf(canon, ",%s", v[i].value.ptr);
			continue;
		}
		if (i && (rc = buf_addc(canon, '\n')))
			break;
		rc = buf_addf(canon, "%s:%s", v[i].name.ptr, v[i].value.ptr);
		if (!rc)
			rc = buf_addf(list, "%s%s", list->len ? ";" : "",
				      v[i].name.ptr);
	}
	if (!rc && n)
		rc = buf_addc(canon, '\n');
	return rc;
}

/*
 * Canonical headers block and signed-header list.  only: NULL to sign
 * every signable header, else a ';'-list of the names to keep (verify).
 */
int sigv4_canon_headers(const struct sigv4_kv *h, size_t nh, const char *only,
			struct buf *canon, struct buf *list)
{
	struct hpair *v = NULL;
	size_t i, n = 0;
	int rc = 0;

	if (nh && !(v = calloc(nh, sizeof(*v))))
		return AV_ENOMEM;
	for (i = 0; i < nh; i++) {
		if ((rc = hpair_set(&v[n], &h[i], i))) {
			n++;
			goto out;
		}
		if (only ? in_list(only, v[n].name.ptr) :
		    sigv4_header_is_signable(v[n].name.ptr)) {
			n++;
			continue;
		}
		buf_release(&v[n].name);
		buf_release(&v[n].value);
	}
	if (n)
		qsort(v, n, sizeof(*v), hpair_cmp);
	rc = hpairs_emit(v, n, canon, list);
out:
	hpairs_free(v, n);
	return rc;
}

/* The value of the first header named lname (case-insensitive), or NULL. */
const char *sigv4_find_header(const struct sigv4_kv *h, size_t n,
			      const char *lname)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (h[i].name && !strcasecmp(h[i].name, lname))
			return h[i].value;
	return NULL;
}

static int check_request(const struct sigv4_request *r)
{
	if (!r || !r->method || !*r->method || !r->path ||
	    r->path[0] != '/' || !r->payload_hash || !*r->payload_hash ||
	    (r->nquery && !r->query) || (r->nheaders && !r->headers))
		return AV_EINVAL;
	if (strpbrk(r->method, " \t\r\n") ||
	    strpbrk(r->payload_hash, " \t\r\n"))
		return AV_EINVAL;
	return 0;
}

int sigv4_canonical_full(const struct sigv4_request *r,
			 const struct sigv4_params *p,
			 const struct sigv4_kv *extra, size_t nextra,
			 const char *skip, const char *only,
			 struct buf *out, struct buf *signed_list)
{
	struct buf headers = BUF_INIT;
	int rc;

	if ((rc = check_request(r)))
		return rc;
	if ((rc = buf_addf(out, "%s\n", r->method)) ||
	    (rc = canon_path(r->path, p, out)) ||
	    (rc = buf_addc(out, '\n')) ||
	    (rc = sigv4_canon_query(r->query, r->nquery, extra, nextra,
				    skip, out)) ||
	    (rc = buf_addc(out, '\n')) ||
	    (rc = sigv4_canon_headers(r->headers, r->nheaders, only,
				      &headers, signed_list)))
		goto out;
	rc = buf_addf(out, "%s\n%s\n%s", headers.ptr, signed_list->ptr,
		      r->payload_hash);
out:
	buf_release(&headers);
	return rc;
}

int sigv4_canonical_request(const struct sigv4_request *r,
			    const struct sigv4_params *p, struct buf *out)
{
	struct buf list = BUF_INIT;
	int rc;

	rc = sigv4_canonical_full(r, p, NULL, 0, NULL, NULL, out, &list);
	buf_release(&list);
	return rc;
}

/* A scope part: non-empty, no '/', no white space or control bytes. */
static int scope_part_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '/' || *s == 127)
			return 0;
	return 1;
}

int sigv4_scope(const struct sigv4_params *p, struct buf *out)
{
	char date[17];

	if (!p || !scope_part_ok(p->region) || !scope_part_ok(p->service))
		return AV_EINVAL;
	sigv4_amz_date(date, p->now);
	return buf_addf(out, "%.8s/%s/%s/aws4_request", date, p->region,
			p->service);
}

int sigv4_string_to_sign(const char *canonical_request,
			 const struct sigv4_params *p, struct buf *out)
{
	char date[17], hash[65];
	int rc;

	if (!canonical_request || !p)
		return AV_EINVAL;
	if ((rc = sigv4_sha256_hex(canonical_request,
				   strlen(canonical_request), hash)))
		return rc;
	sigv4_amz_date(date, p->now);
	if ((rc = buf_addf(out, SIGV4_ALGORITHM "\n%s\n", date)) ||
	    (rc = sigv4_scope(p, out)))
		return rc;
	return buf_addf(out, "\n%s", hash);
}

static int hmac(const unsigned char *key, size_t klen, const char *msg,
		unsigned char out[32])
{
	unsigned int len = 0;

	if (!HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
		  strlen(msg), out, &len) || len != 32)
		return AV_ECRYPTO;
	return 0;
}

int sigv4_signing_key(const char *secret_key, const struct sigv4_params *p,
		      unsigned char key[32])
{
	struct buf k = BUF_INIT;
	char date[17];
	int rc;

	if (!secret_key || !p || !scope_part_ok(p->region) ||
	    !scope_part_ok(p->service))
		return AV_EINVAL;
	sigv4_amz_date(date, p->now);
	date[8] = '\0';
	if ((rc = buf_addf(&k, "AWS4%s", secret_key)))
		goto out;
	if ((rc = hmac((unsigned char *)k.ptr, k.len, date, key)) ||
	    (rc = hmac(key, 32, p->region, key)) ||
	    (rc = hmac(key, 32, p->service, key)) ||
	    (rc = hmac(key, 32, "aws4_request", key)))
		goto out;
out:
	OPENSSL_cleanse(k.ptr, k.len);
	buf_release(&k);
	if (rc)
		OPENSSL_cleanse(key, 32);
	return rc;
}

int sigv4_signature(const unsigned char key[32], const char *string_to_sign,
		    struct buf *out)
{
	unsigned char sig[32];
	int rc;

	if (!key || !string_to_sign)
		return AV_EINVAL;
	if ((rc = hmac(key, 32, string_to_sign, sig)))
		return rc;
	return buf_addhex(out, sig, 32);
}

/* Canonical request -> string to sign -> hex signature, into sig. */
int sigv4_sign_canonical(const char *canonical, const struct sigv4_params *p,
			 const char *secret_key, struct buf *sig)
{
	struct buf sts = BUF_INIT;
	unsigned char key[32];
	int rc;

	if ((rc = sigv4_string_to_sign(canonical, p, &sts)) ||
	    (rc = sigv4_signing_key(secret_key, p, key)))
		goto out;
	rc = sigv4_signature(key, sts.ptr, sig);
	OPENSSL_cleanse(key, sizeof(key));
out:
	buf_release(&sts);
	return rc;
}

static int check_creds(const struct sigv4_creds *c)
{
	if (!c || !scope_part_ok(c->access_key) || !c->secret_key ||
	    !*c->secret_key)
		return AV_EINVAL;
	return 0;
}

int sigv4_authorization(const struct sigv4_request *r,
			const struct sigv4_params *p,
			const struct sigv4_creds *c, struct buf *auth)
{
	struct buf canon = BUF_INIT, list = BUF_INIT, sig = BUF_INIT;
	const char *date;
	char want[17];
	int rc;

	if ((rc = check_creds(c)) || (rc = check_request(r)) || !p)
		return rc ? rc : AV_EINVAL;
	sigv4_amz_date(want, p->now);
	date = sigv4_find_header(r->headers, r->nheaders, "x-amz-date");
	if (!sigv4_find_header(r->headers, r->nheaders, "host") || !date ||
	    strcmp(date, want))
		return AV_EINVAL;
	if ((rc = sigv4_canonical_full(r, p, NULL, 0, NULL, NULL, &canon,
				       &list)) ||
	    (rc = sigv4_sign_canonical(canon.ptr, p, c->secret_key, &sig)) ||
	    (rc = buf_addf(auth, SIGV4_ALGORITHM " Credential=%s/",
			   c->access_key)) ||
	    (rc = sigv4_scope(p, auth)))
		goto out;
	rc = buf_addf(auth, ", SignedHeaders=%s, Signature=%s", list.ptr,
		      sig.ptr);
out:
	buf_release(&canon);
	buf_release(&list);
	buf_release(&sig);
	return rc;
}

int sigv4_presign_query(const struct sigv4_request *r,
			const struct sigv4_params *p,
			const struct sigv4_creds *c, long expires,
			struct buf *query)
{
	struct buf cred = BUF_INIT, list = BUF_INIT, canon = BUF_INIT;
	struct buf sig = BUF_INIT, scratch = BUF_INIT, list2 = BUF_INIT;
	struct sigv4_kv x[6];
	char date[17], exp[24];
	size_t n = 0;
	int rc;

	if ((rc = check_creds(c)) || (rc = check_request(r)) || !p)
		return rc ? rc : AV_EINVAL;
	if (expires < 1 || expires > SIGV4_MAX_EXPIRES ||
	    !sigv4_find_header(r->headers, r->nheaders, "host"))
		return AV_EINVAL;
	sigv4_amz_date(date, p->now);
	snprintf(exp, sizeof(exp), "%ld", expires);
	/* The signed-header list is part of the query it signs: compute it
	 * first from the headers alone. */
	if ((rc = sigv4_canon_headers(r->headers, r->nheaders, NULL,
				      &scratch, &list)) ||
	    (rc = buf_addf(&cred, "%s/", c->access_key)) ||
	    (rc = sigv4_scope(p, &cred)))
		goto out;
	x[n++] = (struct sigv4_kv){ "X-Amz-Algorithm", SIGV4_ALGORITHM };
	x[n++] = (struct sigv4_kv){ "X-Amz-Credential", cred.ptr };
	x[n++] = (struct sigv4_kv){ "X-Amz-Date", date };
	x[n++] = (struct sigv4_kv){ "X-Amz-Expires", exp };
	x[n++] = (struct sigv4_kv){ "X-Amz-SignedHeaders", list.ptr };
	if (c->session_token && *c->session_token)
		x[n++] = (struct sigv4_kv){ "X-Amz-Security-Token",
					    c->session_token };
	if ((rc = sigv4_canonical_full(r, p, x, n, NULL, NULL, &canon,
				       &list2)) ||
	    (rc = sigv4_sign_canonical(canon.ptr, p, c->secret_key, &sig)) ||
	    (rc = sigv4_canon_query(r->query, r->nquery, x, n, NULL, query)))
		goto out;
	rc = buf_addf(query, "&X-Amz-Signature=%s", sig.ptr);
out:
	buf_release(&cred);
	buf_release(&list);
	buf_release(&canon);
	buf_release(&sig);
	buf_release(&scratch);
	buf_release(&list2);
	return rc;
}
