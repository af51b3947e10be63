/* Unit tests for buf: growth, caps, formatting, detach. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/buf.h"
#include "archivist/error.h"

static void test_empty_is_nul_terminated(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	assert_int_equal(b.len, 0);
	buf_release(&b);
	assert_string_equal(b.ptr, "");
}

static void test_add_and_format(void **state)
{
	struct buf b = BUF_INIT;
	int i;

	(void)state;
	assert_int_equal(buf_adds(&b, "abc"), 0);
	assert_int_equal(buf_addc(&b, '-'), 0);
	assert_int_equal(buf_addf(&b, "%d/%s", 42, "x"), 0);
	assert_string_equal(b.ptr, "abc-42/x");
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_adds(&b, "0123456789"), 0);
	assert_int_equal(b.len, 8 + 10000);
	assert_int_equal(b.ptr[b.len], '\0');
	assert_memory_equal(b.ptr + 8 + 9990, "0123456789", 10);
	buf_release(&b);
}

static void test_cap_refuses_and_keeps_contents(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_adds(&b, "12345678"), 0);
	assert_int_equal(buf_addc(&b, '9'), AV_ETOOBIG);
	assert_int_equal(buf_addf(&b, "%s", "zz"), AV_ETOOBIG);
	assert_string_equal(b.ptr, "12345678");
	assert_int_equal(buf_sets(&b, "123456789"), AV_ETOOBIG);
	assert_string_equal(b.ptr, "12345678");
	buf_release(&b);
}

static void test_sets_aliasing_and_setlen(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_sets(&b, "hello world"), 0);
	assert_int_equal(buf_sets(&b, b.ptr + 6), 0);
	assert_string_equal(b.ptr, "world");
	buf_setlen(&b, 2);
	assert_string_equal(b.ptr, "wo");
	buf_setlen(&b, 10);	/* longer than len: ignored */
	assert_int_equal(b.len, 2);
	buf_reset(&b);
	assert_string_equal(b.ptr, "");
	buf_release(&b);
}

static void test_detach_and_hex(void **state)
{
	struct buf b = BUF_INIT;
	static const unsigned char raw[] = { 0x00, 0xab, 0xff, 0x10 };
	size_t n;
	char *s;

	(void)state;
	s = buf_detach(&b, &n);	/* empty buffer still gives a string */
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(n, 0);
	free(s);
	assert_int_equal(buf_addhex(&b, raw, sizeof(raw)), 0);
	assert_string_equal(b.ptr, "00abff10");
	s = buf_detach(&b, &n);
	assert_string_equal(s, "00abff10");
	assert_int_equal(n, 8);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	free(s);
}

static void test_note_into_optional_buffer(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_note(NULL, "ignored %d", 1);	/* no buffer: nothing, no crash */
	buf_note(&b, "version '%s'", "3.12");
	buf_note(&b, ": %d components", 2);
	assert_string_equal(b.ptr, "version '3.12': 2 components");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_nul_terminated),
		cmocka_unit_test(test_add_and_format),
		cmocka_unit_test(test_cap_refuses_and_keeps_contents),
		cmocka_unit_test(test_sets_aliasing_and_setlen),
		cmocka_unit_test(test_detach_and_hex),
		cmocka_unit_test(test_note_into_optional_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
