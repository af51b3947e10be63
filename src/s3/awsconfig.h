/*
 * awsconfig: the INI reader for the AWS shared files (~/.aws/credentials
 * and ~/.aws/config), with the rules of botocore (Python's configparser):
 *
 *   [section]              names kept as written, up to the last ']' on
 *                          the line (the rest is ignored)
 *   key = value            or "key: value"; keys lower-cased, values
 *                          trimmed, no inline comments ('#' is data)
 *   # or ; comment         whole lines only, may be indented
 *   s3 =                   a key with an empty value followed by indented
 *     endpoint_url = URL   "sub = value" lines is a nested block (the
 *                          "services" / "s3" forms of the AWS config)
 *
 * A key outside any section, a line that is none of these, a duplicate
 * section or a duplicate key in a section is an error, as in botocore.
 * Files are capped at AWSCONFIG_MAX bytes.
 */
#ifndef ARCHIVIST_AWSCONFIG_H
#define ARCHIVIST_AWSCONFIG_H

#include <stddef.h>

#define AWSCONFIG_MAX ((size_t)1 << 20)

struct awsconfig;

/*
 * Parses len bytes of text (need not be NUL-terminated).  Returns 0 and
 * *out (free with awsconfig_free), AV_ENOMEM, or AV_ECONFIG with *line
 * (1-based) and *why (a static message) describing the first error.
 * Reports nothing: this is the pure core, for tests and fuzzing.
 */
int awsconfig_parse(const char *text, size_t len, struct awsconfig **out,
		    unsigned *line, const char **why);

/*
 * Reads and parses the file at path.  Returns 0 and *out, or AV_ENOTFOUND
 * (no such file: *out is NULL, nothing is reported, the caller decides
 * whether that matters), or AV_ECONFIG / AV_EIO / AV_ETOOBIG / AV_ENOMEM,
 * reported as "PATH:LINE: WHY" or "PATH: WHY".
 */
int awsconfig_load(const char *path, struct awsconfig **out);

void awsconfig_free(struct awsconfig *c);	/* NULL-safe */

/* 1 if section appears in the file (even with no keys). */
int awsconfig_has_section(const struct awsconfig *c, const char *section);

/*
 * The value of key (lower-case) in section, or NULL.  For a nested block
 * the value is "" ; its lines are read with awsconfig_get_sub().  The
 * strings are owned by c: valid until awsconfig_free().
 */
const char *awsconfig_get(const struct awsconfig *c, const char *section,
			  const char *key);
/* The value of sub inside the nested block key of section, or NULL. */
const char *awsconfig_get_sub(const struct awsconfig *c, const char *section,
			      const char *key, const char *sub);

#endif
