/*
 * Unit tests for zstd: frames checked by the zstd CLI and libzstd's frame
 * inspection; output identical for any worker count (with several jobs);
 * the two-job cut of mid-sized inputs, against libzstd's own output;
 * decoding CLI frames, concatenated frames, corrupt/truncated/empty input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* ZSTD_getFrameHeader: the frame header as libzstd reads it */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archivist/zstd.h"
#include "util_archive.h"

/* Compresses in (fed in pieces of step bytes) into out, cut where
 * zstd_enc_cut says. */
static int encode_cut(const struct buf *in, int level, int workers,
		      uint64_t size, size_t job, uint64_t cut, size_t step,
		      struct buf *out)
{
	struct zstd_enc_opts o = { level, workers, size, job, cut };
	struct sink s = { util_sink_buf, out };
	struct zstd_enc *e;
	size_t i, k;
	int rc;

	if ((rc = zstd_enc_new(&e, &o, "test")) != 0)
		return rc;
	for (i = 0; i < in->len && rc == 0; i += k) {
		k = in->len - i > step ? step : in->len - i;
		rc = zstd_enc_write(e, in->ptr + i, k, &s);
	}
	if (rc == 0)
		rc = zstd_enc_finish(e, &s);
	zstd_enc_free(e);
	return rc;
}

static int encode(const struct buf *in, int level, int workers,
		  uint64_t size, size_t job, size_t step, struct buf *out)
{
	uint64_t cut = size == ZSTD_ENC_SIZE_UNKNOWN ? 0 :
		       zstd_enc_cut(size, job ? job : ZSTD_ENC_JOB_SIZE);

	return encode_cut(in, level, workers, size, job, cut, step, out);
}

static int decode(const void *in, size_t n, size_t step, struct buf *out)
{
	struct sink s = { util_sink_buf, out };
	struct zstd_dec *d = zstd_dec_new("test.zst");
	const char *p = in;
	size_t i, k;
	int rc = 0;

	assert_non_null(d);
	for (i = 0; i < n && rc == 0; i += k) {
		k = step && n - i > step ? step : n - i;
		rc = zstd_dec_write(d, p + i, k, &s);
	}
	if (rc == 0)
		rc = zstd_dec_finish(d);
	zstd_dec_free(d);
	return rc;
}

static void test_frame_has_size_checksum_and_decodes_with_cli(void **state)
{
	struct buf in = BUF_INIT, z = BUF_INIT, back = BUF_INIT;
	ZSTD_frameHeader fh;

	(void)state;
	util_fill(&in, 1000000, 11);
	assert_int_equal(encode(&in, 3, 2, in.len, 0, 70000, &z), 0);
	assert_true(z.len < in.len / 4);
	assert_int_equal(ZSTD_getFrameHeader(&fh, z.ptr, z.len), 0);
	assert_int_equal(fh.frameContentSize, in.len);
	assert_true(fh.checksumFlag);
	assert_true(fh.windowSize <= ((uint64_t)1 << ZSTD_ENC_WINDOW_LOG));
	assert_int_equal(util_pipe("zstd -dc", z.ptr, z.len, &back), 0);
	assert_int_equal(back.len, in.len);
	assert_memory_equal(back.ptr, in.ptr, in.len);
	buf_release(&in);
	buf_release(&z);
	buf_release(&back);
}

/* The design rests on this: with nbWorkers >= 1 and a fixed job size the
 * bytes do not depend on the worker count, even across several jobs. */
