/* mock_store: objects as files, sidecar metadata, locks (see mock_store.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/sink.h"
#include "mock_digest.h"
#include "mock_store.h"

#define NLOCKS 128
#define PLAIN_KEY_MAX 1024
#define SEGMENT_MAX 255
/* Files from outside the server get a sidecar from this size on. */
#define SIDECAR_MIN_SIZE ((off_t)1 << 20)

struct store {
	char *dir;
	pthread_rwlock_t locks[2 * NLOCKS];	/* per enum store_lock_set */
	atomic_ulong gen;	/* see store_generation */
};

/* Where a key lives, or would live. */
struct loc {
	struct buf plain;	/* DIR/BUCKET/KEY, "" if not a plain path */
	struct buf enc;		/* DIR/.mock-keys/BUCKET/H */
	struct buf side;	/* DIR/.mock-meta/BUCKET/H.json */
	const char *found;	/* plain.ptr or enc.ptr if the object exists */
};

void store_hash_name(const char *s, char out[65])
{
	unsigned char h[32];
	int i;

	digest_sha256(s, strlen(s), h);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

int store_mkdirs(const char *path, size_t from)
{
	char *p = strdup(path), *s;
	int rc = 0;

	if (!p)
		return ENOMEM;
	for (s = p + from; !rc && (s = strchr(s + 1, '/')) != NULL;) {
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			rc = errno;
		*s = '/';
	}
	if (!rc && mkdir(p, 0755) && errno != EEXIST)
		rc = errno;
	free(p);
	return rc;
}

/* mkdir -p of path's parent directory; 0 or errno. */
static int mkdir_parent(const struct store *st, const char *path)
{
	char *p = strdup(path), *slash;
	int err;

	if (!p)
		return ENOMEM;
	slash = strrchr(p, '/');
	if (slash)
		*slash = '\0';
	err = store_mkdirs(p, strlen(st->dir));
	free(p);
	return err;
}

const char *store_dir(const struct store *st)
{
	return st->dir;
}

unsigned long store_generation(const struct store *st)
{
	return atomic_load(&st->gen);
}

void store_changed(struct store *st)
{
	atomic_fetch_add(&st->gen, 1);
}

int store_reserved_path(const struct store *st, struct buf *out,
			const char *name, const char *rest)
{
	buf_reset(out);
	return buf_addf(out, "%s/.mock-%s%s%s", st->dir, name,
			rest ? "/" : "", rest ? rest : "");
}

int store_new(struct store **out, const char *dir)
{
	static const char *const reserved[] = { "tmp", "meta", "keys",
						"uploads" };
	struct store *st = calloc(1, sizeof(*st));
	struct buf p = BUF_INIT;
	size_t i;
	int rc = 0, err;

	if (!st || !(st->dir = strdup(dir))) {
		free(st);
		return AV_ENOMEM;
	}
	for (i = 0; i < 2 * NLOCKS; i++)
		pthread_rwlock_init(&st->locks[i], NULL);
	for (i = 0; !rc && i < sizeof(reserved) / sizeof(*reserved); i++) {
		rc = store_reserved_path(st, &p, reserved[i], NULL);
		if (!rc && (err = store_mkdirs(p.ptr, 0)) != 0) {
			msg_error("cannot create '%s': %s", p.ptr, strerror(err));
			rc = AV_EIO;
		}
	}
	if (!rc && !(rc = store_reserved_path(st, &p, "tmp", NULL)))
		rc = store_clear_dir(p.ptr);
	buf_release(&p);
	if (rc)
		store_free(st);
	else
		*out = st;
	return rc;
}

void store_free(struct store *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < 2 * NLOCKS; i++)
		pthread_rwlock_destroy(&st->locks[i]);
	free(st->dir);
	free(st);
}

int store_lock(struct store *st, enum store_lock_set set, const char *a,
	       const char *b, int exclusive)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *)a; *p; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (p = (const unsigned char *)b; *p; p++)
		h = (h ^ *p) * 16777619u;
	h = h % NLOCKS + (set == LOCK_UPLOAD ? NLOCKS : 0);
	if (exclusive)
		pthread_rwlock_wrlock(&st->locks[h]);
	else
		pthread_rwlock_rdlock(&st->locks[h]);
	return (int)h;
}

void store_unlock(struct store *st, int handle)
{
	pthread_rwlock_unlock(&st->locks[handle]);
}

/* ---- where a key lives ---- */

