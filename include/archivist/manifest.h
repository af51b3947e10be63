/*
 * manifest: what a bucket holds in the new scheme, as JSON or as the
 * [[artifacts]] TOML inventory of Heroku's buildpack tooling
 * (libherokubuildpack's inventory: version, os, arch, url, checksum, then
 * [artifacts.metadata] with distro_name, distro_version, stacks).
 *
 * Pure functions: the time, the list of artifacts and the configuration
 * are passed in; nothing here reads the clock, the network or S3.  Output
 * is deterministic: artifacts sorted by name, version (numeric order, see
 * version.h), distro version, distro name, arch, then key; the same input
 * in any order gives the same bytes.
 *
 * Every string must be valid UTF-8 (both formats require it); TOML strings
 * are escaped as TOML basic strings, JSON by jansson.
 */
#ifndef ARCHIVIST_MANIFEST_H
#define ARCHIVIST_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "archivist/buf.h"
#include "archivist/config.h"

#define MANIFEST_SCHEMA_VERSION 1

/* One new-scheme object.  Everything is borrowed. */
struct manifest_artifact {
	const char *name;		/* "python" */
	const char *version;		/* "3.12.3" */
	const char *os;			/* "linux" */
	const char *arch;		/* "amd64" */
	const char *distro_name;	/* "ubuntu" */
	const char *distro_version;	/* "22.04" */
	const char *const *stacks;	/* names of the stacks served */
	size_t nstacks;
	const char *key;		/* full key in the bucket */
	const char *url;		/* public URL (manifest_url) */
	int64_t size;			/* bytes, >= 0 */
	const char *sha256;		/* 64 lower-case hex digits */
	const char *legacy_key;		/* the legacy source; NULL: not recorded */
	int64_t legacy_size;		/* -1: not recorded */
	const char *legacy_sha256;	/* NULL: not recorded */
	const char *etag;		/* the object's ETag (JSON: without
					   quotes, for --reuse); NULL: none */
	const char *checksum_source;	/* where sha256 came from (JSON);
					   NULL: not said */
};

struct manifest {
	const struct config *config;	/* its stacks are listed (JSON) */
	const char *bucket;
	const char *prefix;		/* "" or the prefix listed ("dir/") */
	const char *base_url;		/* the public base URL used for urls */
	time_t generated;		/* see manifest_time() */
	const struct manifest_artifact *artifacts;	/* any order */
	size_t nartifacts;
	int include_retired;		/* 0: leave retired stacks out */
};

/*
 * Retired stacks (config.h) are left out unless m->include_retired: from
 * the JSON's stack map, from each artifact's stacks, and an artifact
 * that serves only retired stacks is left out altogether.  This says
 * whether a is such an artifact (always 0 with include_retired).
 */
int manifest_artifact_retired(const struct manifest *m,
			      const struct manifest_artifact *a);

/*
 * Appends the JSON manifest (2-space indented, final newline) to out:
 *   { "schema_version": 1, "generated_at": "2024-05-01T00:00:00Z",
 *     "name": "python", "bucket", "prefix", "base_url",
 *     "stacks": { "heroku-24": { "os", "distro_name", "distro_version",
 *                                "arches": [...], "retired": true (only
 *                                when it is, with include_retired) }, ... },
 *     "artifacts": [ { "name", "version", "os", "arch", "distro_name",
 *       "distro_version", "stacks": [...], "key", "url", "size",
 *       "checksum": "sha256:<hex>", "etag" (when known),
 *       "checksum_source" (when known: "metadata", "x-amz-checksum-sha256",
 *       "reused", "computed"),
 *       "legacy_source": { "key", "size", "checksum" } (when recorded) } ] }
 * Returns 0; AV_EINVAL with the reason in why (an artifact with a bad
 * checksum, size or non-UTF-8 string); AV_ENOMEM.  On failure out is as
 * it was.
 */
int manifest_json(const struct manifest *m, struct buf *out, struct buf *why);

/*
 * Appends the TOML inventory to out (no artifacts: "artifacts = []").
 * Each artifact's version is written in SemVer 2.0.0 (version_semver:
 * "3.13.0-rc1"), which libherokubuildpack's inventory parser requires,
 * and its own spelling as [artifacts.metadata] NAME_version
 * (python_version = "3.13.0rc1").  The JSON keeps the artifact's
 * spelling.  Returns as manifest_json.
 */
int manifest_toml(const struct manifest *m, struct buf *out, struct buf *why);

/*
 * Appends s as a TOML basic string ("..." with \" \\ \b \t \n \f \r and
 * \uXXXX for other control characters).  0, or AV_EINVAL (not UTF-8, the
 * reason in why, may be NULL) / AV_ENOMEM.
 */
int manifest_toml_string(struct buf *out, const char *s, struct buf *why);

/* 1 if s is valid UTF-8 (no overlong forms, surrogates or > U+10FFFF). */
int manifest_utf8_valid(const char *s);

/*
 * Appends base_url + "/" + key to out, the key percent-encoded (RFC 3986
 * unreserved characters and '/' kept).  0 or AV_ENOMEM / AV_ETOOBIG.
 */
int manifest_url(const char *base_url, const char *key, struct buf *out);

/*
 * The generation time: $SOURCE_DATE_EPOCH when set (reproducible builds),
 * else now.  0, or AV_EINVAL when SOURCE_DATE_EPOCH is not a plain
 * non-negative number of seconds (reason in why).
 */
int manifest_time(time_t *out, struct buf *why);

#endif
