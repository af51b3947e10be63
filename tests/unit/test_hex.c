/* Unit tests for hex: encoding, digit values, and what counts as a digest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/hex.h"

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_encode(void **state)
{
	/* sha256("") as every sha256 tool prints it */
	static const unsigned char sha[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
		0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
		0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55 };
	char out[65], small[5];

	(void)state;
	memset(out, 'x', sizeof(out));
	hex_encode(sha, 32, out);
	assert_string_equal(out, SHA_EMPTY);
	hex_encode("\x00\xff", 2, small);
	assert_string_equal(small, "00ff");
	hex_encode("", 0, small);
	assert_string_equal(small, "");
}

static void test_value(void **state)
{
	(void)state;
	assert_int_equal(hex_value('0'), 0);
	assert_int_equal(hex_value('9'), 9);
	assert_int_equal(hex_value('a'), 10);
	assert_int_equal(hex_value('F'), 15);
	assert_int_equal(hex_value('g'), -1);
	assert_int_equal(hex_value('/'), -1);
	assert_int_equal(hex_value('\0'), -1);
}

static void test_is(void **state)
{
	char upper[65];
	size_t i;

	(void)state;
	assert_true(hex_is(SHA_EMPTY, 64, 0));
	for (i = 0; i < 65; i++)
		upper[i] = (char)(SHA_EMPTY[i] >= 'a' ? SHA_EMPTY[i] - 32 : SHA_EMPTY[i]);
	assert_false(hex_is(upper, 64, 0));
	assert_true(hex_is(upper, 64, 1));
	assert_false(hex_is(SHA_EMPTY "0", 64, 1));	/* too long */
	assert_false(hex_is("abc", 64, 1));		/* too short */
	assert_false(hex_is("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
			    64, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_is),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
