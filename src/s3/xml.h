/*
 * xml: S3's XML replies, parsed with libxml2 hardened for documents from
 * the network, and the one XML body archivist sends.
 *
 * Every parser refuses (AV_ECORRUPT) a document larger than XML_DOC_MAX,
 * one with a DOCTYPE or an entity declaration, and anything libxml2 finds
 * malformed; it never loads anything from the network or substitutes
 * entities.  Element names are matched without their namespace.  Parsers
 * return 0, AV_ECORRUPT (not the document expected, or malformed), a
 * callback's non-zero value, or AV_ENOMEM.  Nothing is printed.
 */
#ifndef ARCHIVIST_XML_H
#define ARCHIVIST_XML_H

#include <stddef.h>
#include <time.h>

#include "archivist/buf.h"
#include "archivist/s3.h"

#define XML_DOC_MAX ((size_t)16 << 20)

/* An S3 <Error> document; all fields "" when absent.  Caller-owned. */
struct xml_error {
	struct buf code;
	struct buf message;
	struct buf request_id;
	struct buf resource;
	struct buf region;	/* AuthorizationHeaderMalformed */
	struct buf endpoint;	/* PermanentRedirect */
};

void xml_error_init(struct xml_error *e);
void xml_error_release(struct xml_error *e);
/* Parses <Error>...</Error> into e (initialised).  AV_ECORRUPT when the
 * document is not an Error document. */
int xml_parse_error(const char *doc, size_t n, struct xml_error *e);

/* What a ListObjectsV2 page says about the next one.  Caller-owned. */
struct xml_list_page {
	int truncated;
	struct buf next_token;	/* NextContinuationToken */
	unsigned count;		/* Contents + CommonPrefixes on the page */
};

void xml_list_page_init(struct xml_list_page *p);
void xml_list_page_release(struct xml_list_page *p);
/*
 * Parses a ListBucketResult, calling on_object for each Contents and
 * on_prefix (if not NULL) for each CommonPrefixes, in document order.
 * Keys and prefixes are URL-decoded when the reply says
 * EncodingType=url ('+' is a space, as S3 encodes it).
 */
int xml_parse_list(const char *doc, size_t n, s3_object_fn on_object,
		   s3_prefix_fn on_prefix, void *ctx, struct xml_list_page *page);

/* InitiateMultipartUploadResult: the UploadId (appended to upload_id). */
int xml_parse_initiate(const char *doc, size_t n, struct buf *upload_id);

/*
 * A 200 reply to CompleteMultipartUpload: 0 and the ETag appended to etag
 * for a CompleteMultipartUploadResult, AV_ES3 with err filled for an
 * <Error> document (S3 sends those with status 200), else AV_ECORRUPT.
 */
int xml_parse_complete(const char *doc, size_t n, struct buf *etag,
		       struct xml_error *err);

/* What a ListMultipartUploads page says about the next one. */
struct xml_uploads_page {
	int truncated;
	struct buf next_key_marker;
	struct buf next_upload_id_marker;
};

void xml_uploads_page_init(struct xml_uploads_page *p);
void xml_uploads_page_release(struct xml_uploads_page *p);
/* Parses a ListMultipartUploadsResult, calling fn for each Upload. */
int xml_parse_uploads(const char *doc, size_t n, s3_upload_fn fn, void *ctx,
		      struct xml_uploads_page *page);

/* One part of a CompleteMultipartUpload body (borrowed). */
struct xml_part {
	unsigned number;		/* 1..10000 */
	const char *etag;		/* as UploadPart returned it */
	const char *checksum_sha256;	/* base64, or NULL */
};

/* Appends the CompleteMultipartUpload request body to out. */
int xml_build_complete(struct buf *out, const struct xml_part *parts, size_t n);

/* The Credentials of an STS AssumeRole* reply.  Caller-owned; the
 * secret and the token are wiped on release. */
struct xml_sts_creds {
	struct buf access_key;
	struct buf secret_key;
	struct buf session_token;
	time_t expiration;
};

void xml_sts_creds_init(struct xml_sts_creds *c);
void xml_sts_creds_release(struct xml_sts_creds *c);
/*
 * Parses the reply to the STS action ("AssumeRole",
 * "AssumeRoleWithWebIdentity"): ACTIONResponse / ACTIONResult /
 * Credentials with AccessKeyId, SecretAccessKey, SessionToken and
 * Expiration, all required.  c must be initialised and empty.
 */
int xml_parse_sts(const char *doc, size_t n, const char *action,
		  struct xml_sts_creds *c);
/* STS's <ErrorResponse><Error><Code/><Message/></Error><RequestId/>
 * into e (initialised).  AV_ECORRUPT when it is not one. */
int xml_parse_sts_error(const char *doc, size_t n, struct xml_error *e);

/* "2009-10-12T17:50:30.000Z" (fraction optional) to UTC seconds. */
int xml_parse_time(const char *s, time_t *out);
/* Decodes %XX and '+' (S3's encoding-type=url), appending to out.
 * AV_ECORRUPT for a malformed escape or an encoded NUL (%00). */
int xml_url_decode(const char *s, struct buf *out);

#endif