static void test_same_bytes_for_any_worker_count(void **state)
{
	struct buf in = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	size_t job = (size_t)512 << 10;	/* libzstd's minimum job size */
	int w;

	(void)state;
	util_fill(&in, 3 * job + 12345, 5);
	assert_int_equal(encode(&in, 3, 1, in.len, job, 1 << 20, &a), 0);
	for (w = 2; w <= 4; w++) {
		buf_reset(&b);
		assert_int_equal(encode(&in, 3, w, in.len, job, 100000, &b), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.ptr, b.ptr, a.len);
	}
	/* the jobs were real: one big job gives other bytes */
	buf_reset(&b);
	assert_int_equal(encode(&in, 3, 2, in.len, 0, 100000, &b), 0);
	assert_true(a.len != b.len || memcmp(a.ptr, b.ptr, a.len) != 0);
	buf_reset(&b);
	assert_int_equal(decode(a.ptr, a.len, 0, &b), 0);
	assert_int_equal(b.len, in.len);
	assert_memory_equal(b.ptr, in.ptr, in.len);
	buf_release(&in);
	buf_release(&a);
	buf_release(&b);
}

/* libzstd's own output for the encoder's parameters, in one call. */
static void reference(const struct buf *in, size_t job, struct buf *out)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t r;

	assert_non_null(c);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3)));
	ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, ZSTD_ENC_WINDOW_LOG);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, 2);
	ZSTD_CCtx_setParameter(c, ZSTD_c_jobSize, (int)job);
	ZSTD_CCtx_setParameter(c, ZSTD_c_overlapLog, ZSTD_ENC_OVERLAP_LOG);
	assert_int_equal(buf_grow(out, ZSTD_compressBound(in->len)), 0);
	r = ZSTD_compress2(c, out->ptr, ZSTD_compressBound(in->len), in->ptr, in->len);
	assert_false(ZSTD_isError(r));
	out->len = r;
	ZSTD_freeCCtx(c);
}

static void test_cut_rule(void **state)
{
	size_t job = (size_t)128 << 20;

	(void)state;
	/* the benchmark's CPython tar: 5/8 is 105,068,800, in 64 KiB units */
	assert_int_equal(zstd_enc_cut(168110080, job), 105054208);
	assert_int_equal(zstd_enc_cut((64 << 20) - 1, job), 0);
	assert_int_equal(zstd_enc_cut(64 << 20, job), 40 << 20);
	assert_int_equal(zstd_enc_cut((uint64_t)204 << 20, job), 133693440);
	assert_int_equal(zstd_enc_cut((uint64_t)205 << 20, job), 0);
	assert_int_equal(zstd_enc_cut(0, job), 0);
	assert_int_equal(zstd_enc_cut(1400000, 1 << 20), 851968);
}

/* zstd_enc_jobs for an encoder of n bytes, job size and cut. */
static unsigned jobs(uint64_t n, size_t job, uint64_t cut)
{
	struct zstd_enc_opts o = { 22, 1, n, job, cut };

	return zstd_enc_jobs(&o);
}

/* The jobs of a frame, counted by hand. */
static void test_job_count(void **state)
{
	const uint64_t mib = 1 << 20;

	(void)state;
	/* the benchmark's tar as one job, as split (128 MiB jobs), cut */
	assert_int_equal(jobs(168110080, ZSTD_ENC_ONE_JOB_SIZE, 0), 1);
	assert_int_equal(jobs(168110080, 0, 0), 2);
	assert_int_equal(jobs(168110080, 0, 105054208), 2);
	assert_int_equal(jobs(128 * mib, 0, 0), 1);
	assert_int_equal(jobs(128 * mib + 1, 0, 0), 2);
	assert_int_equal(jobs(512 * mib + 1, ZSTD_ENC_ONE_JOB_SIZE, 0), 2);
	assert_int_equal(jobs(300 * mib, 0, 0), 3);
	/* a cut, then more than a job after it */
	assert_int_equal(jobs(10 * mib, mib, 4 * mib), 7);
	assert_int_equal(jobs(0, 0, 0), 1);
	assert_int_equal(jobs(ZSTD_ENC_SIZE_UNKNOWN, 0, 0), 0);
}

/* A cut input: the same bytes for any worker count and write pattern
 * (one write ending right at the cut), decoded by the zstd CLI, and
 * different from libzstd's uncut frame, which an input too small to cut
 * reproduces byte for byte. */
