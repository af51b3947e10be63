/*
 * s3uri: "s3://BUCKET/KEY" names.
 *
 * The bucket must be a valid S3 bucket name: 3 to 63 characters,
 * lower-case letters, digits, '.' and '-', starting and ending with a
 * letter or digit, no "..", not an IPv4 address.  The key is everything
 * after the first '/' following the bucket, kept byte for byte (it may be
 * empty: a prefix or the whole bucket), at most 1024 bytes.
 */
#ifndef ARCHIVIST_S3URI_H
#define ARCHIVIST_S3URI_H

#include "archivist/buf.h"

#define S3URI_MAX_KEY 1024

struct s3uri {
	char *bucket;	/* owned */
	char *key;	/* owned; "" when absent */
};

/*
 * Splits s into u (zeroed first).  0, AV_EUSAGE with *why (a static
 * message: "missing bucket name", "not an s3:// URI", ...) and u empty,
 * or AV_ENOMEM.  Reports nothing (the pure core).
 */
int s3uri_split(const char *s, struct s3uri *u, const char **why);

/* s3uri_split() that reports a failure as "bad S3 URI 'S': WHY". */
int s3uri_parse(const char *s, struct s3uri *u);

/* Frees the strings (NULL-safe, idempotent). */
void s3uri_release(struct s3uri *u);

/* 1 if bucket is a valid name; else 0 with *why set (static). */
int s3uri_bucket_valid(const char *bucket, const char **why);

/* Makes u->key a prefix: "dir" -> "dir/"; "" and "dir/" stay.  0 or
 * AV_ENOMEM. */
int s3uri_as_prefix(struct s3uri *u);

/* Appends "s3://BUCKET/KEY" (KEY as is) to out, for messages. */
int s3uri_format(struct buf *out, const char *bucket, const char *key);

#endif
