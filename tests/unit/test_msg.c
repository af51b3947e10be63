/* Unit tests for msg: secret redaction and error names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archivist/msg.h"

static void test_redacts_every_occurrence(void **state)
{
	char s[] = "key=SECRETSECRETSECRET and again SECRETSECRETSECRET.";

	(void)state;
	msg_add_secret("SECRETSECRETSECRET");
	msg_redact(s);
	assert_string_equal(s, "key=[redacted] and again [redacted].");
	msg_clear_secrets();
}

static void test_short_secret_is_starred(void **state)
{
	char s[] = "pw abc!";

	(void)state;
	msg_add_secret("abc");
	msg_add_secret("");
	msg_redact(s);
	assert_string_equal(s, "pw ***!");
	msg_clear_secrets();
}

static void test_error_table(void **state)
{
	int c;

	(void)state;
	for (c = 0; c < AV_ERROR_COUNT; c++) {
		assert_string_not_equal(error_name(c), "AV_E?");
		assert_true(strlen(error_message(c)) > 0);
	}
	assert_string_equal(error_name(-1), "AV_E?");
	assert_string_equal(error_name(AV_ERROR_COUNT), "AV_E?");
	assert_true(error_retryable(AV_ENET));
	assert_true(error_retryable(AV_ERETRY));
	assert_false(error_retryable(AV_EAUTH));
	assert_false(error_retryable(AV_ECONFLICT));
}

static void count_hook(void *ctx)
{
	(*(int *)ctx)++;
}

static void test_hook_runs_before_each_printed_line(void **state)
{
	int calls = 0;

	(void)state;
	msg_set_hook(count_hook, &calls);
	msg_set_level(MSG_QUIET);
	msg_info("not printed at this level");
	assert_int_equal(calls, 0);
	msg_error("printed");
	assert_int_equal(calls, 1);
	msg_set_hook(NULL, NULL);
	msg_error("printed without the hook");
	assert_int_equal(calls, 1);
	msg_set_level(MSG_NORMAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redacts_every_occurrence),
		cmocka_unit_test(test_short_secret_is_starred),
		cmocka_unit_test(test_error_table),
		cmocka_unit_test(test_hook_runs_before_each_printed_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
