/*
 * Unit tests for pyc.
 *
 * The golden data comes from the real interpreters
 * (tests/vectors/pyc/cpython-X.Y.json, made by gen_pyc_vectors.py): their
 * importlib.util.source_hash of fixed inputs, and the headers py_compile
 * wrote for one module as a timestamp, unchecked-hash and checked-hash
 * pyc.  Rewriting the real timestamp header must give the real hash-based
 * one byte for byte.  Run from the repository root (tests/run.sh does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/pyc.h"
#include "archive/siphash.h"

#define VECTORS "tests/vectors/pyc/"

/* Decodes hex into a malloc'd buffer (never NULL); *n gets its length. */
static unsigned char *unhex(const char *hex, size_t *n)
{
	size_t i, len = strlen(hex) / 2;
	unsigned char *p = malloc(len + 1);
	unsigned int byte;

	assert_non_null(p);
	assert_int_equal(strlen(hex) % 2, 0);
	for (i = 0; i < len; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
		p[i] = (unsigned char)byte;
	}
	*n = len;
	return p;
}

static json_t *load_vectors(const char *minor)
{
	char path[128];
	json_error_t err;
	json_t *doc;

	snprintf(path, sizeof(path), VECTORS "cpython-%s.json", minor);
	doc = json_load_file(path, 0, &err);
	if (!doc)
		fail_msg("%s: %s", path, err.text);
	return doc;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s)
		fail_msg("vector field \"%s\" missing", key);
	return s;
}

/* The module source the vectors were made from, as checked in. */
static unsigned char *read_module(size_t *n)
{
	FILE *f = fopen(VECTORS "module.py", "rb");
	unsigned char *p = malloc(4096);

	assert_non_null(f);
	assert_non_null(p);
	*n = fread(p, 1, 4096, f);
	assert_true(*n > 0 && *n < 4096);
	fclose(f);
	return p;
}

/* Input bytes of one "sources" entry: hex, or the long repeat rule. */
static unsigned char *source_bytes(json_t *e, size_t *n)
{
	json_t *hex = json_object_get(e, "hex");
	unsigned char *mod, *p;
	size_t mlen, i, len;

	if (hex)
		return unhex(json_string_value(hex), n);
	assert_string_equal(jstr(e, "repeat"), "module");
	len = (size_t)json_integer_value(json_object_get(e, "len"));
	mod = read_module(&mlen);
	p = malloc(len ? len : 1);
	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = mod[i % mlen];
	free(mod);
	*n = len;
	return p;
}

static void check_source_hashes(json_t *doc, uint16_t magic)
{
	json_t *srcs = json_object_get(doc, "sources"), *e;
	size_t i, n, hn;
	unsigned char *src, *want, got[8];

	assert_true(json_array_size(srcs) >= 11);
	json_array_foreach(srcs, i, e) {
		src = source_bytes(e, &n);
		want = unhex(jstr(e, "source_hash"), &hn);
		assert_int_equal(hn, 8);
		assert_int_equal(pyc_source_hash(magic, src, n, got), 0);
		if (memcmp(got, want, 8) != 0)
			fail_msg("source_hash of \"%s\" differs",
				 jstr(e, "name"));
		free(src);
		free(want);
	}
}

/* One py_compile header set: timestamp -> unchecked / checked. */
static void check_header(json_t *e, const unsigned char *mod, size_t mlen)
{
	static const struct {
		const char *key;
		enum pyc_mode mode;
	} modes[] = { { "unchecked_hash", PYC_UNCHECKED_HASH },
		      { "checked_hash", PYC_CHECKED_HASH } };
	int64_t mtime = json_integer_value(json_object_get(e, "mtime"));
	unsigned char *ts, *want, hdr[PYC_HEADER_SIZE];
	size_t n, i;

	assert_int_equal(json_integer_value(json_object_get(e, "size")), mlen);
	ts = unhex(jstr(e, "timestamp"), &n);
	assert_int_equal(n, PYC_HEADER_SIZE);
	for (i = 0; i < 2; i++) {
		want = unhex(jstr(e, modes[i].key), &n);
		memcpy(hdr, ts, sizeof(hdr));
		assert_int_equal(pyc_rewrite_header(hdr, 500, mod, mlen, mtime,
						    modes[i].mode),
				 PYC_REWRITTEN);
		assert_memory_equal(hdr, want, PYC_HEADER_SIZE);
		/* The real hash-based header is left as it is. */
		assert_int_equal(pyc_rewrite_header(hdr, 500, mod, mlen, mtime,
						    modes[i].mode),
				 PYC_ALREADY_HASH);
		assert_memory_equal(hdr, want, PYC_HEADER_SIZE);
		free(want);
	}
	free(ts);
}

