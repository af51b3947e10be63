/*
 * mock_xml: the text of S3 replies (XML documents, error bodies, dates).
 * Every function appends to a caller-owned buf and returns 0 or an AV_E*
 * code from the buffer.
 */
#ifndef MOCK_XML_H
#define MOCK_XML_H

#include <time.h>

#include "archivist/buf.h"

#define XML_S3_NS "http://s3.amazonaws.com/doc/2006-03-01/"

/* '<?xml ...?>' and the opening root element in the S3 namespace. */
int xml_begin(struct buf *out, const char *root);
/* s with & < > " ' and control characters escaped. */
int xml_escape(struct buf *out, const char *s);
/* <name>s escaped</name>. */
int xml_elem(struct buf *out, const char *name, const char *s);
/* <name>n</name>. */
int xml_elem_u64(struct buf *out, const char *name, unsigned long long n);
/* s URL-encoded as S3 does for encoding-type=url: unreserved characters
 * and '/' kept, every other byte %XX (so both unquote and unquote_plus
 * decode it). */
int xml_url_encode(struct buf *out, const char *s);
/* The S3 error document. */
int xml_error_doc(struct buf *out, const char *code, const char *message,
		  const char *resource, const char *request_id);

/* "2013-05-24T00:00:00.000Z" */
void xml_time_iso(char out[32], time_t t);
/* "Fri, 24 May 2013 00:00:00 GMT" */
void xml_time_http(char out[40], time_t t);

#endif
