/*
 * mock_store: objects as plain files under the data directory.
 *
 * Layout (DIR is --data):
 *
 *   DIR/BUCKET/KEY               an object whose key is a plain relative
 *                                path: every '/'-separated segment is
 *                                non-empty, not "." or "..", at most 255
 *                                bytes, the key at most 1024 bytes, and no
 *                                file or directory is in the way
 *   DIR/.mock-keys/BUCKET/H      any other key ("a//b", "../x", "dir/",
 *                                "a" when "a/b" exists), H = hex SHA-256
 *                                of the key
 *   DIR/.mock-meta/BUCKET/H.json the sidecar of either: key, size, ETag,
 *                                content type, x-amz-meta-*, checksums,
 *                                and the file's inode/size/mtime so a
 *                                file changed behind the server's back is
 *                                noticed; a file put there from outside
 *                                gets a guessed type and its MD5 (cached
 *                                in a sidecar from 1 MiB on)
 *   DIR/.mock-tmp/               uploads in flight (renamed into place)
 *   DIR/.mock-uploads/ID/        multipart uploads (mock_multipart.c)
 *
 * Bucket names never start with '.', so nothing under DIR/.mock-* is ever
 * seen as a bucket or a key; a file tree copied under DIR/BUCKET is served
 * as it is (sidecars are created on first read).
 *
 * Each key is in exactly one place: writers take the key's lock
 * exclusively, readers share it.  Functions return 0 or an AV_E* code.
 */
#ifndef MOCK_STORE_H
#define MOCK_STORE_H

#include <stddef.h>
#include <sys/stat.h>

#include <jansson.h>

#include "archivist/buf.h"

/* A growable array of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};

#define STRV_INIT { NULL, 0, 0 }
/* Appends a copy of s.  0 or AV_ENOMEM. */
int strv_push(struct strv *s, const char *str);
/* Sorts by bytes (S3's UTF-8 binary order) and drops duplicates. */
void strv_sort_unique(struct strv *s);
void strv_release(struct strv *s);

struct store;

/* An object opened for reading. */
struct store_obj {
	int fd;		/* owned, read-only */
	struct stat st;
	json_t *meta;	/* owned: the sidecar (key, size, etag, ...) */
};

/* Conditions a write must meet, checked atomically with it. */
struct store_cond {
	int if_none_match;	/* If-None-Match: * (the key must be absent) */
	const char *if_match;	/* If-Match: ETAG (quoted or not), or NULL */
};

/* Opens dir (created if missing), makes the reserved directories and
 * empties DIR/.mock-tmp.  Reports errors itself. */
int store_new(struct store **out, const char *dir);
void store_free(struct store *st);
const char *store_dir(const struct store *st);
/* DIR/.mock-NAME joined with the optional rest (may be NULL). */
int store_reserved_path(const struct store *st, struct buf *out,
			const char *name, const char *rest);

/* 1 if the bucket exists, else 0; *created gets its mtime if not NULL. */
int store_bucket_exists(struct store *st, const char *bucket, time_t *created);
/* 0, AV_EEXIST, AV_EIO. */
int store_bucket_create(struct store *st, const char *bucket);
/* 0, AV_ENOTFOUND, AV_ECONFLICT (not empty), AV_EIO. */
int store_bucket_delete(struct store *st, const char *bucket);
/* The bucket names, sorted. */
int store_bucket_names(struct store *st, struct strv *out);

/* 0 and o filled, AV_ENOTFOUND, AV_EIO. */
int store_obj_open(struct store *st, const char *bucket, const char *key,
		   struct store_obj *o);
void store_obj_release(struct store_obj *o);
/* Creates an empty temporary file for an upload; path gets its name. */
int store_tmp_file(struct store *st, struct buf *path, int *fd);
/*
 * Moves the finished file tmp into place as bucket/key with meta (which
 * gains key, size and the file stamp; borrowed).  AV_EEXIST if a
 * condition fails (412), AV_ENOTFOUND for If-Match on an absent key,
 * AV_EIO.  On success tmp no longer exists.
 */
int store_obj_commit(struct store *st, const char *bucket, const char *key,
		     const char *tmp, json_t *meta, const struct store_cond *c);
/* Removes the object if present.  0 or AV_EIO. */
int store_obj_delete(struct store *st, const char *bucket, const char *key);
/* How many writes (object commits and deletes, bucket creations and
 * removals) the store has had: a listing made at the same count is
 * still right, unless files were changed by hand. */
unsigned long store_generation(const struct store *st);
/* Counts one write. */
void store_changed(struct store *st);
/* Every key of the bucket starting with prefix, sorted. */
int store_list(struct store *st, const char *bucket, const char *prefix,
	       struct strv *out);

/*
 * Reader/writer locks by name, striped.  Keys and uploads have separate
 * sets so that CompleteMultipartUpload can hold its upload's lock while
 * it commits the key: an upload lock may be held while taking a key lock,
 * never the other way round, and never two of one set at once.
 * Returns a handle for store_unlock().
 */
enum store_lock_set { LOCK_KEY, LOCK_UPLOAD };
int store_lock(struct store *st, enum store_lock_set set, const char *a,
	       const char *b, int exclusive);
void store_unlock(struct store *st, int handle);

/* Unlinks the files directly in path (not dot-files).  0 or AV_EIO. */
int store_clear_dir(const char *path);
struct digest;
/* Copies the rest of in to out, through d (hashing) if not NULL.  0 or
 * AV_EIO. */
int store_copy(int in, int out, struct digest *d);
/* mkdir -p; 0 or errno. */
int store_mkdirs(const char *path, size_t from);
/* Hex SHA-256 of s into out (65 bytes). */
void store_hash_name(const char *s, char out[65]);

#endif
