/* multipart: parallel multipart uploads with per-part checksums. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/msg.h"
#include "archivist/s3.h"
#include "s3req.h"
#include "archivist/workers.h"

struct mp {
	struct s3_client *c;
	struct s3_put_job *j;
	struct buf upload_id;
	char **etags;		/* per part, from UploadPart */
	char (*b64)[45];	/* per part checksum */
	pthread_mutex_t lock;	/* guards rc, done and progress calls */
	int rc;
	uint64_t done;
};

/* One part being sent (its progress callbacks' context). */
struct part {
	struct mp *m;
	uint64_t sent;		/* bytes of the current attempt */
	char op[64];
};

static void part_sent(void *ctx, size_t n)
{
	struct part *w = ctx;
	struct mp *m = w->m;

	w->sent += n;
	pthread_mutex_lock(&m->lock);
	m->done += n;
	if (m->j->o->progress)
		m->j->o->progress(m->j->o->progress_ctx, m->done, m->j->n);
	pthread_mutex_unlock(&m->lock);
}

/* A retried part starts again: take back what the last attempt sent. */
static int part_before(void *ctx, int n)
{
	struct part *w = ctx;

	(void)n;
	pthread_mutex_lock(&w->m->lock);
	w->m->done -= w->sent;
	pthread_mutex_unlock(&w->m->lock);
	w->sent = 0;
	return 0;
}

/* The part's sha256: hashed up front, or here (in parallel). */
static int part_sha(struct mp *m, unsigned idx, uint64_t off, uint64_t len, char hex[65])
{
	unsigned char sha[32];
	int rc = 0;

	if (m->j->part_sha)
		memcpy(sha, m->j->part_sha[idx], 32);
	else if ((rc = s3put_hash(m->j, off, len, sha, NULL)))
		return rc;
	hex_encode(sha, 32, hex);
	s3req_b64(sha, m->b64[idx]);
	return 0;
}

/*
 * NoSuchUpload: someone else aborted the upload (a concurrent run cleaning
 * up what it took for abandoned uploads) or, for a retried Complete, our
 * first attempt did complete it.  Either way the upload cannot go on; the
 * caller looks at the object (AV_EEXIST) and starts again if it is absent.
 */
static int upload_gone(const struct s3_put_job *j, const struct s3_reply *rep, int rc)
{
	if (rc != AV_ENOTFOUND || strcmp(rep->err.code.ptr, "NoSuchUpload") != 0)
		return 0;
	msg_verbose("put 's3://%s/%s': the multipart upload is gone (completed or "
		    "aborted elsewhere): looking at the object", j->bucket, j->key);
	return 1;
}

static int part_upload(struct part *w, unsigned idx)
{
	struct mp *m = w->m;
	struct s3_put_job *j = m->j;
	uint64_t off = (uint64_t)idx * j->part_size;
	uint64_t len = j->n - off < j->part_size ? j->n - off : j->part_size;
	char num[16], hex[65];
	struct sigv4_kv q[2], h[1];
	struct s3_reply rep;
	struct s3_req r;
	const char *etag;
	int rc;

	if ((rc = part_sha(m, idx, off, len, hex)))
		return rc;
	snprintf(num, sizeof(num), "%u", idx + 1);
	snprintf(w->op, sizeof(w->op), "put (part %u of %u)", idx + 1, j->nparts);
	q[0] = (struct sigv4_kv){ "partNumber", num };
	q[1] = (struct sigv4_kv){ "uploadId", m->upload_id.ptr };
	h[0] = (struct sigv4_kv){ "x-amz-checksum-sha256", m->b64[idx] };
	s3req_init(&r, w->op, "PUT", j->bucket, j->key);
	r.query = q;
	r.nquery = 2;
	r.headers = h;
	r.nheaders = 1;
	r.payload_hash = hex;
	r.body_fd = j->fd;
	r.body_off = off;
	r.body_len = len;
	r.sent = part_sent;
	r.sent_ctx = w;
	r.before = part_before;
	r.before_ctx = w;
	s3_reply_init(&rep);
	rc = s3req_send(m->c, &r, &rep);
	if (upload_gone(j, &rep, rc)) {
		rc = AV_EEXIST;
	} else if (!rc && (!(etag = http_response_header(&rep.http, "etag")) || !*etag)) {
		msg_error("%s 's3://%s/%s': the reply has no ETag", w->op, j->bucket, j->key);
		rc = AV_ECORRUPT;
	} else if (!rc && !(m->etags[idx] = strdup(etag))) {
		rc = AV_ENOMEM;
	} else if (rc) {
		s3req_report(m->c, &r, &rep, rc);
	}
	s3_reply_release(&rep);
	return rc;
}

/* One part, unless one has failed already: then the rest are skipped. */
static void upload_one(void *ctx, size_t i)
{
	struct part w = { ctx, 0, "" };
	struct mp *m = w.m;
	int rc, stop;

	pthread_mutex_lock(&m->lock);
	stop = m->rc != 0;
	pthread_mutex_unlock(&m->lock);
	if (stop || (rc = part_upload(&w, (unsigned)i)) == 0)
		return;
	pthread_mutex_lock(&m->lock);
	if (!m->rc)
		m->rc = rc;
	pthread_mutex_unlock(&m->lock);
}

/* Up to part_jobs parts at once (workers.h). */
static int upload_parts(struct mp *m)
{
	workers_run(m->j->nparts, m->c->part_jobs, upload_one, m);
	return m->rc;
}

