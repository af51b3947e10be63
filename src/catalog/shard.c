/* shard: items to runners by hash order and weight (see shard.h). */
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "shard.h"

uint64_t shard_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *k = (const unsigned char *)key;

	while (*k) {
		h ^= *k++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct ord {
	uint64_t hash;
	const struct shard_item *it;
	size_t i;
};

static int ord_cmp(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;
	int c;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if ((c = strcmp(x->it->key, y->it->key)) != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Weights up to 2^40 (1 TiB) each and n <= 1000 keep 2 x total x n in
 * 64 bits for 2^12 items of the largest size: far beyond a bucket of
 * runtimes.  Integer arithmetic, so every runner cuts alike. */
#define MAX_WEIGHT ((uint64_t)1 << 40)

static uint64_t weight(const struct shard_item *it)
{
	return !it->weight ? 1 : it->weight > MAX_WEIGHT ? MAX_WEIGHT : it->weight;
}

int shard_assign(const struct shard_item *items, size_t count, unsigned n,
		 unsigned *out)
{
	struct ord *o;
	uint64_t total = 0, at = 0, w;
	size_t i;
	unsigned s;

	if (count == 0)
		return 0;
	if (n < 1 || n > SHARD_MAX)
		return AV_EINVAL;
	if (!(o = malloc(count * sizeof(*o))))
		return AV_ENOMEM;
	for (i = 0; i < count; i++) {
		o[i] = (struct ord){ shard_hash(items[i].key), &items[i], i };
		total += weight(&items[i]);
	}
	qsort(o, count, sizeof(*o), ord_cmp);
	for (i = 0; i < count; i++) {
		w = weight(o[i].it);
		/* the run of [0, total) that holds the middle of [at, at + w) */
		s = (unsigned)((2 * at + w) * n / (2 * total));
		out[o[i].i] = (s < n ? s : n - 1) + 1;
		at += w;
	}
	free(o);
	return 0;
}
