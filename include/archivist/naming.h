/*
 * naming: keys in the legacy and new schemes, through the configuration's
 * templates.
 *
 *   heroku-22/runtimes/python-3.12.3.tar.gz          legacy: (version, stack)
 *     -> python-3.12.3-ubuntu-22.04-amd64.tar.zst    new: one per legacy arch
 *
 * A key is recognised only when it matches a template exactly one way and
 * every part is valid; anything else gets a status and a reason, never a
 * guess.  Keys are relative to the bucket prefix the caller works in.
 *
 * Parsing fills a caller-owned struct (release it with its _release
 * function, also after a failed parse).  Pointers to stacks and arch names
 * are borrowed from the config (valid while it is) or static.
 */
#ifndef ARCHIVIST_NAMING_H
#define ARCHIVIST_NAMING_H

#include "archivist/buf.h"
#include "archivist/config.h"

enum naming_status {
	NAMING_OK = 0,
	NAMING_UNRECOGNISED,	/* matches no template */
	NAMING_AMBIGUOUS,	/* matches the template in several ways */
	NAMING_BAD_VERSION,	/* the version part does not parse (version.h) */
	NAMING_UNKNOWN_STACK,	/* legacy: a stack the config does not list */
	NAMING_UNKNOWN_ARCH,	/* an arch that is not amd64/arm64, or not one
				   the stack has (legacy: not a legacy arch) */
	NAMING_UNKNOWN_TARGET	/* new: no stack serves this distro and arch */
};

/* "ok", "unrecognised", "ambiguous", "bad-version", "unknown-stack",
 * "unknown-arch", "unknown-target"; never NULL. */
const char *naming_status_name(enum naming_status s);

/* A legacy key and the new keys it maps to. */
struct naming_legacy {
	enum naming_status status;
	char *version;		/* as in the key (NULL: the key did not match) */
	char *stack_name;	/* as in the key */
	char *arch_name;	/* as in the key, when the template has {arch} */
	const struct config_stack *stack;	/* set from NAMING_UNKNOWN_ARCH on */
	/* When status is NAMING_OK: one entry per arch this archive holds
	 * (the key's {arch}, else the stack's legacy_arches), n >= 1. */
	size_t n;
	const char *arches[CONFIG_MAX_ARCHES];	/* static "amd64"/"arm64" */
	char *new_keys[CONFIG_MAX_ARCHES];	/* the new key for that arch */
};

/* A new-scheme key. */
struct naming_artifact {
	enum naming_status status;
	char *version;		/* as in the key (NULL: the key did not match) */
	char *distro_name;	/* as in the key */
	char *distro_version;
	char *arch_name;
	/* When status is NAMING_OK: os, canonical arch and the stacks served. */
	struct config_target target;
};

/*
 * Parses a legacy key.  Returns 0 with out->status NAMING_OK, AV_EINVAL
 * with another status and the reason appended to why (may be NULL) --
 * e.g. "stack 'heroku-18' is not in config/heroku-python.json" -- or
 * AV_ENOMEM.  The fields parsed before the problem are set.
 */
int naming_parse_legacy(const struct config *c, const char *key,
			struct naming_legacy *out, struct buf *why);
void naming_legacy_release(struct naming_legacy *l);

/* Parses a new-scheme key; returns as naming_parse_legacy. */
int naming_parse_new(const struct config *c, const char *key,
		     struct naming_artifact *out, struct buf *why);
void naming_artifact_release(struct naming_artifact *a);

/*
 * Appends the legacy key of (version, stack s[, arch]) to out.  arch is
 * used (and required) only when the legacy template has {arch}.  Returns
 * 0, or AV_EINVAL with the reason in why (bad version, arch) / AV_ENOMEM.
 */
int naming_legacy_key(const struct config *c, const char *version,
		      const struct config_stack *s, const char *arch,
		      struct buf *out, struct buf *why);

/*
 * Appends the new key of (version, distro_name, distro_version, arch) to
 * out.  The version must parse and the arch be amd64 or arm64; whether a
 * stack serves the target is not checked (config_find_target does).
 * Returns 0, or AV_EINVAL with the reason in why / AV_ENOMEM.
 */
int naming_new_key(const struct config *c, const char *version,
		   const char *distro_name, const char *distro_version,
		   const char *arch, struct buf *out, struct buf *why);

/*
 * What a key (relative to the bucket prefix) is, so that a bucket with a
 * history is read as it is: every key falls in exactly one kind.
 *
 *   python-3.12.3-ubuntu-24.04-arm64.tar.zst     new
 *   heroku-22/runtimes/python-3.12.3.tar.gz      legacy (an active stack)
 *   heroku-18/runtimes/python-3.6.15.tar.gz      legacy-retired
 *   heroku-18/libraries/vendor/gdal.tar.gz       stack-file: in a known
 *                                                stack's folder, not a runtime
 *   heroku-22/runtimes/python-3.12.tar.gz        invalid: matches a template,
 *   cedar-14/runtimes/python-2.7.9.tar.gz          does not parse (status says why)
 *   manifest.json                                other
 *
 * A stack's folder is the legacy template's text up to {stack}, the stack
 * name, and the literal after it up to its first '/' ("heroku-18/" for
 * "{stack}/runtimes/..."); a template with no '/' after {stack} has none.
 */
enum naming_kind {
	NAMING_KIND_NEW = 0,
	NAMING_KIND_LEGACY,
	NAMING_KIND_LEGACY_RETIRED,
	NAMING_KIND_STACK_FILE,
	NAMING_KIND_INVALID,
	NAMING_KIND_OTHER
};

/* "new", "legacy", "legacy-retired", "stack-file", "invalid", "other". */
const char *naming_kind_name(enum naming_kind k);

struct naming_class {
	enum naming_kind kind;
	enum naming_status status;	/* NAMING_OK, or why it is invalid */
	int legacy_scheme;		/* invalid: 1 the legacy template
					   matched, 0 the new one */
	const struct config_stack *stack;	/* legacy kinds and stack-file;
					   invalid when the stack is known;
					   else NULL (borrowed) */
};

/*
 * Classifies key as above.  The reason an invalid key does not parse is
 * appended to why (may be NULL).  Returns 0 or AV_ENOMEM.
 */
int naming_classify(const struct config *c, const char *key,
		    struct naming_class *out, struct buf *why);

#endif