static int mp_create(struct mp *m)
{
	struct s3_put_job *j = m->j;
	struct sigv4_kv *kv = calloc(j->o->nmeta + 4, sizeof(*kv));
	struct sigv4_kv q[1] = { { "uploads", "" } };
	char **names = NULL;
	struct s3_reply rep;
	struct s3_req r;
	size_t n = 0;
	int rc;

	s3_reply_init(&rep);
	s3req_init(&r, "put (create multipart upload)", "POST", j->bucket, j->key);
	if (!kv || (rc = s3put_headers(j, kv, &n, &names))) {
		rc = kv ? rc : AV_ENOMEM;
		goto out;
	}
	kv[n++] = (struct sigv4_kv){ "x-amz-checksum-algorithm", "SHA256" };
	kv[n++] = (struct sigv4_kv){ "x-amz-meta-archivist-upload", "1" };
	r.headers = kv;
	r.nheaders = n;
	r.query = q;
	r.nquery = 1;
	r.body = "";
	if ((rc = s3req_send(m->c, &r, &rep))) {
		s3req_report(m->c, &r, &rep, rc);
	} else if ((rc = xml_parse_initiate(rep.http.body.ptr, rep.http.body.len,
					    &m->upload_id))) {
		msg_error("%s 's3://%s/%s': no UploadId in the reply", r.op, j->bucket, j->key);
	}
out:
	s3put_names_free(names, j->o->nmeta);
	free(kv);
	s3_reply_release(&rep);
	return rc;
}

static int complete_body(struct mp *m, struct buf *body, char hex[65])
{
	struct xml_part *parts = calloc(m->j->nparts, sizeof(*parts));
	unsigned char sha[32];
	unsigned i;
	int rc;

	if (!parts)
		return AV_ENOMEM;
	for (i = 0; i < m->j->nparts; i++)
		parts[i] = (struct xml_part){ i + 1, m->etags[i], m->b64[i] };
	rc = xml_build_complete(body, parts, m->j->nparts);
	free(parts);
	if (!rc && !EVP_Digest(body->ptr, body->len, sha, NULL, EVP_sha256(), NULL))
		rc = AV_ECRYPTO;
	if (!rc)
		hex_encode(sha, 32, hex);
	return rc;
}

/*
 * A retried Complete whose first attempt did succeed finds no upload
 * (404 NoSuchUpload) or, conditional, the object (412); an upload aborted
 * by someone else is gone too: all mean "look at what is there".  With
 * o->if_match the condition is If-Match on that ETag instead of
 * If-None-Match: *, so a replacement never lands on someone else's write.
 */
static int mp_complete(struct mp *m)
{
	struct s3_put_job *j = m->j;
	struct sigv4_kv q[1] = { { "uploadId", m->upload_id.ptr } };
	struct sigv4_kv h[2] = { { "content-type", "application/xml" },
				 { "if-none-match", "*" } };
	struct buf body = BUF_INIT, etag = BUF_INIT;
	struct s3_reply rep;
	struct s3_req r;
	char hex[65];
	int rc;

	if (j->o->if_match)	/* a deliberate replacement of that version */
		h[1] = (struct sigv4_kv){ "if-match", j->o->if_match };
	s3_reply_init(&rep);
	s3req_init(&r, "put (complete multipart upload)", "POST", j->bucket, j->key);
	if ((rc = complete_body(m, &body, hex)))
		goto out;
	r.query = q;
	r.nquery = 1;
	r.headers = h;
	r.nheaders = j->unconditional ? 1 : 2;
	r.payload_hash = hex;
	r.body = body.ptr;
	r.body_len = body.len;
	r.error_in_200 = 1;
	r.slow_reply = 1;	/* S3 may take minutes to assemble a large object */
	rc = s3req_send(m->c, &r, &rep);
	if (upload_gone(j, &rep, rc))
		rc = AV_EEXIST;
	if (!rc && (rc = xml_parse_complete(rep.http.body.ptr, rep.http.body.len, &etag,
					    &rep.err)) == AV_ES3) {
		s3req_report(m->c, &r, &rep, rc);
	} else if (rc == AV_ECORRUPT) {
		msg_error("%s 's3://%s/%s': the reply is not a CompleteMultipartUploadResult",
			  r.op, j->bucket, j->key);
		msg_debug("reply: %.*s", (int)(rep.http.body.len < 2048 ? rep.http.body.len : 2048),
			  rep.http.body.ptr);
	}
	else if (!rc)
		snprintf(j->res->etag, sizeof(j->res->etag), "%s", etag.ptr);
	else if (rc != AV_EEXIST && !(rc == AV_EUNSUPP && !j->unconditional))
		s3req_report(m->c, &r, &rep, rc);
out:
	buf_release(&body);
	buf_release(&etag);
	s3_reply_release(&rep);
	return rc;
}

static void mp_release(struct mp *m)
{
	unsigned i;

	if (m->etags)
		for (i = 0; i < m->j->nparts; i++)
			free(m->etags[i]);
	free(m->etags);
	free(m->b64);
	buf_release(&m->upload_id);
	pthread_mutex_destroy(&m->lock);
}

int s3mp_upload(struct s3_client *c, struct s3_put_job *j)
{
	struct mp m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.c = c;
	m.j = j;
	buf_init(&m.upload_id, 4096);
	pthread_mutex_init(&m.lock, NULL);
	m.etags = calloc(j->nparts, sizeof(*m.etags));
	m.b64 = calloc(j->nparts, sizeof(*m.b64));
	if (!m.etags || !m.b64) {
		rc = AV_ENOMEM;
		goto out;
	}
	if ((rc = mp_create(&m)))
		goto out;
	msg_verbose("put 's3://%s/%s': %u parts of %" PRIu64 " bytes", j->bucket,
		    j->key, j->nparts, j->part_size);
	if (!(rc = upload_parts(&m)))
		rc = mp_complete(&m);
	if (rc)
		s3_abort_upload(c, j->bucket, j->key, m.upload_id.ptr);
out:
	mp_release(&m);
	return rc;
}