static void test_cpython_vectors(void **state)
{
	const char *minor = *state;
	json_t *doc = load_vectors(minor), *hdrs, *e;
	unsigned char *mod, *magic;
	size_t mlen, n, i;
	uint16_t num;

	magic = unhex(jstr(doc, "magic_hex"), &n);
	num = (uint16_t)json_integer_value(json_object_get(doc, "magic"));
	assert_int_equal(n, 4);
	assert_int_equal(magic[0] | magic[1] << 8, num);
	assert_true(json_is_true(json_object_get(doc, "hash_based")));
	check_source_hashes(doc, num);
	mod = read_module(&mlen);
	hdrs = json_object_get(doc, "headers");
	assert_int_equal(json_array_size(hdrs), 3);
	json_array_foreach(hdrs, i, e)
		check_header(e, mod, mlen);
	free(mod);
	free(magic);
	json_decref(doc);
}

/* 2.7 (62211) and 3.6 (3379) have no hash-based pycs: left untouched. */
static void test_old_magic_left(void **state)
{
	const char *minor = *state;
	json_t *doc = load_vectors(minor), *e;
	unsigned char *ts, hdr[PYC_HEADER_SIZE], out[8];
	unsigned char *mod;
	size_t n, mlen, i;
	uint16_t num = (uint16_t)json_integer_value(json_object_get(doc, "magic"));

	assert_int_equal(num, strcmp(minor, "2.7") == 0 ? 62211 : 3379);
	assert_int_equal(pyc_source_hash(num, "x", 1, out), AV_EUNSUPP);
	mod = read_module(&mlen);
	json_array_foreach(json_object_get(doc, "headers"), i, e) {
		ts = unhex(jstr(e, "timestamp"), &n);
		memcpy(hdr, ts, sizeof(hdr));
		assert_int_equal(pyc_rewrite_header(hdr, 500, mod, mlen,
			json_integer_value(json_object_get(e, "mtime")),
			PYC_UNCHECKED_HASH), PYC_UNKNOWN_MAGIC);
		assert_memory_equal(hdr, ts, sizeof(hdr));
		free(ts);
	}
	free(mod);
	json_decref(doc);
}

/* A fresh 3.11 timestamp header for "abc" at mtime 1000. */
static void make_header(unsigned char hdr[PYC_HEADER_SIZE], uint16_t magic,
			uint32_t flags, uint32_t mtime, uint32_t size)
{
	uint32_t v[3] = { flags, mtime, size };
	int i, j;

	hdr[0] = (unsigned char)magic;
	hdr[1] = (unsigned char)(magic >> 8);
	hdr[2] = '\r';
	hdr[3] = '\n';
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++)
			hdr[4 + 4 * i + j] = (unsigned char)(v[i] >> (8 * j));
}

/* Asserts verdict want and, unless rewritten, an unchanged header. */
static void expect(unsigned char *hdr, size_t pyclen, const char *src,
		   int64_t mtime, enum pyc_mode mode, enum pyc_verdict want)
{
	unsigned char before[PYC_HEADER_SIZE];
	enum pyc_verdict got;

	memcpy(before, hdr, sizeof(before));
	got = pyc_rewrite_header(hdr, pyclen, src, strlen(src), mtime, mode);
	if (got != want)
		fail_msg("verdict %s, wanted %s", pyc_verdict_name(got),
			 pyc_verdict_name(want));
	if (want != PYC_REWRITTEN)
		assert_memory_equal(hdr, before, sizeof(before));
	else
		assert_memory_not_equal(hdr, before, sizeof(before));
}

