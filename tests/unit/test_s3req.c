/*
 * Unit tests for s3req: URL building, error messages, and the retry loop
 * against a scripted HTTP server on 127.0.0.1 (a thread in this process
 * answering each request with the next canned reply).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "s3/s3req.h"
#include "util_http.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/* ---- the client under test ---- */

struct fake_sleep {
	int calls;
};

static void no_sleep(void *ctx, unsigned ms)
{
	(void)ms;
	((struct fake_sleep *)ctx)->calls++;
}

static struct s3_client *client_for(int port, struct fake_sleep *sl, int attempts)
{
	struct sigv4_creds cr = { "AKIDEXAMPLE", SECRET, NULL };
	struct s3_config cfg;
	struct s3_client *c = NULL;
	char url[64];

	memset(&cfg, 0, sizeof(cfg));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	cfg.endpoint = url;
	cfg.region = "us-east-1";
	cfg.creds = &cr;
	cfg.max_attempts = attempts;
	assert_int_equal(s3_client_new(&cfg, &c), 0);
	c->retry.sleep_ms = no_sleep;
	c->retry.sleep_ctx = sl;
	return c;
}

static const char *reply(char *out, size_t max, const char *status, const char *body)
{
	return script_reply(out, max, status, "", body);
}

static void started(struct script *s)
{
	assert_int_equal(script_start(s), 0);
}

#define OK_EMPTY "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
static char slowdown_buf[256];
#define SLOWDOWN reply(slowdown_buf, sizeof(slowdown_buf), "503 Slow Down", \
	"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")

/* ---- tests ---- */

static struct s3_client *client_at(const char *url, int virt)
{
	struct s3_config cfg;
	struct s3_client *c = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.endpoint = url;
	cfg.region = "us-east-1";
	cfg.virtual_hosted = virt;
	assert_int_equal(s3_client_new(&cfg, &c), 0);
	return c;
}

static void test_url_path_style(void **state)
{
	struct s3_client *c = client_at("http://127.0.0.1:9000/", 0);
	struct sigv4_kv q[2] = { { "uploadId", "a/b+c=" }, { "uploads", "" } };
	struct s3_target t;

	(void)state;
	s3_target_init(&t);
	/* S3 encodes the key once and never normalises it. */
	assert_int_equal(s3req_target(c, "b", "a b+c=d@e%f~g!'()*/€//./../x", q, 2, &t), 0);
	assert_string_equal(t.url.ptr, "http://127.0.0.1:9000/b/a%20b%2Bc%3Dd%40e%25f~g%21%27"
			    "%28%29%2A/%E2%82%AC//./../x?uploadId=a%2Fb%2Bc%3D&uploads");
	assert_string_equal(t.host.ptr, "127.0.0.1:9000");
	assert_string_equal(t.path.ptr, "/b/a b+c=d@e%f~g!'()*/€//./../x");
	assert_int_equal(s3req_target(c, "b", NULL, NULL, 0, &t), 0);
	assert_string_equal(t.url.ptr, "http://127.0.0.1:9000/b");
	assert_string_equal(t.path.ptr, "/b");
	s3_target_release(&t);
	s3_client_free(c);
}

static void test_url_virtual_hosted(void **state)
{
	struct s3_client *c = client_at("https://s3.eu-west-1.amazonaws.com", 1);
	struct s3_target t;

	(void)state;
	s3_target_init(&t);
	assert_int_equal(s3req_target(c, "my-bucket", "k/x.tar.zst", NULL, 0, &t), 0);
	assert_string_equal(t.url.ptr, "https://my-bucket.s3.eu-west-1.amazonaws.com/k/x.tar.zst");
	assert_string_equal(t.host.ptr, "my-bucket.s3.eu-west-1.amazonaws.com");
	assert_string_equal(t.path.ptr, "/k/x.tar.zst");
	/* Dots break the TLS wildcard certificate: path-style instead. */
	assert_int_equal(s3req_target(c, "my.bucket", "k", NULL, 0, &t), 0);
	assert_string_equal(t.url.ptr, "https://s3.eu-west-1.amazonaws.com/my.bucket/k");
	assert_string_equal(t.host.ptr, "s3.eu-west-1.amazonaws.com");
	s3_target_release(&t);
	s3_client_free(c);
}

