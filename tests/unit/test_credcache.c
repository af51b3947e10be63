/*
 * Unit tests for credcache and the pure parts of the providers: when
 * credentials are renewed (botocore's 15- and 10-minute windows), what a
 * failed renewal does in each, the STS endpoint botocore would pick, the
 * container hosts allowed over http, and the JSON documents.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "s3/credcache.h"
#include "s3/creds.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "../../src/s3/creds_int.h"
#include "util_conf.h"

/* A provider whose next answer the test decides. */
struct fake {
	struct creds_provider base;
	long lifetime;		/* seconds from now of the next keys */
	int fail;		/* the next fetches fail */
	int calls;
};

static int fake_fetch(struct creds_provider *pv, struct creds *out,
		      struct buf *why)
{
	struct fake *f = (struct fake *)pv;
	char ak[32];

	f->calls++;
	if (f->fail) {
		buf_sets(why, "the fake service is down");
		return AV_ECREDS;
	}
	snprintf(ak, sizeof(ak), "AKFAKE%04d", f->calls);
	return creds_set(out, "fake", ak, "fake-secret", "fake-token",
			 time(NULL) + f->lifetime, why);
}

static void fake_free(struct creds_provider *pv)
{
	(void)pv;	/* on the test's stack */
}

/* A cache whose first keys expire in lifetime seconds. */
static struct credcache *cache(struct fake *f, long lifetime)
{
	struct credcache *cc = NULL;
	struct creds c;
	struct buf why = BUF_INIT;

	memset(f, 0, sizeof(*f));
	f->base.name = "fake";
	f->base.fetch = fake_fetch;
	f->base.free = fake_free;
	creds_init(&c);
	assert_int_equal(creds_set(&c, "fake", "AKFIRST", "first-secret",
				   "first-token",
				   time(NULL) + lifetime, &why), 0);
	c.refresh = &f->base;
	assert_int_equal(credcache_new(&c, &cc), 0);
	buf_release(&why);
	return cc;
}

/* The access key the next request would sign with, or the error. */
static const char *next_key(struct credcache *cc, int *rc)
{
	static char ak[32];
	struct creds_snap *s = NULL;

	*rc = credcache_get(cc, &s);
	snprintf(ak, sizeof(ak), "%s", s ? s->c.access_key : "-");
	creds_snap_put(s);
	return ak;
}

static void test_fresh_not_renewed(void **state)
{
	struct fake f;
	struct credcache *cc = cache(&f, 3600);
	int rc;

	(void)state;
	assert_string_equal(next_key(cc, &rc), "AKFIRST");
	assert_int_equal(rc, 0);
	assert_int_equal(f.calls, 0);
	credcache_free(cc);
}

static void test_advisory_renews_once(void **state)
{
	struct fake f;
	struct credcache *cc = cache(&f, 14 * 60);
	int rc;

	(void)state;
	f.lifetime = 3600;
	assert_string_equal(next_key(cc, &rc), "AKFAKE0001");
	assert_string_equal(next_key(cc, &rc), "AKFAKE0001");
	assert_int_equal(f.calls, 1);
	credcache_free(cc);
}

static void test_advisory_failure_goes_on(void **state)
{
	struct fake f;
	struct credcache *cc = cache(&f, 12 * 60);
	const char *err;
	int rc;

	(void)state;
	f.fail = 1;
	utilconf_capture_start();
	assert_string_equal(next_key(cc, &rc), "AKFIRST");
	assert_int_equal(rc, 0);
	/* not again within 30 s */
	assert_string_equal(next_key(cc, &rc), "AKFIRST");
	err = utilconf_capture_stop();
	assert_int_equal(f.calls, 1);
	assert_non_null(strstr(err, "warning: credentials from fake could not "
			       "be renewed yet"));
	assert_non_null(strstr(err, "the fake service is down"));
	credcache_free(cc);
}

static void test_mandatory_failure_fails(void **state)
{
	struct fake f;
	struct credcache *cc = cache(&f, 9 * 60);
	const char *err;
	int rc;

	(void)state;
	f.fail = 1;
	utilconf_capture_start();
	next_key(cc, &rc);
	assert_int_equal(rc, AV_ECREDS);
	next_key(cc, &rc);	/* each later request tries again */
	err = utilconf_capture_stop();
	assert_int_equal(rc, AV_ECREDS);
	assert_int_equal(f.calls, 2);
	assert_non_null(strstr(err, "error: credentials from fake could not be "
			       "renewed (they expire 20"));
	assert_null(strstr(err, "first-secret"));
	f.fail = 0;
	f.lifetime = 3600;
	assert_string_equal(next_key(cc, &rc), "AKFAKE0003");
	assert_int_equal(rc, 0);
	credcache_free(cc);
}

static void test_short_lived_spaced(void **state)
{
	struct fake f;
	struct credcache *cc = cache(&f, 5 * 60);
	int rc;

	(void)state;
	f.lifetime = 5 * 60;	/* the provider only gives short keys */
	assert_string_equal(next_key(cc, &rc), "AKFAKE0001");
	assert_string_equal(next_key(cc, &rc), "AKFAKE0001");
	assert_int_equal(f.calls, 1);
	credcache_free(cc);
}