static void test_fresh_and_stale(void **state)
{
	unsigned char hdr[PYC_HEADER_SIZE];

	(void)state;
	make_header(hdr, 3495, 0, 1000, 3);
	expect(hdr, 16, "abd", 1001, PYC_UNCHECKED_HASH, PYC_STALE);
	expect(hdr, 16, "abd", 999, PYC_CHECKED_HASH, PYC_STALE);
	expect(hdr, 16, "abcd", 1000, PYC_UNCHECKED_HASH, PYC_STALE);
	expect(hdr, 16, "ab", 1000, PYC_UNCHECKED_HASH, PYC_STALE);
	expect(hdr, 16, "", 1000, PYC_UNCHECKED_HASH, PYC_STALE);
	/* CPython compares the mtime modulo 2^32. */
	expect(hdr, 16, "abc", 1000 + ((int64_t)1 << 32), PYC_UNCHECKED_HASH,
	       PYC_REWRITTEN);
	make_header(hdr, 3495, 0, 1000, 3);
	expect(hdr, 16, "abc", 1000 - ((int64_t)1 << 32), PYC_UNCHECKED_HASH,
	       PYC_REWRITTEN);
	make_header(hdr, 3495, 0, 0xFFFFFFFFu, 3);
	expect(hdr, 16, "abc", -1, PYC_CHECKED_HASH, PYC_REWRITTEN);
	assert_int_equal(hdr[4], 3);
	make_header(hdr, 3495, 0, 1000, 3);
	expect(hdr, 1 << 20, "abc", 1000, PYC_UNCHECKED_HASH, PYC_REWRITTEN);
	assert_int_equal(hdr[4], 1);
	assert_memory_equal(hdr, "\xa7\x0d\x0d\x0a\x01\0\0\0", 8);
}

static void test_keep_mode_and_names(void **state)
{
	unsigned char hdr[PYC_HEADER_SIZE];
	enum pyc_mode m = PYC_KEEP;
	int i;

	(void)state;
	make_header(hdr, 3495, 0, 1000, 3);
	expect(hdr, 16, "abc", 1000, PYC_KEEP, PYC_MODE_KEEP);
	expect(hdr, 3, "abc", 1000, PYC_KEEP, PYC_MODE_KEEP);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pyc_mode_parse(pyc_mode_name((enum pyc_mode)i),
						&m), 0);
		assert_int_equal(m, i);
	}
	assert_int_equal(pyc_mode_parse("checked-hash", &m), 0);
	assert_int_equal(m, PYC_CHECKED_HASH);
	assert_int_equal(pyc_mode_parse("unchecked-hash", &m), 0);
	assert_int_equal(m, PYC_UNCHECKED_HASH);
	assert_int_equal(pyc_mode_parse("Keep", &m), AV_EINVAL);
	assert_int_equal(pyc_mode_parse("unchecked", &m), AV_EINVAL);
	assert_int_equal(pyc_mode_parse("", &m), AV_EINVAL);
	assert_int_equal(pyc_mode_parse(NULL, &m), AV_EINVAL);
	assert_int_equal(m, PYC_UNCHECKED_HASH);
	assert_string_equal(pyc_mode_name((enum pyc_mode)7), "?");
	assert_string_equal(pyc_verdict_name(PYC_REWRITTEN), "rewritten");
	assert_string_equal(pyc_verdict_name(PYC_STALE), "stale");
	for (i = 0; i < PYC_VERDICT_COUNT; i++)
		assert_string_not_equal(pyc_verdict_name((enum pyc_verdict)i),
					"?");
	assert_string_equal(pyc_verdict_name(PYC_VERDICT_COUNT), "?");
}

static void test_too_short(void **state)
{
	unsigned char full[PYC_HEADER_SIZE], *hdr;
	size_t n;

	(void)state;
	make_header(full, 3495, 0, 1000, 3);
	/* Exactly n bytes on the heap: ASan catches any read past them. */
	for (n = 0; n < PYC_HEADER_SIZE; n++) {
		hdr = malloc(n ? n : 1);
		assert_non_null(hdr);
		memcpy(hdr, full, n);
		assert_int_equal(pyc_rewrite_header(hdr, n, "abc", 3, 1000,
						    PYC_UNCHECKED_HASH),
				 PYC_TOO_SHORT);
		assert_memory_equal(hdr, full, n);
		free(hdr);
	}
}