static void test_client_config_errors(void **state)
{
	struct s3_config cfg;
	struct s3_client *c = NULL;
	struct sigv4_creds half = { "AKID", NULL, NULL };

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.region = "us-east-1";
	cfg.endpoint = "ftp://x";
	assert_int_equal(s3_client_new(&cfg, &c), AV_EINVAL);
	cfg.endpoint = "http://x/path";
	assert_int_equal(s3_client_new(&cfg, &c), AV_EINVAL);
	cfg.endpoint = "http://x";
	cfg.region = "";
	assert_int_equal(s3_client_new(&cfg, &c), AV_EINVAL);
	cfg.region = "us-east-1";
	cfg.creds = &half;
	assert_int_equal(s3_client_new(&cfg, &c), AV_EINVAL);
	assert_null(c);
}

static void test_format_and_hints(void **state)
{
	struct s3_reply rep;
	struct s3_req r;
	struct buf m = BUF_INIT;

	(void)state;
	s3req_init(&r, "put", "PUT", "b", "k");
	s3_reply_init(&rep);
	rep.attempts = 1;
	rep.http.status = 403;
	buf_sets(&rep.err.code, "SignatureDoesNotMatch");
	buf_sets(&rep.err.message, "The request signature we calculated does not match "
		 "the signature you provided. Check your key and signing method.");
	buf_sets(&rep.err.request_id, "4442587FB7D0A2F9");
	assert_int_equal(s3req_format(&r, &rep, AV_EAUTH, &m), 0);
	assert_string_equal(m.ptr, "put 's3://b/k': 403 SignatureDoesNotMatch: The request "
			    "signature we calculated does not match the signature you "
			    "provided. Check your key and signing method. (request id "
			    "4442587FB7D0A2F9)");
	assert_non_null(strstr(s3req_hint(&rep, AV_EAUTH), "AWS_SECRET_ACCESS_KEY"));
	buf_sets(&rep.err.code, "NoSuchBucket");
	assert_non_null(strstr(s3req_hint(&rep, AV_ENOTFOUND), "bucket does not exist"));
	/* HEAD replies have no body: the status speaks. */
	buf_reset(&rep.err.code);
	buf_reset(&rep.err.message);
	buf_reset(&rep.err.request_id);
	rep.http.status = 404;
	rep.attempts = 3;
	buf_reset(&m);
	assert_int_equal(s3req_format(&r, &rep, AV_ENOTFOUND, &m), 0);
	assert_string_equal(m.ptr, "put 's3://b/k': 404 Not Found (after 3 attempts)");
	assert_null(s3req_hint(&rep, AV_ENOTFOUND));
	/* No reply at all. */
	rep.http.status = 0;
	rep.transport = AV_ENET;
	buf_sets(&rep.http.error, "Failed to connect to 127.0.0.1 port 1: Connection refused");
	buf_reset(&m);
	assert_int_equal(s3req_format(&r, &rep, AV_ENET, &m), 0);
	assert_string_equal(m.ptr, "put 's3://b/k': network error: Failed to connect to "
			    "127.0.0.1 port 1: Connection refused (after 3 attempts)");
	buf_release(&m);
	s3_reply_release(&rep);
}

