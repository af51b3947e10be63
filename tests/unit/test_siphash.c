/*
 * Unit tests for siphash against data nobody here wrote:
 * - the 64 SipHash-2-4 vectors published with the paper
 *   (tests/vectors/siphash/siphash24_paper.txt);
 * - the keyed hashes of each real CPython 3.7-3.13
 *   (_imp.source_hash(0x0706050403020100, bytes(range(n))), k1 = 0), in
 *   tests/vectors/pyc/cpython-3.X.json: SipHash-2-4 up to 3.10 and
 *   SipHash-1-3 from 3.11 on.
 * Run from the repository root (tests/run.sh does).
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

#include "archive/siphash.h"

#define PAPER "tests/vectors/siphash/siphash24_paper.txt"

static uint64_t le64_from_hex(const char *hex)
{
	uint64_t v = 0;
	unsigned int byte;
	int i;

	assert_int_equal(strlen(hex), 16);
	for (i = 7; i >= 0; i--) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
		v = v << 8 | byte;
	}
	return v;
}

static void test_paper_vectors(void **state)
{
	const uint64_t k0 = UINT64_C(0x0706050403020100);
	const uint64_t k1 = UINT64_C(0x0f0e0d0c0b0a0908);
	unsigned char in[64];
	char line[128], hex[17];
	FILE *f = fopen(PAPER, "r");
	int n, count = 0;

	(void)state;
	assert_non_null(f);
	for (n = 0; n < 64; n++)
		in[n] = (unsigned char)n;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%d %16s", &n, hex), 2);
		assert_int_equal(n, count);
		assert_true(siphash24(k0, k1, in, (size_t)n) == le64_from_hex(hex));
		/* The vectors separate the variants: 1-3 differs on each. */
		assert_true(siphash13(k0, k1, in, (size_t)n) != le64_from_hex(hex));
		count++;
	}
	fclose(f);
	assert_int_equal(count, 64);
}

/* Known byte order: the hash must not depend on the input's alignment. */
static void test_unaligned_input(void **state)
{
	unsigned char raw[80];
	size_t off, i;
	uint64_t h24 = 0, h13 = 0;

	(void)state;
	for (off = 0; off < 8; off++) {
		for (i = 0; i < 63; i++)
			raw[off + i] = (unsigned char)(i * 37);
		if (off == 0) {
			h24 = siphash24(1, 2, raw, 63);
			h13 = siphash13(1, 2, raw, 63);
		}
		assert_true(siphash24(1, 2, raw + off, 63) == h24);
		assert_true(siphash13(1, 2, raw + off, 63) == h13);
	}
	assert_true(siphash24(1, 2, NULL, 0) == siphash24(1, 2, raw, 0));
}

static void test_cpython_keyed(void **state)
{
	const char *minor = *state;
	char path[128];
	json_error_t err;
	json_t *doc, *keyed, *hashes;
	unsigned char in[64];
	uint64_t key;
	size_t n;
	int is13 = atoi(minor + 2) >= 11;

	snprintf(path, sizeof(path), "tests/vectors/pyc/cpython-%s.json", minor);
	doc = json_load_file(path, 0, &err);
	if (!doc)
		fail_msg("%s: %s", path, err.text);
	keyed = json_object_get(doc, "keyed");
	hashes = json_object_get(keyed, "hashes");
	assert_int_equal(json_array_size(hashes), 64);
	key = (uint64_t)json_integer_value(json_object_get(keyed, "key"));
	assert_true(key == UINT64_C(0x0706050403020100));
	for (n = 0; n < 64; n++) {
		uint64_t want = le64_from_hex(
			json_string_value(json_array_get(hashes, n)));

		in[n] = (unsigned char)n;
		if (is13) {
			assert_true(siphash13(key, 0, in, n) == want);
			assert_true(siphash24(key, 0, in, n) != want);
		} else {
			assert_true(siphash24(key, 0, in, n) == want);
			assert_true(siphash13(key, 0, in, n) != want);
		}
	}
	json_decref(doc);
}

static char minors[][5] = { "3.7", "3.8", "3.9", "3.10", "3.11", "3.12",
			    "3.13" };

#define CPYTHON(i, v) { "cpython " v " keyed siphash", test_cpython_keyed, \
			NULL, NULL, minors[i] }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paper_vectors),
		cmocka_unit_test(test_unaligned_input),
		CPYTHON(0, "3.7"), CPYTHON(1, "3.8"), CPYTHON(2, "3.9"),
		CPYTHON(3, "3.10"), CPYTHON(4, "3.11"), CPYTHON(5, "3.12"),
		CPYTHON(6, "3.13"),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
