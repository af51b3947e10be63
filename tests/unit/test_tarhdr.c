/* Unit tests for tarhdr: numeric fields (octal, base-256), checksums,
 * pax record lengths and parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archivist/tarhdr.h"

static void test_numbers(void **state)
{
	unsigned char f[12];
	int64_t v;

	(void)state;
	assert_int_equal(tar_parse_number((const unsigned char *)" 0755 \0", 8,
					  &v), 0);
	assert_int_equal(v, 0755);
	assert_int_equal(tar_parse_number((const unsigned char *)"\0\0\0", 3,
					  &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(tar_parse_number((const unsigned char *)"0789", 4, &v),
			 AV_EINVAL);
	tar_set_number(f, 12, 077777777777ULL);
	assert_memory_equal(f, "77777777777", 12);
	tar_set_number(f, 12, 8ULL << 30);	/* 8 GiB: base-256 */
	assert_int_equal(f[0], 0x80);
	assert_int_equal(tar_parse_number(f, 12, &v), 0);
	assert_int_equal(v, (int64_t)8 << 30);
	memset(f, 0xff, 12);	/* -1 in base-256 */
	assert_int_equal(tar_parse_number(f, 12, &v), 0);
	assert_int_equal(v, -1);
	memset(f, 0, 12);
	f[0] = 0x80;
	f[2] = 1;		/* 2^72: too large */
	assert_int_equal(tar_parse_number(f, 12, &v), AV_EINVAL);
}

static void test_pax_record_lengths(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(tar_pax_add(&b, "a", "b", 1), 0);
	assert_string_equal(b.ptr, "6 a=b\n");
	buf_reset(&b);
	assert_int_equal(tar_pax_add(&b, "k", "aaaa", 4), 0);
	assert_string_equal(b.ptr, "9 k=aaaa\n");
	buf_reset(&b);
	/* 9 bytes without the length: "10" would make it 11 */
	assert_int_equal(tar_pax_add(&b, "k", "aaaaa", 5), 0);
	assert_string_equal(b.ptr, "11 k=aaaaa\n");
	buf_reset(&b);
	assert_int_equal(tar_pax_add(&b, "path", "abc", 3), 0);
	assert_string_equal(b.ptr, "12 path=abc\n");
	buf_release(&b);
}

/* The header GNU tar makes with printf hi > f; chmod 644 f; tar --format=gnu
 * --owner=0 --group=0 --mtime=@0 -cf - f, its fields set by hand here. */
static void test_checksum(void **state)
{
	unsigned char h[TAR_BLOCK] = { 0 };

	(void)state;
	memcpy(h, "f", 1);
	memcpy(h + TAR_F_MODE, "0000644", 8);
	memcpy(h + TAR_F_UID, "0000000", 8);
	memcpy(h + TAR_F_GID, "0000000", 8);
	memcpy(h + TAR_F_SIZE, "00000000002", 12);
	memcpy(h + TAR_F_MTIME, "00000000000", 12);
	h[TAR_F_TYPE] = '0';
	memcpy(h + TAR_F_MAGIC, "ustar  ", 8);
	memcpy(h + TAR_F_UNAME, "root", 4);
	memcpy(h + TAR_F_GNAME, "root", 4);
	tar_set_checksum(h);
	/* what GNU tar 1.34 wrote for exactly these fields */
	assert_memory_equal(h + TAR_F_CHKSUM, "007655\0 ", 8);
	assert_true(tar_checksum_ok(h));
	/* the old signed-sum checksum is accepted too */
	h[TAR_F_UNAME + 10] = 0xe9;
	memcpy(h + TAR_F_CHKSUM, "007626\0 ", 8);	/* 0o7655 + (signed char)0xe9 */
	assert_true(tar_checksum_ok(h));
	h[TAR_F_UNAME + 10] = 0;
	memcpy(h + TAR_F_CHKSUM, "007655\0 ", 8);
	h[0] = 'g';
	assert_false(tar_checksum_ok(h));
	assert_false(tar_block_is_zero(h));
	memset(h, 0, sizeof(h));
	assert_true(tar_block_is_zero(h));
	assert_false(tar_checksum_ok(h));	/* an empty field is no checksum */
}

static void test_pax_next(void **state)
{
	static const char recs[] = "12 path=abc\n9 k=aaaa\n\0\0";
	struct tar_pax_rec r;
	size_t pos = 0;

	(void)state;
	assert_int_equal(tar_pax_next((const unsigned char *)recs,
				      sizeof(recs) - 1, &pos, &r), 1);
	assert_int_equal(r.klen, 4);
	assert_memory_equal(r.key, "path", 4);
	assert_int_equal(r.vlen, 3);
	assert_memory_equal(r.val, "abc", 3);
	assert_int_equal(r.reclen, 12);
	assert_int_equal(tar_pax_next((const unsigned char *)recs,
				      sizeof(recs) - 1, &pos, &r), 1);
	assert_memory_equal(r.val, "aaaa", 4);
	assert_int_equal(tar_pax_next((const unsigned char *)recs,
				      sizeof(recs) - 1, &pos, &r), 0);
	pos = 0;
	assert_int_equal(tar_pax_next((const unsigned char *)"4 k=\n", 5, &pos,
				      &r), -1);	/* length too small */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_pax_record_lengths),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_pax_next),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