static void test_cut_makes_two_jobs(void **state)
{
	struct buf in = BUF_INIT, a = BUF_INIT, b = BUF_INIT, ref = BUF_INIT;
	size_t job = (size_t)1 << 20, cut;
	size_t steps[] = { 851968, 4096, 1000000, 77777 };
	int w;

	(void)state;
	util_fill(&in, 1400000, 21);
	cut = (size_t)zstd_enc_cut(in.len, job);
	assert_int_equal(cut, steps[0]);
	assert_int_equal(encode(&in, 3, 1, in.len, job, in.len, &a), 0);
	for (w = 1; w <= 4; w++) {
		buf_reset(&b);
		assert_int_equal(encode(&in, 3, w, in.len, job, steps[w - 1], &b), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.ptr, b.ptr, a.len);
	}
	buf_reset(&b);
	assert_int_equal(util_pipe("zstd -dc", a.ptr, a.len, &b), 0);
	assert_int_equal(b.len, in.len);
	assert_memory_equal(b.ptr, in.ptr, in.len);
	reference(&in, job, &ref);
	assert_true(ref.len != a.len || memcmp(ref.ptr, a.ptr, a.len) != 0);
	/* no cut asked for (one job): libzstd's bytes exactly, whatever
	 * the workers */
	for (w = 1; w <= 2; w++) {
		buf_reset(&b);
		assert_int_equal(encode_cut(&in, 3, w, in.len, job, 0, 77777, &b), 0);
		assert_int_equal(b.len, ref.len);
		assert_memory_equal(b.ptr, ref.ptr, ref.len);
	}
	/* a cut needs a known size beyond it */
	assert_int_equal(encode_cut(&in, 3, 2, in.len, job, in.len, 4096, &b), AV_EINVAL);
	assert_int_equal(encode_cut(&in, 3, 2, ZSTD_ENC_SIZE_UNKNOWN, job, 4096,
				    4096, &b), AV_EINVAL);
	/* under half a job: no cut, libzstd's bytes exactly */
	in.len = job / 2 - 1;
	buf_reset(&a);
	buf_reset(&ref);
	assert_int_equal(encode(&in, 3, 2, in.len, job, 65536, &a), 0);
	reference(&in, job, &ref);
	assert_int_equal(a.len, ref.len);
	assert_memory_equal(a.ptr, ref.ptr, a.len);
	buf_release(&in);
	buf_release(&a);
	buf_release(&b);
	buf_release(&ref);
}

static void test_unknown_size_and_empty_input(void **state)
{
	struct buf in = BUF_INIT, z = BUF_INIT, back = BUF_INIT;

	(void)state;
	util_fill(&in, 5000, 2);
	assert_int_equal(encode(&in, 1, 1, ZSTD_ENC_SIZE_UNKNOWN, 0, 999, &z), 0);
	assert_int_equal(ZSTD_getFrameContentSize(z.ptr, z.len),
			 ZSTD_CONTENTSIZE_UNKNOWN);
	assert_int_equal(decode(z.ptr, z.len, 1, &back), 0);
	assert_int_equal(back.len, in.len);
	buf_reset(&in);
	buf_reset(&z);
	assert_int_equal(encode(&in, 1, 1, 0, 0, 1, &z), 0);
	assert_int_equal(ZSTD_getFrameContentSize(z.ptr, z.len), 0);
	buf_release(&in);
	buf_release(&z);
	buf_release(&back);
}

static void test_wrong_size_and_bad_options(void **state)
{
	struct buf in = BUF_INIT, z = BUF_INIT;
	struct zstd_enc_opts bad = { 0, 1, 0, 0, 0 };
	struct zstd_enc *e = (struct zstd_enc *)&bad;

	(void)state;
	util_fill(&in, 5000, 2);
	assert_int_equal(encode(&in, 1, 1, 4999, 0, 5000, &z), AV_EINVAL);
	buf_reset(&z);
	assert_int_equal(encode(&in, 1, 1, 5001, 0, 5000, &z), AV_EINVAL);
	assert_int_equal(zstd_enc_new(&e, &bad, "x"), AV_EINVAL);
	assert_null(e);
	bad.level = 23;
	assert_int_equal(zstd_enc_new(&e, &bad, "x"), AV_EINVAL);
	bad.level = 3;
	bad.workers = 0;
	assert_int_equal(zstd_enc_new(&e, &bad, "x"), AV_EINVAL);
	zstd_enc_free(NULL);
	buf_release(&in);
	buf_release(&z);
}

