/* version: parsing, numeric order and globs for runtime versions. */
#include <fnmatch.h>
#include <inttypes.h>
#include <string.h>

#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/version.h"

#define MAX_DIGITS 9	/* so every number fits in uint32_t */

static int fail(struct buf *why, const char *s, const char *reason)
{
	if (why)
		buf_addf(why, "version '%s': %s", s, reason);
	return AV_EINVAL;
}

/*
 * Reads a decimal number at *p.  Returns 0, or a reason (static string)
 * when there is none, it has a leading zero or is too long.
 */
static const char *read_number(const char **p, uint32_t *out)
{
	const char *s = *p;
	uint32_t v = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == MAX_DIGITS)
			return "a number has more than 9 digits";
		v = v * 10 + (uint32_t)(s[n] - '0');
		n++;
	}
	if (n == 0)
		return "expected a number";
	if (n > 1 && s[0] == '0')
		return "a number has a leading zero";
	*p = s + n;
	*out = v;
	return NULL;
}

/* Parses the optional pre-release tag and number at p (the rest of s). */
static int parse_pre(const char *s, const char *p, struct version *out,
		     struct buf *why)
{
	const char *reason;

	out->pre = VERSION_FINAL;
	out->pre_num = 0;
	if (*p == '\0')
		return 0;
	if (*p == '.')
		return fail(why, s, "more than 3 components (want X.Y.Z)");
	if (strncmp(p, "rc", 2) == 0) {
		out->pre = VERSION_RC;
		p += 2;
	} else if (*p == 'a' || *p == 'b') {
		out->pre = *p == 'a' ? VERSION_ALPHA : VERSION_BETA;
		p++;
	} else {
		return fail(why, s, "unknown pre-release tag (want a, b or rc "
			    "and a number, as in 3.13.0rc1)");
	}
	if ((reason = read_number(&p, &out->pre_num)) != NULL)
		return fail(why, s, *p ? reason :
			    "pre-release tag without a number");
	if (*p != '\0')
		return fail(why, s, "unexpected characters after the pre-release number");
	return 0;
}

int version_parse(const char *s, struct version *out, struct buf *why)
{
	uint32_t *part[3] = { &out->major, &out->minor, &out->patch };
	const char *p = s, *reason;
	int i;

	if (*s == '\0')
		return fail(why, s, "empty");
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (*p != '.')
				return fail(why, s, *p ? "expected '.' between "
					    "numbers (want X.Y.Z)" :
					    "fewer than 3 components (want X.Y.Z)");
			p++;
		}
		if ((reason = read_number(&p, part[i])) != NULL)
			return fail(why, s, reason);
	}
	return parse_pre(s, p, out, why);
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

int version_cmp(const struct version *a, const struct version *b)
{
	int c;

	if ((c = cmp_u32(a->major, b->major)) || (c = cmp_u32(a->minor, b->minor)) ||
	    (c = cmp_u32(a->patch, b->patch)))
		return c;
	if (a->pre != b->pre)
		return a->pre < b->pre ? -1 : 1;
	return cmp_u32(a->pre_num, b->pre_num);
}

int version_strcmp(const char *a, const char *b)
{
	struct version va, vb;
	int oka = version_parse(a, &va, NULL) == 0;
	int okb = version_parse(b, &vb, NULL) == 0;

	if (oka && okb)
		return version_cmp(&va, &vb);
	if (oka != okb)
		return oka ? -1 : 1;
	return version_natcmp(a, b);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Compares the digit runs at *pa and *pb numerically and advances both.
 * Leading zeros are skipped; then the longer run is the larger number. */
static int cmp_digits(const char **pa, const char **pb)
{
	const char *a = *pa, *b = *pb;
	size_t na = 0, nb = 0;
	int c;

	while (*a == '0' && is_digit(a[1]))
		a++;
	while (*b == '0' && is_digit(b[1]))
		b++;
	while (is_digit(a[na]))
		na++;
	while (is_digit(b[nb]))
		nb++;
	*pa = a + na;
	*pb = b + nb;
	if (na != nb)
		return na < nb ? -1 : 1;
	c = memcmp(a, b, na);
	return c < 0 ? -1 : c > 0;
}

int version_natcmp(const char *a, const char *b)
{
	const char *sa = a, *sb = b;
	int c;

	while (*a && *b) {
		if (is_digit(*a) && is_digit(*b)) {
			if ((c = cmp_digits(&a, &b)) != 0)
				return c;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	if (*a || *b)
		return *a ? 1 : -1;
	/* Equal but for leading zeros ("04" vs "4"): bytes decide. */
	c = strcmp(sa, sb);
	return c < 0 ? -1 : c > 0;
}

int version_is_final(const char *s)
{
	struct version v;

	return version_parse(s, &v, NULL) == 0 && v.pre == VERSION_FINAL;
}

int version_glob_match(const char *glob, const char *version)
{
	return fnmatch(glob, version, 0) == 0;
}

int version_semver(const char *s, struct buf *out, struct buf *why)
{
	static const char *const tag[] = { "a", "b", "rc", "" };
	struct version v;
	size_t start = out->len;
	int rc;

	if (version_parse(s, &v, why) != 0)
		return AV_EINVAL;
	rc = buf_addf(out, "%" PRIu32 ".%" PRIu32 ".%" PRIu32, v.major, v.minor, v.patch);
	if (rc == 0 && v.pre != VERSION_FINAL)
		rc = buf_addf(out, "-%s%" PRIu32, tag[v.pre], v.pre_num);
	if (rc != 0)
		buf_setlen(out, start);
	return rc;
}
