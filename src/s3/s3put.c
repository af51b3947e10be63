/* put: no-clobber PutObject, the identical-object check (see s3.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/msg.h"
#include "archivist/s3.h"
#include "s3req.h"
#include "archivist/workers.h"

#define HASH_CHUNK ((size_t)1 << 20)

void s3put_names_free(char **names, size_t n)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int s3put_headers(const struct s3_put_job *j, struct sigv4_kv *kv, size_t *n,
		  char ***names)
{
	const struct s3_put_opts *o = j->o;
	char **nm;
	size_t i;

	if (!(nm = calloc(o->nmeta + 1, sizeof(*nm))))
		return AV_ENOMEM;
	kv[(*n)++] = (struct sigv4_kv){ "content-type",
		o->content_type ? o->content_type : "application/octet-stream" };
	kv[(*n)++] = (struct sigv4_kv){ "x-amz-meta-sha256", j->sha_hex };
	for (i = 0; i < o->nmeta; i++) {
		if (asprintf(&nm[i], "x-amz-meta-%s", o->meta[i].name) < 0) {
			nm[i] = NULL;
			s3put_names_free(nm, o->nmeta);
			return AV_ENOMEM;
		}
		kv[(*n)++] = (struct sigv4_kv){ nm[i], o->meta[i].value };
	}
	*names = nm;
	return 0;
}

int s3put_hash(const struct s3_put_job *j, uint64_t off, uint64_t len,
	       unsigned char sha[32], unsigned char (*parts)[32])
{
	EVP_MD_CTX *all = EVP_MD_CTX_new(), *part = EVP_MD_CTX_new();
	unsigned char *chunk = j->fd >= 0 ? malloc(HASH_CHUNK) : NULL;
	uint64_t end = off + len, in_part = 0;
	unsigned idx = 0;
	int rc = AV_ECRYPTO;

	if (!all || !part || (j->fd >= 0 && !chunk)) {
		rc = AV_ENOMEM;
		goto out;
	}
	if (!EVP_DigestInit_ex(all, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(part, EVP_sha256(), NULL))
		goto out;
	while (off < end) {
		size_t want = end - off < HASH_CHUNK ? (size_t)(end - off) : HASH_CHUNK;
		const unsigned char *p = (const unsigned char *)j->mem + off;
		ssize_t got;

		if (parts && want > j->part_size - in_part)
			want = (size_t)(j->part_size - in_part);
		if (j->fd >= 0) {
			if ((got = pread(j->fd, chunk, want, (off_t)off)) <= 0) {
				msg_error("put 's3://%s/%s': cannot read the file: %s", j->bucket,
					  j->key, got < 0 ? strerror(errno) : "it shrank");
				rc = AV_EIO;
				goto out;
			}
			want = (size_t)got;
			p = chunk;
		}
		if ((sha && !EVP_DigestUpdate(all, p, want)) ||
		    (parts && !EVP_DigestUpdate(part, p, want)))
			goto out;
		off += want;
		in_part += want;
		if (parts && (in_part == j->part_size || off == end)) {
			if (!EVP_DigestFinal_ex(part, parts[idx++], NULL) ||
			    !EVP_DigestInit_ex(part, EVP_sha256(), NULL))
				goto out;
			in_part = 0;
		}
	}
	rc = !sha || EVP_DigestFinal_ex(all, sha, NULL) ? 0 : AV_ECRYPTO;
out:
	EVP_MD_CTX_free(all);
	EVP_MD_CTX_free(part);
	free(chunk);
	return rc;
}

/*
 * Multipart for files above the threshold (the caller's part size when
 * given), with parts sized so that there are at most S3_MAX_PARTS.
 */
