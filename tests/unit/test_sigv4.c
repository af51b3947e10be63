/*
 * Unit tests for sigv4 against vectors no one here wrote: the AWS SigV4
 * signing test suite (every case, header and presigned form) and the
 * worked examples of the S3 documentation.  The botocore-generated S3
 * vectors are in test_sigv4_botocore.c; edge cases and verification in
 * test_sigv4_verify.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/sigv4.h"
#include "archivist/uri.h"

#define SUITE "tests/vectors/sigv4/aws-signing-test-suite-v4"
#define DOCS "tests/vectors/sigv4/s3-docs-examples.txt"
#define MAXKV 16

static char *slurp(const char *dir, const char *name)
{
	char path[512];
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s%s", dir, name ? "/" : "",
		 name ? name : "");
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_add(&b, chunk, n), 0);
	fclose(f);
	return buf_detach(&b, NULL);
}

/* A request parsed from the suite's request.txt (all owned by mem). */
struct parsed {
	char *mem;
	const char *method, *path, *body;
	struct sigv4_kv query[MAXKV], headers[MAXKV];
	size_t nquery, nheaders;
	struct buf decoded[MAXKV * 2];	/* decoded query names and values */
};

static char *decode(struct parsed *p, size_t slot, const char *s)
{
	assert_int_equal(uri_decode(&p->decoded[slot], s, strlen(s)), 0);
	return p->decoded[slot].ptr;
}

static void parse_query(struct parsed *p, char *q)
{
	char *save = NULL, *part;

	for (part = strtok_r(q, "&", &save); part;
	     part = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(part, '=');
		size_t i = p->nquery++;

		assert_true(i < MAXKV);
		if (eq)
			*eq = '\0';
		p->query[i].name = decode(p, 2 * i, part);
		p->query[i].value = decode(p, 2 * i + 1, eq ? eq + 1 : "");
	}
}

/* Header lines up to the blank line; continuation lines are folded in
 * with their line break, which the signer must collapse. */
static char *parse_headers(struct parsed *p, char *s)
{
	while (*s && *s != '\n') {
		char *eol = strchr(s, '\n'), *colon;

		if (eol)
			*eol = '\0';
		if ((*s == ' ' || *s == '\t') && p->nheaders) {
			s[-1] = '\n';	/* re-join with the previous value */
		} else {
			colon = strchr(s, ':');
			assert_non_null(colon);
			*colon = '\0';
			assert_true(p->nheaders < MAXKV);
			p->headers[p->nheaders].name = s;
			p->headers[p->nheaders++].value = colon + 1;
		}
		if (!eol)
			return s + strlen(s);
		s = eol + 1;
	}
	return *s ? s + 1 : s;
}

static void parse_request(struct parsed *p, char *text)
{
	char *eol = strchr(text, '\n'), *sp, *last, *q;
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < MAXKV * 2; i++)
		buf_init(&p->decoded[i], 0);
	p->mem = text;
	assert_non_null(eol);
	*eol = '\0';
	sp = strchr(text, ' ');
	last = strrchr(text, ' ');
	assert_true(sp && last && last > sp);
	*sp = *last = '\0';
	p->method = text;
	p->path = sp + 1;
	if ((q = strchr(sp + 1, '?'))) {
		*q = '\0';
		parse_query(p, q + 1);
	}
	p->body = parse_headers(p, eol + 1);
}

static void parsed_release(struct parsed *p)
{
	size_t i;

	for (i = 0; i < MAXKV * 2; i++)
		buf_release(&p->decoded[i]);
	free(p->mem);
}

struct context {
	json_t *json;
	struct sigv4_creds creds;
	struct sigv4_params params;
	long expires;
	int sign_body, omit_token;
};

