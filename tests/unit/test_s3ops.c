/*
 * Unit tests for the S3 operations (list, uploads, abort, head, get, put)
 * against a scripted server: what each sends, and what it makes of the
 * replies, including the ones a real server rarely gives on demand
 * (a reply cut mid-body, 501 to If-None-Match, an object that changed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "s3/s3req.h"
#include "util_http.h"

/* sha256("hello") and sha256("0123456789") */
#define HELLO_SHA "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define DIGITS_SHA "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882"

static char bufs[SCRIPT_MAX][2048];

static const char *R(int i, const char *status, const char *headers, const char *body)
{
	return script_reply(bufs[i], sizeof(bufs[i]), status, headers, body);
}

static void no_sleep(void *ctx, unsigned ms)
{
	(void)ctx;
	(void)ms;
}

static struct s3_client *client(struct script *s)
{
	struct sigv4_creds cr = { "AKIDEXAMPLE", "secret", NULL };
	struct s3_config cfg;
	struct s3_client *c = NULL;
	char url[64];

	assert_int_equal(script_start(s), 0);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", s->port);
	cfg.endpoint = url;
	cfg.region = "us-east-1";
	cfg.creds = &cr;
	assert_int_equal(s3_client_new(&cfg, &c), 0);
	c->retry.sleep_ms = no_sleep;
	return c;
}

static void done(struct script *s, struct s3_client *c)
{
	s3_client_free(c);
	s->nreplies = s->nrequests;	/* unused replies: stop serving */
	script_stop(s);
}

static int has(const struct script *s, int i, const char *text)
{
	return strcasestr(s->requests[i], text) != NULL;
}

struct keys {
	char all[512];
};

static int add_key(void *ctx, const struct s3_object *o)
{
	struct keys *k = ctx;

	strcat(k->all, o->key);
	strcat(k->all, "|");
	return 0;
}

static void test_list_follows_tokens(void **state)
{
	struct script s = { .nreplies = 2 };
	struct s3_list_opts o = { "p/", NULL, 2, NULL };
	struct keys k = { "" };
	struct s3_client *c;

	(void)state;
	s.replies[0] = R(0, "200 OK", "", "<ListBucketResult><IsTruncated>true</IsTruncated>"
		"<NextContinuationToken>t/1+=</NextContinuationToken><EncodingType>url"
		"</EncodingType><Contents><Key>p/a%20b</Key><Size>1</Size></Contents>"
		"<Contents><Key>p/c%2Bd</Key><Size>2</Size></Contents></ListBucketResult>");
	s.replies[1] = R(1, "200 OK", "", "<ListBucketResult><IsTruncated>false</IsTruncated>"
		"<Contents><Key>p/e</Key><Size>3</Size></Contents></ListBucketResult>");
	c = client(&s);
	assert_int_equal(s3_list(c, "bkt", &o, add_key, &k), 0);
	assert_string_equal(k.all, "p/a b|p/c+d|p/e|");
	assert_true(has(&s, 0, "GET /bkt?list-type=2&encoding-type=url&max-keys=2&prefix=p%2F "));
	assert_true(has(&s, 1, "&continuation-token=t%2F1%2B%3D "));
	done(&s, c);
}

static void test_list_truncated_without_token(void **state)
{
	struct script s = { .nreplies = 1 };
	struct keys k = { "" };
	struct s3_client *c;

	(void)state;
	s.replies[0] = R(0, "200 OK", "", "<ListBucketResult><IsTruncated>true</IsTruncated>"
		"</ListBucketResult>");
	c = client(&s);
	/* A server that says "more" but gives no way to ask: no endless loop. */
	assert_int_equal(s3_list(c, "bkt", NULL, add_key, &k), AV_ECORRUPT);
	done(&s, c);
}

static int add_upload(void *ctx, const struct s3_upload *u)
{
	struct keys *k = ctx;

	strcat(k->all, u->key);
	strcat(k->all, "=");
	strcat(k->all, u->upload_id);
	strcat(k->all, "|");
	return 0;
}

