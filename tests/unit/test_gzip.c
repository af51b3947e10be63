/*
 * Unit tests for gzip: members made by GNU gzip and by zlib, fed whole and
 * byte by byte; multi-member streams; trailing zeros and garbage; corrupt,
 * truncated and empty input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archive/gzip.h"
#include "util_archive.h"

/* printf 'hello\n' | gzip -n -9; printf 'world\n' | gzip -n -9 */
static const unsigned char hello_gz[] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48,
	0xcd, 0xc9, 0xc9, 0xe7, 0x02, 0x00, 0x20, 0x30, 0x3a, 0x36, 0x06, 0x00,
	0x00, 0x00
};
static const unsigned char world_gz[] = {
	0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x2b, 0xcf,
	0x2f, 0xca, 0x49, 0xe1, 0x02, 0x00, 0xa8, 0x61, 0x38, 0xdd, 0x06, 0x00,
	0x00, 0x00
};

/* Decodes in (whole, or in pieces of step bytes) into out.  Returns the
 * first error of write or finish. */
static int decode(const void *in, size_t n, size_t step, struct buf *out)
{
	struct sink s = { util_sink_buf, out };
	struct gzip *z = gzip_new("test.gz");
	const unsigned char *p = in;
	size_t i, k;
	int rc = 0;

	assert_non_null(z);
	for (i = 0; i < n && rc == 0; i += k) {
		k = step && n - i > step ? step : n - i;
		rc = gzip_write(z, p + i, k, &s);
	}
	if (rc == 0)
		rc = gzip_finish(z);
	gzip_free(z);
	return rc;
}

static struct buf cat(const void *a, size_t na, const void *b, size_t nb)
{
	struct buf r = BUF_INIT;

	assert_int_equal(buf_add(&r, a, na), 0);
	assert_int_equal(buf_add(&r, b, nb), 0);
	return r;
}

static void test_gnu_gzip_member(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(decode(hello_gz, sizeof(hello_gz), 0, &out), 0);
	assert_string_equal(out.ptr, "hello\n");
	buf_release(&out);
}

static void test_multi_member_any_split(void **state)
{
	struct buf in = cat(hello_gz, sizeof(hello_gz), world_gz,
			    sizeof(world_gz));
	struct buf out = BUF_INIT;
	size_t step;

	(void)state;
	for (step = 0; step <= 27; step++) {
		buf_reset(&out);
		assert_int_equal(decode(in.ptr, in.len, step, &out), 0);
		assert_string_equal(out.ptr, "hello\nworld\n");
	}
	buf_release(&in);
	buf_release(&out);
}

static void test_trailing_zeros_are_ignored(void **state)
{
	static const unsigned char zeros[700];
	struct buf in = cat(hello_gz, sizeof(hello_gz), zeros, sizeof(zeros));
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(decode(in.ptr, in.len, 100, &out), 0);
	assert_string_equal(out.ptr, "hello\n");
	buf_release(&in);
	buf_release(&out);
}

static void test_trailing_garbage_is_refused(void **state)
{
	static const char *const tails[] = { "garbage", "\x1f" "x", "\0\0x",
		"\x1f\x1f" };
	static const size_t lens[] = { 7, 2, 3, 2 };
	struct buf out = BUF_INIT, in;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		in = cat(hello_gz, sizeof(hello_gz), tails[i], lens[i]);
		buf_reset(&out);
		assert_int_equal(decode(in.ptr, in.len, 0, &out), AV_ECORRUPT);
		buf_release(&in);
	}
	buf_release(&out);
}

static void test_lone_magic_byte_is_truncation(void **state)
{
	struct buf in = cat(hello_gz, sizeof(hello_gz), "\x1f", 1);
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(decode(in.ptr, in.len, 0, &out), AV_ETRUNC);
	buf_release(&in);
	buf_release(&out);
}