static void context_load(struct context *c, const char *dir)
{
	json_error_t err;
	json_t *cr;
	char path[1024];
	struct tm tm;

	assert_true(strlen(dir) < 512);
	snprintf(path, sizeof(path), "%s/context.json", dir);
	c->json = json_load_file(path, 0, &err);
	if (!c->json)
		fail_msg("%s: %s", path, err.text);
	cr = json_object_get(c->json, "credentials");
	c->creds.access_key = json_string_value(
		json_object_get(cr, "access_key_id"));
	c->creds.secret_key = json_string_value(
		json_object_get(cr, "secret_access_key"));
	c->creds.session_token = json_string_value(
		json_object_get(cr, "token"));
	memset(&c->params, 0, sizeof(c->params));
	c->params.region = json_string_value(
		json_object_get(c->json, "region"));
	c->params.service = json_string_value(
		json_object_get(c->json, "service"));
	c->params.normalize_path = json_is_true(
		json_object_get(c->json, "normalize"));
	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(json_string_value(json_object_get(
		c->json, "timestamp")), "%Y-%m-%dT%H:%M:%SZ", &tm));
	c->params.now = timegm(&tm);
	c->expires = (long)json_integer_value(
		json_object_get(c->json, "expiration_in_seconds"));
	c->sign_body = json_is_true(json_object_get(c->json, "sign_body"));
	c->omit_token = json_is_true(
		json_object_get(c->json, "omit_session_token"));
}

/* Trailing new lines are not part of the vectors' contents. */
static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static void expect_file(const char *dir, const char *name, const char *got)
{
	char *want = slurp(dir, name);

	chomp(want);
	if (strcmp(want, got))
		fail_msg("%s/%s:\nwant [%s]\ngot  [%s]", dir, name, want, got);
	free(want);
}

/* The three stages and the signature for one canonical request. */
static void expect_stages(const char *dir, const char *form,
			  const struct sigv4_request *r,
			  const struct sigv4_params *p, const char *secret)
{
	struct buf canon = BUF_INIT, sts = BUF_INIT, sig = BUF_INIT;
	unsigned char key[32];
	char name[64];

	assert_int_equal(sigv4_canonical_request(r, p, &canon), 0);
	snprintf(name, sizeof(name), "%s-canonical-request.txt", form);
	expect_file(dir, name, canon.ptr);
	assert_int_equal(sigv4_string_to_sign(canon.ptr, p, &sts), 0);
	snprintf(name, sizeof(name), "%s-string-to-sign.txt", form);
	expect_file(dir, name, sts.ptr);
	assert_int_equal(sigv4_signing_key(secret, p, key), 0);
	assert_int_equal(sigv4_signature(key, sts.ptr, &sig), 0);
	snprintf(name, sizeof(name), "%s-signature.txt", form);
	expect_file(dir, name, sig.ptr);
	buf_release(&canon);
	buf_release(&sts);
	buf_release(&sig);
}

/* The Authorization line of header-signed-request.txt. */
static void expect_authorization(const char *dir, const char *got)
{
	char *text = slurp(dir, "header-signed-request.txt");
	char *line = strstr(text, "\nAuthorization:"), *eol;

	assert_non_null(line);
	line += strlen("\nAuthorization:");
	if ((eol = strchr(line, '\n')))
		*eol = '\0';
	if (strcmp(line, got))
		fail_msg("%s: authorization\nwant [%s]\ngot  [%s]", dir, line,
			 got);
	free(text);
}

static void header_form(const char *dir, struct parsed *rq,
			struct context *c, const char *body_hash)
{
	struct sigv4_kv h[MAXKV + 3];
	struct sigv4_request r = { 0 };
	struct buf auth = BUF_INIT;
	struct sigv4_creds cr = c->creds;
	char date[17];
	size_t n = rq->nheaders;

	memcpy(h, rq->headers, n * sizeof(*h));
	sigv4_amz_date(date, c->params.now);
	h[n++] = (struct sigv4_kv){ "X-Amz-Date", date };
	if (c->sign_body)
		h[n++] = (struct sigv4_kv){ "x-amz-content-sha256", body_hash };
	if (cr.session_token && !c->omit_token)
		h[n++] = (struct sigv4_kv){ "X-Amz-Security-Token",
					    cr.session_token };
	r = (struct sigv4_request){ rq->method, rq->path, rq->query,
		rq->nquery, h, n, body_hash };
	expect_stages(dir, "header", &r, &c->params, cr.secret_key);
	assert_int_equal(sigv4_authorization(&r, &c->params, &cr, &auth), 0);
	expect_authorization(dir, auth.ptr);
	buf_release(&auth);
}

