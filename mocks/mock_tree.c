/* mock_tree: listing keys and buckets in the data directory (the layout is
 * described in mock_store.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "mock_store.h"

int strv_push(struct strv *s, const char *str)
{
	char **v;

	if (s->n == s->cap) {
		v = realloc(s->v, (s->cap ? s->cap * 2 : 64) * sizeof(*v));
		if (!v)
			return AV_ENOMEM;
		s->v = v;
		s->cap = s->cap ? s->cap * 2 : 64;
	}
	if (!(s->v[s->n] = strdup(str)))
		return AV_ENOMEM;
	s->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort_unique(struct strv *s)
{
	size_t i, j = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (i = 0; i < s->n; i++) {
		if (j && strcmp(s->v[j - 1], s->v[i]) == 0)
			free(s->v[i]);
		else
			s->v[j++] = s->v[i];
	}
	s->n = j;
}

void strv_release(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

int store_clear_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	struct buf p = BUF_INIT;

	if (!d)
		return errno == ENOENT ? 0 : AV_EIO;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		buf_reset(&p);
		if (buf_addf(&p, "%s/%s", path, e->d_name) == 0)
			unlink(p.ptr);
	}
	closedir(d);
	buf_release(&p);
	return 0;
}

/* ---- listing ---- */

/* Could a key under directory key dir (ending in '/') start with prefix? */
static int dir_may_match(const char *dir, size_t dlen, const char *prefix)
{
	size_t plen = strlen(prefix);

	return strncmp(dir, prefix, dlen < plen ? dlen : plen) == 0;
}

static int entry_type(const char *path, unsigned char d_type)
{
	struct stat s;

	/* Symbolic links count when they lead to a file; linked
	 * directories are not followed (no loops). */
	if (d_type == DT_REG || d_type == DT_DIR)
		return d_type;
	if (d_type == DT_LNK || d_type == DT_UNKNOWN) {
		if (d_type == DT_UNKNOWN && lstat(path, &s) == 0 &&
		    S_ISDIR(s.st_mode))
			return DT_DIR;
		if (stat(path, &s) == 0 && S_ISREG(s.st_mode))
			return DT_REG;
	}
	return DT_UNKNOWN;
}

static int walk(struct buf *path, struct buf *key, const char *prefix,
		struct strv *out, int depth)
{
	size_t plen = path->len, klen = key->len;
	struct dirent *e;
	DIR *d;
	int rc = 0, t;

	if (depth > 64 || !(d = opendir(path->ptr)))
		return 0;
	while (!rc && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		buf_setlen(path, plen);
		buf_setlen(key, klen);
		if ((rc = buf_addf(path, "/%s", e->d_name)) ||
		    (rc = buf_adds(key, e->d_name)))
			break;
		t = entry_type(path->ptr, e->d_type);
		if (t == DT_REG && strncmp(key->ptr, prefix, strlen(prefix)) == 0)
			rc = strv_push(out, key->ptr);
		else if (t == DT_DIR && !(rc = buf_addc(key, '/')) &&
			 dir_may_match(key->ptr, key->len, prefix))
			rc = walk(path, key, prefix, out, depth + 1);
	}
	closedir(d);
	buf_setlen(path, plen);
	buf_setlen(key, klen);
	return rc;
}

/* Keys stored under encoded names: their sidecars say what they are. */
static int list_encoded(struct store *st, const char *bucket,
			const char *prefix, struct strv *out)
{
	struct buf p = BUF_INIT;
	struct dirent *e;
	json_t *meta;
	const char *k;
	DIR *d = NULL;
	int rc;

	if ((rc = buf_addf(&p, "%s/.mock-keys/%s", store_dir(st), bucket)))
		goto out;
	if (!(d = opendir(p.ptr)))
		goto out;
	while (!rc && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		buf_reset(&p);
		if ((rc = buf_addf(&p, "%s/.mock-meta/%s/%s.json", store_dir(st),
				   bucket, e->d_name)))
			break;
		meta = json_load_file(p.ptr, 0, NULL);
		k = json_string_value(json_object_get(meta, "key"));
		if (k && strncmp(k, prefix, strlen(prefix)) == 0)
			rc = strv_push(out, k);
		json_decref(meta);
	}
out:
	if (d)
		closedir(d);
	buf_release(&p);
	return rc;
}

