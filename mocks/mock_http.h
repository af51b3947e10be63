/*
 * mock_http: one request to the mock and its reply, independent of the
 * HTTP library: the decoded target (path, bucket, key, query), header
 * lookup, the streamed body's digests, and the reply being built.
 *
 * The server module (mock_server.c) owns both objects; operation handlers
 * borrow them for the duration of one call.
 */
#ifndef MOCK_HTTP_H
#define MOCK_HTTP_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "archivist/buf.h"
#include "mock_digest.h"
#include "mock_faults.h"

struct mock_server;
struct MHD_Connection;

enum mock_op {
	OP_UNKNOWN = 0,
	OP_ADMIN,
	OP_LIST_BUCKETS,
	OP_CREATE_BUCKET,
	OP_HEAD_BUCKET,
	OP_DELETE_BUCKET,
	OP_GET_BUCKET_LOCATION,
	OP_LIST_OBJECTS,
	OP_LIST_OBJECTS_V2,
	OP_LIST_UPLOADS,
	OP_HEAD_OBJECT,
	OP_GET_OBJECT,
	OP_PUT_OBJECT,
	OP_COPY_OBJECT,
	OP_DELETE_OBJECT,
	OP_DELETE_OBJECTS,
	OP_CREATE_UPLOAD,
	OP_UPLOAD_PART,
	OP_COMPLETE_UPLOAD,
	OP_ABORT_UPLOAD,
	OP_LIST_PARTS,
	OP_NOT_IMPLEMENTED,
	OP_COUNT
};

/* Where a request body goes while it arrives. */
enum body_sink {
	BODY_NONE = 0,		/* no body expected: any body is discarded */
	BODY_MEM,		/* kept in memory (small XML documents) */
	BODY_FILE,		/* written to a temporary file (objects, parts) */
	BODY_DISCARD		/* read and dropped (the reply is decided) */
};

struct mock_kv {
	char *name;
	char *value;
};

struct mock_req {
	struct mock_server *srv;
	struct MHD_Connection *conn;
	char *uri;		/* the request target exactly as received */
	const char *method;	/* "GET", ...; valid during the request */
	char *path;		/* decoded path */
	struct mock_kv *query;	/* decoded query parameters, wire order */
	size_t nquery;
	char *bucket;		/* "" for the service root */
	char *key;		/* NULL when the path names no object */
	enum mock_op op;
	char id[24];		/* x-amz-request-id */
	struct timespec start;	/* monotonic, for the log */
	time_t now;		/* server clock, fault skew included */

	enum body_sink sink;
	int body_fd;		/* BODY_FILE: open while the body arrives */
	struct buf body_path;	/* BODY_FILE: temporary file ("" once a
				   handler has renamed it into place) */
	struct buf body_mem;	/* BODY_MEM contents */
	unsigned body_digests;	/* DG_* bits wanted over the body */
	struct digest dig;
	struct digest_out body_sum;	/* valid once the body is complete */
	int body_error;		/* AV_E* while receiving, 0 if fine */
	uint64_t bytes_in, bytes_out;

	struct fault_hit fault;	/* the fault chosen for this request */
	int fault_applied;	/* it took effect (for the log) */
	unsigned status;	/* the status sent, for the log */
	const char *error_code;	/* the S3 error code sent (static), or NULL */
	int started;		/* the handler has seen the headers */
	int replied;		/* a reply has been queued */
	int authenticated;	/* signed by a known key (not anonymous) */
	char access_key[128];	/* the key id it was signed with, or "" */
};

struct mock_reply {
	unsigned status;
	struct mock_kv *headers;	/* owned */
	size_t nheaders;
	struct buf body;		/* memory body, unless fd >= 0 */
	int fd;				/* file body: owned, len bytes at off */
	uint64_t off, len;
	/* A generated body of len bytes (when gen is set): gen fills out
	 * with up to max bytes from pos; gen_free(gen_cls) at the end. */
	ssize_t (*gen)(void *cls, uint64_t pos, char *out, size_t max);
	void (*gen_free)(void *cls);
	void *gen_cls;
	const char *error_code;		/* static string, for the log */
};

const char *op_name(enum mock_op op);

/* Decodes r->uri into path, query, bucket and key.  0, or AV_EINVAL for
 * an undecodable target (bad %-escape, NUL byte), AV_ENOMEM. */
int req_parse_target(struct mock_req *r);
/* The decoded value of query parameter name, or NULL. */
const char *req_query(const struct mock_req *r, const char *name);
/* A request header (case-insensitive name), or NULL. */
const char *req_header(const struct mock_req *r, const char *name);
/* Releases everything the request owns (not the struct). */
void req_release(struct mock_req *r);

void reply_init(struct mock_reply *out);
void reply_release(struct mock_reply *out);
/* Adds a header (both strings copied).  0 or AV_ENOMEM. */
int reply_header(struct mock_reply *out, const char *name, const char *value);
int reply_headerf(struct mock_reply *out, const char *name,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Replaces out with an S3 error document; the resource is the request
 * path.  Never fails (on no memory, the body is left empty). */
void reply_error(const struct mock_req *r, struct mock_reply *out,
		 unsigned status, const char *code, const char *message);
/* Sets a 200 XML reply, taking doc's contents. */
void reply_xml(struct mock_reply *out, struct buf *doc);
/* Maps an AV_E* code from storage to an error reply (500 otherwise). */
void reply_av_error(const struct mock_req *r, struct mock_reply *out,
		    int rc, const char *what);

#endif
