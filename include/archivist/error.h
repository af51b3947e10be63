/*
 * error: the project's one error type.
 *
 * Every fallible function returns 0 on success or one of these codes.
 * Codes from libcurl, OpenSSL, zlib, zstd and libxml2 are translated where
 * those libraries are called.  The list is append-only.
 */
#ifndef ARCHIVIST_ERROR_H
#define ARCHIVIST_ERROR_H

enum av_error {
	AV_OK = 0,
	AV_ENOMEM,	/* out of memory */
	AV_ETOOBIG,	/* a size cap was reached */
	AV_EINVAL,	/* invalid argument or input */
	AV_EUSAGE,	/* bad command line */
	AV_ECONFIG,	/* bad configuration or credentials setup */
	AV_EIO,		/* local file or stream I/O */
	AV_ENET,	/* connection failed, reset or timed out */
	AV_ETIMEOUT,	/* request timed out */
	AV_EHTTP,	/* unexpected HTTP status */
	AV_ES3,		/* S3 answered with an error document */
	AV_ERETRY,	/* transient server condition (5xx, SlowDown, 409) */
	AV_ENOTFOUND,	/* object or bucket absent */
	AV_EAUTH,	/* access denied or bad signature */
	AV_EEXIST,	/* precondition failed: object already exists */
	AV_ECONFLICT,	/* object exists with different content */
	AV_ECORRUPT,	/* corrupt archive, stream or document */
	AV_ETRUNC,	/* input ended early */
	AV_EUNSUPP,	/* valid but unsupported input or server feature */
	AV_ECRYPTO,	/* OpenSSL failure */
	AV_EINTR,	/* interrupted by a signal */
	AV_ESKEW,	/* clock skew too large */
	AV_ECHECKSUM,	/* checksum mismatch */
	AV_ETLS,	/* TLS: the peer's certificate is not trusted, or no CA file */
	AV_ECREDS,	/* a credential provider failed (already reported) */
	AV_ERROR_COUNT	/* keep last */
};

/* "AV_ENOMEM" etc.; never NULL. */
const char *error_name(int code);
/* A short lower-case human message; never NULL. */
const char *error_message(int code);
/* Non-zero if an operation that failed with code may succeed on retry. */
int error_retryable(int code);

#endif
