/* Unit tests for version: grammar, reasons, numeric order, globs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <regex.h>

#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/version.h"

static void test_valid(void **state)
{
	static const struct {
		const char *s;
		uint32_t major, minor, patch;
		enum version_pre pre;
		uint32_t pre_num;
	} cases[] = {
		{ "3.12.3", 3, 12, 3, VERSION_FINAL, 0 },
		{ "3.13.0rc1", 3, 13, 0, VERSION_RC, 1 },
		{ "3.14.0b2", 3, 14, 0, VERSION_BETA, 2 },
		{ "3.14.0a7", 3, 14, 0, VERSION_ALPHA, 7 },
		{ "0.0.0", 0, 0, 0, VERSION_FINAL, 0 },
		{ "2.7.18", 2, 7, 18, VERSION_FINAL, 0 },
		{ "10.20.30rc40", 10, 20, 30, VERSION_RC, 40 },
		{ "999999999.0.1", 999999999, 0, 1, VERSION_FINAL, 0 },
	};
	struct version v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(version_parse(cases[i].s, &v, NULL), 0);
		assert_int_equal(v.major, cases[i].major);
		assert_int_equal(v.minor, cases[i].minor);
		assert_int_equal(v.patch, cases[i].patch);
		assert_int_equal(v.pre, cases[i].pre);
		assert_int_equal(v.pre_num, cases[i].pre_num);
	}
}

static void test_invalid_with_reasons(void **state)
{
	static const struct {
		const char *s, *reason;
	} cases[] = {
		{ "", "empty" },
		{ "3.12", "fewer than 3 components" },
		{ "3", "fewer than 3 components" },
		{ "3.12.3.1", "more than 3 components" },
		{ "3.x.1", "expected a number" },
		{ "v3.12.3", "expected a number" },
		{ "3.012.1", "leading zero" },
		{ "3.12.3rc", "pre-release tag without a number" },
		{ "3.12.3rc01", "leading zero" },
		{ "3.12.3dev1", "unknown pre-release tag" },
		{ "3.12.3-rc1", "unknown pre-release tag" },
		{ "3.12.3RC1", "unknown pre-release tag" },
		{ "3.12.3rc1x", "unexpected characters" },
		{ "3.12.3rc1.2", "unexpected characters" },
		{ "3..3", "expected a number" },
		{ "3.12.", "expected a number" },
		{ "3-12-3", "expected '.'" },
		{ "3.12.3 ", "unknown pre-release tag" },
		{ "1234567890.0.0", "more than 9 digits" },
		{ "3.12.3a", "pre-release tag without a number" },
	};
	struct buf why = BUF_INIT;
	struct version v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&why);
		assert_int_equal(version_parse(cases[i].s, &v, &why), AV_EINVAL);
		if (!strstr(why.ptr, cases[i].reason))
			fail_msg("'%s': reason '%s' lacks '%s'", cases[i].s, why.ptr,
				 cases[i].reason);
		assert_non_null(strstr(why.ptr, cases[i].s));
	}
	buf_release(&why);
}

/* Every pair of this list compares as the list order says. */
static void test_order(void **state)
{
	static const char *const sorted[] = {
		"2.7.18", "3.9.0", "3.9.9", "3.10.0a1", "3.10.0a2", "3.10.0b1",
		"3.10.0rc1", "3.10.0rc2", "3.10.0", "3.10.1", "3.10.10",
		"3.11.0", "3.14.0a7", "3.14.0b2", "3.14.0", "10.0.0",
	};
	size_t i, j, n = sizeof(sorted) / sizeof(sorted[0]);
	int c;

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			c = version_strcmp(sorted[i], sorted[j]);
			if ((i < j && c >= 0) || (i > j && c <= 0) || (i == j && c != 0))
				fail_msg("%s vs %s gave %d", sorted[i], sorted[j], c);
		}
}

static void test_invalid_sort_last(void **state)
{
	(void)state;
	assert_true(version_strcmp("99.0.0", "3.12") < 0);
	assert_true(version_strcmp("3.12", "99.0.0") > 0);
	assert_true(version_strcmp("abc", "abd") < 0);
	assert_int_equal(version_strcmp("3.x", "3.x"), 0);
}

