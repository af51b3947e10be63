/*
 * version: runtime version strings ("3.12.3", "3.13.0rc1", "3.14.0b2",
 * "3.14.0a7"), their numeric order, and --version globs.
 *
 * The grammar is X.Y.Z with an optional pre-release tag a, b or rc and
 * its number: decimal numbers of at most 9 digits, no leading zeros (so a
 * version has exactly one spelling and rendering a parsed version gives
 * back the same bytes).  Anything else does not parse, with a reason.
 *
 * Order: numeric per component (3.9.0 < 3.10.0), and within one X.Y.Z
 * a < b < rc < final (3.13.0a1 < 3.13.0b1 < 3.13.0rc1 < 3.13.0).
 */
#ifndef ARCHIVIST_VERSION_H
#define ARCHIVIST_VERSION_H

#include <stdint.h>

struct buf;

enum version_pre {
	VERSION_ALPHA = 0,	/* "a" */
	VERSION_BETA,		/* "b" */
	VERSION_RC,		/* "rc" */
	VERSION_FINAL		/* no tag; sorts after every pre-release */
};

struct version {
	uint32_t major, minor, patch;
	enum version_pre pre;
	uint32_t pre_num;	/* 0 for VERSION_FINAL */
};

/*
 * Parses s into *out.  Returns 0, or AV_EINVAL with the reason appended to
 * why (when why is not NULL), e.g. "'3.12' has 2 components, not 3 (X.Y.Z)".
 * *out is unspecified on failure.
 */
int version_parse(const char *s, struct version *out, struct buf *why);

/* <0, 0 or >0 as a sorts before, equal to or after b. */
int version_cmp(const struct version *a, const struct version *b);

/*
 * Compares two version strings: valid versions in numeric order, before
 * any invalid one; invalid ones by version_natcmp.  A total order, so it
 * can sort anything.
 */
int version_strcmp(const char *a, const char *b);

/*
 * "Natural" order for strings like distro versions ("20.04" < "22.04",
 * "9" < "10"): runs of digits compare as numbers, the rest byte by byte.
 */
int version_natcmp(const char *a, const char *b);

/*
 * Appends the SemVer 2.0.0 spelling of the Python version s to out, for
 * consumers that parse versions as SemVer (libherokubuildpack's inventory
 * reads them with the semver crate): a final release is unchanged
 * ("3.12.3"), a pre-release tag moves behind a '-' ("3.13.0rc1" ->
 * "3.13.0-rc1", "3.14.0a7" -> "3.14.0-a7").  Within one X.Y.Z, SemVer's
 * order of those identifiers (ASCII: a < b < rc, and any pre-release
 * before the release) is Python's while the tag's number has one digit,
 * as every CPython pre-release has had.  Returns 0, or AV_EINVAL when s
 * does not parse (reason in why, may be NULL) / AV_ENOMEM; on failure
 * out is as it was.
 */
int version_semver(const char *s, struct buf *out, struct buf *why);

/* 1 if s parses and is a final release (no pre-release tag), else 0. */
int version_is_final(const char *s);

/* 1 if version matches the shell glob (fnmatch(3), no flags: "3.12.*",
 * "3.1[0-3].*", "*rc*"), else 0. */
int version_glob_match(const char *glob, const char *version);

#endif
