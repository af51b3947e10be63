/*
 * Unit tests for the pipeline (and the rewrite plan under it).  Inputs are
 * made by Python's tarfile with pycs from importlib (tests/unit/
 * pyc_tar.py), GNU gzip and the zstd CLI; outputs are read back with the
 * zstd CLI and tarfile, and pycs checked against importlib.util.
 * source_hash.  Failure paths: corrupt, truncated, empty, unsupported
 * input; failing sink; calls after an error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archivist/pipeline.h"
#include "util_archive.h"

#define PYC_TAR "python3 tests/unit/pyc_tar.py "

struct run {
	struct buf out;
	struct pipeline_stats st;
	int rc;
};

/* Runs the pipeline over in (in pieces of step bytes). */
static void run(const struct buf *in, enum pyc_mode mode, int keep_opt,
		int workers, size_t step, struct run *r)
{
	struct pipeline_opts o;
	struct pipeline *p = NULL;
	struct sink s = { util_sink_buf, &r->out };
	size_t i, k;

	buf_init(&r->out, 0);
	pipeline_opts_init(&o);
	o.set.level = 3;
	o.set.pyc = mode;
	o.set.keep_opt_pyc = keep_opt;
	o.workers = workers;
	o.name = "test-input";
	r->rc = pipeline_new(&p, &o);
	for (i = 0; r->rc == 0 && i < in->len; i += k) {
		k = step && in->len - i > step ? step : in->len - i;
		r->rc = pipeline_write(p, in->ptr + i, k);
	}
	if (r->rc == 0)
		r->rc = pipeline_finish(p, &s, &r->st);
	pipeline_free(p);
}

static void sh(const char *cmd, const struct buf *in, struct buf *out)
{
	buf_init(out, 0);
	assert_int_equal(util_pipe(cmd, in ? in->ptr : "", in ? in->len : 0,
				   out), 0);
}

/* The tarfile listing of a .tar.zst. */
static void listing(const struct buf *zst, struct buf *out)
{
	struct buf tar;

	sh("zstd -dc", zst, &tar);
	sh(PYC_TAR "list", &tar, out);
	buf_release(&tar);
}

static void test_links_scenario(void **state)
{
	static const char *const fmts[] = { "make links gnu", "make links pax" };
	struct buf in, list, cmd = BUF_INIT;
	struct run r;
	size_t f;

	(void)state;
	for (f = 0; f < 2; f++) {
		buf_reset(&cmd);
		assert_int_equal(buf_addf(&cmd, PYC_TAR "%s", fmts[f]), 0);
		sh(cmd.ptr, NULL, &in);
		run(&in, PYC_UNCHECKED_HASH, 0, 2, 0, &r);
		assert_int_equal(r.rc, 0);
		listing(&r.out, &list);
		/* opt pycs gone; the plain pyc, a link to opt-1 before, now
		 * holds the data, hash-based; the later link points at it */
		assert_null(strstr(list.ptr, "opt-"));
		assert_non_null(strstr(list.ptr, "m.cpython-311.pyc 0 253 "));
		assert_non_null(strstr(list.ptr, "flags=1 hash=ok"));
		assert_non_null(strstr(list.ptr, "pkg/alias.pyc 1 0 ->pkg/__pycache__/m.cpython-311.pyc\n"));
		assert_non_null(strstr(list.ptr, "s.cpython-311.pyc 0 121 4f6b4d44c7b2ddc2 flags=0"));
		assert_non_null(strstr(list.ptr, "t.cpython-311.pyc 0 121 44147ecdcecbb5a0 flags=0"));
		assert_int_equal(r.st.rw.entries, 12);
		assert_int_equal(r.st.rw.entries_out, 10);
		assert_int_equal(r.st.rw.dropped, 2);
		assert_int_equal(r.st.rw.links_materialized, 1);
		assert_int_equal(r.st.rw.links_redirected, 1);
		assert_int_equal(r.st.rw.pycs, 3);
		assert_int_equal(r.st.rw.pyc[PYC_REWRITTEN], 1);
		assert_int_equal(r.st.rw.pyc[PYC_STALE], 1);
		assert_int_equal(r.st.rw.pyc[PYC_NO_SOURCE], 1);
		assert_int_equal(r.st.out_bytes, r.out.len);
		assert_int_equal(r.st.rw.tar_in, in.len);
		assert_true(r.st.rw.tar_out % TAR_RECORD == 0);
		assert_int_equal(r.st.format, PIPELINE_TAR);
		buf_release(&list);
		buf_release(&r.out);
		buf_release(&in);
	}
	buf_release(&cmd);
}

static void test_checked_hash_mode(void **state)
{
	struct buf in, list;
	struct run r;

	(void)state;
	sh(PYC_TAR "make links pax", NULL, &in);
	run(&in, PYC_CHECKED_HASH, 0, 1, 0, &r);
	assert_int_equal(r.rc, 0);
	listing(&r.out, &list);
	assert_non_null(strstr(list.ptr, "flags=3 hash=ok"));
	buf_release(&list);
	buf_release(&r.out);
	buf_release(&in);
}

