/*
 * s3: the S3 operations archivist needs, over one client context.
 *
 * A client holds the endpoint, region, credentials, timeouts and a pool of
 * HTTP connections.  It is safe to use from several threads at once: each
 * operation takes a connection from the pool and gives it back.
 *
 * Operations name objects by bucket and DECODED key (raw bytes, any length,
 * '/', "//", "./" and "../" kept as they are).  Every request is signed
 * (unless the client is anonymous), retried with exponential backoff and
 * full jitter on transient failures (5xx, SlowDown, RequestTimeout, 409
 * ConditionalRequestConflict, resets, timeouts), re-signed on each attempt,
 * and corrected for clock skew when S3 answers RequestTimeTooSkewed.
 *
 * Errors: every function returns 0 or an AV_E* code (archivist/error.h).
 * Failures are reported on stderr (msg_error) by the operation itself,
 * once, with the operation, the s3:// name and what the server said, e.g.
 *   put 's3://b/k': 403 SignatureDoesNotMatch: The request signature ...
 *   (request id X)
 * and a hint for the common ones.  Outcomes a caller is expected to act on
 * are NOT printed: an absent object in s3_head (not an error at all).
 *
 * Ownership: config and option structs are borrowed for the call only;
 * structs the caller passes to be filled are caller-owned and released with
 * their _release function; data handed to callbacks is borrowed and valid
 * only during the callback.
 */
#ifndef ARCHIVIST_S3_H
#define ARCHIVIST_S3_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "archivist/buf.h"
#include "archivist/sigv4.h"
#include "archivist/sink.h"

#define S3_PART_SIZE_DEFAULT ((uint64_t)64 << 20)
#define S3_PART_SIZE_MIN ((uint64_t)5 << 20)
#define S3_PART_SIZE_MAX ((uint64_t)5 << 30)
#define S3_MAX_PARTS 10000
#define S3_PART_JOBS_DEFAULT 4
#define S3_ATTEMPTS_DEFAULT 5

struct s3_client;

enum addressing {
	ADDR_AUTO = 0,	/* path-style for custom endpoints, else virtual */
	ADDR_PATH,
	ADDR_VIRTUAL
};

/*
 * What the caller asks of the client it opens with s3_client_open (the
 * command line's global options, the ARCHIVIST_* tunables).  NULL / 0
 * means "not given": the environment and the AWS files decide.
 */
struct s3_options {
	const char *endpoint;	/* endpoint URL */
	const char *region;	/* signing region */
	const char *profile;	/* AWS profile (wins over the environment's
				   keys, as in the AWS CLI) */
	const char *ca_bundle;	/* trust these CA certificates for TLS */
	enum addressing addressing;
	int no_sign;		/* anonymous requests */
	uint64_t part_size;	/* 0: default (s3_config) */
	int part_jobs, max_attempts;	/* 0: defaults */
	long connect_timeout, low_speed_time;	/* seconds; 0: defaults */
};

/* How to reach and authenticate to S3.  Strings are copied. */
struct s3_config {
	const char *endpoint;	/* "scheme://host[:port]" (no path); required */
	const char *region;	/* signing region; required */
	int virtual_hosted;	/* 1: BUCKET.host (path-style anyway for
				   names that cannot be a host label);
				   0: host/BUCKET */
	const struct sigv4_creds *creds; /* NULL: anonymous requests (unless
				   creds_cache) */
	struct credcache *creds_cache;	/* credentials renewed as they
				   expire (credcache.h), taken over by
				   s3_client_new, also on failure; wins
				   over creds */
	const char *ca_bundle;	/* CA file for TLS; NULL: system store */
	long connect_timeout;	/* seconds; 0: 10 */
	long low_speed_limit;	/* bytes/s under which a transfer ... */
	long low_speed_time;	/* ... for this many seconds times out;
				   0: 1024 bytes/s for 30 s */
	int max_attempts;	/* per request, first one included; 0: 5 */
	uint64_t part_size;	/* multipart part size; 0: 64 MiB (raised
				   if needed to stay within 10,000 parts) */
	uint64_t multipart_threshold; /* files larger go multipart;
				   0: the part size */
	int part_jobs;		/* parts uploaded at once; 0: 4 */
};

/*
 * Creates a client.  Returns 0 and *out (free with s3_client_free), or
 * AV_EINVAL (bad endpoint URL or missing field, reported) / AV_ENOMEM.
 * Secrets from cfg->creds are registered for redaction (msg_add_secret).
 */
int s3_client_new(const struct s3_config *cfg, struct s3_client **out);
/*
 * The client o describes: credentials, region, endpoint and addressing
 * resolved from o, the environment and the AWS files (creds.h,
 * endpoint.h), TLS trust from o->ca_bundle, and o's tunables.  Returns 0
 * and *out; AV_ECONFIG (reported: a bad AWS file, profile, endpoint or
 * region; nothing was sent); AV_ENOMEM; or the credentials' own error
 * (creds.h).
 */
int s3_client_open(const struct s3_options *o, struct s3_client **out);