static int key_is_plain(const char *key)
{
	const char *seg = key, *slash;
	size_t len;

	if (!*key || strlen(key) > PLAIN_KEY_MAX)
		return 0;
	for (;;) {
		slash = strchr(seg, '/');
		len = slash ? (size_t)(slash - seg) : strlen(seg);
		if (len == 0 || len > SEGMENT_MAX ||
		    (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		if (!slash)
			return 1;
		seg = slash + 1;
	}
}

static int is_file(const char *path)
{
	struct stat s;

	return path[0] && stat(path, &s) == 0 && S_ISREG(s.st_mode);
}

static void loc_release(struct loc *l)
{
	buf_release(&l->plain);
	buf_release(&l->enc);
	buf_release(&l->side);
}

static int loc_find(struct store *st, const char *bucket, const char *key,
		    struct loc *l)
{
	char h[65];
	int rc = 0;

	buf_init(&l->plain, 0);
	buf_init(&l->enc, 0);
	buf_init(&l->side, 0);
	l->found = NULL;
	store_hash_name(key, h);
	if (key_is_plain(key))
		rc = buf_addf(&l->plain, "%s/%s/%s", st->dir, bucket, key);
	if (!rc)
		rc = buf_addf(&l->enc, "%s/.mock-keys/%s/%s", st->dir, bucket, h);
	if (!rc)
		rc = buf_addf(&l->side, "%s/.mock-meta/%s/%s.json", st->dir,
			      bucket, h);
	if (rc)
		return rc;
	if (is_file(l->plain.ptr))
		l->found = l->plain.ptr;
	else if (is_file(l->enc.ptr))
		l->found = l->enc.ptr;
	return 0;
}

/* ---- sidecars ---- */

static const char *guess_type(const char *key)
{
	static const char *const types[][2] = {
		{ ".gz", "application/gzip" }, { ".tgz", "application/gzip" },
		{ ".zst", "application/zstd" }, { ".tar", "application/x-tar" },
		{ ".json", "application/json" }, { ".toml", "application/toml" },
		{ ".txt", "text/plain" }, { ".html", "text/html" },
		{ ".xml", "application/xml" },
	};
	size_t i, n = strlen(key), m;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		m = strlen(types[i][0]);
		if (n > m && strcmp(key + n - m, types[i][0]) == 0)
			return types[i][1];
	}
	return "application/octet-stream";
}

static long long mtime_ns(const struct stat *s)
{
	return (long long)s->st_mtim.tv_sec * 1000000000LL +
	       s->st_mtim.tv_nsec;
}

static int stamp_matches(json_t *meta, const char *key, const struct stat *s)
{
	return meta && json_is_object(meta) &&
	       json_is_string(json_object_get(meta, "etag")) &&
	       json_is_string(json_object_get(meta, "key")) &&
	       strcmp(json_string_value(json_object_get(meta, "key")), key) == 0 &&
	       json_integer_value(json_object_get(meta, "size")) == s->st_size &&
	       json_integer_value(json_object_get(meta, "ino")) ==
		       (json_int_t)s->st_ino &&
	       json_integer_value(json_object_get(meta, "mtime_ns")) ==
		       mtime_ns(s);
}

static int set_stamp(json_t *meta, const char *key, const struct stat *s)
{
	int bad = 0;

	bad |= json_object_set_new(meta, "key", json_string(key));
	bad |= json_object_set_new(meta, "size", json_integer(s->st_size));
	bad |= json_object_set_new(meta, "ino", json_integer((json_int_t)s->st_ino));
	bad |= json_object_set_new(meta, "mtime_ns", json_integer(mtime_ns(s)));
	return bad ? AV_ENOMEM : 0;
}

/* Writes meta to path through a temporary file (atomic for readers). */
static int sidecar_write(struct store *st, const char *path, json_t *meta)
{
	struct buf tmp = BUF_INIT;
	int fd = -1, rc, err;

	if ((rc = store_tmp_file(st, &tmp, &fd)))
		goto out;
	if (json_dumpfd(meta, fd, JSON_COMPACT) || close(fd)) {
		fd = -1;
		rc = AV_EIO;
		goto out;
	}
	fd = -1;
	err = rename(tmp.ptr, path);
	if (err && errno == ENOENT && !mkdir_parent(st, path))
		err = rename(tmp.ptr, path);
	rc = err ? AV_EIO : 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp.len)
		unlink(tmp.ptr);
	buf_release(&tmp);
	return rc;
}