/* keep + keep-opt: the decompressed output is the input, whatever the
 * input's compression. */
static void test_keep_mode_is_identity(void **state)
{
	static const char *const enc[] = { "cat", "gzip -c -1",
		/* two gzip members, as `cat a.gz b.gz` */
		"f=$(mktemp); cat > $f; head -c 4096 $f | gzip -c;"
		" tail -c +4097 $f | gzip -c; rm -f $f",
		"zstd -q -c -1" };
	static const enum pipeline_format fmt[] = { PIPELINE_TAR,
		PIPELINE_GZIP, PIPELINE_GZIP, PIPELINE_ZSTD };
	struct buf tar, in, back;
	struct run r;
	size_t i;

	(void)state;
	sh(PYC_TAR "make links gnu", NULL, &tar);
	for (i = 0; i < 4; i++) {
		sh(enc[i], &tar, &in);
		run(&in, PYC_KEEP, 1, 2, 999, &r);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.st.format, fmt[i]);
		assert_int_equal(r.st.rw.pyc[PYC_MODE_KEEP], 3);
		assert_int_equal(r.st.rw.pyc_links, 2);
		sh("zstd -dc", &r.out, &back);
		assert_int_equal(back.len, tar.len);
		assert_memory_equal(back.ptr, tar.ptr, tar.len);
		buf_release(&back);
		buf_release(&r.out);
		buf_release(&in);
	}
	buf_release(&tar);
}

/* A .py listed twice: the last entry is the source. */
static void test_duplicate_source_last_wins(void **state)
{
	struct buf in;
	struct run r;

	(void)state;
	sh(PYC_TAR "make dup-last-fresh gnu", NULL, &in);
	run(&in, PYC_UNCHECKED_HASH, 0, 1, 0, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.rw.pyc[PYC_REWRITTEN], 1);
	buf_release(&r.out);
	buf_release(&in);
	sh(PYC_TAR "make dup-first-fresh gnu", NULL, &in);
	run(&in, PYC_UNCHECKED_HASH, 0, 1, 0, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.rw.pyc[PYC_STALE], 1);
	buf_release(&r.out);
	buf_release(&in);
}

/* Same bytes for any chunking of the input and any worker count; the
 * sha256 reported is the output's. */
static void test_deterministic_and_hashed(void **state)
{
	struct buf in, gz, sum;
	struct run a, b;
	char hex[65];
	unsigned int i;

	(void)state;
	sh(PYC_TAR "make links pax", NULL, &in);
	sh("gzip -c", &in, &gz);
	run(&gz, PYC_UNCHECKED_HASH, 0, 1, 0, &a);
	run(&gz, PYC_UNCHECKED_HASH, 0, 3, 1, &b);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_int_equal(a.out.len, b.out.len);
	assert_memory_equal(a.out.ptr, b.out.ptr, a.out.len);
	sh("sha256sum", &a.out, &sum);
	assert_memory_equal(sum.ptr, a.st.sha256_hex, 64);
	assert_int_equal(a.st.in_bytes, gz.len);
	buf_release(&sum);
	sh("sha256sum", &gz, &sum);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", a.st.in_sha256[i]);
	assert_memory_equal(sum.ptr, hex, 64);
	buf_release(&sum);
	buf_release(&a.out);
	buf_release(&b.out);
	buf_release(&gz);
	buf_release(&in);
}

static int run_rc(const char *cmd, const struct buf *tar, size_t cut)
{
	struct buf in;
	struct run r;

	sh(cmd, tar, &in);
	if (cut && cut < in.len)
		in.len -= cut;
	run(&in, PYC_UNCHECKED_HASH, 0, 1, 100, &r);
	buf_release(&r.out);
	buf_release(&in);
	return r.rc;
}

static void test_bad_inputs(void **state)
{
	struct buf tar, text = BUF_INIT;

	(void)state;
	sh(PYC_TAR "make links gnu", NULL, &tar);
	assert_int_equal(run_rc("cat", &tar, 15000), AV_ETRUNC);
	assert_int_equal(run_rc("gzip -c", &tar, 5), AV_ETRUNC);
	assert_int_equal(run_rc("zstd -q -c", &tar, 3), AV_ETRUNC);
	assert_int_equal(run_rc("gzip -c; echo junk", &tar, 0), AV_ECORRUPT);
	assert_int_equal(run_rc("f=$(mktemp); gzip -c > $f; printf QQQQ |"
				" dd of=$f bs=1 seek=200 conv=notrunc 2>/dev/null;"
				" cat $f; rm -f $f", &tar, 0), AV_ECORRUPT);
	assert_int_equal(run_rc("xz -c 2>/dev/null || printf '\\3757zXZ\\0'",
				&tar, 0), AV_EUNSUPP);
	assert_int_equal(run_rc("printf ''", &tar, 0), AV_ETRUNC);
	assert_int_equal(run_rc("printf x", &tar, 0), AV_ETRUNC);
	util_fill(&text, 5000, 1);
	assert_int_equal(run_rc("cat", &text, 0), AV_ECORRUPT);
	/* gzip of something that is not a tar */
	assert_int_equal(run_rc("gzip -c", &text, 0), AV_ECORRUPT);
	buf_release(&text);
	buf_release(&tar);
}

