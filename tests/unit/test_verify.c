/* Unit tests for verify: zstd frame headers, from frames the zstd CLI made. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "flow/verify.h"

static void test_frames_of_the_zstd_cli(void **state)
{
	/* zstd -22 --ultra --long -T0 from a pipe: window descriptor 0x88 */
	static const unsigned char piped[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x88, 0x84, 0x42 };
	/* zstd -22 --ultra --long of a 100000-byte file: single segment,
	 * 4-byte content size 0x000186a0 */
	static const unsigned char single[] = { 0x28, 0xb5, 0x2f, 0xfd, 0xa4, 0xa0, 0x86, 0x01, 0x00 };
	/* zstd -3 --no-check of a 5 MB file: window descriptor 0x58 (2 MiB),
	 * 4-byte content size, no checksum */
	static const unsigned char nocheck[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x80, 0x58, 0x40, 0x4b, 0x4c, 0x00 };
	uint64_t w = 0;
	int ck = -1;

	(void)state;
	assert_int_equal(verify_zstd_header(piped, sizeof(piped), &w, &ck), 0);
	assert_int_equal(w, (uint64_t)1 << 27);
	assert_int_equal(ck, 1);
	assert_int_equal(verify_zstd_header(single, sizeof(single), &w, &ck), 0);
	assert_int_equal(w, 100000);
	assert_int_equal(ck, 1);
	assert_int_equal(verify_zstd_header(nocheck, sizeof(nocheck), &w, &ck), 0);
	assert_int_equal(w, (uint64_t)1 << 21);
	assert_int_equal(ck, 0);
}

static void test_bad_headers(void **state)
{
	static const unsigned char gzip[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00 };
	/* single segment with an 8-byte content size, cut short */
	static const unsigned char cut[] = { 0x28, 0xb5, 0x2f, 0xfd, 0xe4, 0x01, 0x02 };
	uint64_t w;
	int ck;

	(void)state;
	assert_int_equal(verify_zstd_header(gzip, sizeof(gzip), &w, &ck), AV_ECORRUPT);
	assert_int_equal(verify_zstd_header(cut, sizeof(cut), &w, &ck), AV_ETRUNC);
	assert_int_equal(verify_zstd_header(cut, 4, &w, &ck), AV_ETRUNC);
	assert_int_equal(verify_zstd_header(cut, 0, &w, &ck), AV_ETRUNC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_of_the_zstd_cli),
		cmocka_unit_test(test_bad_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