static void test_retries_then_succeeds(void **state)
{
	struct script s = { .replies = { "CLOSE", SLOWDOWN, OK_EMPTY }, .nreplies = 3 };
	struct fake_sleep sl = { 0 };
	struct s3_client *c;
	struct s3_reply rep;
	struct s3_req r;

	(void)state;
	started(&s);
	c = client_for(s.port, &sl, 5);
	s3req_init(&r, "get", "GET", "b", "k");
	s3_reply_init(&rep);
	assert_int_equal(s3req_send(c, &r, &rep), 0);
	assert_int_equal(rep.attempts, 3);
	assert_int_equal(sl.calls, 2);
	assert_int_equal(s.nrequests, 3);
	/* Every attempt is signed, for the same path. */
	assert_non_null(strstr(s.requests[0], "GET /b/k HTTP/1.1"));
	assert_non_null(strstr(s.requests[2], "GET /b/k HTTP/1.1"));
	assert_non_null(strstr(s.requests[2], "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
	assert_non_null(strstr(s.requests[2], "x-amz-content-sha256: e3b0c442"));
	assert_null(strcasestr(s.requests[2], "Expect:"));
	s3_reply_release(&rep);
	s3_client_free(c);
	script_stop(&s);
}

static void test_gives_up_after_attempts(void **state)
{
	struct script s = { .replies = { SLOWDOWN, SLOWDOWN, SLOWDOWN, OK_EMPTY }, .nreplies = 4 };
	struct fake_sleep sl = { 0 };
	struct s3_client *c;
	struct s3_reply rep;
	struct s3_req r;

	(void)state;
	started(&s);
	c = client_for(s.port, &sl, 3);
	s3req_init(&r, "get", "GET", "b", "k");
	s3_reply_init(&rep);
	assert_int_equal(s3req_send(c, &r, &rep), AV_ERETRY);
	assert_int_equal(rep.attempts, 3);
	assert_int_equal(sl.calls, 2);
	assert_string_equal(rep.err.code.ptr, "SlowDown");
	s3_reply_release(&rep);
	s3_client_free(c);
	/* Let the server finish its script. */
	s.nreplies = s.nrequests;
	script_stop(&s);
}

static void test_no_retry_on_permanent(void **state)
{
	static char denied[256];
	struct script s = { .replies = { reply(denied, sizeof(denied), "403 Forbidden",
		"<Error><Code>AccessDenied</Code><Message>Access Denied</Message>"
		"<RequestId>R1</RequestId></Error>") }, .nreplies = 1 };
	struct fake_sleep sl = { 0 };
	struct s3_client *c;
	struct s3_reply rep;
	struct s3_req r;

	(void)state;
	started(&s);
	c = client_for(s.port, &sl, 5);
	s3req_init(&r, "get", "GET", "b", "k");
	s3_reply_init(&rep);
	assert_int_equal(s3req_send(c, &r, &rep), AV_EAUTH);
	assert_int_equal(rep.attempts, 1);
	assert_int_equal(sl.calls, 0);
	assert_string_equal(rep.err.request_id.ptr, "R1");
	s3_reply_release(&rep);
	s3_client_free(c);
	script_stop(&s);
}

/* 403 RequestTimeTooSkewed: take the server's clock, re-sign, retry. */
static void test_skew_correction(void **state)
{
	struct script s = { .nreplies = 2 };
	struct fake_sleep sl = { 0 };
	struct s3_client *c;
	struct s3_reply rep;
	struct s3_req r;
	char skewed[512], date[64], amz[17], *p;
	time_t ahead = time(NULL) + 3600;
	struct tm tm;

	(void)state;
	gmtime_r(&ahead, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(skewed, sizeof(skewed), "HTTP/1.1 403 Forbidden\r\nDate: %s\r\n"
		 "Content-Length: 68\r\n\r\n<Error><Code>RequestTimeTooSkewed</Code>"
		 "<Message>m</Message></Error>", date);
	s.replies[0] = skewed;
	s.replies[1] = OK_EMPTY;
	started(&s);
	c = client_for(s.port, &sl, 2);
	s3req_init(&r, "head", "HEAD", "b", "k");
	s3_reply_init(&rep);
	assert_int_equal(s3req_send(c, &r, &rep), 0);
	assert_int_equal(sl.calls, 0);	/* no backoff for a skew fix */
	assert_true(labs(atomic_load(&c->skew) - 3600) <= 2);
	/* The retry was signed with the server's time. */
	assert_non_null(p = strstr(s.requests[1], "x-amz-date: "));
	sigv4_amz_date(amz, ahead);
	assert_memory_equal(p + 12, amz, 11);	/* same date and hour */
	s3_reply_release(&rep);
	s3_client_free(c);
	script_stop(&s);
}

/* 200 with an <Error> body (CompleteMultipartUpload) is retried. */
static void test_error_in_200(void **state)
{
	static char err200[256], done[256];
	struct script s = { .replies = {
		reply(err200, sizeof(err200), "200 OK",
		      "<Error><Code>InternalError</Code><Message>try again</Message></Error>"),
		reply(done, sizeof(done), "200 OK", "<CompleteMultipartUploadResult><ETag>"
		      "\"abc-2\"</ETag></CompleteMultipartUploadResult>") }, .nreplies = 2 };
	struct fake_sleep sl = { 0 };
	struct s3_client *c;
	struct s3_reply rep;
	struct s3_req r;

	(void)state;
	started(&s);
	c = client_for(s.port, &sl, 3);
	s3req_init(&r, "complete", "POST", "b", "k");
	r.body = "<x/>";
	r.body_len = 4;
	r.error_in_200 = 1;
	s3_reply_init(&rep);
	assert_int_equal(s3req_send(c, &r, &rep), 0);
	assert_int_equal(rep.attempts, 2);
	assert_int_equal(sl.calls, 1);
	assert_non_null(strstr(s.requests[1], "POST /b/k HTTP/1.1"));
	assert_non_null(strstr(s.requests[1], "Content-Length: 4"));
	s3_reply_release(&rep);
	s3_client_free(c);
	script_stop(&s);
}

/* Nothing printed, even at -vv, contains the secret or a signature. */
static void test_debug_output_has_no_secrets(void **state)
{
	struct script s = { .replies = { SLOWDOWN, OK_EMPTY }, .nreplies = 2 };
	struct fake_sleep sl = { 0 };
	struct s3_client *c;
	struct s3_reply rep;
	struct s3_req r;
	char log[] = "/tmp/test_s3req.XXXXXX", text[8192];
	int fd, saved;
	ssize_t n;

	(void)state;
	assert_true((fd = mkstemp(log)) >= 0);
	started(&s);
	c = client_for(s.port, &sl, 3);
	msg_set_level(MSG_DEBUG);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	s3req_init(&r, "get", "GET", "b", "k");
	s3_reply_init(&rep);
	assert_int_equal(s3req_send(c, &r, &rep), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	msg_set_level(MSG_NORMAL);
	n = pread(fd, text, sizeof(text) - 1, 0);
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(strstr(text, "> GET http://127.0.0.1:"));
	assert_null(strstr(text, SECRET));
	assert_null(strstr(text, "Signature="));
	assert_null(strstr(text, "AKIDEXAMPLE"));
	close(fd);
	unlink(log);
	s3_reply_release(&rep);
	s3_client_free(c);
	script_stop(&s);
}

/* Only the canonical base64 of 32 bytes is a sha256 (checked against the
 * sha256 of "" as RFC 4648 base64 spells it). */
static void test_unb64_canonical(void **state)
{
	static const char empty[] = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
	unsigned char sha[32];
	char back[45];

	(void)state;
	assert_int_equal(s3req_unb64(empty, sha), 0);
	s3req_b64(sha, back);
	assert_string_equal(back, empty);
	assert_int_equal(sha[0], 0xe3);
	assert_int_equal(sha[31], 0x55);
	assert_int_equal(s3req_unb64("=7DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", sha), AV_EINVAL);
	assert_int_equal(s3req_unb64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=", sha), AV_EINVAL);
	assert_int_equal(s3req_unb64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF==", sha), AV_EINVAL);
	assert_int_equal(s3req_unb64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", sha), AV_EINVAL);
	assert_int_equal(s3req_unb64("47DEQpj8 HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", sha), AV_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unb64_canonical),
		cmocka_unit_test(test_url_path_style),
		cmocka_unit_test(test_url_virtual_hosted),
		cmocka_unit_test(test_client_config_errors),
		cmocka_unit_test(test_format_and_hints),
		cmocka_unit_test(test_retries_then_succeeds),
		cmocka_unit_test(test_gives_up_after_attempts),
		cmocka_unit_test(test_no_retry_on_permanent),
		cmocka_unit_test(test_skew_correction),
		cmocka_unit_test(test_error_in_200),
		cmocka_unit_test(test_debug_output_has_no_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