static void test_uploads_and_abort(void **state)
{
	struct script s = { .nreplies = 4 };
	struct keys k = { "" };
	struct s3_client *c;

	(void)state;
	s.replies[0] = R(0, "200 OK", "", "<ListMultipartUploadsResult><IsTruncated>true"
		"</IsTruncated><NextKeyMarker>a%2Fk</NextKeyMarker><NextUploadIdMarker>U1"
		"</NextUploadIdMarker><EncodingType>url</EncodingType><Upload><Key>a%2Fk</Key>"
		"<UploadId>U1</UploadId></Upload></ListMultipartUploadsResult>");
	s.replies[1] = R(1, "200 OK", "", "<ListMultipartUploadsResult><IsTruncated>false"
		"</IsTruncated><Upload><Key>b</Key><UploadId>U2</UploadId></Upload>"
		"</ListMultipartUploadsResult>");
	s.replies[2] = R(2, "204 No Content", "", "");
	s.replies[3] = R(3, "404 Not Found", "", "<Error><Code>NoSuchUpload</Code></Error>");
	c = client(&s);
	assert_int_equal(s3_list_uploads(c, "bkt", "a", add_upload, &k), 0);
	assert_string_equal(k.all, "a/k=U1|b=U2|");
	assert_true(has(&s, 0, "GET /bkt?uploads&encoding-type=url&prefix=a "));
	assert_true(has(&s, 1, "&key-marker=a%2Fk&upload-id-marker=U1 "));
	assert_int_equal(s3_abort_upload(c, "bkt", "a/k", "U1"), 0);
	assert_true(has(&s, 2, "DELETE /bkt/a/k?uploadId=U1 "));
	/* Already gone counts as aborted. */
	assert_int_equal(s3_abort_upload(c, "bkt", "a/k", "U1"), 0);
	done(&s, c);
}

static void test_head(void **state)
{
	struct script s = { .nreplies = 3 };
	struct s3_client *c;
	struct s3_head h;
	char sha[65];

	(void)state;
	s.replies[0] = R(0, "200 OK", "ETag: \"abc\"\r\nLast-Modified: Tue, 15 Nov 1994 "
		"08:12:31 GMT\r\nContent-Type: application/zstd\r\nx-amz-meta-sha256: "
		HELLO_SHA "\r\nX-Amz-Meta-Origin: ci\r\nx-amz-checksum-sha256: "
		"LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=\r\n", "");
	s.replies[1] = R(1, "403 Forbidden", "", "");
	s.replies[2] = R(2, "404 Not Found", "", "");
	c = client(&s);
	s3_head_init(&h);
	assert_int_equal(s3_head(c, "bkt", "k", &h), 0);
	assert_true(has(&s, 0, "HEAD /bkt/k "));
	assert_true(has(&s, 0, "x-amz-checksum-mode: ENABLED"));
	assert_true(h.exists);
	assert_string_equal(h.etag, "\"abc\"");
	assert_int_equal(h.mtime, 784887151);
	assert_string_equal(h.content_type, "application/zstd");
	assert_string_equal(s3_head_meta(&h, "origin"), "ci");
	assert_true(s3_head_sha256(&h, sha));
	assert_string_equal(sha, HELLO_SHA);
	assert_int_equal(s3_head(c, "bkt", "k", &h), 0);
	assert_false(h.exists);
	assert_int_equal(h.absent_status, 403);
	assert_int_equal(s3_head(c, "bkt", "k", &h), 0);
	assert_false(h.exists);
	assert_int_equal(h.absent_status, 404);
	s3_head_release(&h);
	done(&s, c);
}