static void plan_parts(struct s3_client *c, struct s3_put_job *j)
{
	uint64_t ps = j->o->part_size ? j->o->part_size : c->part_size;

	j->multipart = j->fd >= 0 && j->n > (j->o->part_size ? j->o->part_size : c->threshold);
	if (ps < S3_PART_SIZE_MIN)
		ps = S3_PART_SIZE_MIN;
	while ((j->n + ps - 1) / ps > S3_MAX_PARTS)
		ps *= 2;
	j->part_size = ps;
	j->nparts = (unsigned)((j->n + ps - 1) / ps);
}

struct single {
	struct s3_put_job *j;
	uint64_t sent;
};

static void single_sent(void *ctx, size_t n)
{
	struct single *s = ctx;

	s->sent += n;
	s->j->o->progress(s->j->o->progress_ctx, s->sent, s->j->n);
}

static int single_before(void *ctx, int n)
{
	struct single *s = ctx;

	(void)n;
	s->sent = 0;
	return 0;
}

/* PutObject.  0, AV_EEXIST or AV_EUNSUPP (not reported), else reported. */
static int put_single(struct s3_client *c, struct s3_put_job *j)
{
	struct sigv4_kv *kv = calloc(j->o->nmeta + 5, sizeof(*kv));
	struct single st = { j, 0 };
	char **names = NULL;
	const char *etag;
	struct s3_reply rep;
	struct s3_req r;
	size_t n = 0;
	int rc;

	s3_reply_init(&rep);
	s3req_init(&r, "put", "PUT", j->bucket, j->key);
	if (!kv || (rc = s3put_headers(j, kv, &n, &names))) {
		rc = kv ? rc : AV_ENOMEM;
		goto out;
	}
	kv[n++] = (struct sigv4_kv){ "x-amz-checksum-sha256", j->sha_b64 };
	if (j->o->if_match)
		kv[n++] = (struct sigv4_kv){ "if-match", j->o->if_match };
	else if (!j->unconditional)
		kv[n++] = (struct sigv4_kv){ "if-none-match", "*" };
	r.headers = kv;
	r.nheaders = n;
	r.payload_hash = j->sha_hex;
	r.body = j->mem;
	r.body_fd = j->fd;
	r.body_len = j->n;
	if (j->o->progress) {
		r.sent = single_sent;
		r.sent_ctx = &st;
		r.before = single_before;
		r.before_ctx = &st;
	}
	rc = s3req_send(c, &r, &rep);
	if (rc == 0 && (etag = http_response_header(&rep.http, "etag")))
		snprintf(j->res->etag, sizeof(j->res->etag), "%s", etag);
	else if (rc && rc != AV_EEXIST && !(rc == AV_EUNSUPP && !j->unconditional) &&
		 !(rc == AV_ENOTFOUND && j->o->if_match))
		s3req_report(c, &r, &rep, rc);
out:
	s3put_names_free(names, j->o->nmeta);
	free(kv);
	s3_reply_release(&rep);
	return rc;
}

/* The sha256 of an object that does not record one, by reading it. */
static int remote_sha(struct s3_client *c, struct s3_put_job *j, const char *etag,
		      char hex[65])
{
	msg_verbose("put 's3://%s/%s': the existing object records no sha256: "
		    "reading it to compare", j->bucket, j->key);
	return s3_get_sha256(c, j->bucket, j->key, etag, hex);
}

/*
 * The destination exists: identical content is success (created = 0),
 * other content a conflict.  AV_ENOTFOUND if it vanished meanwhile.
 */
