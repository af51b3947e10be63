/* Unit tests for cmdutil: errors and flow results to exit statuses (the
 * one place they are mapped), and sizes as users write them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "archivist/cli.h"
#include "cmd/cmdutil.h"
#include "archivist/error.h"
#include "archivist/session.h"

static void test_exit_status(void **state)
{
	static const struct { int rc, status; } t[] = {
		{ 0, 0 }, { AV_ECONFLICT, 3 }, { AV_EUSAGE, 2 }, { AV_ECONFIG, 2 },
		{ AV_EIO, 1 }, { AV_ENOMEM, 1 }, { AV_ENOTFOUND, 1 },
		{ AV_ECHECKSUM, 1 }, { AV_ECORRUPT, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(cmd_exit_status(t[i].rc), t[i].status);
		/* an error wins over whatever the flow came to */
		assert_int_equal(cmd_flow_status(t[i].rc, t[i].rc ? FLOW_DONE :
						 FLOW_FAILED), t[i].rc ? t[i].status : 1);
	}
	assert_int_equal(cmd_flow_status(0, FLOW_DONE), EXIT_DONE);
	assert_int_equal(cmd_flow_status(0, FLOW_FAILED), EXIT_FAILED);
	assert_int_equal(cmd_flow_status(0, FLOW_CONFLICT), EXIT_CONFLICT);
	assert_int_equal(cmd_flow_status(AV_EUSAGE, FLOW_CONFLICT), EXIT_USAGE);
}

static void test_parse_size(void **state)
{
	static const struct { const char *s; uint64_t v; } ok[] = {
		{ "0", 0 }, { "123", 123 }, { "64K", 65536 }, { "5M", 5242880 },
		{ "5MiB", 5242880 }, { "1G", 1073741824 }, { "2GB", 2147483648ULL },
		{ "1T", 1099511627776ULL },
	};
	static const char *const bad[] = { "", "-1", "5X", "M", "5 M", "1Ki",
					   "99999999999999999999", "17179869184G" };
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(cmd_parse_size(ok[i].s, &v), 0);
		assert_true(v == ok[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cmd_parse_size(bad[i], &v), AV_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_parse_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