static int kv_cmp(const void *a, const void *b)
{
	const struct sigv4_kv *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	return d ? d : strcmp(x->value, y->value);
}

/* Compares two encoded query strings as sets of decoded parameters:
 * the order on the wire does not matter to a server. */
static void expect_same_query(const char *dir, char *want, char *got)
{
	struct parsed a, b;

	parse_request(&a, strdup("GET / HTTP/1.1\n"));
	parse_request(&b, strdup("GET / HTTP/1.1\n"));
	parse_query(&a, want);
	parse_query(&b, got);
	if (a.nquery != b.nquery)
		fail_msg("%s: %zu query parameters, want %zu", dir, b.nquery,
			 a.nquery);
	qsort(a.query, a.nquery, sizeof(a.query[0]), kv_cmp);
	qsort(b.query, b.nquery, sizeof(b.query[0]), kv_cmp);
	for (size_t i = 0; i < a.nquery; i++)
		if (kv_cmp(&a.query[i], &b.query[i]))
			fail_msg("%s: query %s=%s, want %s=%s", dir,
				 b.query[i].name, b.query[i].value,
				 a.query[i].name, a.query[i].value);
	parsed_release(&a);
	parsed_release(&b);
}

/*
 * Query form: the canonical stages of the signed request (its X-Amz-*
 * parameters but the signature), then sigv4_presign_query() must give
 * the same parameters and signature as query-signed-request.txt.
 */
static void query_form(const char *dir, struct parsed *rq, struct context *c,
		       const char *body_hash)
{
	char *signed_text = slurp(dir, "query-signed-request.txt");
	struct parsed sg;
	struct sigv4_request r;
	struct sigv4_creds cr = c->creds;
	struct buf q = BUF_INIT, want = BUF_INIT;
	char *line_q, *sp;
	size_t i, n = 0;

	parse_request(&sg, signed_text);
	for (i = 0; i < sg.nquery; i++)
		if (strcmp(sg.query[i].name, "X-Amz-Signature") &&
		    !(c->omit_token && !strcmp(sg.query[i].name,
					       "X-Amz-Security-Token")))
			sg.query[n++] = sg.query[i];
	r = (struct sigv4_request){ rq->method, rq->path, sg.query, n,
		rq->headers, rq->nheaders, body_hash };
	expect_stages(dir, "query", &r, &c->params, cr.secret_key);

	if (c->omit_token)
		cr.session_token = NULL;
	r.query = rq->query;
	r.nquery = rq->nquery;
	assert_int_equal(sigv4_presign_query(&r, &c->params, &cr, c->expires,
					     &q), 0);
	if (c->omit_token) {	/* added after signing, as the suite does */
		assert_int_equal(buf_adds(&q, "&X-Amz-Security-Token="), 0);
		assert_int_equal(uri_encode(&q, c->creds.session_token,
			strlen(c->creds.session_token), 0), 0);
	}
	signed_text = slurp(dir, "query-signed-request.txt");
	line_q = strchr(signed_text, '?');
	sp = strstr(line_q, " HTTP/1.1");
	assert_true(line_q && sp);
	assert_int_equal(buf_add(&want, line_q + 1, (size_t)(sp - line_q - 1)),
			 0);
	expect_same_query(dir, want.ptr, q.ptr);
	free(signed_text);
	buf_release(&q);
	buf_release(&want);
	parsed_release(&sg);
}