static void test_natcmp(void **state)
{
	(void)state;
	assert_true(version_natcmp("20.04", "22.04") < 0);
	assert_true(version_natcmp("9", "10") < 0);
	assert_true(version_natcmp("24.04", "24.10") < 0);
	assert_true(version_natcmp("ubuntu", "ubuntu2") < 0);
	assert_true(version_natcmp("b", "a") > 0);
	assert_int_equal(version_natcmp("22.04", "22.04"), 0);
	/* Equal as numbers, still a total order. */
	assert_true(version_natcmp("4", "04") != 0);
	assert_int_equal(version_natcmp("4", "04"), -version_natcmp("04", "4"));
}

/* The regular expression semver.org gives for SemVer 2.0.0, in POSIX ERE
 * (\\d spelled [0-9], non-capturing groups as plain ones). */
#define SEMVER_ERE "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)" \
	"(-((0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)" \
	"(\\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?" \
	"(\\+([0-9a-zA-Z-]+(\\.[0-9a-zA-Z-]+)*))?$"

static void test_semver(void **state)
{
	static const struct { const char *python, *semver; } cases[] = {
		{ "3.12.3", "3.12.3" },
		{ "3.13.0rc1", "3.13.0-rc1" },
		{ "3.14.0b2", "3.14.0-b2" },
		{ "3.14.0a7", "3.14.0-a7" },
		{ "0.0.0", "0.0.0" },
		{ "3.9.0a10", "3.9.0-a10" },
		{ "999999999.0.1rc999999999", "999999999.0.1-rc999999999" },
	};
	static const char *const bad[] = { "3.12", "3.12.3-rc1", "3.12.3.post1", "",
					   "03.1.2", "3.13.0rc", "v3.12.3" };
	struct buf out = BUF_INIT, why = BUF_INIT;
	regex_t re;
	size_t i;

	(void)state;
	assert_int_equal(regcomp(&re, SEMVER_ERE, REG_EXTENDED | REG_NOSUB), 0);
	/* the expression itself, on the examples of the SemVer 2.0.0 text */
	assert_int_equal(regexec(&re, "1.0.0-alpha.1", 0, NULL, 0), 0);
	assert_int_equal(regexec(&re, "1.0.0-0.3.7", 0, NULL, 0), 0);
	assert_int_not_equal(regexec(&re, "3.13.0rc1", 0, NULL, 0), 0);
	assert_int_not_equal(regexec(&re, "1.0.0-01", 0, NULL, 0), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		assert_int_equal(version_semver(cases[i].python, &out, NULL), 0);
		assert_string_equal(out.ptr, cases[i].semver);
		if (regexec(&re, out.ptr, 0, NULL, 0) != 0)
			fail_msg("'%s' is not SemVer 2.0.0", out.ptr);
	}
	buf_sets(&out, "kept");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&why);
		assert_int_equal(version_semver(bad[i], &out, &why), AV_EINVAL);
		assert_string_equal(out.ptr, "kept");
		assert_non_null(strstr(why.ptr, "version '"));
	}
	assert_true(version_is_final("3.12.3"));
	assert_true(version_is_final("3.12.10"));
	assert_false(version_is_final("3.13.0rc1"));
	assert_false(version_is_final("3.14.0a7"));
	assert_false(version_is_final("3.12"));
	regfree(&re);
	buf_release(&out);
	buf_release(&why);
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(version_glob_match("3.12.*", "3.12.3"));
	assert_true(version_glob_match("3.12.*", "3.12.0rc1"));
	assert_false(version_glob_match("3.12.*", "3.1.2"));
	assert_false(version_glob_match("3.1.*", "3.12.3"));
	assert_true(version_glob_match("3.1[0-3].*", "3.13.1"));
	assert_false(version_glob_match("3.1[0-3].*", "3.14.1"));
	assert_true(version_glob_match("*rc*", "3.13.0rc2"));
	assert_true(version_glob_match("3.12.3", "3.12.3"));
	assert_false(version_glob_match("3.12.3", "3.12.30"));
	assert_true(version_glob_match("*", "3.12.3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid_with_reasons),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_invalid_sort_last),
		cmocka_unit_test(test_natcmp),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_semver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
