/*
 * Unit tests for sigv4: encoding rules, failure paths, and verification
 * of received requests (what the mock server does), using the AWS S3
 * documentation's published example as the independent reference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/sigv4.h"
#include "archivist/uri.h"

#define AK "AKIAIOSFODNN7EXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define T0 1369353600	/* 2013-05-24T00:00:00Z */
#define HOST "examplebucket.s3.amazonaws.com"
/* Published in the S3 API reference (GET /test.txt, Range: bytes=0-9). */
#define DOCS_AUTH "AWS4-HMAC-SHA256 Credential=" AK \
	"/20130524/us-east-1/s3/aws4_request, " \
	"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " \
	"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"

static void test_uri_encode(void **state)
{
	struct buf b = BUF_INIT;
	const char raw[] = "a b/+=&%~-._é\x01";

	(void)state;
	assert_int_equal(uri_encode(&b, raw, strlen(raw), 1), 0);
	assert_string_equal(b.ptr, "a%20b/%2B%3D%26%25~-._%C3%A9%01");
	buf_reset(&b);
	assert_int_equal(uri_encode(&b, raw, strlen(raw), 0), 0);
	assert_string_equal(b.ptr, "a%20b%2F%2B%3D%26%25~-._%C3%A9%01");
	buf_reset(&b);
	assert_int_equal(sigv4_encode_path(&b, "/b//./../k ey"), 0);
	assert_string_equal(b.ptr, "/b//./../k%20ey");
	buf_release(&b);
}

static void test_uri_decode(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(uri_decode(&b, "a%20b%2fc+d%C3%A9", 17), 0);
	assert_string_equal(b.ptr, "a b/c+dé");
	buf_reset(&b);
	assert_int_equal(uri_decode(&b, "%", 1), AV_EINVAL);
	buf_reset(&b);
	assert_int_equal(uri_decode(&b, "ab%2", 4), AV_EINVAL);
	buf_reset(&b);
	assert_int_equal(uri_decode(&b, "%G1", 3), AV_EINVAL);
	buf_reset(&b);
	assert_int_equal(uri_decode(&b, "a%00", 4), AV_EINVAL);
	buf_release(&b);
}

static void test_amz_date(void **state)
{
	char d[17];
	time_t t;

	(void)state;
	sigv4_amz_date(d, T0);
	assert_string_equal(d, "20130524T000000Z");
	assert_int_equal(sigv4_parse_amz_date("20150830T123600Z", &t), 0);
	assert_int_equal(t, 1440938160);
	assert_int_equal(sigv4_parse_amz_date("20150830T123600", &t),
			 AV_EINVAL);
	assert_int_equal(sigv4_parse_amz_date("2015083XT123600Z", &t),
			 AV_EINVAL);
	assert_int_equal(sigv4_parse_amz_date("20151330T123600Z", &t),
			 AV_EINVAL);
	assert_int_equal(sigv4_parse_amz_date(NULL, &t), AV_EINVAL);
}

/* S3 keeps "//", "." and ".." and signs "?uploads" as "uploads=". */
static void test_s3_path_and_query(void **state)
{
	const struct sigv4_kv h[] = { { "host", "h" },
				      { "X-Amz-Meta-A", "  x \t y  " },
				      { "x-amz-meta-a", "z" } };
	const struct sigv4_kv q[] = { { "uploads", "" },
				      { "prefix", "a b/c" },
				      { "Prefix", "=" } };
	const struct sigv4_request r = { "POST", "/bkt//a/./b/../c", q, 3,
		h, 3, SIGV4_UNSIGNED_PAYLOAD };
	struct sigv4_params p;
	struct buf out = BUF_INIT;

	(void)state;
	sigv4_params_s3(&p, "eu-west-1", T0);
	assert_int_equal(sigv4_canonical_request(&r, &p, &out), 0);
	assert_string_equal(out.ptr, "POST\n/bkt//a/./b/../c\n"
			    "Prefix=%3D&prefix=a%20b%2Fc&uploads=\n"
			    "host:h\nx-amz-meta-a:x y,z\n\n"
			    "host;x-amz-meta-a\nUNSIGNED-PAYLOAD");
	buf_reset(&out);
	p.normalize_path = 1;
	p.double_encode = 1;
	assert_int_equal(sigv4_canonical_request(&r, &p, &out), 0);
	assert_true(!strncmp(out.ptr, "POST\n/bkt/a/c\n", 14));
	buf_release(&out);
}

