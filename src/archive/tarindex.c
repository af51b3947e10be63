/* tarindex: archive entries in order, with a path hash table (tarindex.h). */
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/tarindex.h"

struct tar_index {
	struct tar_index_entry *v;
	size_t n, cap;
	size_t *slots;		/* entry index + 1; 0 = empty */
	size_t nslots;		/* a power of two, kept over twice n */
};

/* The part of a path that names the file on extraction. */
static const char *norm(const char *p, size_t *len)
{
	size_t n;

	for (;;) {
		if (p[0] == '/')
			p++;
		else if (p[0] == '.' && p[1] == '/')
			p += 2;
		else
			break;
	}
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	*len = n;
	return p;
}

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

/* The slot holding path, or the empty slot where it would go. */
static size_t *slot_for(const struct tar_index *ix, const char *path)
{
	size_t n, m, k;
	const char *p = norm(path, &n), *q;
	size_t i = (size_t)hash(p, n) & (ix->nslots - 1);

	for (;; i = (i + 1) & (ix->nslots - 1)) {
		if (!ix->slots[i])
			return &ix->slots[i];
		k = ix->slots[i] - 1;
		q = norm(ix->v[k].path, &m);
		if (m == n && memcmp(p, q, n) == 0)
			return &ix->slots[i];
	}
}

static int rehash(struct tar_index *ix)
{
	size_t *old = ix->slots, oldn = ix->nslots, i;

	ix->nslots = oldn ? oldn * 2 : 1024;
	if (!(ix->slots = calloc(ix->nslots, sizeof(*ix->slots)))) {
		ix->slots = old;
		ix->nslots = oldn;
		return AV_ENOMEM;
	}
	for (i = 0; i < oldn; i++)
		if (old[i])
			*slot_for(ix, ix->v[old[i] - 1].path) = old[i];
	free(old);
	return 0;
}

struct tar_index *tar_index_new(void)
{
	struct tar_index *ix = calloc(1, sizeof(*ix));

	if (!ix || rehash(ix) != 0) {
		free(ix);
		msg_error("out of memory indexing an archive");
		return NULL;
	}
	return ix;
}

static int grow(struct tar_index *ix)
{
	size_t cap = ix->cap ? ix->cap * 2 : 256;
	struct tar_index_entry *v;

	if (ix->n < ix->cap)
		return 0;
	if (!(v = realloc(ix->v, cap * sizeof(*v))))
		return AV_ENOMEM;
	ix->v = v;
	ix->cap = cap;
	return 0;
}

int tar_index_add(struct tar_index *ix, const struct tar_entry *e)
{
	struct tar_index_entry *x;

	if (grow(ix) != 0 || (2 * (ix->n + 1) > ix->nslots && rehash(ix)))
		goto nomem;
	x = &ix->v[ix->n];
	*x = (struct tar_index_entry){ .type = e->type, .size = e->size,
		.mtime = e->mtime, .start = e->start, .header = e->header,
		.data = e->data, .end = e->end, .target = TAR_INDEX_NONE };
	if (!(x->path = strdup(e->path)) || !(x->link = strdup(e->link))) {
		free(x->path);
		goto nomem;
	}
	if (e->type == '1')	/* before adding: a link names an earlier entry */
		x->target = tar_index_find(ix, e->link);
	if (e->type != 'g')
		*slot_for(ix, x->path) = ++ix->n;
	else
		ix->n++;
	return 0;
nomem:
	msg_error("out of memory indexing an archive");
	return AV_ENOMEM;
}

size_t tar_index_count(const struct tar_index *ix)
{
	return ix->n;
}

const struct tar_index_entry *tar_index_get(const struct tar_index *ix,
					    size_t i)
{
	return &ix->v[i];
}

size_t tar_index_find(const struct tar_index *ix, const char *path)
{
	size_t *s = slot_for(ix, path);

	return *s ? *s - 1 : TAR_INDEX_NONE;
}

void tar_index_free(struct tar_index *ix)
{
	size_t i;

	if (!ix)
		return;
	for (i = 0; i < ix->n; i++) {
		free(ix->v[i].path);
		free(ix->v[i].link);
	}
	free(ix->v);
	free(ix->slots);
	free(ix);
}