static void test_static_never_renewed(void **state)
{
	struct credcache *cc = NULL;
	struct creds c;
	struct buf why = BUF_INIT;
	int rc;

	(void)state;
	creds_init(&c);
	assert_int_equal(creds_set(&c, "env", "AKSTATIC", "static-secret", NULL, 0,
				   &why), 0);
	assert_int_equal(credcache_new(&c, &cc), 0);
	assert_string_equal(next_key(cc, &rc), "AKSTATIC");
	credcache_free(cc);
	buf_release(&why);
	msg_clear_secrets();
}

static const char *sts_url(const char *region, const char *mode,
			   const char *env_url)
{
	static char out[200];
	struct aws_env env;
	struct aws_profile p;
	struct buf url = BUF_INIT;
	const char *from = "";

	memset(&env, 0, sizeof(env));
	memset(&p, 0, sizeof(p));
	env.sts_regional_endpoints = mode;
	env.endpoint_url_sts = env_url;
	if (sts_endpoint(&env, &p, region, &url, &from))
		snprintf(out, sizeof(out), "error");
	else
		snprintf(out, sizeof(out), "%s %s", url.ptr, from);
	buf_release(&url);
	return out;
}

static void test_sts_endpoint(void **state)
{
	(void)state;
	assert_string_equal(sts_url("eu-west-3", NULL, NULL),
			    "https://sts.eu-west-3.amazonaws.com AWS");
	assert_string_equal(sts_url("us-east-1", "regional", NULL),
			    "https://sts.us-east-1.amazonaws.com AWS");
	assert_string_equal(sts_url("us-east-1", "legacy", NULL),
			    "https://sts.amazonaws.com AWS");
	/* not a legacy global region: regional even with legacy */
	assert_string_equal(sts_url("af-south-1", "legacy", NULL),
			    "https://sts.af-south-1.amazonaws.com AWS");
	assert_string_equal(sts_url("cn-north-1", NULL, NULL),
			    "https://sts.cn-north-1.amazonaws.com.cn AWS");
	assert_string_equal(sts_url("us-east-1", "legacy", "http://127.0.0.1:9/"),
			    "http://127.0.0.1:9 AWS_ENDPOINT_URL_STS");
	utilconf_capture_start();
	assert_string_equal(sts_url("us-east-1", "global", NULL), "error");
	assert_non_null(strstr(utilconf_capture_stop(),
			       "sts_regional_endpoints 'global' is not"));
}

static void test_container_hosts(void **state)
{
	static const char *const good[] = { "http://127.0.0.1:80/x",
		"http://127.9.9.9/x", "http://[::1]:8080/creds",
		"http://169.254.170.2/v2/creds", "http://169.254.170.23/v1",
		"http://[fd00:ec2::23]/v1", "http://localhost:51679/x",
		"https://creds.example.com/x", NULL };
	static const char *const bad[] = { "http://169.254.169.254/x",
		"http://10.0.0.1/x", "http://0.0.0.0:1/x", "http://[::]/x",
		"http://example.com/x", "http://user@127.0.0.1/x",
		"ftp://127.0.0.1/x", "http://localhost.example.com/x", NULL };
	struct buf why = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		assert_int_equal(container_url_check(good[i], &why), 0);
	for (i = 0; bad[i]; i++) {
		buf_reset(&why);
		assert_int_equal(container_url_check(bad[i], &why), AV_ECONFIG);
		assert_true(why.len > 0);
	}
	buf_release(&why);
}

static void test_json(void **state)
{
	struct creds c;
	struct buf why = BUF_INIT;
	const char *ok = "{\"AccessKeyId\": \"AK\", \"SecretAccessKey\": "
		"\"SK\", \"Token\": \"TK\", \"Expiration\": "
		"\"2030-01-02T03:04:05Z\"}";
	const char *no_sk = "{\"AccessKeyId\": \"AK\"}";
	const char *bad_time = "{\"AccessKeyId\": \"AK\", \"SecretAccessKey\": "
		"\"SK\", \"Token\": \"T\", \"Expiration\": \"tomorrow\"}";

	(void)state;
	creds_init(&c);
	assert_int_equal(creds_from_json(ok, strlen(ok), "t", "Token", 1, &c,
					 &why), 0);
	assert_string_equal(c.session_token, "TK");
	assert_int_equal(c.expires, 1893553445);
	creds_release(&c);
	assert_int_equal(creds_from_json(no_sk, strlen(no_sk), "t", "Token", 1,
					 &c, &why), AV_ECREDS);
	assert_non_null(strstr(why.ptr, "no SecretAccessKey"));
	buf_reset(&why);
	assert_int_equal(creds_from_json(bad_time, strlen(bad_time), "t",
					 "Token", 1, &c, &why), AV_ECREDS);
	assert_non_null(strstr(why.ptr, "Expiration 'tomorrow'"));
	buf_reset(&why);
	assert_int_equal(creds_from_json("[1]", 3, "t", "Token", 1, &c, &why),
			 AV_ECREDS);
	creds_release(&c);
	buf_release(&why);
	msg_clear_secrets();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_not_renewed),
		cmocka_unit_test(test_advisory_renews_once),
		cmocka_unit_test(test_advisory_failure_goes_on),
		cmocka_unit_test(test_mandatory_failure_fails),
		cmocka_unit_test(test_short_lived_spaced),
		cmocka_unit_test(test_static_never_renewed),
		cmocka_unit_test(test_sts_endpoint),
		cmocka_unit_test(test_container_hosts),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
