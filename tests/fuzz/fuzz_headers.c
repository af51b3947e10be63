/*
 * libFuzzer target: what archivist reads from S3's reply headers -- the
 * object's size (Content-Length, Content-Range), dates (Last-Modified,
 * Date for clock skew), checksums (x-amz-checksum-sha256 in base64,
 * x-amz-meta-sha256 in hex), the metadata a migration records, and a
 * status and error code to retry on.
 *
 * Input: header lines "Name: value" separated by '\n' (as libcurl hands
 * them over, the name lower-cased and the value trimmed here as http.c
 * does); a first line "HTTP/1.1 NNN" sets the status.
 *
 * Invariants checked (abort on violation):
 * - s3req_head_from() succeeds and keeps every x-amz-meta-* header;
 * - a sha256 that s3_head_sha256() reports is 64 lower-case hex digits,
 *   and when it comes from x-amz-meta-sha256 it is that value;
 * - a base64 sha256 that s3req_unb64() accepts encodes back to itself;
 * - an HTTP date that parses formats back to a date that parses to the
 *   same time, and gives a skew offset;
 * - the recorded source key decodes (or is refused) without a NUL;
 * - retry_classify() gives a verdict for any status and code.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archivist/buf.h"
#include "s3/http.h"
#include "s3/retry.h"
#include "archivist/s3.h"
#include "s3/s3req.h"
#include "archivist/sigv4.h"
#include "archivist/uri.h"
#include "s3/xml.h"

#define MAX_HEADERS 64

static void add_header(struct http_response *r, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n), *v, *end = line + n;
	struct http_header *h;
	size_t i;

	if (!colon || r->nheaders == MAX_HEADERS)
		return;
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	h = &r->headers[r->nheaders++];
	h->name = strndup(line, (size_t)(colon - line));
	h->value = strndup(v, (size_t)(end - v));
	if (!h->name || !h->value)
		abort();
	for (i = 0; h->name[i]; i++)
		h->name[i] = (char)tolower((unsigned char)h->name[i]);
}

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return s[64] == '\0';
}

static void check_head(const struct http_response *r)
{
	struct s3_head h;
	const char *m;
	char hex[65];
	size_t i, nmeta = 0;

	for (i = 0; i < r->nheaders; i++)
		nmeta += strncmp(r->headers[i].name, "x-amz-meta-", 11) == 0;
	s3_head_init(&h);
	if (s3req_head_from(&h, r) != 0 || h.nmeta != nmeta || !h.exists)
		abort();
	if (s3_head_sha256(&h, hex)) {
		if (!is_hex64(hex))
			abort();
		m = s3_head_meta(&h, "sha256");
		if (m && strlen(m) == 64 && strcasecmp(m, hex) != 0 &&
		    strspn(m, "0123456789abcdefABCDEF") == 64)
			abort();
	}
	s3_head_release(&h);
}

static void check_value(const char *v)
{
	unsigned char sha[32];
	char back[45], date[64];
	struct buf dec = BUF_INIT;
	struct tm tm;
	time_t t, t2;
	long off;

	if (s3req_unb64(v, sha) == 0) {
		s3req_b64(sha, back);
		if (strcmp(back, v) != 0)
			abort();
	}
	if (http_parse_date(v, &t) == 0) {
		if (!gmtime_r(&t, &tm) ||
		    !strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm) ||
		    http_parse_date(date, &t2) != 0 || t2 != t ||
		    retry_skew_offset(v, 0, &off) != 0)
			abort();
	}
	(void)xml_parse_time(v, &t);
	if (uri_decode(&dec, v, strlen(v)) == 0 && strlen(dec.ptr) != dec.len)
		abort();
	buf_release(&dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_header hdrs[MAX_HEADERS];
	struct http_response r;
	const char *p = (const char *)data, *end = p + size, *nl, *q;
	size_t i;

	if (size > 65536 || memchr(data, 0, size))
		return 0;
	http_response_init(&r);
	r.headers = hdrs;
	for (; p < end; p = nl + 1) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		if (nl - p > 9 && memcmp(p, "HTTP/1.1 ", 9) == 0)
			for (r.status = 0, q = p + 9; q < nl && q < p + 12 && isdigit((unsigned char)*q); q++)
				r.status = r.status * 10 + (*q - '0');
		else
			add_header(&r, p, (size_t)(nl - p));
	}
	check_head(&r);
	for (i = 0; i < r.nheaders; i++) {
		check_value(r.headers[i].value);
		(void)retry_classify(0, r.status, r.headers[i].value);
	}
	for (i = 0; i < r.nheaders; i++) {
		free(r.headers[i].name);
		free(r.headers[i].value);
	}
	r.headers = NULL;
	r.nheaders = 0;
	http_response_release(&r);
	return 0;
}
