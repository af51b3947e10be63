/*
 * sigv4: AWS Signature Version 4, as pure functions.
 *
 * Nothing here reads the clock, the environment or the network: the time,
 * the credentials and the request are passed in, so every stage is
 * deterministic and tested against published vectors.  The stages follow
 * the AWS documentation: canonical request -> string to sign -> signing
 * key -> signature -> Authorization header (or presigned query).
 *
 * Paths and query parameters are given DECODED (raw bytes); the signer
 * encodes them.  sigv4_encode_path() gives the exact bytes to put on the
 * wire, so what is sent is what was signed.
 *
 * Every function returns 0 or an AV_E* code; output buffers are
 * caller-owned and appended to.
 */
#ifndef ARCHIVIST_SIGV4_H
#define ARCHIVIST_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "archivist/buf.h"

#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SIGV4_MAX_EXPIRES (7 * 24 * 3600)

struct sigv4_kv {
	const char *name;
	const char *value;	/* "" for a valueless parameter ("?uploads") */
};

/* Borrowed: nothing here is copied or freed by the signer. */
struct sigv4_request {
	const char *method;		/* "GET", "PUT", ... */
	const char *path;		/* decoded path, starting with '/' */
	const struct sigv4_kv *query;	/* decoded query parameters, any order */
	size_t nquery;
	const struct sigv4_kv *headers;	/* headers to sign, any order and case;
					   must include host (and x-amz-date and
					   x-amz-content-sha256 for S3, which
					   sigv4_sign_headers adds itself) */
	size_t nheaders;
	const char *payload_hash;	/* hex sha256 of the body, or
					   SIGV4_UNSIGNED_PAYLOAD */
};

struct sigv4_creds {
	const char *access_key;
	const char *secret_key;
	const char *session_token;	/* NULL if none */
};

/* What differs between S3 and the generic services of the test suite. */
struct sigv4_params {
	const char *region;	/* "us-east-1" */
	const char *service;	/* "s3" */
	time_t now;		/* request time, UTC */
	int normalize_path;	/* remove "." / ".." / "//" (never for S3) */
	int double_encode;	/* encode the path twice (never for S3) */
};

/* S3 rules: service "s3", no normalisation, single encoding. */
void sigv4_params_s3(struct sigv4_params *p, const char *region, time_t now);

/* URI-encodes s (n bytes): unreserved A-Za-z0-9-._~ kept, the rest %XX
 * upper-case; '/' kept when keep_slash. */
int sigv4_uri_encode(struct buf *out, const char *s, size_t n, int keep_slash);
/* The path as it goes on the wire (and in the canonical request, S3). */
int sigv4_encode_path(struct buf *out, const char *path);
/* "20130524T000000Z" (16 chars + NUL) for t. */
void sigv4_amz_date(char out[17], time_t t);

/* The stages; each appends to out. */
int sigv4_canonical_request(const struct sigv4_request *r,
			    const struct sigv4_params *p, struct buf *out);
int sigv4_string_to_sign(const char *canonical_request,
			 const struct sigv4_params *p, struct buf *out);
int sigv4_signing_key(const char *secret_key, const struct sigv4_params *p,
		      unsigned char key[32]);
/* Hex signature of string_to_sign. */
int sigv4_signature(const unsigned char key[32], const char *string_to_sign,
		    struct buf *out);

/*
 * Signs r: appends the full Authorization header value to auth (and the
 * x-amz-date value to amz_date, a 17-byte array).  The request's headers
 * must already contain host, x-amz-date, x-amz-content-sha256 and, with a
 * session token, x-amz-security-token, as they will be sent.
 */
int sigv4_authorization(const struct sigv4_request *r,
			const struct sigv4_params *p,
			const struct sigv4_creds *c, struct buf *auth);

/*
 * Presigned URL query: appends the full encoded query string (the
 * request's own parameters plus X-Amz-Algorithm, -Credential, -Date,
 * -Expires, -SignedHeaders, -Security-Token if any, and -Signature last).
 * expires is 1 .. SIGV4_MAX_EXPIRES seconds.
 */
int sigv4_presign_query(const struct sigv4_request *r,
			const struct sigv4_params *p,
			const struct sigv4_creds *c, long expires,
			struct buf *query);

#endif
