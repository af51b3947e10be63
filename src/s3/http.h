/*
 * http: one HTTP exchange at a time per thread, over a pool of libcurl
 * easy handles that keep their connections open between requests.
 *
 * The caller gives the exact URL (already encoded: curl is told to send
 * the path as is), every header to send, an optional body (memory or a
 * file region, streamed) and an optional sink for a successful reply's
 * body.  Error replies (status >= 300) are always collected in memory
 * (capped), so the S3 error document can be parsed.
 *
 * TLS verification is always on.  Expect: 100-continue is never sent (no
 * one-second stalls on servers that ignore it).  Nothing is logged but the
 * method, URL, status and sizes (-vv): never header values.
 */
#ifndef ARCHIVIST_HTTP_H
#define ARCHIVIST_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "archivist/buf.h"
#include "archivist/sigv4.h"

/* Error replies and collected bodies are capped at this size. */
#define HTTP_BODY_MAX ((size_t)16 << 20)
/* A request marked slow_reply waits this many times the low-speed time. */
#define HTTP_SLOW_REPLY_FACTOR 10

struct http_config {
	const char *ca_bundle;	/* NULL: the system store (copied) */
	long connect_timeout;	/* seconds */
	long low_speed_limit;	/* bytes/s ... */
	long low_speed_time;	/* ... for this long: timeout */
};

/* Receives a 2xx reply's body.  0 to go on, else an AV_E* code (stops). */
typedef int (*http_sink_fn)(void *ctx, const void *data, size_t n);
/* Told how many body bytes were just handed to the connection. */
typedef void (*http_sent_fn)(void *ctx, size_t n);

/* Borrowed for the call. */
struct http_request {
	const char *method;		/* GET HEAD PUT POST DELETE */
	const char *url;		/* encoded, sent as is */
	const struct sigv4_kv *headers;	/* sent as "name: value" */
	size_t nheaders;
	const char *body;		/* memory body, or NULL */
	int body_fd;			/* file body when >= 0 (pread) */
	uint64_t body_off;		/* file offset of the region */
	uint64_t body_len;		/* body length (memory or file) */
	http_sink_fn sink;		/* NULL: 2xx body collected too */
	void *sink_ctx;
	http_sent_fn sent;		/* upload progress, or NULL */
	void *sent_ctx;
	int slow_reply;			/* the server may work for minutes
					   before it answers (and send nothing) */
};

struct http_header {
	char *name;	/* lower-case */
	char *value;	/* trimmed */
};

/* Caller-owned; http_response_init before use, _release after. */
struct http_response {
	long status;		/* 0 when no reply was received */
	struct http_header *headers;
	size_t nheaders;
	struct buf body;	/* collected body (error replies always) */
	uint64_t received;	/* body bytes given to the sink */
	int sink_error;		/* the sink's error, if it stopped */
	struct buf error;	/* transport error text from libcurl */
};

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);
/* Empties r for another attempt (keeps nothing). */
void http_response_reset(struct http_response *r);
/* The value of header name (lower-case), or NULL.  Borrowed from r. */
const char *http_response_header(const struct http_response *r,
				 const char *name);

struct http_pool;

/* 0 and *out, or AV_ENOMEM.  Initialises libcurl once per process. */
int http_pool_new(const struct http_config *cfg, struct http_pool **out);
/* Closes every connection.  NULL-safe; no request may be running. */
void http_pool_free(struct http_pool *p);

/*
 * Performs one exchange (no retries here).  Returns 0 whenever a reply
 * was received, whatever its status (resp->status); the sink's error if
 * the sink stopped the transfer; AV_ETIMEOUT or AV_ENET (resp->error
 * says why) when the connection failed, timed out or broke, also
 * mid-body (resp->received tells how far a download got); AV_ETLS
 * for TLS verification or CA file problems (not retried); AV_ECONFIG for
 * a URL curl refuses; AV_ETOOBIG when a collected
 * body passes HTTP_BODY_MAX.  Thread-safe.
 */
int http_do(struct http_pool *p, const struct http_request *req,
	    struct http_response *resp);

/* Parses an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT").  0 or AV_EINVAL. */
int http_parse_date(const char *s, time_t *out);

#endif
