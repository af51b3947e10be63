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
 * Headers: the caller may pass every header it sends.  Names are
 * lower-cased, values trimmed with inner runs of white space collapsed to
 * one space, repeated names joined with ',' in the order given, and the
 * result sorted by name.  user-agent, expect, transfer-encoding,
 * authorization, x-amzn-trace-id and the hop-by-hop headers (connection,
 * keep-alive, proxy-authenticate, proxy-authorization, te, trailer,
 * upgrade) are never signed (proxies and libcurl may change them, and
 * botocore leaves them out too), so passing them is harmless.
 *
 * Every function returns 0 or an AV_E* code (AV_EINVAL for a malformed
 * request, AV_ENOMEM / AV_ETOOBIG from buffers, AV_ECRYPTO from OpenSSL);
 * output buffers are caller-owned and appended to.  On failure an output
 * buffer may hold a partial result: reset it before reuse.
 *
 * Secrets: the signing key and the secret never leave this module except
 * through sigv4_signing_key(); intermediate copies are wiped.
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
#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"

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
	const struct sigv4_kv *headers;	/* headers as sent, any order and case;
					   must include host and, for header
					   signing, x-amz-date (S3 also needs
					   x-amz-content-sha256 and, with a
					   session token, x-amz-security-token:
					   the caller adds them, see below) */
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

/* The path as it goes on the wire (and in the canonical request, S3). */
int sigv4_encode_path(struct buf *out, const char *path);
/* "20130524T000000Z" (16 chars + NUL) for t. */
void sigv4_amz_date(char out[17], time_t t);
/* Parses "20130524T000000Z" into *t (UTC).  0 or AV_EINVAL. */
int sigv4_parse_amz_date(const char *s, time_t *t);
/* Lower-case hex sha256 of n bytes (64 chars + NUL).  0 or AV_ECRYPTO. */
int sigv4_sha256_hex(const void *data, size_t n, char out[65]);

/* The stages; each appends to out. */
int sigv4_canonical_request(const struct sigv4_request *r,
			    const struct sigv4_params *p, struct buf *out);
int sigv4_string_to_sign(const char *canonical_request,
			 const struct sigv4_params *p, struct buf *out);
/* Derives the signing key into key (caller wipes it when done). */
int sigv4_signing_key(const char *secret_key, const struct sigv4_params *p,
		      unsigned char key[32]);
/* Hex signature of string_to_sign. */
int sigv4_signature(const unsigned char key[32], const char *string_to_sign,
		    struct buf *out);

/*
 * Signs r: appends the full Authorization header value to auth
 * ("AWS4-HMAC-SHA256 Credential=AK/DATE/REGION/SERVICE/aws4_request,
 * SignedHeaders=..., Signature=...").  The request's headers must already
 * contain host, x-amz-date (sigv4_amz_date(p->now)), and for S3
 * x-amz-content-sha256 and, with a session token, x-amz-security-token,
 * exactly as they will be sent: the signer adds nothing, so what is sent
 * is what was signed.  AV_EINVAL if host or x-amz-date is missing or
 * x-amz-date is not p->now.
 */
int sigv4_authorization(const struct sigv4_request *r,
			const struct sigv4_params *p,
			const struct sigv4_creds *c, struct buf *auth);

/*
 * Presigned URL query: appends the full encoded query string (the
 * request's own parameters plus X-Amz-Algorithm, -Credential, -Date,
 * -Expires, -SignedHeaders, -Security-Token if any, in canonical order,
 * and -Signature last), to go after '?'.  r->headers are the headers to
 * sign (at least host); r->payload_hash is SIGV4_UNSIGNED_PAYLOAD for S3.
 * expires is 1 .. SIGV4_MAX_EXPIRES seconds, else AV_EINVAL.
 */
int sigv4_presign_query(const struct sigv4_request *r,
			const struct sigv4_params *p,
			const struct sigv4_creds *c, long expires,
			struct buf *query);

/*
 * Verification, for servers (the mock S3).
 *
 * A parsed Authorization header or presigned query.  All strings point
 * into one owned copy: release with sigv4_auth_release(); do not free
 * the members.  The struct is zeroed by the parsers on entry.
 */
struct sigv4_auth {
	char *mem_;			/* owned; the strings below point in */
	const char *access_key;		/* "AKIAIOSFODNN7EXAMPLE" */
	const char *date;		/* scope date "20130524" */
	const char *region;		/* "us-east-1" */
	const char *service;		/* "s3" */
	const char *signed_headers;	/* "host;x-amz-date", as given */
	const char *signature;		/* 64 lower-case hex digits */
	const char *amz_date;		/* presigned: X-Amz-Date; else NULL */
	long expires;			/* presigned: X-Amz-Expires; else 0 */
	int presigned;			/* 1 if from a presigned query */
};

/*
 * Parses an Authorization header value ("AWS4-HMAC-SHA256 Credential=...,
 * SignedHeaders=..., Signature=...", parts in any order, spaces after
 * commas optional).  0, or AV_EINVAL if anything is missing or
 * malformed (wrong algorithm, scope not DATE/REGION/SERVICE/aws4_request,
 * signature not 64 hex digits), AV_ENOMEM.
 */
int sigv4_parse_authorization(const char *value, struct sigv4_auth *a);

/*
 * Parses the X-Amz-* parameters of a presigned request's DECODED query
 * (names compared case-sensitively, as S3 does).  0, AV_EINVAL if one is
 * missing or malformed or X-Amz-Expires is not 1 .. SIGV4_MAX_EXPIRES,
 * AV_ENOMEM.
 */
int sigv4_parse_presigned(const struct sigv4_kv *query, size_t nquery,
			  struct sigv4_auth *a);

/* Frees what a parser allocated and zeroes a (NULL-safe, idempotent). */
void sigv4_auth_release(struct sigv4_auth *a);

/*
 * Recomputes the signature of a received request and compares it in
 * constant time with a->signature.  r is the request as received:
 * decoded path and query (for a presigned request, X-Amz-Signature is
 * skipped), every received header (only those named in
 * a->signed_headers are used, whatever their names), and payload_hash:
 * when NULL, the received x-amz-content-sha256 value, else
 * UNSIGNED-PAYLOAD for a presigned request.  S3 rules (no path
 * normalisation, single encoding) with a's region and service.
 * *signed_at, if not NULL, gets the request's x-amz-date (header, or
 * X-Amz-Date) so the caller can check clock skew and expiry.
 * Returns 0 on a match, AV_EAUTH on a mismatch, AV_EINVAL if the request
 * cannot be checked (a signed header or x-amz-date missing, host not
 * signed, scope date not the x-amz-date's day), AV_ENOMEM, AV_ECRYPTO.
 */
int sigv4_verify(const struct sigv4_request *r, const struct sigv4_auth *a,
		 const char *secret_key, time_t *signed_at);

#endif
