/*
 * tarindex: the entries of one archive, in archive order, found by path.
 *
 * Paths are compared as extraction treats them: leading "/" and "./" and
 * a trailing "/" do not count ("./a/b.py" finds "a/b.py").  A path listed
 * twice finds its last entry, the one extraction leaves on disk.  A
 * hardlink's target is resolved when the link is added, among the entries
 * before it, as tar extraction does.
 */
#ifndef ARCHIVIST_TARINDEX_H
#define ARCHIVIST_TARINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/tar.h"

#define TAR_INDEX_NONE SIZE_MAX

struct tar_index_entry {
	char *path;		/* as in the archive */
	char *link;		/* link target as in the archive, "" if none */
	char type;		/* typeflag */
	uint64_t size;		/* data bytes */
	int64_t mtime;
	uint64_t start, header, data, end;	/* offsets, as struct tar_entry */
	size_t target;		/* hardlinks: the entry linked to, else
				   TAR_INDEX_NONE (also when not found) */
};

struct tar_index;

/* An empty index, or NULL when out of memory (reported). */
struct tar_index *tar_index_new(void);

/* Appends a copy of e.  0 or AV_ENOMEM. */
int tar_index_add(struct tar_index *ix, const struct tar_entry *e);

size_t tar_index_count(const struct tar_index *ix);

/* Entry i (< count); owned by the index, valid until the next add. */
const struct tar_index_entry *tar_index_get(const struct tar_index *ix,
					    size_t i);

/* The last entry whose path matches, or TAR_INDEX_NONE. */
size_t tar_index_find(const struct tar_index *ix, const char *path);

/* NULL-safe. */
void tar_index_free(struct tar_index *ix);

#endif
