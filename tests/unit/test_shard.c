/*
 * Unit tests for shard: every item in exactly one shard, shards balanced
 * by bytes (against a hash mod n on the same items), and few items moving
 * when keys appear or go.
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
#include "catalog/shard.h"

#define MAXN 400
#define MB ((uint64_t)1000000)

static char keys[MAXN + 50][80];
static struct shard_item items[MAXN + 50];

/* count items like a bucket of runtimes: names in the new scheme, sizes
 * 15-65 MB (a few small invalid ones); a fixed LCG, so reproducible. */
static void make_items(size_t count, uint64_t seed)
{
	size_t i;

	for (i = 0; i < count; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		snprintf(keys[i], sizeof(keys[i]),
			 "python-3.%u.%zu-ubuntu-%u.04-%s.tar.zst",
			 (unsigned)(seed >> 60) % 14, i, 18 + 2 * (unsigned)((seed >> 40) % 4),
			 (seed >> 20) & 1 ? "amd64" : "arm64");
		items[i].key = keys[i];
		items[i].weight = i % 50 == 7 ? 0 : 15 * MB + (seed >> 33) % (50 * MB);
	}
}

/* The largest and smallest shard weight. */
static void spread(const unsigned *of, size_t count, unsigned n,
		   uint64_t *lo, uint64_t *hi)
{
	uint64_t w[64] = { 0 };
	size_t i;
	unsigned s;

	for (i = 0; i < count; i++) {
		assert_true(of[i] >= 1 && of[i] <= n);
		w[of[i] - 1] += items[i].weight;
	}
	*lo = UINT64_MAX;
	*hi = 0;
	for (s = 0; s < n; s++) {
		*lo = w[s] < *lo ? w[s] : *lo;
		*hi = w[s] > *hi ? w[s] : *hi;
	}
}

static void test_every_item_once_and_balanced(void **state)
{
	static const unsigned ns[] = { 1, 2, 3, 4, 8, 16 };
	unsigned of[MAXN], n;
	uint64_t lo, hi, mlo, mhi, total = 0;
	size_t i, k;

	(void)state;
	make_items(MAXN, 42);
	for (i = 0; i < MAXN; i++)
		total += items[i].weight;
	for (k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		n = ns[k];
		memset(of, 0, sizeof(of));
		assert_int_equal(shard_assign(items, MAXN, n, of), 0);
		spread(of, MAXN, n, &lo, &hi);	/* checks 1 <= of <= n */
		/* within one item (65 MB) of the mean, both ways */
		assert_true(hi <= total / n + 65 * MB);
		assert_true(lo + 65 * MB >= total / n);
		if (n < 4)
			continue;
		/* a hash mod n on the same items is worse by far */
		for (i = 0; i < MAXN; i++)
			of[i] = (unsigned)(shard_hash(items[i].key) % n) + 1;
		spread(of, MAXN, n, &mlo, &mhi);
		assert_true(mhi - mlo > 2 * (hi - lo));
	}
	/* n = 1: all in shard 1; nothing to do for no items */
	assert_int_equal(shard_assign(items, 3, 1, of), 0);
	assert_true(of[0] == 1 && of[1] == 1 && of[2] == 1);
	assert_int_equal(shard_assign(items, 0, 4, of), 0);
	assert_int_equal(shard_assign(items, 3, 0, of), AV_EINVAL);
	assert_int_equal(shard_assign(items, 3, SHARD_MAX + 1, of), AV_EINVAL);
}

/* The same items in another order get the same shards (runners list in
 * the same order, but nothing should depend on it). */
static void test_order_does_not_matter(void **state)
{
	unsigned a[MAXN], b[MAXN];
	struct shard_item t;
	size_t i;

	(void)state;
	make_items(MAXN, 7);
	assert_int_equal(shard_assign(items, MAXN, 5, a), 0);
	for (i = 0; i < MAXN / 2; i++) {
		t = items[i];
		items[i] = items[MAXN - 1 - i];
		items[MAXN - 1 - i] = t;
	}
	assert_int_equal(shard_assign(items, MAXN, 5, b), 0);
	for (i = 0; i < MAXN; i++)
		assert_int_equal(a[i], b[MAXN - 1 - i]);
}

/* Keys appearing (or going) move about one item per cut, to a
 * neighbouring shard. */
static void test_stable_when_keys_appear(void **state)
{
	static const unsigned ns[] = { 2, 4, 8 };
	unsigned before[MAXN + 50], after[MAXN + 50], n;
	size_t i, k, moved, added;

	(void)state;
	for (k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		n = ns[k];
		make_items(MAXN + 50, 99);
		assert_int_equal(shard_assign(items, MAXN, n, before), 0);
		for (added = 1; added <= 50; added += 49) {
			assert_int_equal(shard_assign(items, MAXN + added, n, after), 0);
			for (i = 0, moved = 0; i < MAXN; i++) {
				if (after[i] == before[i])
					continue;
				moved++;
				assert_true(after[i] == before[i] + 1 ||
					    after[i] + 1 == before[i]);
			}
			/* one new key: at most a couple per cut; 50 new keys
			 * (+12 % of the bytes): still a small share */
			if (added == 1)
				assert_true(moved <= 2 * (n - 1));
			else
				assert_true(moved <= MAXN / 5);
		}
		/* a key going is the same, the other way round */
		assert_int_equal(shard_assign(items + 1, MAXN - 1, n, after + 1), 0);
		for (i = 1, moved = 0; i < MAXN; i++)
			moved += after[i] != before[i];
		assert_true(moved <= 2 * (n - 1));
	}
}

static void test_hash(void **state)
{
	(void)state;
	/* FNV-1a 64 test vectors (Fowler, Noll, Vo) */
	assert_true(shard_hash("") == 0xcbf29ce484222325ULL);
	assert_true(shard_hash("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(shard_hash("foobar") == 0x85944171f73967e8ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_item_once_and_balanced),
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_stable_when_keys_appear),
		cmocka_unit_test(test_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