static void test_bad_input(void **state)
{
	const struct sigv4_kv h[] = { { "host", HOST },
				      { "x-amz-date", "20130524T000000Z" } };
	const struct sigv4_kv bad[] = { { "ho st", "x" } };
	struct sigv4_request r = { "GET", "/k", NULL, 0, h, 2,
		SIGV4_EMPTY_SHA256 };
	struct sigv4_creds c = { AK, SK, NULL };
	struct sigv4_params p;
	struct buf out = BUF_INIT;

	(void)state;
	sigv4_params_s3(&p, "us-east-1", T0);
	assert_int_equal(sigv4_authorization(&r, &p, &c, &out), 0);
	buf_reset(&out);
	p.now = T0 + 1;		/* x-amz-date no longer matches */
	assert_int_equal(sigv4_authorization(&r, &p, &c, &out), AV_EINVAL);
	p.now = T0;
	r.nheaders = 1;		/* no x-amz-date */
	assert_int_equal(sigv4_authorization(&r, &p, &c, &out), AV_EINVAL);
	r.nheaders = 2;
	r.path = "k";		/* not absolute */
	assert_int_equal(sigv4_authorization(&r, &p, &c, &out), AV_EINVAL);
	r.path = "/k";
	r.headers = bad;
	r.nheaders = 1;
	assert_int_equal(sigv4_canonical_request(&r, &p, &out), AV_EINVAL);
	r.headers = h;
	r.nheaders = 2;
	p.region = "us/east";
	assert_int_equal(sigv4_authorization(&r, &p, &c, &out), AV_EINVAL);
	p.region = "us-east-1";
	c.secret_key = "";
	assert_int_equal(sigv4_authorization(&r, &p, &c, &out), AV_EINVAL);
	c.secret_key = SK;
	assert_int_equal(sigv4_presign_query(&r, &p, &c, 0, &out), AV_EINVAL);
	assert_int_equal(sigv4_presign_query(&r, &p, &c, SIGV4_MAX_EXPIRES + 1,
					     &out), AV_EINVAL);
	buf_reset(&out);
	assert_int_equal(sigv4_presign_query(&r, &p, &c, SIGV4_MAX_EXPIRES,
					     &out), 0);
	assert_non_null(strstr(out.ptr, "X-Amz-Expires=604800&"));
	buf_release(&out);
}

static void test_parse_authorization(void **state)
{
	struct sigv4_auth a;

	(void)state;
	assert_int_equal(sigv4_parse_authorization(DOCS_AUTH, &a), 0);
	assert_string_equal(a.access_key, AK);
	assert_string_equal(a.date, "20130524");
	assert_string_equal(a.region, "us-east-1");
	assert_string_equal(a.service, "s3");
	assert_string_equal(a.signed_headers,
			    "host;range;x-amz-content-sha256;x-amz-date");
	assert_string_equal(a.signature, "f0e8bdb87c964420e857bd35b5d6ed310"
			    "bd44f0170aba48dd91039c6036bdb41");
	assert_int_equal(a.presigned, 0);
	sigv4_auth_release(&a);
	sigv4_auth_release(&a);	/* idempotent */
	/* No spaces after the commas, parts in another order. */
	assert_int_equal(sigv4_parse_authorization("AWS4-HMAC-SHA256 "
		"Signature=" "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91"
		"039c6036bdb41,Credential=A/20130524/r/s3/aws4_request,"
		"SignedHeaders=host", &a), 0);
	assert_string_equal(a.region, "r");
	sigv4_auth_release(&a);
}

static void test_parse_authorization_rejects(void **state)
{
	static const char *const bad[] = {
		NULL, "", "AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA1 Credential=A/20130524/r/s/aws4_request, "
		"SignedHeaders=host, Signature=" "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		"AWS4-HMAC-SHA256 Credential=A/2013052/r/s/aws4_request, "
		"SignedHeaders=host, Signature=" "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		"AWS4-HMAC-SHA256 Credential=A/20130524/r/s/aws4, "
		"SignedHeaders=host, Signature=" "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		"AWS4-HMAC-SHA256 Credential=A/20130524/r/s/aws4_request/x, "
		"SignedHeaders=host, Signature=" "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		"AWS4-HMAC-SHA256 Credential=A/20130524/r/s/aws4_request, "
		"SignedHeaders=host, Signature=F0E8",
		"AWS4-HMAC-SHA256 Credential=A/20130524/r/s/aws4_request, "
		"SignedHeaders=Host, Signature=" "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		"AWS4-HMAC-SHA256 Credential=A/20130524/r/s/aws4_request, "
		"Signature=" "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		"AWS4-HMAC-SHA256 Credential=A/20130524/r/s/aws4_request, "
		"SignedHeaders=host, SignedHeaders=host, Signature=" "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
	};
	struct sigv4_auth a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sigv4_parse_authorization(bad[i], &a) != AV_EINVAL)
			fail_msg("accepted [%s]", bad[i] ? bad[i] : "(null)");
		assert_null(a.mem_);
	}
}

