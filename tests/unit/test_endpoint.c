/*
 * Unit tests for endpoint: region / endpoint / addressing precedence, URL
 * parsing and rejection, and the URL, Host and signed path of requests.
 * The virtual-hosted and path-style forms are the ones botocore sends
 * (see tests/vectors/sigv4/botocore.json: head-virtual-*, get-key-*).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "s3/awsprofile.h"
#include "s3/endpoint.h"
#include "archivist/error.h"
#include "util_conf.h"

struct fixture {
	struct aws_env env;
	struct s3_options g;
	struct aws_profile prof;
	struct endpoint ep;
	struct s3_target t;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.env.home = utilconf_dir();
	s3_target_init(&f.t);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	s3_target_release(&f->t);
	endpoint_release(&f->ep);
	aws_profile_release(&f->prof);
	utilconf_cleanup();
	return 0;
}

static int resolve(struct fixture *f, const char **err)
{
	int rc;

	endpoint_release(&f->ep);
	aws_profile_release(&f->prof);
	utilconf_capture_start();
	rc = aws_profile_load(&f->env, f->g.profile, &f->prof);
	if (!rc)
		rc = endpoint_resolve(&f->g, &f->env, &f->prof, &f->ep);
	*err = utilconf_capture_stop();
	return rc;
}

static void expect_target(struct fixture *f, const char *bucket,
			  const char *key, const char *url, const char *host,
			  const char *path)
{
	assert_int_equal(endpoint_target(&f->ep, bucket, key, &f->t), 0);
	assert_string_equal(f->t.url.ptr, url);
	assert_string_equal(f->t.host.ptr, host);
	assert_string_equal(f->t.path.ptr, path);
}

static void test_aws_defaults(void **state)
{
	struct fixture *f = *state;
	const char *err;

	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.region, "us-east-1");
	assert_string_equal(f->ep.url, "https://s3.us-east-1.amazonaws.com");
	assert_false(f->ep.custom);
	assert_true(f->ep.virtual_hosted);
	assert_string_equal(f->ep.url_from, "AWS");
	expect_target(f, "archives", "dir/with space.txt",
		      "https://archives.s3.us-east-1.amazonaws.com/dir/with%20space.txt",
		      "archives.s3.us-east-1.amazonaws.com",
		      "/dir/with space.txt");
	expect_target(f, "archives", NULL,
		      "https://archives.s3.us-east-1.amazonaws.com/",
		      "archives.s3.us-east-1.amazonaws.com", "/");
	/* Dots: path-style, or TLS certificates would not match. */
	expect_target(f, "my.dotted.bucket", "k",
		      "https://s3.us-east-1.amazonaws.com/my.dotted.bucket/k",
		      "s3.us-east-1.amazonaws.com", "/my.dotted.bucket/k");
	f->env.region = "cn-north-1";
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.url,
			    "https://s3.cn-north-1.amazonaws.com.cn");
}

static void test_custom_endpoint_is_path_style(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->g.endpoint = "http://127.0.0.1:9000";
	assert_int_equal(resolve(f, &err), 0);
	assert_true(f->ep.custom);
	assert_false(f->ep.virtual_hosted);
	assert_string_equal(f->ep.url, "http://127.0.0.1:9000");
	expect_target(f, "bucket", "a//b/./c/../d e+f",
		      "http://127.0.0.1:9000/bucket/a//b/./c/../d%20e%2Bf",
		      "127.0.0.1:9000", "/bucket/a//b/./c/../d e+f");
	expect_target(f, "bucket", NULL, "http://127.0.0.1:9000/bucket",
		      "127.0.0.1:9000", "/bucket");
	expect_target(f, "bucket", "", "http://127.0.0.1:9000/bucket/",
		      "127.0.0.1:9000", "/bucket/");
	assert_int_equal(endpoint_target(&f->ep, "", "k", &f->t), AV_EINVAL);
	f->g.addressing = ADDR_VIRTUAL;
	assert_int_equal(resolve(f, &err), 0);
	expect_target(f, "bucket", "k", "http://bucket.127.0.0.1:9000/k",
		      "bucket.127.0.0.1:9000", "/k");
	/* Not a host name: path-style even when virtual is asked for. */
	expect_target(f, "Bad_Name", "k", "http://127.0.0.1:9000/Bad_Name/k",
		      "127.0.0.1:9000", "/Bad_Name/k");
	f->g.endpoint = NULL;
	f->g.addressing = ADDR_PATH;
	assert_int_equal(resolve(f, &err), 0);
	expect_target(f, "archives", "k",
		      "https://s3.us-east-1.amazonaws.com/archives/k",
		      "s3.us-east-1.amazonaws.com", "/archives/k");
}

