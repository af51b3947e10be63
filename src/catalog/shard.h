/*
 * shard: which of n runners takes which item of a migration, balanced by
 * bytes and stable when items come and go.
 *
 * The items are ordered by a hash of their key (FNV-1a 64, then the key
 * itself), a fixed pseudo-random order of the key space, and that line
 * is cut into n runs of equal total weight (the listed size): an item
 * goes to the run that holds the middle of its weight.  So:
 *
 * - each shard's weight is within one item's weight of total / n;
 * - an item added or removed with weight w moves only the items within
 *   w of a cut, to the neighbouring shard: about one item per cut, the
 *   others keep their shard (a hash mod n keeps them all but balances
 *   only counts; packing sizes greedily balances best but reshuffles
 *   whole shards when one key appears);
 * - every runner that sees the same listing makes the same cuts, so n
 *   runners cover every item exactly once.
 *
 * Pure functions; keys and weights are borrowed for the call.
 */
#ifndef ARCHIVIST_SHARD_H
#define ARCHIVIST_SHARD_H

#include <stddef.h>
#include <stdint.h>

#define SHARD_MAX 1000	/* n of --shard I/N */

struct shard_item {
	const char *key;
	uint64_t weight;	/* bytes; 0 counts as 1 */
};

/* FNV-1a 64 of the key's bytes. */
uint64_t shard_hash(const char *key);

/*
 * Sets out[i] to the shard (1..n) of items[i], for count items and
 * 1 <= n <= SHARD_MAX shards.  0, AV_EINVAL (n) or AV_ENOMEM.
 */
int shard_assign(const struct shard_item *items, size_t count, unsigned n,
		 unsigned *out);

#endif
