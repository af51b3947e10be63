/*
 * s3req: the request engine under the S3 operations (s3.h).
 *
 * Builds the URL (path-style or virtual-hosted), signs each attempt anew
 * with the skew-corrected clock, sends it through the HTTP pool, retries
 * transient failures with backoff, parses error documents, and maps the
 * outcome to an AV_E* code.  Reporting is separate (s3req_report), so an
 * operation can treat some outcomes (404 on HEAD, 412 on PUT) as answers
 * rather than errors.  Only the files of src/s3/ use this.
 */
#ifndef ARCHIVIST_S3REQ_H
#define ARCHIVIST_S3REQ_H

#include <stdatomic.h>
#include <stdint.h>

#include "archivist/buf.h"
#include "credcache.h"
#include "endpoint.h"
#include "http.h"
#include "retry.h"
#include "archivist/s3.h"
#include "archivist/sigv4.h"
#include "xml.h"

struct s3_client {
	struct http_pool *pool;
	struct endpoint ep;	/* URL parts and addressing (endpoint.h) */
	char *region;
	int anonymous;
	struct credcache *creds;	/* owned; NULL when anonymous */
	struct retry_policy retry;
	atomic_long skew;	/* server clock minus ours, seconds */
	uint64_t part_size;
	uint64_t threshold;
	int part_jobs;
};

/* One logical request; borrowed by s3req_send for the call. */
struct s3_req {
	const char *op;			/* "put", "get", ...: for messages */
	const char *method;
	const char *bucket;
	const char *key;		/* decoded; NULL: the bucket itself */
	const struct sigv4_kv *query;	/* decoded */
	size_t nquery;
	const struct sigv4_kv *headers;	/* extra headers, all signed */
	size_t nheaders;
	const char *payload_hash;	/* hex; NULL: the empty body's */
	const char *body;		/* as in struct http_request */
	int body_fd;			/* -1 unless a file region */
	uint64_t body_off, body_len;
	http_sink_fn sink;
	void *sink_ctx;
	http_sent_fn sent;
	void *sent_ctx;
	/* Called before every attempt (n = 1, 2, ...), e.g. to set Range
	 * from how far a download got.  0 to go on, else returned. */
	int (*before)(void *ctx, int n);
	void *before_ctx;
	int error_in_200;		/* a 2xx body may be an <Error> */
	int slow_reply;			/* as in struct http_request */
};

/* Initialises r for method on bucket/key (everything else empty). */
void s3req_init(struct s3_req *r, const char *op, const char *method,
		const char *bucket, const char *key);

/* The outcome of s3req_send; caller-owned, _init before, _release after. */
struct s3_reply {
	struct http_response http;
	struct xml_error err;	/* the error document, if one came */
	int attempts;
	int transport;		/* last attempt's transport error, or 0 */
};

void s3_reply_init(struct s3_reply *rep);
void s3_reply_release(struct s3_reply *rep);

/*
 * Sends r with retries.  Returns 0 for a 2xx reply (and, with
 * error_in_200, no <Error> body), else an AV_E* code: AV_ENOTFOUND (404),
 * AV_EAUTH (403), AV_EEXIST (412), AV_ECHECKSUM (BadDigest and other
 * digest mismatches), AV_EUNSUPP (501), AV_ESKEW, AV_ERETRY (transient
 * failures that outlasted the attempts), AV_ENET / AV_ETIMEOUT, AV_ES3 /
 * AV_EHTTP (other replies), or a sink / hook error.  Prints nothing but
 * debug and verbose lines.
 */
int s3req_send(struct s3_client *c, const struct s3_req *r, struct s3_reply *rep);

/*
 * Reports a failed s3req_send once, as "OP 's3://B/K': STATUS CODE:
 * MESSAGE (request id ID)" plus a hint line for common causes.
 */
void s3req_report(const struct s3_client *c, const struct s3_req *r,
		  const struct s3_reply *rep, int rc);
/* The message of s3req_report without the hint (appended to out). */
int s3req_format(const struct s3_req *r, const struct s3_reply *rep, int rc,
		 struct buf *out);
/* A hint for a common failure, or NULL. */
const char *s3req_hint(const struct s3_reply *rep, int rc);

/*
 * The request target of bucket/key (endpoint_target: encoded once, "//",
 * "./" and "../" untouched) with the encoded query appended to t->url.
 */
int s3req_target(const struct s3_client *c, const char *bucket, const char *key,
		 const struct sigv4_kv *query, size_t nquery, struct s3_target *t);

/* time(NULL) corrected by the skew S3 told us about. */
time_t s3req_now(const struct s3_client *c);

/* Base64 of a sha256 (44 characters + NUL). */
void s3req_b64(const unsigned char sha[32], char out[45]);
/* Decodes a base64 sha256.  0, or AV_EINVAL if it is not exactly one. */
int s3req_unb64(const char *b64, unsigned char sha[32]);

/* Fills h (initialised, contents replaced) from a reply's headers. */
int s3req_head_from(struct s3_head *h, const struct http_response *resp);

/* One upload, shared by put.c (PutObject) and multipart.c. */
struct s3_put_job {
	const char *bucket;
	const char *key;
	int fd;				/* file body (pread), or -1 */
	const char *mem;		/* memory body when fd < 0 */
	uint64_t n;
	const struct s3_put_opts *o;	/* never NULL */
	unsigned char sha[32];		/* the whole content's */
	char sha_hex[65];
	char sha_b64[45];
	unsigned char (*part_sha)[32];	/* per part if hashed up front */
	uint64_t part_size;
	unsigned nparts;
	int multipart;			/* goes up in parts */
	int unconditional;		/* send no If-None-Match (501 seen) */
	struct s3_put_result *res;	/* never NULL */
};

/*
 * Uploads j in parts (CreateMultipartUpload, parallel UploadPart with
 * per-part checksums, CompleteMultipartUpload with If-None-Match), and
 * aborts the upload on any failure.  0, AV_EEXIST (412 on Complete, or
 * the upload vanished -- NoSuchUpload -- because another client aborted
 * or completed it: look at the object; not reported), AV_EUNSUPP (501 to
 * If-None-Match; aborted, not reported), or another code (reported).
 */
int s3mp_upload(struct s3_client *c, struct s3_put_job *j);

/*
 * The headers PutObject and CreateMultipartUpload share: Content-Type,
 * x-amz-meta-sha256 and the caller's metadata.  Fills kv from index *n
 * (room for j->o->nmeta + 2), names gets the allocated header names
 * (j->o->nmeta entries, free each and the array with s3put_names_free).
 */
int s3put_headers(const struct s3_put_job *j, struct sigv4_kv *kv, size_t *n,
		  char ***names);
void s3put_names_free(char **names, size_t n);

/*
 * sha256 of bytes [off, off+len) of j's content (read with pread for a
 * file, reported on failure) unless sha is NULL; with parts, of each
 * j->part_size slice (off must then be a part boundary).  0 or AV_E*.
 */
int s3put_hash(const struct s3_put_job *j, uint64_t off, uint64_t len,
	       unsigned char sha[32], unsigned char (*parts)[32]);

/* "s3://bucket/key" for messages (appended). */
int s3req_name(struct buf *out, const char *bucket, const char *key);

#endif
