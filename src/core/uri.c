/* uri: percent-encoding (see uri.h). */
#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/uri.h"

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

int uri_encode(struct buf *out, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int rc;

	if ((rc = buf_grow(out, n)))
		return rc;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

		if (is_unreserved(c) || (c == '/' && keep_slash))
			rc = buf_addc(out, (char)c);
		else
			rc = buf_add(out, esc, 3);
		if (rc)
			return rc;
	}
	return 0;
}

int uri_decode(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int rc, hi, lo;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			if (n - i < 3 || (hi = hex_value(s[i + 1])) < 0 ||
			    (lo = hex_value(s[i + 2])) < 0 || (hi | lo) == 0)
				return AV_EINVAL;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '\0') {
			return AV_EINVAL;
		}
		if ((rc = buf_addc(out, c)))
			return rc;
	}
	return 0;
}