static void test_endpoint_precedence(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.config_file = utilconf_write(0, "config",
		"[default]\nendpoint_url = http://profile:1\n"
		"services = svc\n"
		"[services svc]\ns3 =\n  endpoint_url = http://services:2\n"
		"sts =\n  endpoint_url = http://sts:3\n");
	f->g.endpoint = "http://option:4";
	f->env.endpoint_url_s3 = "http://env-s3:5";
	f->env.endpoint_url = "http://env:6";
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.url, "http://option:4");
	assert_string_equal(f->ep.url_from, "--endpoint");
	f->g.endpoint = NULL;
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.url, "http://env-s3:5");
	f->env.endpoint_url_s3 = "";
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.url, "http://env:6");
	f->env.endpoint_url = NULL;
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.url, "http://services:2");
	f->env.config_file = utilconf_write(0, "config",
		"[default]\nendpoint_url = http://profile:1\n");
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.url, "http://profile:1");
	assert_string_equal(f->ep.url_from, "profile endpoint_url");
}

static void test_region_precedence(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->g.profile = "p";
	f->env.config_file = utilconf_write(0, "config",
		"[profile p]\nregion = eu-west-3\n");
	f->g.region = "ap-south-1";
	f->env.region = "eu-central-1";
	f->env.default_region = "us-west-2";
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.region, "ap-south-1");
	f->g.region = NULL;
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.region, "eu-central-1");
	f->env.region = NULL;
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.region, "us-west-2");
	f->env.default_region = NULL;
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->ep.region, "eu-west-3");
	assert_string_equal(f->ep.url, "https://s3.eu-west-3.amazonaws.com");
	f->g.region = "us east";
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "invalid region 'us east' (from "
			       "--region)"));
}

static void test_profile_addressing_style(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->g.endpoint = "https://minio.example.com";
	f->env.config_file = utilconf_write(0, "config",
		"[default]\ns3 =\n  addressing_style = virtual\n");
	assert_int_equal(resolve(f, &err), 0);
	assert_true(f->ep.virtual_hosted);
	expect_target(f, "b-1", "x", "https://b-1.minio.example.com/x",
		      "b-1.minio.example.com", "/x");
	f->g.addressing = ADDR_PATH;	/* the option wins */
	assert_int_equal(resolve(f, &err), 0);
	assert_false(f->ep.virtual_hosted);
	f->g.addressing = ADDR_AUTO;
	f->env.config_file = utilconf_write(0, "config",
		"[default]\ns3 =\n  addressing_style = sideways\n");
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "addressing_style 'sideways' is not "
			       "path, virtual or auto"));
}

static void test_url_forms(void **state)
{
	static const struct {
		const char *in, *url, *hostport;
	} good[] = {
		{ "HTTP://Example.COM:80/", "http://example.com", "example.com" },
		{ "https://h:443", "https://h", "h" },
		{ "https://h:9000", "https://h:9000", "h:9000" },
		{ "http://[::1]:9000", "http://[::1]:9000", "[::1]:9000" },
		{ "http://minio_1:9000/", "http://minio_1:9000",
		  "minio_1:9000" },
	};
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "ftp://h", "expected http" },
		{ "127.0.0.1:9000", "expected http" },
		{ "http://", "missing host name" },
		{ "http://:9000", "missing host name" },
		{ "http://h:0", "invalid port" },
		{ "http://h:65536", "invalid port" },
		{ "http://h:", "invalid port" },
		{ "http://h:12ab", "only scheme://HOST[:PORT]" },
		{ "http://user:pw@h", "user information" },
		{ "http://h/bucket", "only scheme://HOST[:PORT]" },
		{ "http://h?x=1", "only scheme://HOST[:PORT]" },
		{ "http://h#f", "only scheme://HOST[:PORT]" },
		{ "http://[::1", "malformed IPv6" },
		{ "http://h h", "only scheme://HOST[:PORT]" },
	};
	struct endpoint ep;
	const char *why;
	size_t i;

	(void)state;
	memset(&ep, 0, sizeof(ep));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (endpoint_parse_url(good[i].in, &ep, &why))
			fail_msg("refused %s: %s", good[i].in, why);
		assert_string_equal(ep.url, good[i].url);
		assert_string_equal(ep.hostport, good[i].hostport);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = "";
		if (endpoint_parse_url(bad[i].in, &ep, &why) != AV_ECONFIG)
			fail_msg("accepted %s", bad[i].in);
		if (!strstr(why, bad[i].why))
			fail_msg("%s: '%s', want '%s'", bad[i].in, why,
				 bad[i].why);
		assert_null(ep.url);
	}
	endpoint_release(&ep);
}

static void test_bad_url_names_its_source(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.endpoint_url = "localhost:9000";
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "bad endpoint URL 'localhost:9000' (from "
			       "AWS_ENDPOINT_URL): expected http"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_aws_defaults),
		T(test_custom_endpoint_is_path_style),
		T(test_endpoint_precedence),
		T(test_region_precedence),
		T(test_profile_addressing_style),
		cmocka_unit_test(test_url_forms),
		T(test_bad_url_names_its_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