static int compare_existing(struct s3_client *c, struct s3_put_job *j)
{
	struct s3_head h;
	char theirs[65] = "";
	int rc;

	s3_head_init(&h);
	if ((rc = s3_head(c, j->bucket, j->key, &h)))
		goto out;
	if (!h.exists && h.absent_status == 403) {
		msg_error("put 's3://%s/%s': an object is already there, but HEAD is "
			  "denied (403), so it cannot be compared: left untouched",
			  j->bucket, j->key);
		rc = AV_EAUTH;
		goto out;
	}
	if (!h.exists) {
		rc = AV_ENOTFOUND;
		goto out;
	}
	if (j->o->accept && j->o->accept(j->o->accept_ctx, &h)) {
		j->res->created = 0;
		j->res->accepted = 1;
		goto out;
	}
	if (!s3_head_sha256(&h, theirs) && h.size == j->n &&
	    (rc = remote_sha(c, j, h.etag, theirs)))
		goto out;
	if (h.size == j->n && strcmp(theirs, j->sha_hex) == 0) {
		j->res->created = 0;
		goto out;
	}
	rc = AV_ECONFLICT;
	msg_error("put 's3://%s/%s': a different object is already there (%llu "
		  "bytes, sha256 %s; this content: %llu bytes, sha256 %s): left untouched",
		  j->bucket, j->key, (unsigned long long)h.size, *theirs ? theirs : "unknown",
		  (unsigned long long)j->n, j->sha_hex);
out:
	s3_head_release(&h);
	return rc;
}

/* 501 to If-None-Match: look with HEAD instead, and say so. */
static int fallback_check(struct s3_client *c, struct s3_put_job *j)
{
	struct s3_head h;
	int rc;

	msg_warn("put 's3://%s/%s': the server does not support conditional writes "
		 "(501 to If-None-Match): checking with HEAD instead, which a "
		 "concurrent writer could race", j->bucket, j->key);
	s3_head_init(&h);
	rc = s3_head(c, j->bucket, j->key, &h);
	if (!rc && h.exists)
		rc = AV_EEXIST;
	s3_head_release(&h);
	j->unconditional = 1;
	j->res->unconditional = 1;
	return rc;
}

static int upload_once(struct s3_client *c, struct s3_put_job *j)
{
	int rc;

	j->res->multipart = j->multipart;
	j->res->parts = j->res->multipart ? j->nparts : 1;
	rc = j->res->multipart ? s3mp_upload(c, j) : put_single(c, j);
	if (rc == AV_EUNSUPP && !j->unconditional && !(rc = fallback_check(c, j)))
		rc = j->res->multipart ? s3mp_upload(c, j) : put_single(c, j);
	return rc;
}

/*
 * After a 412 or 404 to a conditional replace: whether the object now is
 * the one this upload sent (a first attempt that succeeded but whose
 * reply was lost, then a retry that found its own write).
 */
static int replaced_by_us(struct s3_client *c, struct s3_put_job *j)
{
	struct s3_head h;
	char got[65];
	int ours;

	s3_head_init(&h);
	ours = s3_head(c, j->bucket, j->key, &h) == 0 && h.exists && h.size == j->n &&
	       s3_head_sha256(&h, got) && strcmp(got, j->sha_hex) == 0;
	if (ours) {
		snprintf(j->res->etag, sizeof(j->res->etag), "%s", h.etag);
		msg_verbose("put 's3://%s/%s': the object is already this upload "
			    "(an earlier attempt's reply was lost)", j->bucket, j->key);
	}
	s3_head_release(&h);
	return ours;
}

/*
 * Replaces the object only if it still has the ETag o->if_match (If-Match
 * on PutObject, or on CompleteMultipartUpload): 412 (changed) and 404
 * (deleted) are AV_ECONFLICT, for the caller to explain.
 */
static int replace_if_match(struct s3_client *c, struct s3_put_job *j)
{
	int rc;

	j->res->created = 1;
	j->res->parts = j->multipart ? j->nparts : 1;
	rc = j->multipart ? s3mp_upload(c, j) : put_single(c, j);
	if (rc == AV_EUNSUPP)
		msg_error("put 's3://%s/%s': the server does not support If-Match "
			  "(501): not replaced", j->bucket, j->key);
	if ((rc == AV_EEXIST || rc == AV_ENOTFOUND) && replaced_by_us(c, j))
		rc = 0;
	if (rc == AV_EEXIST || rc == AV_ENOTFOUND)
		rc = AV_ECONFLICT;
	if (rc != 0)
		j->res->created = 0;
	return rc;
}

/* Task 0: the whole content's sha256; task 1: each part's. */
struct hashes {
	struct s3_put_job *j;
	int rc[2];
};