static void test_head_sha_sources(void **state)
{
	struct s3_head h;
	char sha[65];

	(void)state;
	s3_head_init(&h);
	/* A whole-object checksum alone tells the content's sha256 ... */
	h.etag = strdup("\"abc\"");
	h.checksum_sha256 = strdup("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
	h.checksum_type = strdup("FULL_OBJECT");
	assert_int_equal(s3_head_sha256_from(&h, sha), S3_SHA256_CHECKSUM);
	assert_string_equal(sha, HELLO_SHA);
	/* ... only when the server says it is one (moto 5.2 does not). */
	free(h.checksum_type);
	h.checksum_type = strdup("");
	assert_false(s3_head_sha256(&h, sha));
	/* A multipart object's checksum is of its parts: not the content's. */
	free(h.checksum_type);
	h.checksum_type = strdup("COMPOSITE");
	assert_false(s3_head_sha256(&h, sha));
	free(h.checksum_sha256);
	h.checksum_sha256 = strdup("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=-3");
	free(h.checksum_type);
	h.checksum_type = strdup("FULL_OBJECT");
	assert_false(s3_head_sha256(&h, sha));
	/* archivist's own record comes first */
	h.meta = calloc(1, sizeof(*h.meta));
	h.meta[0].name = strdup("sha256");
	h.meta[0].value = strdup(HELLO_SHA);
	h.nmeta = 1;
	assert_int_equal(s3_head_sha256_from(&h, sha), S3_SHA256_META);
	assert_string_equal(sha, HELLO_SHA);
	s3_head_release(&h);
}

static int to_buf(void *ctx, const void *data, size_t n)
{
	return buf_add(ctx, data, n);
}

static void test_get_resumes_with_range_and_if_match(void **state)
{
	struct script s = { .nreplies = 2 };
	struct buf got = BUF_INIT;
	struct sink out = { to_buf, &got };
	struct s3_client *c;
	struct s3_head h;

	(void)state;
	/* 10 bytes promised, 4 sent, connection closed. */
	bufs[0][0] = '!';
	script_reply(bufs[0] + 1, sizeof(bufs[0]) - 1, "200 OK", "ETag: \"e1\"\r\n"
		     "x-amz-meta-sha256: " DIGITS_SHA "\r\n", "0123456789");
	bufs[0][strlen(bufs[0]) - 6] = '\0';
	s.replies[0] = bufs[0];
	s.replies[1] = R(1, "206 Partial Content", "ETag: \"e1\"\r\n"
			 "Content-Range: bytes 4-9/10\r\n", "456789");
	c = client(&s);
	s3_head_init(&h);
	assert_int_equal(s3_get(c, "bkt", "k", NULL, &out, &h), 0);
	assert_string_equal(got.ptr, "0123456789");
	assert_false(has(&s, 0, "range:"));
	assert_true(has(&s, 1, "range: bytes=4-"));
	assert_true(has(&s, 1, "if-match: \"e1\""));
	assert_int_equal(h.size, 10);
	s3_head_release(&h);
	buf_release(&got);
	done(&s, c);
}

static void test_get_refuses_a_changed_object(void **state)
{
	struct script s = { .nreplies = 2 };
	struct buf got = BUF_INIT;
	struct sink out = { to_buf, &got };
	struct s3_client *c;

	(void)state;
	bufs[0][0] = '!';
	script_reply(bufs[0] + 1, sizeof(bufs[0]) - 1, "200 OK", "ETag: \"e1\"\r\n",
		     "0123456789");
	bufs[0][strlen(bufs[0]) - 6] = '\0';
	s.replies[0] = bufs[0];
	s.replies[1] = R(1, "412 Precondition Failed", "",
			 "<Error><Code>PreconditionFailed</Code></Error>");
	c = client(&s);
	assert_int_equal(s3_get(c, "bkt", "k", NULL, &out, NULL), AV_ECONFLICT);
	buf_release(&got);
	done(&s, c);
}

/* A server that ignores Range and cuts every reply at the same byte: the
 * bytes of each new attempt are dropped as already had, so they are no
 * progress, and the download must give up rather than loop. */
static void test_get_gives_up_when_no_attempt_gets_further(void **state)
{
	struct script s = { .nreplies = SCRIPT_MAX };
	struct buf got = BUF_INIT;
	struct sink out = { to_buf, &got };
	struct s3_client *c;
	int i;

	(void)state;
	bufs[0][0] = '!';
	script_reply(bufs[0] + 1, sizeof(bufs[0]) - 1, "200 OK", "ETag: \"e1\"\r\n",
		     "0123456789");
	bufs[0][strlen(bufs[0]) - 6] = '\0';
	for (i = 0; i < SCRIPT_MAX; i++)
		s.replies[i] = bufs[0];
	c = client(&s);
	assert_int_equal(s3_get(c, "bkt", "k", NULL, &out, NULL), AV_ENET);
	assert_string_equal(got.ptr, "0123");
	/* the first attempt got 4 bytes; then 5 got no further */
	assert_int_equal(s.nrequests, 6);
	assert_true(has(&s, 5, "range: bytes=4-"));
	buf_release(&got);
	done(&s, c);
}

static void test_get_checks_the_recorded_sha(void **state)
{
	struct script s = { .nreplies = 1 };
	struct buf got = BUF_INIT;
	struct sink out = { to_buf, &got };
	struct s3_client *c;

	(void)state;
	s.replies[0] = R(0, "200 OK", "x-amz-meta-sha256: " HELLO_SHA "\r\n", "hellO");
	c = client(&s);
	assert_int_equal(s3_get(c, "bkt", "k", NULL, &out, NULL), AV_ECHECKSUM);
	buf_release(&got);
	done(&s, c);
}

static void test_put_headers_and_501_fallback(void **state)
{
	struct script s = { .nreplies = 3 };
	struct s3_put_result res;
	struct s3_meta m = { (char *)(uintptr_t)"origin", (char *)(uintptr_t)"ci" };
	struct s3_put_opts o = { "text/plain", &m, 1, NULL, S3_EXISTS_COMPARE, 0, NULL, NULL, NULL,
				 NULL, NULL };
	struct s3_client *c;

	(void)state;
	s.replies[0] = R(0, "501 Not Implemented", "", "<Error><Code>NotImplemented</Code>"
			 "<Message>A header you provided implies functionality that is not "
			 "implemented</Message></Error>");
	s.replies[1] = R(1, "404 Not Found", "", "");
	s.replies[2] = R(2, "200 OK", "ETag: \"5d41\"\r\n", "");
	c = client(&s);
	assert_int_equal(s3_put_mem(c, "bkt", "k", "hello", 5, &o, &res), 0);
	assert_true(has(&s, 0, "PUT /bkt/k "));
	assert_true(has(&s, 0, "if-none-match: *"));
	assert_true(has(&s, 0, "x-amz-checksum-sha256: LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="));
	assert_true(has(&s, 0, "x-amz-content-sha256: " HELLO_SHA));
	assert_true(has(&s, 0, "x-amz-meta-sha256: " HELLO_SHA));
	assert_true(has(&s, 0, "x-amz-meta-origin: ci"));
	assert_true(has(&s, 0, "content-type: text/plain"));
	assert_true(has(&s, 1, "HEAD /bkt/k "));
	assert_false(has(&s, 2, "if-none-match"));
	assert_true(res.created);
	assert_true(res.unconditional);
	assert_string_equal(res.etag, "\"5d41\"");
	done(&s, c);
}

/* If-Match replaces only the version read; a change or a deletion in
 * between is a conflict, never a second try.  After a 412 or 404 one HEAD
 * tells a lost reply (the object is already this upload) from a write by
 * someone else. */
static void test_put_if_match(void **state)
{
	struct script s = { .nreplies = 8 };
	struct s3_put_opts o = { 0 };
	struct s3_put_result res;
	struct s3_client *c;

	(void)state;
	o.if_match = "\"5d41\"";
	s.replies[0] = R(0, "200 OK", "ETag: \"a1b2\"\r\n", "");
	s.replies[1] = R(1, "412 Precondition Failed", "",
			 "<Error><Code>PreconditionFailed</Code></Error>");
	s.replies[2] = R(2, "200 OK", "Content-Length: 5\r\nx-amz-meta-sha256: " DIGITS_SHA "\r\n", "");
	s.replies[3] = R(3, "404 Not Found", "", "<Error><Code>NoSuchKey</Code></Error>");
	s.replies[4] = R(4, "404 Not Found", "", "");
	s.replies[5] = R(5, "412 Precondition Failed", "",
			 "<Error><Code>PreconditionFailed</Code></Error>");
	s.replies[6] = R(6, "200 OK", "ETag: \"ours\"\r\nContent-Length: 5\r\n"
			 "x-amz-meta-sha256: " HELLO_SHA "\r\n", "");
	s.replies[7] = R(7, "501 Not Implemented", "", "<Error><Code>NotImplemented</Code></Error>");
	strcpy(strstr(bufs[2], "Content-Length: 0"), "\r\n");
	strcpy(strstr(bufs[6], "Content-Length: 0"), "\r\n");
	c = client(&s);
	assert_int_equal(s3_put_mem(c, "bkt", "k", "hello", 5, &o, &res), 0);
	assert_true(res.created);
	assert_string_equal(res.etag, "\"a1b2\"");
	assert_true(has(&s, 0, "if-match: \"5d41\""));
	assert_false(has(&s, 0, "if-none-match"));
	/* changed by someone else */
	assert_int_equal(s3_put_mem(c, "bkt", "k", "hello", 5, &o, &res), AV_ECONFLICT);
	assert_false(res.created);
	assert_true(has(&s, 2, "HEAD /bkt/k "));
	/* deleted */
	assert_int_equal(s3_put_mem(c, "bkt", "k", "hello", 5, &o, &res), AV_ECONFLICT);
	assert_true(has(&s, 4, "HEAD /bkt/k "));
	/* our own write, whose reply was lost */
	assert_int_equal(s3_put_mem(c, "bkt", "k", "hello", 5, &o, &res), 0);
	assert_true(res.created);
	assert_string_equal(res.etag, "\"ours\"");
	assert_int_equal(s3_put_mem(c, "bkt", "k", "hello", 5, &o, &res), AV_EUNSUPP);
	assert_int_equal(s.nrequests, 8);	/* no retry of the PUT */
	done(&s, c);
}

static void test_put_existing_identical_and_different(void **state)
{
	struct script s = { .nreplies = 7 };
	struct s3_put_result res;
	struct s3_client *c;

	(void)state;
	s.replies[0] = R(0, "412 Precondition Failed", "", "<Error><Code>PreconditionFailed</Code></Error>");
	s.replies[1] = R(1, "200 OK", "Content-Length: 5\r\nx-amz-meta-sha256: " HELLO_SHA "\r\n", "");
	s.replies[2] = R(2, "412 Precondition Failed", "", "<Error><Code>PreconditionFailed</Code></Error>");
	s.replies[3] = R(3, "200 OK", "x-amz-meta-sha256: " DIGITS_SHA "\r\n", "");
	/* No recorded sha256 and the same size: read it to compare. */
	s.replies[4] = R(4, "412 Precondition Failed", "", "<Error><Code>PreconditionFailed</Code></Error>");
	s.replies[5] = R(5, "200 OK", "Content-Length: 5\r\n", "");
	s.replies[6] = R(6, "200 OK", "", "hello");
	/* A HEAD reply has no body but tells the size: drop the script's
	 * "Content-Length: 0" so the one given above stands. */
	strcpy(strstr(bufs[1], "Content-Length: 0"), "\r\n");
	strcpy(strstr(bufs[5], "Content-Length: 0"), "\r\n");
	c = client(&s);
	assert_int_equal(s3_put_mem(c, "bkt", "k", "hello", 5, NULL, &res), 0);
	assert_false(res.created);
	assert_true(has(&s, 1, "HEAD /bkt/k "));
	assert_int_equal(s3_put_mem(c, "bkt", "k", "hello", 5, NULL, &res), AV_ECONFLICT);
	assert_int_equal(s3_put_mem(c, "bkt", "k", "hello", 5, NULL, &res), 0);
	assert_false(res.created);
	assert_true(has(&s, 6, "GET /bkt/k "));
	done(&s, c);
}

static void test_presign(void **state)
{
	struct sigv4_creds cr = { "AKIDEXAMPLE", "secret", "TOKEN/with+chars" };
	struct s3_config cfg;
	struct s3_client *c = NULL, *anon = NULL;
	struct buf url = BUF_INIT;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = "https://s3.eu-west-1.amazonaws.com";
	cfg.region = "eu-west-1";
	cfg.virtual_hosted = 1;
	cfg.creds = &cr;
	assert_int_equal(s3_client_new(&cfg, &c), 0);
	/* 20130524T000000Z, the AWS documentation's example time. */
	assert_int_equal(s3_presign(c, "examplebucket", "a b/c.tar.zst", 86400, 1369353600,
				    &url), 0);
	assert_non_null(strstr(url.ptr, "https://examplebucket.s3.eu-west-1.amazonaws.com/"
			       "a%20b/c.tar.zst?X-Amz-Algorithm=AWS4-HMAC-SHA256&"
			       "X-Amz-Credential=AKIDEXAMPLE%2F20130524%2Feu-west-1%2Fs3%2F"
			       "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"));
	assert_non_null(strstr(url.ptr, "X-Amz-Security-Token=TOKEN%2Fwith%2Bchars"));
	assert_non_null(strstr(url.ptr, "X-Amz-SignedHeaders=host&X-Amz-Signature="));
	buf_reset(&url);
	assert_int_equal(s3_presign(c, "examplebucket", "k", 0, 0, &url), AV_EINVAL);
	assert_int_equal(s3_presign(c, "examplebucket", "k", SIGV4_MAX_EXPIRES + 1, 0, &url),
			 AV_EINVAL);
	cfg.creds = NULL;
	assert_int_equal(s3_client_new(&cfg, &anon), 0);
	assert_int_equal(s3_presign(anon, "examplebucket", "k", 60, 0, &url), AV_EINVAL);
	buf_release(&url);
	s3_client_free(c);
	s3_client_free(anon);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_follows_tokens),
		cmocka_unit_test(test_list_truncated_without_token),
		cmocka_unit_test(test_uploads_and_abort),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_head_sha_sources),
		cmocka_unit_test(test_get_resumes_with_range_and_if_match),
		cmocka_unit_test(test_get_refuses_a_changed_object),
		cmocka_unit_test(test_get_gives_up_when_no_attempt_gets_further),
		cmocka_unit_test(test_get_checks_the_recorded_sha),
		cmocka_unit_test(test_put_headers_and_501_fallback),
		cmocka_unit_test(test_put_if_match),
		cmocka_unit_test(test_put_existing_identical_and_different),
		cmocka_unit_test(test_presign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