static void test_corrupt_data_and_crc(void **state)
{
	unsigned char bad[sizeof(hello_gz)];
	struct buf out = BUF_INIT;

	(void)state;
	memcpy(bad, hello_gz, sizeof(bad));
	bad[sizeof(bad) - 6] ^= 0xff;	/* CRC-32 */
	assert_int_equal(decode(bad, sizeof(bad), 0, &out), AV_ECORRUPT);
	memcpy(bad, hello_gz, sizeof(bad));
	bad[sizeof(bad) - 2] ^= 1;	/* ISIZE */
	assert_int_equal(decode(bad, sizeof(bad), 0, &out), AV_ECORRUPT);
	memcpy(bad, hello_gz, sizeof(bad));
	bad[2] = 7;			/* compression method */
	assert_int_equal(decode(bad, sizeof(bad), 0, &out), AV_ECORRUPT);
	assert_int_equal(decode("plain text, not gzip", 20, 0, &out),
			 AV_ECORRUPT);
	buf_release(&out);
}

static void test_truncated_and_empty(void **state)
{
	struct buf out = BUF_INIT;
	size_t n;

	(void)state;
	for (n = 1; n < sizeof(hello_gz); n++) {
		buf_reset(&out);
		assert_int_equal(decode(hello_gz, n, 0, &out), AV_ETRUNC);
	}
	assert_int_equal(decode("", 0, 0, &out), AV_ETRUNC);
	buf_release(&out);
}

static void test_sink_error_stops_decoding(void **state)
{
	struct sink s = { util_sink_fail, NULL };
	struct gzip *z = gzip_new("x");

	(void)state;
	assert_int_equal(gzip_write(z, hello_gz, sizeof(hello_gz), &s), AV_EIO);
	assert_int_equal(gzip_write(z, hello_gz, 1, &s), AV_EINVAL);
	gzip_free(z);
	gzip_free(NULL);
}

/* A larger stream from zlib's own gzip writer, in three members. */
static void test_large_zlib_members(void **state)
{
	struct buf plain = BUF_INIT, gz = BUF_INIT, out = BUF_INIT;
	size_t part = 400000, i, bound;
	z_stream zs;

	(void)state;
	util_fill(&plain, 3 * part, 7);
	for (i = 0; i < 3; i++) {
		memset(&zs, 0, sizeof(zs));
		assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8,
					      Z_DEFAULT_STRATEGY), Z_OK);
		bound = deflateBound(&zs, part) + 32;
		assert_int_equal(buf_grow(&gz, bound), 0);
		zs.next_in = (Bytef *)plain.ptr + i * part;
		zs.avail_in = (uInt)part;
		zs.next_out = (Bytef *)gz.ptr + gz.len;
		zs.avail_out = (uInt)bound;
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		gz.len += bound - zs.avail_out;
		deflateEnd(&zs);
	}
	assert_int_equal(decode(gz.ptr, gz.len, 65536, &out), 0);
	assert_int_equal(out.len, plain.len);
	assert_memory_equal(out.ptr, plain.ptr, plain.len);
	buf_release(&plain);
	buf_release(&gz);
	buf_release(&out);
}

/* And from GNU gzip itself, decoded, compared with gzip -d. */
static void test_against_gnu_gzip(void **state)
{
	struct buf plain = BUF_INIT, gz = BUF_INIT, out = BUF_INIT;

	(void)state;
	util_fill(&plain, 300000, 3);
	assert_int_equal(util_pipe("gzip -c -1", plain.ptr, plain.len, &gz), 0);
	assert_true(gz.len > 100 && gz.len < plain.len);
	assert_int_equal(decode(gz.ptr, gz.len, 1000, &out), 0);
	assert_int_equal(out.len, plain.len);
	assert_memory_equal(out.ptr, plain.ptr, plain.len);
	buf_release(&plain);
	buf_release(&gz);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gnu_gzip_member),
		cmocka_unit_test(test_multi_member_any_split),
		cmocka_unit_test(test_trailing_zeros_are_ignored),
		cmocka_unit_test(test_trailing_garbage_is_refused),
		cmocka_unit_test(test_lone_magic_byte_is_truncation),
		cmocka_unit_test(test_corrupt_data_and_crc),
		cmocka_unit_test(test_truncated_and_empty),
		cmocka_unit_test(test_sink_error_stops_decoding),
		cmocka_unit_test(test_large_zlib_members),
		cmocka_unit_test(test_against_gnu_gzip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
