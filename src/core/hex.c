/* hex: lower-case hexadecimal (see hex.h). */
#include "archivist/hex.h"

void hex_encode(const void *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = in;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_is(const char *s, size_t n, int any_case)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (hex_value(s[i]) < 0 || (!any_case && s[i] >= 'A' && s[i] <= 'F'))
			return 0;
	return s[n] == '\0';
}