static void hash_task(void *ctx, size_t i)
{
	struct hashes *h = ctx;
	struct s3_put_job *j = h->j;

	h->rc[i] = i == 0 ? s3put_hash(j, 0, j->n, j->sha, NULL) :
		   s3put_hash(j, 0, j->n, NULL, j->part_sha);
}

/*
 * The sha256 of the whole content (for x-amz-meta-sha256, needed before
 * the upload starts) and, for multipart, of each part: two independent
 * digests of the same bytes, so on two threads (workers.h) when there
 * are parts.
 */
static int hash_up_front(struct s3_put_job *j)
{
	struct hashes h = { j, { 0, 0 } };

	if (!j->multipart)
		return s3put_hash(j, 0, j->n, j->sha, NULL);
	if (!(j->part_sha = calloc(j->nparts, sizeof(*j->part_sha))))
		return AV_ENOMEM;
	workers_run(2, 2, hash_task, &h);
	return h.rc[1] ? h.rc[1] : h.rc[0];
}

/* Uploads, then settles "already exists" by comparing contents. */
static int put_run(struct s3_client *c, struct s3_put_job *j)
{
	int rc, tries;

	plan_parts(c, j);
	if (!j->o->sha256) {
		if ((rc = hash_up_front(j)))
			return rc;
	} else {
		memcpy(j->sha, j->o->sha256, 32);
	}
	hex_encode(j->sha, 32, j->sha_hex);
	s3req_b64(j->sha, j->sha_b64);
	memcpy(j->res->sha256, j->sha, 32);
	if (j->o->if_match)
		return replace_if_match(c, j);
	for (tries = 0; tries < 2; tries++) {
		j->res->created = 1;
		rc = upload_once(c, j);
		if (rc != AV_EEXIST || j->o->if_exists == S3_EXISTS_FAIL)
			return rc;
		j->res->created = 0;
		if ((rc = compare_existing(c, j)) != AV_ENOTFOUND)
			return rc;
	}
	msg_error("put 's3://%s/%s': the object keeps appearing and vanishing: "
		  "another writer is at work", j->bucket, j->key);
	return AV_ERETRY;
}

static int put_job(struct s3_client *c, const char *bucket, const char *key,
		   int fd, const void *mem, uint64_t n, const struct s3_put_opts *o,
		   struct s3_put_result *res)
{
	static const struct s3_put_opts none;
	struct s3_put_result tmp;
	struct s3_put_job j;
	int rc;

	memset(&j, 0, sizeof(j));
	memset(res ? res : &tmp, 0, sizeof(tmp));
	j.bucket = bucket;
	j.key = key;
	j.fd = fd;
	j.mem = mem;
	j.n = n;
	j.o = o ? o : &none;
	j.res = res ? res : &tmp;
	rc = put_run(c, &j);
	free(j.part_sha);
	return rc;
}

int s3_put_fd(struct s3_client *c, const char *bucket, const char *key,
	      int fd, uint64_t n, const struct s3_put_opts *o,
	      struct s3_put_result *res)
{
	return put_job(c, bucket, key, fd, NULL, n, o, res);
}

int s3_put_mem(struct s3_client *c, const char *bucket, const char *key,
	       const void *data, size_t n, const struct s3_put_opts *o,
	       struct s3_put_result *res)
{
	return put_job(c, bucket, key, -1, data ? data : "", n, o, res);
}

int s3_put_file(struct s3_client *c, const char *bucket, const char *key,
		const char *path, const struct s3_put_opts *o,
		struct s3_put_result *res)
{
	struct stat st;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		msg_error("put '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return AV_EIO;
	}
	if (!S_ISREG(st.st_mode)) {
		msg_error("put '%s': not a regular file", path);
		close(fd);
		return AV_EINVAL;
	}
	rc = s3_put_fd(c, bucket, key, fd, (uint64_t)st.st_size, o, res);
	close(fd);
	return rc;
}
