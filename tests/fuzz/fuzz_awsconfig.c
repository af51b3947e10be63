/*
 * libFuzzer target: the AWS shared-file INI reader, the s3:// URI parser,
 * the endpoint URL parser and SigV4 URI encoding, all on the same bytes.
 *
 * Invariants checked (abort on violation):
 * - awsconfig_parse gives the same result twice, and on failure a line
 *   within the input and a message;
 * - an s3:// URI that splits re-forms to the input (bar a missing '/'),
 *   with a valid bucket;
 * - an endpoint URL that parses re-parses from its own url to itself;
 * - uri_decode(uri_encode(x)) == x.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/awsconfig.h"
#include "archivist/buf.h"
#include "s3/endpoint.h"
#include "archivist/s3uri.h"
#include "archivist/sigv4.h"
#include "archivist/uri.h"

static void check_ini(const char *data, size_t size)
{
	struct awsconfig *a = NULL, *b = NULL;
	const char *why1, *why2;
	unsigned l1, l2, lines = 1;
	int r1, r2;
	size_t i;

	r1 = awsconfig_parse(data, size, &a, &l1, &why1);
	r2 = awsconfig_parse(data, size, &b, &l2, &why2);
	if (r1 != r2 || l1 != l2 || (r1 == 0) != (a != NULL))
		abort();
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (r1 && (!why1 || !*why1 || l1 > lines))
		abort();
	if (a) {
		const char *v = awsconfig_get(a, "default", "region");
		const char *w = awsconfig_get(b, "default", "region");

		if ((v == NULL) != (w == NULL) || (v && strcmp(v, w)))
			abort();
		(void)awsconfig_get_sub(a, "default", "s3", "endpoint_url");
		(void)awsconfig_has_section(a, "profile default");
	}
	awsconfig_free(a);
	awsconfig_free(b);
}

static void check_s3uri(const char *s)
{
	struct s3uri u;
	struct buf again = BUF_INIT;
	const char *why = NULL;

	if (s3uri_split(s, &u, &why) == 0) {
		if (!s3uri_bucket_valid(u.bucket, &why) ||
		    s3uri_format(&again, u.bucket, u.key))
			abort();
		if (strcmp(again.ptr, s) &&
		    (strchr(s + 5, '/') || again.len != strlen(s) + 1 ||
		     strncmp(again.ptr, s, strlen(s))))
			abort();
	} else if (!why || !*why || u.bucket || u.key) {
		abort();
	}
	s3uri_release(&u);
	buf_release(&again);
}

static void check_endpoint(const char *s)
{
	struct endpoint a, b;
	const char *why = NULL;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (endpoint_parse_url(s, &a, &why) == 0) {
		if (endpoint_parse_url(a.url, &b, &why) ||
		    strcmp(a.url, b.url) || strcmp(a.hostport, b.hostport))
			abort();
	}
	endpoint_release(&a);
	endpoint_release(&b);
}

static void check_encoding(const char *data, size_t size)
{
	struct buf enc = BUF_INIT, dec = BUF_INIT;

	if (memchr(data, '\0', size))
		return;		/* decode refuses %00 by design */
	if (uri_encode(&enc, data, size, size & 1) ||
	    uri_decode(&dec, enc.ptr, enc.len) || dec.len != size ||
	    memcmp(dec.ptr, data, size))
		abort();
	buf_release(&enc);
	buf_release(&dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 65536)
		return 0;
	check_ini((const char *)data, size);
	check_encoding((const char *)data, size);
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_s3uri(s);
	check_endpoint(s);
	free(s);
	return 0;
}
