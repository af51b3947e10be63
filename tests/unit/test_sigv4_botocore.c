/*
 * Unit tests for sigv4 against botocore: tests/vectors/sigv4/botocore.json
 * holds S3 requests as botocore's own client built and signed them (made
 * by tests/vectors/gen_sigv4_botocore.py; botocore is not needed here).
 * For each one the canonical request, the Authorization header or the
 * presigned URL, and the path on the wire must be reproduced exactly, and
 * sigv4_verify() must accept what botocore signed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/sigv4.h"

#define VECTORS "tests/vectors/sigv4/botocore.json"
#define MAXKV 32

/* One vector's inputs, borrowed from the JSON document. */
struct vec {
	const char *name, *kind, *url, *canonical;
	struct sigv4_kv query[MAXKV], headers[MAXKV];
	struct sigv4_request r;
	struct sigv4_params p;
	struct sigv4_creds c;
	long expires;
};

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s)
		fail_msg("vector field %s missing", key);
	return s;
}

static size_t pairs(json_t *arr, struct sigv4_kv *kv)
{
	size_t i, n = json_array_size(arr);

	assert_true(n <= MAXKV);
	for (i = 0; i < n; i++) {
		json_t *p = json_array_get(arr, i);

		kv[i].name = json_string_value(json_array_get(p, 0));
		kv[i].value = json_string_value(json_array_get(p, 1));
		assert_true(kv[i].name && kv[i].value);
	}
	return n;
}

static void vec_load(struct vec *v, json_t *o)
{
	time_t t;

	memset(v, 0, sizeof(*v));
	v->name = str(o, "name");
	v->kind = str(o, "kind");
	v->url = str(o, "url");
	v->canonical = str(o, "canonical_request");
	v->r.method = str(o, "method");
	v->r.path = str(o, "path");
	v->r.query = v->query;
	v->r.nquery = pairs(json_object_get(o, "query"), v->query);
	v->r.headers = v->headers;
	v->r.nheaders = pairs(json_object_get(o, "headers"), v->headers);
	v->r.payload_hash = str(o, "payload_hash");
	assert_int_equal(sigv4_parse_amz_date(str(o, "time"), &t), 0);
	sigv4_params_s3(&v->p, str(o, "region"), t);
	v->p.service = str(o, "service");
	v->p.normalize_path = json_is_true(json_object_get(o, "normalize"));
	v->p.double_encode = json_is_true(json_object_get(o, "double_encode"));
	v->c.access_key = str(o, "access_key");
	v->c.secret_key = str(o, "secret_key");
	v->c.session_token = json_string_value(
		json_object_get(o, "session_token"));
	v->expires = (long)json_integer_value(json_object_get(o, "expires"));
}

static void expect_eq(const struct vec *v, const char *what,
		      const char *want, const char *got)
{
	if (strcmp(want, got))
		fail_msg("%s: %s\nwant [%s]\ngot  [%s]", v->name, what, want,
			 got);
}

/* scheme://host + the encoded path must be the URL botocore sent. */
static void expect_wire_path(const struct vec *v)
{
	const char *start = strstr(v->url, "://"), *path, *q;
	struct buf enc = BUF_INIT, want = BUF_INIT;

	assert_non_null(start);
	path = strchr(start + 3, '/');
	assert_non_null(path);
	q = strchr(path, '?');
	assert_int_equal(buf_add(&want, path, q ? (size_t)(q - path) :
				 strlen(path)), 0);
	assert_int_equal(sigv4_encode_path(&enc, v->r.path), 0);
	expect_eq(v, "wire path", want.ptr, enc.ptr);
	buf_release(&enc);
	buf_release(&want);
}

static void header_vector(const struct vec *v, json_t *o)
{
	struct buf canon = BUF_INIT, auth = BUF_INIT;
	struct sigv4_auth a;

	assert_int_equal(sigv4_canonical_request(&v->r, &v->p, &canon), 0);
	expect_eq(v, "canonical request", v->canonical, canon.ptr);
	assert_int_equal(sigv4_authorization(&v->r, &v->p, &v->c, &auth), 0);
	expect_eq(v, "authorization", str(o, "authorization"), auth.ptr);
	if (!v->p.normalize_path) {	/* what the mock server does */
		struct sigv4_request rr = v->r;

		rr.payload_hash = NULL;	/* taken from x-amz-content-sha256 */
		assert_int_equal(sigv4_parse_authorization(auth.ptr, &a), 0);
		assert_int_equal(sigv4_verify(&rr, &a, v->c.secret_key, NULL),
				 0);
		assert_int_equal(sigv4_verify(&rr, &a, "not the secret", NULL),
				 AV_EAUTH);
		sigv4_auth_release(&a);
	}
	buf_release(&canon);
	buf_release(&auth);
}