/* The MD5 of an open file, for objects that arrived without the server. */
static int file_md5(int fd, char hex[33])
{
	unsigned char b[65536];
	struct digest d;
	struct digest_out out;
	off_t off = 0;
	ssize_t n;
	int rc, i;

	if ((rc = digest_init(&d, DG_MD5)))
		return rc;
	while ((n = pread(fd, b, sizeof(b), off)) > 0) {
		digest_update(&d, b, (size_t)n);
		off += n;
	}
	if ((rc = digest_final(&d, &out)) == 0 && n < 0)
		rc = AV_EIO;
	for (i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", out.md5[i]);
	return rc;
}

static int sidecar_rebuild(struct store *st, const struct loc *l,
			   const char *key, struct store_obj *o)
{
	char md5[33];
	int rc;

	json_decref(o->meta);
	if (!(o->meta = json_object()))
		return AV_ENOMEM;
	if ((rc = file_md5(o->fd, md5)) || (rc = set_stamp(o->meta, key, &o->st)))
		return rc;
	if (json_object_set_new(o->meta, "etag", json_string(md5)) ||
	    json_object_set_new(o->meta, "content_type",
				json_string(guess_type(key))))
		return AV_ENOMEM;
	/* Cache the MD5 of large files only: for small ones, hashing again
	 * costs less than creating a file.  Best effort: a read-only tree
	 * is still served. */
	if (o->st.st_size >= SIDECAR_MIN_SIZE)
		sidecar_write(st, l->side.ptr, o->meta);
	return 0;
}

/* ---- objects ---- */

int store_obj_open(struct store *st, const char *bucket, const char *key,
		   struct store_obj *o)
{
	struct loc l;
	int lk, rc;

	o->fd = -1;
	o->meta = NULL;
	lk = store_lock(st, LOCK_KEY, bucket, key, 0);
	if ((rc = loc_find(st, bucket, key, &l)))
		goto out;
	rc = AV_ENOTFOUND;
	if (!l.found || (o->fd = open(l.found, O_RDONLY | O_CLOEXEC)) < 0)
		goto out;
	rc = AV_EIO;
	if (fstat(o->fd, &o->st) || !S_ISREG(o->st.st_mode))
		goto out;
	o->meta = json_load_file(l.side.ptr, 0, NULL);
	rc = 0;
	if (!stamp_matches(o->meta, key, &o->st))
		rc = sidecar_rebuild(st, &l, key, o);
out:
	store_unlock(st, lk);
	loc_release(&l);
	if (rc)
		store_obj_release(o);
	return rc;
}

void store_obj_release(struct store_obj *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	json_decref(o->meta);
	o->meta = NULL;
}

int store_tmp_file(struct store *st, struct buf *path, int *fd)
{
	int rc;

	buf_reset(path);
	if ((rc = buf_addf(path, "%s/.mock-tmp/up.XXXXXX", st->dir)))
		return rc;
	if ((*fd = mkostemp(path->ptr, O_CLOEXEC)) < 0) {
		msg_error("cannot create a file in '%s/.mock-tmp': %s",
			  st->dir, strerror(errno));
		buf_reset(path);
		return AV_EIO;
	}
	return 0;
}

static int etag_equal(const char *stored, const char *given)
{
	size_t n = strlen(given);

	if (strcmp(given, "*") == 0)
		return 1;
	if (n >= 2 && given[0] == '"' && given[n - 1] == '"')
		return strlen(stored) == n - 2 &&
		       strncmp(stored, given + 1, n - 2) == 0;
	return strcmp(stored, given) == 0;
}

/* The precondition check, under the key's exclusive lock. */
static int check_cond(struct store *st, const char *key,
		      const struct loc *l, const struct store_cond *c)
{
	struct store_obj o;
	int rc, eq;

	if (c->if_none_match && l->found)
		return AV_EEXIST;
	if (!c->if_match)
		return 0;
	if (!l->found)
		return AV_ENOTFOUND;
	/* Our own lock is held: read the object without taking it again. */
	o.meta = json_load_file(l->side.ptr, 0, NULL);
	o.fd = open(l->found, O_RDONLY | O_CLOEXEC);
	rc = o.fd < 0 || fstat(o.fd, &o.st) ? AV_EIO : 0;
	if (!rc && !stamp_matches(o.meta, key, &o.st))
		rc = sidecar_rebuild(st, l, key, &o);
	eq = !rc && etag_equal(json_string_value(json_object_get(o.meta,
								 "etag")),
			       c->if_match);
	store_obj_release(&o);
	return rc ? rc : eq ? 0 : AV_EEXIST;
}

/* rename() into the plain path, making parents; errno-style result. */
static int place_plain(struct store *st, const char *tmp, const char *dest)
{
	int tries, err = 0;

	for (tries = 0; tries < 3; tries++) {
		if (rename(tmp, dest) == 0)
			return 0;
		err = errno;
		if (err != ENOENT)
			return err;
		/* A parent is missing (or a concurrent delete pruned it). */
		if ((err = mkdir_parent(st, dest)) != 0)
			return err;
	}
	return err;
}

static int place(struct store *st, const char *tmp, const struct loc *l)
{
	int err;

	if (l->found)
		return rename(tmp, l->found) ? AV_EIO : 0;
	if (l->plain.len) {
		err = place_plain(st, tmp, l->plain.ptr);
		if (!err)
			return 0;
		/* Something is in the way (a file where a directory should
		 * be, or the other way round): use the encoded name. */
		if (err != ENOTDIR && err != EISDIR && err != EEXIST &&
		    err != ENOTEMPTY && err != ENAMETOOLONG)
			return AV_EIO;
	}
	if (rename(tmp, l->enc.ptr) == 0)
		return 0;
	if (errno != ENOENT || mkdir_parent(st, l->enc.ptr))
		return AV_EIO;
	return rename(tmp, l->enc.ptr) ? AV_EIO : 0;
}

int store_obj_commit(struct store *st, const char *bucket, const char *key,
		     const char *tmp, json_t *meta, const struct store_cond *c)
{
	struct stat s;
	struct loc l;
	int lk, rc;

	lk = store_lock(st, LOCK_KEY, bucket, key, 1);
	if ((rc = loc_find(st, bucket, key, &l)))
		goto out;
	if ((rc = check_cond(st, key, &l, c)))
		goto out;
	rc = AV_EIO;
	if (stat(tmp, &s))
		goto out;
	if ((rc = set_stamp(meta, key, &s)))
		goto out;
	/* Sidecar first: a reader holding the old file sees a stamp that
	 * no longer matches and rebuilds, never mixes the two. */
	if ((rc = sidecar_write(st, l.side.ptr, meta)))
		goto out;
	rc = place(st, tmp, &l);
	store_changed(st);
	if (rc)
		msg_error("cannot store '%s/%s': %s", bucket, key,
			  strerror(errno));
out:
	store_unlock(st, lk);
	loc_release(&l);
	return rc;
}

/* Removes the now empty directories between path and the bucket root. */
static void prune_dirs(const char *bucket_root, char *path)
{
	char *slash;
	size_t root = strlen(bucket_root);

	while ((slash = strrchr(path, '/')) != NULL &&
	       (size_t)(slash - path) > root) {
		*slash = '\0';
		if (rmdir(path) != 0)
			break;
	}
}

int store_obj_delete(struct store *st, const char *bucket, const char *key)
{
	struct buf root = BUF_INIT;
	struct loc l;
	int lk, rc;

	lk = store_lock(st, LOCK_KEY, bucket, key, 1);
	if ((rc = loc_find(st, bucket, key, &l)) || !l.found)
		goto out;
	if (unlink(l.found) && errno != ENOENT) {
		msg_error("cannot delete '%s': %s", l.found, strerror(errno));
		rc = AV_EIO;
		goto out;
	}
	unlink(l.side.ptr);
	store_changed(st);
	if (l.found == l.plain.ptr &&
	    !(rc = buf_addf(&root, "%s/%s", st->dir, bucket)))
		prune_dirs(root.ptr, l.plain.ptr);
out:
	store_unlock(st, lk);
	loc_release(&l);
	buf_release(&root);
	return rc;
}


/* read()/write() copy, through d if not NULL. */
static int copy_loop(int in, int out, struct digest *d)
{
	char b[1 << 16];
	struct sink_fd sink = { out, "a temporary file" };
	ssize_t n;
	int rc = 0;

	while (!rc && (n = read(in, b, sizeof(b))) > 0) {
		if (d)
			digest_update(d, b, (size_t)n);
		rc = sink_fd_write(&sink, b, (size_t)n);
	}
	return rc || n < 0 ? AV_EIO : 0;
}

int store_copy(int in, int out, struct digest *d)
{
	ssize_t n;

	if (d)
		return copy_loop(in, out, d);
	/* In the kernel (or by reflink) where the filesystem can. */
	while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
		      errno == EOPNOTSUPP))
		return copy_loop(in, out, NULL);
	return n < 0 ? AV_EIO : 0;
}