static void run_case(const char *dir)
{
	struct parsed rq;
	struct context c;
	char hash[65];

	parse_request(&rq, slurp(dir, "request.txt"));
	context_load(&c, dir);
	assert_int_equal(sigv4_sha256_hex(rq.body, strlen(rq.body), hash), 0);
	header_form(dir, &rq, &c, hash);
	query_form(dir, &rq, &c, hash);
	json_decref(c.json);
	parsed_release(&rq);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_aws_suite(void **state)
{
	DIR *d = opendir(SUITE);
	struct dirent *e;
	char *names[64], path[512];
	size_t n = 0, i;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && n < 64)
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	assert_int_equal(n, 38);	/* every case of the suite */
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", SUITE, names[i]);
		run_case(path);
		free(names[i]);
	}
	printf("# %zu suite cases, header and query forms\n", n);
}

/* One worked example of s3-docs-examples.txt, by its "== " title. */
static void docs_expect(const char *title, const char *canon, const char *sts,
			const char *sig)
{
	char *text = slurp(DOCS, NULL), *s, *sts_at, *sig_at, *end;
	char head[128];

	snprintf(head, sizeof(head), "== %s\n", title);
	s = strstr(text, head);
	assert_non_null(s);
	s += strlen(head);
	sts_at = strstr(s, "\n--sts--\n");
	sig_at = strstr(s, "\nSIG ");
	assert_true(sts_at && sig_at && sig_at > sts_at);
	*sts_at = *sig_at = '\0';
	if ((end = strchr(sig_at + 5, '\n')))
		*end = '\0';
	assert_string_equal(canon, s);
	assert_string_equal(sts, sts_at + 9);
	assert_string_equal(sig, sig_at + 5);
	free(text);
}

#define DOCS_AK "AKIAIOSFODNN7EXAMPLE"
#define DOCS_SK "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define DOCS_TIME 1369353600	/* 2013-05-24T00:00:00Z */
#define DOCS_HOST "examplebucket.s3.amazonaws.com"

static void docs_sign(const char *title, const struct sigv4_request *r)
{
	struct sigv4_params p;
	struct sigv4_creds c = { DOCS_AK, DOCS_SK, NULL };
	struct buf canon = BUF_INIT, sts = BUF_INIT, auth = BUF_INIT;
	const char *sig;

	sigv4_params_s3(&p, "us-east-1", DOCS_TIME);
	assert_int_equal(sigv4_canonical_request(r, &p, &canon), 0);
	assert_int_equal(sigv4_string_to_sign(canon.ptr, &p, &sts), 0);
	assert_int_equal(sigv4_authorization(r, &p, &c, &auth), 0);
	sig = strstr(auth.ptr, "Signature=");
	assert_non_null(sig);
	docs_expect(title, canon.ptr, sts.ptr, sig + 10);
	assert_true(!strncmp(auth.ptr, "AWS4-HMAC-SHA256 Credential="
		DOCS_AK "/20130524/us-east-1/s3/aws4_request, SignedHeaders=",
		strlen("AWS4-HMAC-SHA256 Credential=" DOCS_AK
		       "/20130524/us-east-1/s3/aws4_request, SignedHeaders=")));
	buf_release(&canon);
	buf_release(&sts);
	buf_release(&auth);
}

static void test_docs_signing_key(void **state)
{
	struct sigv4_params p;
	unsigned char key[32];
	struct buf hex = BUF_INIT;

	(void)state;
	sigv4_params_s3(&p, "us-east-1", DOCS_TIME);
	assert_int_equal(sigv4_signing_key(DOCS_SK, &p, key), 0);
	assert_int_equal(buf_addhex(&hex, key, 32), 0);
	assert_string_equal(hex.ptr, "dbb893acc010964918f1fd433add87c70e8b0db6"
			    "be30c1fbeafefa5ec6ba8378");
	buf_release(&hex);
}

static void test_docs_get_range(void **state)
{
	const struct sigv4_kv h[] = {
		{ "Host", DOCS_HOST }, { "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", SIGV4_EMPTY_SHA256 },
		{ "x-amz-date", "20130524T000000Z" },
		{ "User-Agent", "never-signed/1.0" },
	};
	const struct sigv4_request r = { "GET", "/test.txt", NULL, 0, h, 5,
		SIGV4_EMPTY_SHA256 };

	(void)state;
	docs_sign("GET object range", &r);
}