static void test_verify_docs_request(void **state)
{
	struct sigv4_kv h[] = {
		{ "Host", HOST }, { "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", SIGV4_EMPTY_SHA256 },
		{ "X-Amz-Date", "20130524T000000Z" },
		{ "User-Agent", "curl/7.88" }, { "Accept", "*/*" },
	};
	struct sigv4_request r = { "GET", "/test.txt", NULL, 0, h, 6, NULL };
	struct sigv4_auth a;
	time_t at = 0;

	(void)state;
	assert_int_equal(sigv4_parse_authorization(DOCS_AUTH, &a), 0);
	assert_int_equal(sigv4_verify(&r, &a, SK, &at), 0);
	assert_int_equal(at, T0);
	assert_int_equal(sigv4_verify(&r, &a, "wrong", NULL), AV_EAUTH);
	h[1].value = "bytes=0-10";	/* tampered signed header */
	assert_int_equal(sigv4_verify(&r, &a, SK, NULL), AV_EAUTH);
	h[1].value = "bytes=0-9";
	r.path = "/test.txt2";
	assert_int_equal(sigv4_verify(&r, &a, SK, NULL), AV_EAUTH);
	r.path = "/test.txt";
	h[4].value = "other";		/* unsigned header: still fine */
	assert_int_equal(sigv4_verify(&r, &a, SK, NULL), 0);
	r.nheaders = 3;			/* x-amz-date missing */
	assert_int_equal(sigv4_verify(&r, &a, SK, NULL), AV_EINVAL);
	r.nheaders = 6;
	h[3].value = "20130525T000000Z";	/* not the scope's day */
	assert_int_equal(sigv4_verify(&r, &a, SK, NULL), AV_EINVAL);
	sigv4_auth_release(&a);
}

static void split_query(char *q, struct sigv4_kv *kv, size_t *n,
			struct buf *dec)
{
	char *save = NULL, *part;

	*n = 0;
	for (part = strtok_r(q, "&", &save); part;
	     part = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(part, '=');

		*eq = '\0';
		assert_int_equal(uri_decode(&dec[2 * *n], part,
						  strlen(part)), 0);
		assert_int_equal(uri_decode(&dec[2 * *n + 1], eq + 1,
						  strlen(eq + 1)), 0);
		kv[*n].name = dec[2 * *n].ptr;
		kv[*n].value = dec[2 * *n + 1].ptr;
		(*n)++;
	}
}

/* A presigned URL made here verifies, with a session token and a query. */
static void test_verify_presigned_roundtrip(void **state)
{
	const struct sigv4_kv h[] = { { "host", "127.0.0.1:9000" } };
	const struct sigv4_kv q[] = { { "partNumber", "2" },
				      { "uploadId", "a/b=c d" } };
	struct sigv4_request r = { "PUT", "/bkt/dir/ key+%.txt", q, 2, h, 1,
		SIGV4_UNSIGNED_PAYLOAD };
	struct sigv4_creds c = { "minioadmin", "minioadmin", "TOKEN/+=" };
	struct sigv4_params p;
	struct sigv4_kv kv[16];
	struct buf url = BUF_INIT, dec[32];
	struct sigv4_auth a;
	size_t n, i;
	time_t at;

	(void)state;
	for (i = 0; i < 32; i++)
		buf_init(&dec[i], 0);
	sigv4_params_s3(&p, "us-east-1", T0);
	assert_int_equal(sigv4_presign_query(&r, &p, &c, 300, &url), 0);
	assert_non_null(strstr(url.ptr, "uploadId=a%2Fb%3Dc%20d"));
	assert_non_null(strstr(url.ptr, "X-Amz-Security-Token=TOKEN%2F%2B%3D"));
	split_query(url.ptr, kv, &n, dec);
	assert_int_equal(n, 9);
	assert_int_equal(sigv4_parse_presigned(kv, n, &a), 0);
	assert_int_equal(a.expires, 300);
	assert_string_equal(a.amz_date, "20130524T000000Z");
	r.query = kv;
	r.nquery = n;
	r.payload_hash = NULL;
	assert_int_equal(sigv4_verify(&r, &a, "minioadmin", &at), 0);
	assert_int_equal(at, T0);
	kv[0].value = "3";	/* partNumber=3 instead of 2 */
	assert_int_equal(sigv4_verify(&r, &a, "minioadmin", NULL), AV_EAUTH);
	sigv4_auth_release(&a);
	kv[0].value = "2";
	for (i = 0; i < n; i++)	/* no X-Amz-Expires: refused */
		if (!strcmp(kv[i].name, "X-Amz-Expires"))
			kv[i].name = "X-Amz-Expire";
	assert_int_equal(sigv4_parse_presigned(kv, n, &a), AV_EINVAL);
	assert_null(a.mem_);
	for (i = 0; i < 32; i++)
		buf_release(&dec[i]);
	buf_release(&url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_encode),
		cmocka_unit_test(test_uri_decode),
		cmocka_unit_test(test_amz_date),
		cmocka_unit_test(test_s3_path_and_query),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_parse_authorization),
		cmocka_unit_test(test_parse_authorization_rejects),
		cmocka_unit_test(test_verify_docs_request),
		cmocka_unit_test(test_verify_presigned_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