static void test_magic_and_flags(void **state)
{
	static const uint16_t unknown[] = { 3379, 62211, 3390, 3393, 3494,
					    3570, 3626, 3628, 0 };
	unsigned char hdr[PYC_HEADER_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		make_header(hdr, unknown[i], 0, 1000, 3);
		expect(hdr, 16, "abc", 1000, PYC_UNCHECKED_HASH,
		       PYC_UNKNOWN_MAGIC);
	}
	/* A known number without the "\r\n" is not a pyc magic. */
	make_header(hdr, 3495, 0, 1000, 3);
	hdr[3] = '\r';
	expect(hdr, 16, "abc", 1000, PYC_UNCHECKED_HASH, PYC_UNKNOWN_MAGIC);
	make_header(hdr, 3495, 1, 1000, 3);
	expect(hdr, 16, "abc", 1000, PYC_CHECKED_HASH, PYC_ALREADY_HASH);
	make_header(hdr, 3495, 3, 1000, 3);
	expect(hdr, 16, "abc", 1000, PYC_UNCHECKED_HASH, PYC_ALREADY_HASH);
	make_header(hdr, 3495, 2, 1000, 3);
	expect(hdr, 16, "abc", 1000, PYC_UNCHECKED_HASH, PYC_BAD_FLAGS);
	make_header(hdr, 3495, 4, 1000, 3);
	expect(hdr, 16, "abc", 1000, PYC_UNCHECKED_HASH, PYC_BAD_FLAGS);
	make_header(hdr, 3495, 0x80000001u, 1000, 3);
	expect(hdr, 16, "abc", 1000, PYC_UNCHECKED_HASH, PYC_BAD_FLAGS);
}

/* Every supported release; 3.14 has no interpreter here: its hash is
 * SipHash-1-3 keyed with its magic, as for 3.11-3.13. */
static void test_release_table(void **state)
{
	static const struct {
		uint16_t magic;
		int is13;
	} rel[] = { { 3394, 0 }, { 3413, 0 }, { 3425, 0 }, { 3439, 0 },
		    { 3495, 1 }, { 3531, 1 }, { 3571, 1 }, { 3627, 1 } };
	static const char src[] = "print('hi')\n";
	unsigned char out[8], want[8], hdr[PYC_HEADER_SIZE];
	uint64_t k0, h;
	size_t i;
	int j;

	(void)state;
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		k0 = rel[i].magic | (uint64_t)0x0a0d << 16;
		h = rel[i].is13 ? siphash13(k0, 0, src, sizeof(src) - 1)
				: siphash24(k0, 0, src, sizeof(src) - 1);
		for (j = 0; j < 8; j++)
			want[j] = (unsigned char)(h >> (8 * j));
		assert_int_equal(pyc_source_hash(rel[i].magic, src,
						 sizeof(src) - 1, out), 0);
		assert_memory_equal(out, want, 8);
		make_header(hdr, rel[i].magic, 0, 7, sizeof(src) - 1);
		expect(hdr, 16, src, 7, PYC_UNCHECKED_HASH, PYC_REWRITTEN);
		assert_memory_equal(hdr + 8, want, 8);
	}
	memset(out, 0xAA, sizeof(out));
	assert_int_equal(pyc_source_hash(3379, src, 3, out), AV_EUNSUPP);
	assert_int_equal(out[0], 0xAA);
	assert_int_equal(pyc_source_hash(3394, NULL, 0, out), 0);
}