static void test_sink_failure_and_misuse(void **state)
{
	struct pipeline_opts o;
	struct pipeline *p;
	struct pipeline_stats st;
	struct sink bad = { util_sink_fail, NULL };
	struct buf tar;

	(void)state;
	sh(PYC_TAR "make links gnu", NULL, &tar);
	pipeline_opts_init(&o);
	o.set.level = 1;
	assert_int_equal(pipeline_new(&p, &o), 0);
	assert_int_equal(pipeline_write(p, tar.ptr, tar.len), 0);
	assert_int_equal(pipeline_finish(p, &bad, &st), AV_EIO);
	assert_int_equal(pipeline_write(p, "x", 1), AV_EINVAL);
	assert_int_equal(pipeline_finish(p, &bad, &st), AV_EINVAL);
	pipeline_free(p);
	/* after a corrupt write, nothing more is accepted */
	assert_int_equal(pipeline_new(&p, &o), 0);
	assert_int_equal(pipeline_write(p, "\x1f\x8bgarbage!", 10), AV_ECORRUPT);
	assert_int_equal(pipeline_write(p, tar.ptr, tar.len), AV_EINVAL);
	pipeline_free(p);
	o.set.level = 23;
	assert_int_equal(pipeline_new(&p, &o), AV_EINVAL);
	assert_null(p);
	o.set.level = 3;
	o.tmpdir = "/nonexistent/dir";
	assert_int_equal(pipeline_new(&p, &o), AV_EIO);
	pipeline_free(NULL);
	buf_release(&tar);
}

/* Level 0 writes the rewritten tar itself: what level 3 compresses. */
static void run_level(const struct buf *in, int level, struct run *r)
{
	struct pipeline_opts o;
	struct pipeline *p = NULL;
	struct sink s = { util_sink_buf, &r->out };

	buf_init(&r->out, 0);
	pipeline_opts_init(&o);
	o.set.level = level;
	r->rc = pipeline_new(&p, &o);
	if (r->rc == 0)
		r->rc = pipeline_write(p, in->ptr, in->len);
	if (r->rc == 0)
		r->rc = pipeline_finish(p, &s, &r->st);
	pipeline_free(p);
}

static void test_level_zero_is_the_rewritten_tar(void **state)
{
	struct buf in, back;
	struct run z, c;

	(void)state;
	sh(PYC_TAR "make links pax", NULL, &in);
	run_level(&in, 0, &z);
	run_level(&in, 3, &c);
	assert_int_equal(z.rc, 0);
	assert_int_equal(c.rc, 0);
	sh("zstd -dc", &c.out, &back);
	assert_int_equal(z.out.len, z.st.rw.tar_out);
	assert_int_equal(back.len, z.out.len);
	assert_memory_equal(back.ptr, z.out.ptr, z.out.len);
	assert_int_equal(z.st.rw.pyc[PYC_REWRITTEN], 1);
	buf_release(&back);
	buf_release(&z.out);
	buf_release(&c.out);
	buf_release(&in);
}

static void test_stats_json(void **state)
{
	struct buf in;
	struct run r;
	json_t *j;

	(void)state;
	sh(PYC_TAR "make links gnu", NULL, &in);
	run(&in, PYC_UNCHECKED_HASH, 0, 1, 0, &r);
	assert_int_equal(r.rc, 0);
	j = pipeline_stats_json(&r.st);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "sha256")),
			    r.st.sha256_hex);
	assert_int_equal(json_integer_value(json_object_get(j, "size")),
			 r.out.len);
	assert_int_equal(json_integer_value(json_object_get(j, "opt_pycs_dropped")), 2);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(j, "pyc"), "rewritten")), 1);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(j, "pyc"), "no-source")), 1);
	json_decref(j);
	buf_release(&r.out);
	buf_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links_scenario),
		cmocka_unit_test(test_checked_hash_mode),
		cmocka_unit_test(test_keep_mode_is_identity),
		cmocka_unit_test(test_duplicate_source_last_wins),
		cmocka_unit_test(test_deterministic_and_hashed),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_sink_failure_and_misuse),
		cmocka_unit_test(test_level_zero_is_the_rewritten_tar),
		cmocka_unit_test(test_stats_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
