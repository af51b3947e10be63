/*
 * Unit tests for awsconfig, the AWS shared-file INI reader.  The expected
 * readings are Python configparser's as botocore uses it (checked by
 * hand with python3: configparser.RawConfigParser().read_string()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "s3/awsconfig.h"
#include "archivist/error.h"
#include "util_conf.h"

static struct awsconfig *parse_ok(const char *text)
{
	struct awsconfig *c = NULL;
	const char *why = NULL;
	unsigned line = 99;

	if (awsconfig_parse(text, strlen(text), &c, &line, &why))
		fail_msg("line %u: %s", line, why);
	assert_int_equal(line, 0);
	return c;
}

static void expect_error(const char *text, unsigned want_line,
			 const char *want_why)
{
	struct awsconfig *c = (struct awsconfig *)1;
	const char *why = NULL;
	unsigned line = 0;

	assert_int_equal(awsconfig_parse(text, strlen(text), &c, &line, &why),
			 AV_ECONFIG);
	assert_null(c);
	assert_int_equal(line, want_line);
	assert_string_equal(why, want_why);
}

static void test_sections_keys_comments(void **state)
{
	struct awsconfig *c = parse_ok(
		"# comment\n"
		"; another\n"
		"[default]  # main account\n"
		"aws_access_key_id = AKID\n"
		"Aws_Secret_Access_Key=se cret = with # hash ; semi \r\n"
		"\n"
		"   # indented comment\n"
		"[profile dev]\n"
		"region: eu-west-1\n"
		"empty =\n"
		"[  spaced name  ]\n");

	(void)state;
	assert_true(awsconfig_has_section(c, "default"));
	assert_true(awsconfig_has_section(c, "profile dev"));
	assert_true(awsconfig_has_section(c, "  spaced name  "));
	assert_false(awsconfig_has_section(c, "spaced name"));
	assert_false(awsconfig_has_section(c, "dev"));
	assert_string_equal(awsconfig_get(c, "default", "aws_access_key_id"),
			    "AKID");
	/* Keys lower-cased; no inline comments; '=' after the first kept. */
	assert_string_equal(awsconfig_get(c, "default",
					  "aws_secret_access_key"),
			    "se cret = with # hash ; semi");
	assert_string_equal(awsconfig_get(c, "profile dev", "region"),
			    "eu-west-1");
	assert_string_equal(awsconfig_get(c, "profile dev", "empty"), "");
	assert_null(awsconfig_get(c, "profile dev", "missing"));
	assert_null(awsconfig_get(c, "nosuch", "region"));
	awsconfig_free(c);
}

static void test_nested_blocks(void **state)
{
	struct awsconfig *c = parse_ok(
		"[profile p]\n"
		"services = local\n"
		"s3 =\n"
		"  addressing_style = path\n"
		"\n"
		"  max_concurrent_requests = 4\n"
		"region = us-west-2\n"
		"[services local]\n"
		"s3 =\n"
		"\tendpoint_url = http://127.0.0.1:9000\n"
		"sts =\n"
		"  endpoint_url = http://sts\n");

	(void)state;
	assert_string_equal(awsconfig_get(c, "profile p", "s3"), "");
	assert_string_equal(awsconfig_get_sub(c, "profile p", "s3",
					      "addressing_style"), "path");
	assert_string_equal(awsconfig_get_sub(c, "profile p", "s3",
					      "max_concurrent_requests"), "4");
	assert_string_equal(awsconfig_get(c, "profile p", "region"),
			    "us-west-2");
	assert_null(awsconfig_get(c, "profile p", "addressing_style"));
	assert_string_equal(awsconfig_get_sub(c, "services local", "s3",
					      "endpoint_url"),
			    "http://127.0.0.1:9000");
	assert_string_equal(awsconfig_get_sub(c, "services local", "sts",
					      "endpoint_url"), "http://sts");
	assert_null(awsconfig_get_sub(c, "services local", "s3", "nope"));
	awsconfig_free(c);
}

/* configparser joins indented lines to a non-empty value with '\n'. */
static void test_multiline_value(void **state)
{
	struct awsconfig *c = parse_ok("[a]\nk = one\n  two\n\tthree\nj=1\n");

	(void)state;
	assert_string_equal(awsconfig_get(c, "a", "k"), "one\ntwo\nthree");
	assert_string_equal(awsconfig_get(c, "a", "j"), "1");
	awsconfig_free(c);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_error("region = x\n", 1, "key outside a [section]");
	expect_error("[a]\nk = 1\nnot a key value line\n", 3,
		     "expected 'key = value'");
	expect_error("[a\n", 1, "section header without ']'");
	expect_error("[]\n", 1, "empty section name");
	expect_error("[a]\n = v\n", 2, "empty key");
	expect_error("[a]\n[b]\n[a]\n", 3, "duplicate section");
	expect_error("[a]\nk=1\nK = 2\n", 3, "duplicate key in section");
	expect_error("[a]\ns3 =\n  x = 1\n  x = 2\n", 4,
		     "duplicate key in nested block");
	expect_error("[a]\ns3 =\n  no equals here\n", 3,
		     "expected 'key = value'");
}

static void test_nul_byte_in_length(void **state)
{
	static const char text[] = "[a]\nk = v\0\n";
	struct awsconfig *c = NULL;
	const char *why;
	unsigned line;

	(void)state;
	assert_int_equal(awsconfig_parse(text, sizeof(text) - 1, &c, &line,
					 &why), AV_ECONFIG);
	assert_string_equal(why, "contains a NUL byte");
}

static void test_load_files(void **state)
{
	struct awsconfig *c = NULL;
	const char *path, *err;

	(void)state;
	utilconf_dir();
	path = utilconf_write(0, "good", "[default]\nregion = eu-north-1\n");
	assert_int_equal(awsconfig_load(path, &c), 0);
	assert_string_equal(awsconfig_get(c, "default", "region"),
			    "eu-north-1");
	awsconfig_free(c);

	assert_int_equal(awsconfig_load("/nonexistent/archivist/config", &c),
			 AV_ENOTFOUND);
	assert_null(c);

	path = utilconf_write(0, "bad", "[default]\nregion eu-north-1\n");
	utilconf_capture_start();
	assert_int_equal(awsconfig_load(path, &c), AV_ECONFIG);
	err = utilconf_capture_stop();
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ":2: expected 'key = value'"));

	utilconf_capture_start();	/* a directory is not a file */
	assert_int_equal(awsconfig_load(utilconf_dir(), &c), AV_EIO);
	err = utilconf_capture_stop();
	assert_non_null(strstr(err, "cannot read"));
	utilconf_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_keys_comments),
		cmocka_unit_test(test_nested_blocks),
		cmocka_unit_test(test_multiline_value),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_byte_in_length),
		cmocka_unit_test(test_load_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
