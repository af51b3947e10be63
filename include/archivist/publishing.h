/*
 * publishing: the engine behind `archivist publish` (src/cmd/publish.c parses
 * the options into struct publish_args and builds the session).
 *
 * Every FILE is checked and named first (readable regular file, a version,
 * a target the configuration knows): any problem is a usage error and
 * nothing is sent.  Then each is made (pipeline.h, or as it is with
 * as_is) and delivered (deliver.h): never replacing an object, verified.
 *
 * A deliberate replacement (replace, or if_match with the ETag of the
 * version to replace) reads the object's ETag with HEAD and uploads with
 * If-Match on it, so a write by someone else in between is never
 * clobbered (a conflict: exit 3, nothing changed).  A key in a stack's
 * legacy folder is never a target (usage error).
 */
#ifndef ARCHIVIST_PUBLISHING_H
#define ARCHIVIST_PUBLISHING_H

#include <stddef.h>

#include "archivist/pipeline.h"
#include "archivist/s3uri.h"
#include "archivist/session.h"

struct publish_args {
	struct s3uri to;		/* destination bucket and prefix */
	const char *target;		/* --target DISTRO-VERSION-ARCH */
	const char *stack, *arch;	/* --stack [--arch] */
	const char *version;		/* --version */
	const char *tmpdir;
	int dry_run, conflict_skip, as_is;
	int replace;			/* --replace */
	const char *if_match;		/* --if-match ETAG */
	struct pipeline_settings set;	/* --pyc, --keep-opt-pyc, --level */
	char **files;
	size_t nfiles;
};

/* One file's name in the new scheme; strings owned. */
struct publish_item {
	const char *file;		/* borrowed from publish_args */
	char *key;			/* full key in the destination */
	char *version;
};

struct publish_names {
	struct publish_item *items;	/* one per file, in order */
	size_t n;
};

/*
 * Checks and names every file with the session's configuration, before
 * anything is sent.  0, AV_EUSAGE (reported: unreadable file, no version
 * or target, ...) or AV_ENOMEM; release *out with publish_names_release
 * in every case.
 */
int publish_name(const struct session *s, const struct publish_args *a,
		 struct publish_names *out);
void publish_names_release(struct publish_names *n);

/*
 * Makes and delivers each named file with the session's client (only HEADs
 * with dry_run), reporting each on stdout.  Returns 0 with *res:
 * FLOW_FAILED when a file failed, FLOW_CONFLICT when one met other
 * content (unless conflict_skip), else FLOW_DONE.
 */
int publish_run(const struct session *s, const struct publish_args *a,
		const struct publish_names *names, enum flow_result *res);

#endif
