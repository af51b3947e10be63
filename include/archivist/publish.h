/*
 * publish: the engine behind `archivist publish` (src/cmd/publish.c parses
 * the options into struct publish_args).
 *
 * Every FILE is checked and named first (readable regular file, a version,
 * a target the configuration knows): any problem is a usage error and
 * nothing is sent.  Then each is made (pipeline.h, or as it is with
 * as_is) and delivered (deliver.h): never replacing an object, verified.
 */
#ifndef ARCHIVIST_PUBLISH_H
#define ARCHIVIST_PUBLISH_H

#include <stddef.h>

#include "archivist/cli.h"
#include "archivist/pipeline.h"
#include "archivist/s3uri.h"

struct publish_args {
	struct s3uri to;		/* destination bucket and prefix */
	const char *target;		/* --target DISTRO-VERSION-ARCH */
	const char *stack, *arch;	/* --stack [--arch] */
	const char *version;		/* --version */
	const char *tmpdir;
	int dry_run, conflict_skip, as_is;
	struct pipeline_settings set;	/* --pyc, --keep-opt-pyc, --level */
	char **files;
	size_t nfiles;
};

/* Runs the command; returns an exit status (enum exit_status). */
int publish_run(struct publish_args *a, const struct globals *g);

#endif