/* Frees the client and closes its connections.  NULL-safe. */
void s3_client_free(struct s3_client *c);

/* One user metadata pair, name without the "x-amz-meta-" prefix. */
struct s3_meta {
	char *name;
	char *value;
};

/*
 * What HEAD (or a GET's response headers) tells about an object.  Strings
 * are owned by the struct ("" when the header was absent).
 */
struct s3_head {
	int exists;		/* 1: the object is there */
	int absent_status;	/* when !exists: 404, or 403 (no permission
				   to tell: the bucket cannot be listed) */
	uint64_t size;
	time_t mtime;		/* Last-Modified */
	char *etag;		/* as sent, quotes included: "\"abc\"" */
	char *content_type;
	char *checksum_sha256;	/* x-amz-checksum-sha256, base64; "...-N"
				   for a multipart (composite) checksum */
	char *checksum_type;	/* x-amz-checksum-type: FULL_OBJECT,
				   COMPOSITE, or "" */
	struct s3_meta *meta;	/* every x-amz-meta-*, names lower-case */
	size_t nmeta;
};

void s3_head_init(struct s3_head *h);
void s3_head_release(struct s3_head *h);
/* The value of metadata name (lower-case, no prefix), or NULL. */
const char *s3_head_meta(const struct s3_head *h, const char *name);
/*
 * The object's whole-content sha256 as 64 lower-case hex characters, from
 * x-amz-meta-sha256 (archivist records it on every upload), else
 * x-amz-checksum-sha256 when x-amz-checksum-type says FULL_OBJECT (never
 * a multipart object's composite checksum of its parts, nor a checksum
 * whose type the server does not give).  Returns 1 and fills hex, or 0
 * when the object does not say.
 */
int s3_head_sha256(const struct s3_head *h, char hex[65]);

/* The same, telling where the sha256 came from. */
enum s3_sha256_from {
	S3_SHA256_NONE = 0,
	S3_SHA256_META,		/* x-amz-meta-sha256 */
	S3_SHA256_CHECKSUM	/* x-amz-checksum-sha256, FULL_OBJECT */
};
enum s3_sha256_from s3_head_sha256_from(const struct s3_head *h, char hex[65]);

/*
 * HEAD bucket/key, asking for checksums (x-amz-checksum-mode: ENABLED).
 * Returns 0 with h filled: h->exists says whether the object is there
 * (404, and 403 too, count as absent; h->absent_status says which).
 * Other failures: an AV_E* code, reported.  h must be initialised.
 */
int s3_head(struct s3_client *c, const char *bucket, const char *key,
	    struct s3_head *h);

/* One entry of a listing; borrowed, valid during the callback only. */
struct s3_object {
	const char *key;	/* decoded */
	uint64_t size;
	time_t mtime;
	const char *etag;	/* quotes included */
};

/* Return 0 to go on; anything else stops the listing and is returned. */
typedef int (*s3_object_fn)(void *ctx, const struct s3_object *obj);
typedef int (*s3_prefix_fn)(void *ctx, const char *prefix);

struct s3_list_opts {
	const char *prefix;	/* NULL or "": everything */
	const char *delimiter;	/* NULL: none (recursive); "/" for folders */
	int max_keys;		/* per page, 1..1000; 0: 1000 */
	s3_prefix_fn on_prefix;	/* CommonPrefixes; NULL: ignored */
};

/*
 * ListObjectsV2 over all pages, calling on_object for each key in order
 * (nothing is accumulated: 100,000 keys cost one page of memory).
 * o may be NULL.  Returns 0, the callback's non-zero value, or an AV_E*
 * code (reported).
 */
int s3_list(struct s3_client *c, const char *bucket,
	    const struct s3_list_opts *o, s3_object_fn on_object, void *ctx);

/* Bytes transferred so far for the whole operation (for a progress bar). */
typedef void (*s3_progress_fn)(void *ctx, uint64_t done, uint64_t total);

struct s3_get_opts {
	uint64_t offset;	/* first byte wanted (resuming a file) */
	const char *if_match;	/* ETag the object must still have, or NULL */
	s3_progress_fn progress;
	void *progress_ctx;
};

/*
 * GET bucket/key streamed to out (archivist/sink.h: bytes in order; a
 * failing write stops the download and its code is returned unreported).  A connection broken mid-body is
 * resumed from the byte reached with Range and If-Match on the first
 * reply's ETag, so a replaced object is never spliced (AV_ECONFLICT).
 * When info is not NULL (initialised) it receives the response headers
 * (size = the whole object's size).  A whole-object download is checked
 * against the sha256 the object records (AV_ECHECKSUM).  o may be NULL.
 * Returns 0, the sink's error, or an AV_E* code (reported; AV_ENOTFOUND
 * for 404, AV_ECONFLICT when the object changed mid-way).
 */
int s3_get(struct s3_client *c, const char *bucket, const char *key,
	   const struct s3_get_opts *o, const struct sink *out,
	   struct s3_head *info);