/* Splits an encoded query (in place) into its parameters, as given. */
static size_t split_raw(char *q, char **parts)
{
	char *save = NULL, *p;
	size_t n = 0;

	for (p = strtok_r(q, "&", &save); p; p = strtok_r(NULL, "&", &save)) {
		assert_true(n < MAXKV);
		parts[n++] = p;
	}
	return n;
}

static int raw_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Our query and botocore's hold the same encoded parameters. */
static void expect_same_params(const struct vec *v, const char *ours)
{
	char *a = strdup(strchr(v->url, '?') + 1), *b = strdup(ours);
	char *pa[MAXKV], *pb[MAXKV];
	size_t na = split_raw(a, pa), nb = split_raw(b, pb), i;

	if (na != nb)
		fail_msg("%s: %zu parameters, want %zu", v->name, nb, na);
	qsort(pa, na, sizeof(pa[0]), raw_cmp);
	qsort(pb, nb, sizeof(pb[0]), raw_cmp);
	for (i = 0; i < na; i++)
		expect_eq(v, "presigned parameter", pa[i], pb[i]);
	free(a);
	free(b);
}

/* Decoded parameters of the presigned URL (names and values in dec). */
static size_t url_params(const char *url, struct sigv4_kv *kv,
			 struct buf *dec)
{
	char *q = strdup(strchr(url, '?') + 1), *parts[MAXKV];
	size_t n = split_raw(q, parts), i;

	for (i = 0; i < n; i++) {
		char *eq = strchr(parts[i], '=');

		assert_non_null(eq);
		*eq = '\0';
		assert_int_equal(sigv4_uri_decode(&dec[2 * i], parts[i],
						  strlen(parts[i])), 0);
		assert_int_equal(sigv4_uri_decode(&dec[2 * i + 1], eq + 1,
						  strlen(eq + 1)), 0);
		kv[i] = (struct sigv4_kv){ dec[2 * i].ptr, dec[2 * i + 1].ptr };
	}
	free(q);
	return n;
}

static void presign_vector(const struct vec *v)
{
	struct buf canon = BUF_INIT, q = BUF_INIT, dec[2 * MAXKV];
	struct sigv4_kv all[MAXKV], nosig[MAXKV];
	struct sigv4_request rr = v->r;
	struct sigv4_auth a;
	size_t n, i, m = 0;

	for (i = 0; i < 2 * MAXKV; i++)
		buf_init(&dec[i], 0);
	n = url_params(v->url, all, dec);
	for (i = 0; i < n; i++)
		if (strcmp(all[i].name, "X-Amz-Signature"))
			nosig[m++] = all[i];
	assert_int_equal(m + 1, n);
	rr.query = nosig;	/* the request with its X-Amz-* parameters */
	rr.nquery = m;
	assert_int_equal(sigv4_canonical_request(&rr, &v->p, &canon), 0);
	expect_eq(v, "canonical request", v->canonical, canon.ptr);
	assert_int_equal(sigv4_presign_query(&v->r, &v->p, &v->c, v->expires,
					     &q), 0);
	expect_same_params(v, q.ptr);
	rr.query = all;		/* what the mock server sees */
	rr.nquery = n;
	rr.payload_hash = NULL;
	assert_int_equal(sigv4_parse_presigned(all, n, &a), 0);
	assert_int_equal(a.expires, v->expires);
	assert_int_equal(sigv4_verify(&rr, &a, v->c.secret_key, NULL), 0);
	sigv4_auth_release(&a);
	for (i = 0; i < 2 * MAXKV; i++)
		buf_release(&dec[i]);
	buf_release(&canon);
	buf_release(&q);
}

static void test_botocore_vectors(void **state)
{
	json_error_t err;
	json_t *doc = json_load_file(VECTORS, 0, &err), *arr;
	size_t i, n, kinds[4] = { 0, 0, 0, 0 };
	struct vec v;

	(void)state;
	if (!doc)
		fail_msg("%s: %s", VECTORS, err.text);
	arr = json_object_get(doc, "vectors");
	n = json_array_size(arr);
	assert_true(n >= 40);
	for (i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);

		vec_load(&v, o);
		expect_wire_path(&v);
		if (!strcmp(v.kind, "presign")) {
			presign_vector(&v);
			kinds[2]++;
		} else {
			header_vector(&v, o);
			kinds[!strcmp(v.kind, "rule") ? 3 :
			      !strcmp(v.kind, "generic")]++;
		}
	}
	printf("# botocore %s: %zu S3 header-signed, %zu presigned, "
	       "%zu rule, %zu generic-service vectors\n",
	       json_string_value(json_object_get(doc, "botocore")), kinds[0],
	       kinds[2], kinds[3], kinds[1]);
	assert_true(kinds[0] >= 30 && kinds[1] >= 3 && kinds[2] >= 5 &&
		    kinds[3] >= 15);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_botocore_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