#define PUT_HASH "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"

static void test_docs_put(void **state)
{
	const struct sigv4_kv h[] = {
		{ "Date", "Fri, 24 May 2013 00:00:00 GMT" },
		{ "Host", DOCS_HOST },
		{ "x-amz-storage-class", "REDUCED_REDUNDANCY" },
		{ "x-amz-content-sha256", PUT_HASH },
		{ "x-amz-date", "20130524T000000Z" },
		{ "Expect", "100-continue" },
	};
	struct sigv4_request r = { "PUT", "/test$file.text", NULL, 0, h, 6,
		PUT_HASH };
	char hash[65];

	(void)state;
	assert_int_equal(sigv4_sha256_hex("Welcome to Amazon S3.", 21, hash),
			 0);
	assert_string_equal(hash, PUT_HASH);
	docs_sign("PUT object (with Date)", &r);
	r.headers = h + 1;
	r.nheaders = 5;
	docs_sign("PUT object (no Date)", &r);
}

static void test_docs_lifecycle_and_list(void **state)
{
	const struct sigv4_kv h[] = {
		{ "x-amz-date", "20130524T000000Z" }, { "host", DOCS_HOST },
		{ "x-amz-content-sha256", SIGV4_EMPTY_SHA256 },
	};
	const struct sigv4_kv lc[] = { { "lifecycle", "" } };
	const struct sigv4_kv list[] = { { "prefix", "J" },
					 { "max-keys", "2" } };
	struct sigv4_request r = { "GET", "/", lc, 1, h, 3,
		SIGV4_EMPTY_SHA256 };

	(void)state;
	docs_sign("GET ?lifecycle", &r);
	r.query = list;
	r.nquery = 2;
	docs_sign("GET ?max-keys=2&prefix=J", &r);
}

static void test_docs_presigned(void **state)
{
	const struct sigv4_kv h[] = { { "Host", DOCS_HOST } };
	const struct sigv4_request r = { "GET", "/test.txt", NULL, 0, h, 1,
		SIGV4_UNSIGNED_PAYLOAD };
	struct sigv4_creds c = { DOCS_AK, DOCS_SK, NULL };
	struct sigv4_params p;
	struct buf q = BUF_INIT;

	const struct sigv4_kv x[] = {
		{ "X-Amz-Algorithm", "AWS4-HMAC-SHA256" },
		{ "X-Amz-Credential", DOCS_AK "/20130524/us-east-1/s3/aws4_request" },
		{ "X-Amz-Date", "20130524T000000Z" },
		{ "X-Amz-Expires", "86400" }, { "X-Amz-SignedHeaders", "host" },
	};
	struct sigv4_request rx = r;
	struct buf canon = BUF_INIT, sts = BUF_INIT;

	(void)state;
	sigv4_params_s3(&p, "us-east-1", DOCS_TIME);
	rx.query = x;
	rx.nquery = 5;
	assert_int_equal(sigv4_canonical_request(&rx, &p, &canon), 0);
	assert_int_equal(sigv4_string_to_sign(canon.ptr, &p, &sts), 0);
	docs_expect("presigned GET /test.txt 86400", canon.ptr, sts.ptr,
		    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	buf_release(&canon);
	buf_release(&sts);
	assert_int_equal(sigv4_presign_query(&r, &p, &c, 86400, &q), 0);
	assert_string_equal(q.ptr,
		"X-Amz-Algorithm=AWS4-HMAC-SHA256"
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1"
		"%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
		"&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c2"
		"65957d157751f604d404");
	buf_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aws_suite),
		cmocka_unit_test(test_docs_signing_key),
		cmocka_unit_test(test_docs_get_range),
		cmocka_unit_test(test_docs_put),
		cmocka_unit_test(test_docs_lifecycle_and_list),
		cmocka_unit_test(test_docs_presigned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