/*
 * The sha256 (lower-case hex) of bucket/key, by reading it all (for an
 * object that records none); if_match (may be NULL) pins the version a
 * HEAD saw.  0, or s3_get's error / AV_ECRYPTO (reported but for the
 * sink's own).
 */
int s3_get_sha256(struct s3_client *c, const char *bucket, const char *key,
		  const char *if_match, char hex[65]);

/* GET a small object into out (appended; out's cap applies). */
int s3_get_buf(struct s3_client *c, const char *bucket, const char *key,
	       struct buf *out);

/* What to do when the destination key already exists. */
enum s3_exists {
	S3_EXISTS_COMPARE = 0,	/* identical content: done; else conflict */
	S3_EXISTS_FAIL		/* return AV_EEXIST without looking */
};

struct s3_put_opts {
	const char *content_type;	/* NULL: application/octet-stream */
	const struct s3_meta *meta;	/* extra x-amz-meta-* to set */
	size_t nmeta;
	const unsigned char *sha256;	/* the content's sha256 (32 bytes) if
					   known; NULL: computed by reading */
	enum s3_exists if_exists;
	uint64_t part_size;		/* 0: the client's */
	s3_progress_fn progress;
	void *progress_ctx;
	const char *if_match;		/* replace only the object with this
					   ETag (If-Match instead of
					   If-None-Match, on PutObject or on
					   CompleteMultipartUpload): if it
					   changed or vanished, AV_ECONFLICT,
					   not reported; NULL: never replace */
	/* When the key already holds an object, accept(ctx, its HEAD) may
	 * count it as this content whatever its bytes (1: created 0 and
	 * accepted 1 in the result); NULL or 0: compared by sha256. */
	int (*accept)(void *ctx, const struct s3_head *existing);
	void *accept_ctx;
};

struct s3_put_result {
	int created;		/* 1: uploaded; 0: identical object present */
	int accepted;		/* with created 0: by o->accept, not by
				   sha256 (its bytes may differ) */
	int multipart;		/* 1: uploaded in parts */
	unsigned parts;
	int unconditional;	/* 1: the server refused If-None-Match
				   (501); existence was checked with HEAD */
	unsigned char sha256[32]; /* of the content */
	char etag[128];		/* of the new object ("" if not created) */
};

/*
 * Uploads the n bytes of fd from its offset 0 (regular file, read with
 * pread) to bucket/key, never replacing an existing object (unless
 * o->if_match names it): If-None-Match
 * on PutObject, or on CompleteMultipartUpload for n above the threshold
 * (parts of part_size in parallel, each with its x-amz-checksum-sha256;
 * the upload is aborted on any failure).  Sends x-amz-checksum-sha256,
 * x-amz-content-sha256 and x-amz-meta-sha256 (hex) for the whole content.
 *
 * Returns 0 (res->created says uploaded or already identical),
 * AV_EEXIST (if_exists == S3_EXISTS_FAIL; not reported), AV_ECONFLICT
 * (exists with other content, reported, left untouched), or another
 * AV_E* code (reported).  o and res may be NULL.
 */
int s3_put_fd(struct s3_client *c, const char *bucket, const char *key,
	      int fd, uint64_t n, const struct s3_put_opts *o,
	      struct s3_put_result *res);
/* The same from a file name (opened read-only, size from fstat). */
int s3_put_file(struct s3_client *c, const char *bucket, const char *key,
		const char *path, const struct s3_put_opts *o,
		struct s3_put_result *res);
/* The same from memory (always a single PutObject; data borrowed). */
int s3_put_mem(struct s3_client *c, const char *bucket, const char *key,
	       const void *data, size_t n, const struct s3_put_opts *o,
	       struct s3_put_result *res);

/* An unfinished multipart upload; borrowed during the callback. */
struct s3_upload {
	const char *key;
	const char *upload_id;
	time_t initiated;
};
typedef int (*s3_upload_fn)(void *ctx, const struct s3_upload *u);

/*
 * ListMultipartUploads under prefix (all pages), calling fn for each.
 * Uploads started by archivist carry x-amz-meta-archivist-upload: 1, but
 * S3 does not return metadata in this listing: select by key.  Returns 0,
 * fn's non-zero value, or an AV_E* code (reported).
 */
int s3_list_uploads(struct s3_client *c, const char *bucket,
		    const char *prefix, s3_upload_fn fn, void *ctx);
/* AbortMultipartUpload.  0 (also when already gone: 404) or AV_E*. */
int s3_abort_upload(struct s3_client *c, const char *bucket, const char *key,
		    const char *upload_id);

/*
 * A presigned GET URL for bucket/key valid expires seconds (1 ..
 * SIGV4_MAX_EXPIRES) from now (0: the client's clock, skew-corrected),
 * appended to url.  Includes the session token if any.  AV_EINVAL for an
 * anonymous client or a bad expiry (not reported).
 */
int s3_presign(struct s3_client *c, const char *bucket, const char *key,
	       long expires, time_t now, struct buf *url);

#endif
