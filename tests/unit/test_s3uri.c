/*
 * Unit tests for s3uri: splitting s3://BUCKET/KEY and the bucket naming
 * rules of the S3 documentation ("Bucket naming rules").
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
#include "archivist/s3uri.h"
#include "util_conf.h"

static void test_split(void **state)
{
	static const struct {
		const char *in, *bucket, *key;
	} ok[] = {
		{ "s3://bucket/key.txt", "bucket", "key.txt" },
		{ "s3://bucket", "bucket", "" },
		{ "s3://bucket/", "bucket", "" },
		{ "s3://my.bucket-1/heroku-22/runtimes/", "my.bucket-1",
		  "heroku-22/runtimes/" },
		{ "s3://abc//a/./b/../c d+%20", "abc", "/a/./b/../c d+%20" },
		{ "s3://abc/unicod\xc3\xa9", "abc", "unicod\xc3\xa9" },
	};
	struct s3uri u;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (s3uri_split(ok[i].in, &u, &why))
			fail_msg("refused %s: %s", ok[i].in, why);
		assert_string_equal(u.bucket, ok[i].bucket);
		assert_string_equal(u.key, ok[i].key);
		s3uri_release(&u);
		s3uri_release(&u);
	}
}

static void test_refused(void **state)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "", "not an s3:// URI: expected s3://BUCKET/KEY" },
		{ "bucket/key", "not an s3:// URI: expected" },
		{ "S3://bucket/key", "write the scheme in lower case" },
		{ "http://bucket/key", "only s3:// is supported" },
		{ "s3:/bucket", "not an s3:// URI" },
		{ "s3://", "missing bucket name" },
		{ "s3:///key", "missing bucket name" },
		{ "s3://ab/k", "3 to 63 characters" },
		{ "s3://Bucket/k", "lower-case letters" },
		{ "s3://buck_et/k", "lower-case letters" },
		{ "s3://-bucket/k", "start and end with a letter or digit" },
		{ "s3://bucket./k", "start and end with a letter or digit" },
		{ "s3://my..bucket/k", "no two adjacent periods" },
		{ "s3://192.168.5.4/k", "not IP addresses" },
	};
	struct s3uri u;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = "";
		if (s3uri_split(bad[i].in, &u, &why) != AV_EUSAGE)
			fail_msg("accepted '%s'", bad[i].in);
		if (!strstr(why, bad[i].why))
			fail_msg("'%s': '%s', want '%s'", bad[i].in, why,
				 bad[i].why);
		assert_null(u.bucket);
		assert_null(u.key);
	}
	assert_int_equal(s3uri_split(NULL, &u, &why), AV_EUSAGE);
}

static void test_lengths(void **state)
{
	char uri[1200], name[70];
	struct s3uri u;
	const char *why;

	(void)state;
	memset(name, 'a', 63);
	name[63] = '\0';
	assert_true(s3uri_bucket_valid(name, &why));
	strcat(name, "a");
	assert_false(s3uri_bucket_valid(name, &why));
	assert_true(s3uri_bucket_valid("1.2.3", &why));	/* not 4 parts */
	strcpy(uri, "s3://bkt/");
	memset(uri + 9, 'k', 1024);
	uri[9 + 1024] = '\0';
	assert_int_equal(s3uri_split(uri, &u, &why), 0);
	assert_int_equal(strlen(u.key), 1024);
	s3uri_release(&u);
	strcat(uri, "k");
	assert_int_equal(s3uri_split(uri, &u, &why), AV_EUSAGE);
	assert_string_equal(why, "keys are at most 1024 bytes");
}

static void test_parse_reports(void **state)
{
	struct s3uri u;
	struct buf b = BUF_INIT;
	const char *err;

	(void)state;
	utilconf_capture_start();
	assert_int_equal(s3uri_parse("s3:///x", &u), AV_EUSAGE);
	err = utilconf_capture_stop();
	assert_non_null(strstr(err, "bad S3 URI 's3:///x': missing bucket "
			       "name"));
	assert_int_equal(s3uri_parse("s3://bkt/a b", &u), 0);
	assert_int_equal(s3uri_format(&b, u.bucket, u.key), 0);
	assert_string_equal(b.ptr, "s3://bkt/a b");
	s3uri_release(&u);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_parse_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