static const struct {
	const char *path;
	const char *source;	/* NULL: AV_EINVAL */
	int opt;		/* pyc_is_opt_cache */
} names[] = {
	{ "lib/python3.11/x/__pycache__/mod.cpython-311.pyc",
	  "lib/python3.11/x/mod.py", 0 },
	{ "__pycache__/mod.cpython-311.pyc", "mod.py", 0 },
	{ "./a/__pycache__/mod.cpython-311.pyc", "./a/mod.py", 0 },
	{ "a/b/__pycache__/mod.cpython-311.opt-1.pyc", "a/b/mod.py", 1 },
	{ "a/b/__pycache__/mod.cpython-311.opt-2.pyc", "a/b/mod.py", 1 },
	{ "a/__pycache__/foo.bar.cpython-311.pyc", "a/foo.bar.py", 0 },
	{ "a/__pycache__/foo.bar.cpython-311.opt-2.pyc", "a/foo.bar.py", 1 },
	{ "a/__pycache__/__init__.cpython-37.pyc", "a/__init__.py", 0 },
	{ "a/__pycache__/m.pypy39.pyc", "a/m.py", 0 },
	{ "a/__pycache__/m.cpython-311.opt-3.pyc", "a/m.py", 0 },
	{ "a/__pycache__/m.cpython-311.opt-12.pyc", "a/m.py", 0 },
	{ "a/__pycache__/m.cpython-311.opt-x1.pyc", "a/m.py", 0 },
	{ "a/x__pycache__/m.cpython-311.pyc", NULL, 0 },
	{ "a/__pycache__/m.cpython-311.opt-.pyc", NULL, 0 },
	{ "a/__pycache__/m.cpython-311.opt-1-.pyc", NULL, 0 },
	{ "a/__pycache__/m.opt-1.pyc", NULL, 0 },
	{ "a/__pycache__/m.pyc", NULL, 0 },
	{ "a/__pycache__/.pyc", NULL, 0 },
	{ "__pycache__/.pyc", NULL, 0 },
	{ "a/__pycache__/.cpython-311.pyc", NULL, 0 },
	{ "a/__pycache__/m..pyc", NULL, 0 },
	{ "a/__pycache__/m.cpython-311..pyc", NULL, 0 },
	{ "a/__pycache__/.opt-1.pyc", NULL, 0 },
	{ "a/__pycache__/..opt-1.pyc", NULL, 0 },
	{ "a/mod.cpython-311.pyc", NULL, 0 },
	{ "a/mod.cpython-311.opt-1.pyc", NULL, 0 },
	{ "mod.cpython-311.pyc", NULL, 0 },
	{ "a/__pycache__/sub/m.cpython-311.pyc", NULL, 0 },
	{ "a/__pycache__/m.cpython-311.pyc/", NULL, 0 },
	{ "a/__pycache__/", NULL, 0 },
	{ "a/__pycache__//m.cpython-311.pyc", NULL, 0 },
	{ "a/__pycache__/m.cpython-311.PYC", NULL, 0 },
	{ "a/__pycache__/m.cpython-311.py", NULL, 0 },
	{ "a/__pycache__/m.cpython-311.opt-1.pyo", NULL, 0 },
	{ "a/__pycache__", NULL, 0 },
	{ "", NULL, 0 },
	{ "/", NULL, 0 },
	{ ".pyc", NULL, 0 },
};

static void test_cache_names(void **state)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		buf_sets(&b, "<");
		rc = pyc_source_path(names[i].path, &b);
		if (names[i].source) {
			if (rc != 0)
				fail_msg("\"%s\": %s", names[i].path,
					 error_name(rc));
			assert_string_equal(b.ptr + 1, names[i].source);
		} else {
			if (rc != AV_EINVAL)
				fail_msg("\"%s\" accepted as \"%s\"",
					 names[i].path, b.ptr + 1);
			assert_string_equal(b.ptr, "<");
		}
		if (pyc_is_opt_cache(names[i].path) != names[i].opt)
			fail_msg("\"%s\": opt cache %d", names[i].path,
				 !names[i].opt);
	}
	assert_int_equal(pyc_source_path(NULL, &b), AV_EINVAL);
	assert_int_equal(pyc_is_opt_cache(NULL), 0);
	buf_release(&b);
}

/* A full buffer refuses the path and keeps its contents. */
static void test_source_path_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_sets(&b, "1234"), 0);
	assert_int_equal(pyc_source_path("x/__pycache__/m.t.pyc", &b),
			 AV_ETOOBIG);
	assert_string_equal(b.ptr, "1234");
	assert_int_equal(pyc_source_path("__pycache__/m.t.pyc", &b), 0);
	assert_string_equal(b.ptr, "1234m.py");
	buf_release(&b);
}

static char minors[][5] = { "3.7", "3.8", "3.9", "3.10", "3.11", "3.12",
			    "3.13", "2.7", "3.6" };

#define CPYTHON(i, v) { "cpython " v " source hashes and headers", \
			test_cpython_vectors, NULL, NULL, minors[i] }
#define OLD(i, v) { "cpython " v " pyc left untouched", \
		    test_old_magic_left, NULL, NULL, minors[i] }

int main(void)
{
	const struct CMUnitTest tests[] = {
		CPYTHON(0, "3.7"), CPYTHON(1, "3.8"), CPYTHON(2, "3.9"),
		CPYTHON(3, "3.10"), CPYTHON(4, "3.11"), CPYTHON(5, "3.12"),
		CPYTHON(6, "3.13"), OLD(7, "2.7"), OLD(8, "3.6"),
		cmocka_unit_test(test_fresh_and_stale),
		cmocka_unit_test(test_keep_mode_and_names),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_magic_and_flags),
		cmocka_unit_test(test_release_table),
		cmocka_unit_test(test_cache_names),
		cmocka_unit_test(test_source_path_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