int store_list(struct store *st, const char *bucket, const char *prefix,
	       struct strv *out)
{
	struct buf path = BUF_INIT, key = BUF_INIT;
	int rc;

	if (!(rc = buf_addf(&path, "%s/%s", store_dir(st), bucket)))
		rc = walk(&path, &key, prefix, out, 0);
	if (!rc)
		rc = list_encoded(st, bucket, prefix, out);
	if (!rc)
		strv_sort_unique(out);
	buf_release(&path);
	buf_release(&key);
	return rc;
}

/* ---- buckets ---- */

static int bucket_path(const struct store *st, const char *bucket,
		       struct buf *out)
{
	if (!bucket[0] || bucket[0] == '.' || strchr(bucket, '/'))
		return AV_EINVAL;
	return buf_addf(out, "%s/%s", store_dir(st), bucket);
}

int store_bucket_exists(struct store *st, const char *bucket, time_t *created)
{
	struct buf p = BUF_INIT;
	struct stat s;
	int yes;

	yes = !bucket_path(st, bucket, &p) && stat(p.ptr, &s) == 0 &&
	      S_ISDIR(s.st_mode);
	if (yes && created)
		*created = s.st_mtime;
	buf_release(&p);
	return yes;
}

int store_bucket_create(struct store *st, const char *bucket)
{
	struct buf p = BUF_INIT;
	int rc;

	if (!(rc = bucket_path(st, bucket, &p)) && mkdir(p.ptr, 0755))
		rc = errno == EEXIST ? AV_EEXIST : AV_EIO;
	store_changed(st);
	if (rc == AV_EIO)
		msg_error("cannot create '%s': %s", p.ptr, strerror(errno));
	buf_release(&p);
	return rc;
}

/* Removes a tree made only of directories (empty leftovers). */
static int remove_dirs(struct buf *path)
{
	size_t len = path->len;
	struct dirent *e;
	DIR *d = opendir(path->ptr);
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : AV_EIO;
	while (!rc && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!(rc = buf_addf(path, "/%s", e->d_name)))
			rc = remove_dirs(path);
		buf_setlen(path, len);
	}
	closedir(d);
	if (!rc && rmdir(path->ptr))
		rc = errno == ENOTEMPTY || errno == ENOTDIR ? AV_ECONFLICT :
							      AV_EIO;
	return rc;
}

int store_bucket_delete(struct store *st, const char *bucket)
{
	struct strv keys = STRV_INIT;
	struct buf p = BUF_INIT;
	int rc;

	if (!store_bucket_exists(st, bucket, NULL))
		return AV_ENOTFOUND;
	if ((rc = store_list(st, bucket, "", &keys)))
		goto out;
	rc = keys.n ? AV_ECONFLICT : 0;
	store_changed(st);
	if (!rc && !(rc = bucket_path(st, bucket, &p)))
		rc = remove_dirs(&p);
	if (!rc && !(rc = store_reserved_path(st, &p, "keys", bucket)))
		remove_dirs(&p);
	if (!rc && !(rc = store_reserved_path(st, &p, "meta", bucket))) {
		store_clear_dir(p.ptr);
		rmdir(p.ptr);
	}
out:
	strv_release(&keys);
	buf_release(&p);
	return rc;
}

int store_bucket_names(struct store *st, struct strv *out)
{
	struct buf p = BUF_INIT;
	struct dirent *e;
	DIR *d = opendir(store_dir(st));
	int rc = 0;

	if (!d)
		return AV_EIO;
	while (!rc && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		buf_reset(&p);
		if (!(rc = buf_addf(&p, "%s/%s", store_dir(st), e->d_name)) &&
		    entry_type(p.ptr, e->d_type) == DT_DIR)
			rc = strv_push(out, e->d_name);
	}
	closedir(d);
	buf_release(&p);
	strv_sort_unique(out);
	return rc;
}
