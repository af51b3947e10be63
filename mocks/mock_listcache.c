/* mock_listcache: the last key listing, shared by the pages that follow
 * (see mock_listcache.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "mock_listcache.h"

struct list_cache {
	pthread_mutex_t lock;
	struct keylist *last;	/* the cache's own reference, or NULL */
	char *bucket, *prefix;
	unsigned long gen;	/* store generation when it was walked */
};

int listcache_new(struct list_cache **out)
{
	struct list_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return AV_ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
}

static void unref(struct keylist *k)
{
	if (k && --k->refs == 0) {
		strv_release(&k->keys);
		free(k);
	}
}

void listcache_free(struct list_cache *c)
{
	if (!c)
		return;
	unref(c->last);
	free(c->bucket);
	free(c->prefix);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int matches(const struct list_cache *c, const char *bucket,
		   const char *prefix, unsigned long gen)
{
	return c->last && c->gen == gen && !strcmp(c->bucket, bucket) &&
	       !strcmp(c->prefix, prefix);
}

/* Makes k the cached list (taking a reference), if it is still current. */
static void remember(struct list_cache *c, struct keylist *k, const char *bucket,
		     const char *prefix, unsigned long gen)
{
	char *b = strdup(bucket), *p = strdup(prefix);

	if (!b || !p) {
		free(b);
		free(p);
		return;
	}
	unref(c->last);
	free(c->bucket);
	free(c->prefix);
	k->refs++;
	c->last = k;
	c->bucket = b;
	c->prefix = p;
	c->gen = gen;
}

int listcache_get(struct list_cache *c, struct store *st, const char *bucket,
		  const char *prefix, int fresh, struct keylist **out)
{
	/* read before the walk: a write during it makes the list stale */
	unsigned long gen = store_generation(st);
	struct keylist *k;
	int rc;

	pthread_mutex_lock(&c->lock);
	if (!fresh && matches(c, bucket, prefix, gen)) {
		c->last->refs++;
		*out = c->last;
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	pthread_mutex_unlock(&c->lock);
	if (!(k = calloc(1, sizeof(*k))))
		return AV_ENOMEM;
	k->refs = 1;
	if ((rc = store_list(st, bucket, prefix, &k->keys))) {
		strv_release(&k->keys);
		free(k);
		return rc;
	}
	pthread_mutex_lock(&c->lock);
	remember(c, k, bucket, prefix, gen);
	pthread_mutex_unlock(&c->lock);
	*out = k;
	return 0;
}

void listcache_put(struct list_cache *c, struct keylist *k)
{
	pthread_mutex_lock(&c->lock);
	unref(k);
	pthread_mutex_unlock(&c->lock);
}