static void test_decodes_cli_frames_concatenated(void **state)
{
	struct buf in = BUF_INIT, z = BUF_INIT, two = BUF_INIT, out = BUF_INIT;

	(void)state;
	util_fill(&in, 200000, 9);
	assert_int_equal(util_pipe("zstd -q -c -5 --long=27", in.ptr, in.len, &z),
			 0);
	assert_int_equal(buf_add(&two, z.ptr, z.len), 0);
	assert_int_equal(buf_add(&two, z.ptr, z.len), 0);
	assert_int_equal(decode(two.ptr, two.len, 4096, &out), 0);
	assert_int_equal(out.len, 2 * in.len);
	assert_memory_equal(out.ptr, in.ptr, in.len);
	assert_memory_equal(out.ptr + in.len, in.ptr, in.len);
	buf_release(&in);
	buf_release(&z);
	buf_release(&two);
	buf_release(&out);
}

static void test_corrupt_truncated_garbage_empty(void **state)
{
	struct buf in = BUF_INIT, z = BUF_INIT, out = BUF_INIT;

	(void)state;
	util_fill(&in, 100000, 4);
	assert_int_equal(encode(&in, 3, 1, in.len, 0, in.len, &z), 0);
	/* truncated anywhere */
	assert_int_equal(decode(z.ptr, z.len - 1, 0, &out), AV_ETRUNC);
	buf_reset(&out);
	assert_int_equal(decode(z.ptr, z.len / 2, 0, &out), AV_ETRUNC);
	buf_reset(&out);
	/* garbage after the frame */
	assert_int_equal(buf_add(&z, "junk", 4), 0);
	assert_int_equal(decode(z.ptr, z.len, 0, &out), AV_ECORRUPT);
	buf_reset(&out);
	/* the last byte of the content checksum */
	z.len -= 4;
	z.ptr[z.len - 1] ^= 0x55;
	assert_int_equal(decode(z.ptr, z.len, 0, &out), AV_ECORRUPT);
	buf_reset(&out);
	assert_int_equal(decode("", 0, 0, &out), AV_ETRUNC);
	assert_int_equal(decode("not zstd at all", 15, 0, &out), AV_ECORRUPT);
	buf_release(&in);
	buf_release(&z);
	buf_release(&out);
}

static void test_decoder_sink_error(void **state)
{
	struct buf in = BUF_INIT, z = BUF_INIT;
	struct sink s = { util_sink_fail, NULL };
	struct zstd_dec *d = zstd_dec_new("x");

	(void)state;
	util_fill(&in, 1000, 4);
	assert_int_equal(encode(&in, 1, 1, in.len, 0, in.len, &z), 0);
	assert_int_equal(zstd_dec_write(d, z.ptr, z.len, &s), AV_EIO);
	assert_int_equal(zstd_dec_write(d, z.ptr, z.len, &s), AV_EINVAL);
	zstd_dec_free(d);
	zstd_dec_free(NULL);
	buf_release(&in);
	buf_release(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_has_size_checksum_and_decodes_with_cli),
		cmocka_unit_test(test_same_bytes_for_any_worker_count),
		cmocka_unit_test(test_cut_rule),
		cmocka_unit_test(test_job_count),
		cmocka_unit_test(test_cut_makes_two_jobs),
		cmocka_unit_test(test_unknown_size_and_empty_input),
		cmocka_unit_test(test_wrong_size_and_bad_options),
		cmocka_unit_test(test_decodes_cli_frames_concatenated),
		cmocka_unit_test(test_corrupt_truncated_garbage_empty),
		cmocka_unit_test(test_decoder_sink_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
