/*
 * mock_listcache: the last key listing, kept for the pages that follow.
 *
 * A listing of n keys comes in pages of at most 1,000, and each page
 * needs the bucket's keys in order.  Walking the tree for every page cost
 * O(n^2 / 1000) (100,000 keys: 100 walks of 100,000 files); with this
 * cache a listing walks once.  The keys are shared, immutable and
 * reference counted; a cached list serves a request only if the store
 * has had no write since it was made (store_generation).  The first page
 * of a listing always walks, so files put in the data directory by hand
 * are seen by the next listing (not by one already under way).
 */
#ifndef MOCK_LISTCACHE_H
#define MOCK_LISTCACHE_H

#include "mock_store.h"

struct keylist {
	struct strv keys;	/* sorted, unique */
	int refs;		/* under the cache's lock */
};

struct list_cache;

int listcache_new(struct list_cache **out);
void listcache_free(struct list_cache *c);

/* The keys of bucket under prefix in *out (release with listcache_put):
 * the cached list if it matches and fresh is 0, else a new walk (which
 * replaces the cached one).  0 or an AV_E* code. */
int listcache_get(struct list_cache *c, struct store *st, const char *bucket,
		  const char *prefix, int fresh, struct keylist **out);
void listcache_put(struct list_cache *c, struct keylist *k);

#endif
