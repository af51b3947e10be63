/*
 * config: the naming and stack/target configuration (a JSON file such as
 * config/heroku-python.json, the built-in default).
 *
 *   {
 *     "name": "python",
 *     "base_url": "https://heroku-buildpack-python.s3.dualstack.us-east-1.amazonaws.com",
 *     "templates": {
 *       "legacy": "{stack}/runtimes/{name}-{version}.tar.gz",
 *       "new": "{name}-{version}-{distro_name}-{distro_version}-{arch}.tar.zst"
 *     },
 *     "stacks": [
 *       { "name": "heroku-24", "os": "linux", "distro_name": "ubuntu",
 *         "distro_version": "24.04", "arches": ["amd64", "arm64"],
 *         "legacy_arches": [] },
 *       { "name": "heroku-20", ..., "legacy_arches": ["amd64"],
 *         "retired": true }, ...
 *     ]
 *   }
 *
 * Every field is required, but a stack's "retired" (default false), and
 * no other is accepted.  A stack serves one distro release on the listed
 * arches; legacy_arches are the arches its legacy archives were built for
 * (each legacy key maps to one new key per legacy arch; [] = the stack
 * has no legacy archives).  A retired stack is one the buildpacks no
 * longer serve: its archives stay in the bucket and are recognised, but
 * migrate plans them only when asked by name and manifests leave them out
 * unless asked.  A target is (distro_name, distro_version, arch); several
 * stacks may share one.
 *
 * Loading checks everything a later step would trip on and reports the
 * first problem as "FILE: FIELD.PATH: what is wrong (what was expected)":
 * JSON syntax, types, missing or unknown fields, template syntax and
 * placeholders (see template.h), the fields each template needs (legacy:
 * {stack} and {version}, no distro; new: {version}, {distro_name},
 * {distro_version}, {arch}, no {stack}), values the templates could not
 * match back, arches (only amd64 and arm64), duplicates, an empty stack
 * list, and finally that every key the config can produce parses back to
 * the same fields, and never as the other scheme.
 */
#ifndef ARCHIVIST_CONFIG_H
#define ARCHIVIST_CONFIG_H

#include <stddef.h>

#include "archivist/buf.h"
#include "archivist/template.h"

#define CONFIG_ENV "ARCHIVIST_CONFIG"
#define CONFIG_BUILTIN_NAME "built-in config/heroku-python.json"
#define CONFIG_MAX_STACKS 32
#define CONFIG_MAX_ARCHES 2	/* amd64, arm64 */
#define CONFIG_MAX_BYTES ((size_t)1 << 20)

/* The built-in copy of config/heroku-python.json (NUL-terminated). */
extern const char config_builtin_json[];

struct config_stack {
	char *name;			/* "heroku-24" */
	char *os;			/* "linux" or "darwin" */
	char *distro_name;		/* "ubuntu" */
	char *distro_version;		/* "24.04" */
	size_t narches;
	const char *arches[CONFIG_MAX_ARCHES];	/* static "amd64" / "arm64" */
	size_t nlegacy_arches;
	const char *legacy_arches[CONFIG_MAX_ARCHES];
	int retired;			/* 1: "retired": true */
};

struct config {
	char *origin;			/* the file's path, or CONFIG_BUILTIN_NAME */
	char *name;			/* artifact name: "python" */
	char *base_url;			/* public URL of the bucket, no final '/' */
	struct template tmpl_legacy;	/* templates.legacy, compiled */
	struct template tmpl_new;	/* templates.new, compiled */
	size_t nstacks;
	struct config_stack *stacks;	/* in file order */
};

/* A target and the stacks it serves.  Everything is borrowed from the
 * config (valid while it is) or static. */
struct config_target {
	const char *os;
	const char *distro_name;
	const char *distro_version;
	const char *arch;
	size_t nstacks;
	const struct config_stack *stacks[CONFIG_MAX_STACKS];	/* file order */
};

/*
 * Loads and validates a configuration.  path NULL means $ARCHIVIST_CONFIG
 * if set and non-empty, else the built-in copy.  On success returns 0 and
 * *out (free with config_free).  On failure returns AV_ECONFIG (invalid,
 * or unreadable: missing, a directory, no permission) or AV_ENOMEM, with
 * one line appended to err naming the file and field or the reason; *out
 * is NULL.
 */
int config_load(const char *path, struct config **out, struct buf *err);

/* The same from bytes in memory (n bytes, need not be NUL-terminated);
 * origin names them in messages. */
int config_load_bytes(const char *data, size_t n, const char *origin,
		      struct config **out, struct buf *err);

/* NULL-safe. */
void config_free(struct config *c);

/* The static canonical spelling ("amd64", "arm64") of arch, or NULL for
 * anything else.  Comparing the result by pointer is allowed. */
const char *config_arch(const char *arch);

/* The stack named name, or NULL. */
const struct config_stack *config_find_stack(const struct config *c,
					     const char *name);

/* 1 if stack s runs on arch (any spelling config_arch accepts). */
int config_stack_has_arch(const struct config_stack *s, const char *arch);

/*
 * Fills *out with the target (distro_name, distro_version, arch) and the
 * stacks serving it.  Returns 0, or AV_ENOTFOUND when no stack serves it
 * (out->nstacks is then 0, the other fields as given or NULL).
 */
int config_find_target(const struct config *c, const char *distro_name,
		       const char *distro_version, const char *arch,
		       struct config_target *out);

/* 1 if t has stacks and every one is retired, else 0. */
int config_target_retired(const struct config_target *t);

/*
 * Parses "DISTRO-VERSION-ARCH" ("ubuntu-24.04-arm64", as --target takes)
 * and finds it as config_find_target does.  0, or AV_EINVAL / AV_ENOTFOUND
 * with the reason appended to why.
 */
int config_parse_target(const struct config *c, const char *spec,
			struct config_target *out, struct buf *why);

#endif
