/*
 * migration: the migration engine behind `archivist migrate`.
 *
 *   struct migration_opts o = { ...what to migrate, how... };
 *   rc = migration_run(&session, &o, &res);   // an AV_E* code, and res
 *
 * migration_run() lists the legacy keys, builds the plan (plan.h) and
 * HEADs every new key to decide its action (only list and HEAD requests
 * so far), prints the plan, and unless dry_run converts every "create"
 * (convert.h) on a pool of workers (workers.h, jobs.h), then aborts the
 * multipart uploads left behind (interrupted runs, lost replies) on the
 * keys now done, prints a summary and writes the manifest if asked
 * (bucket_manifest.h, with the session's client).
 */
#ifndef ARCHIVIST_MIGRATION_H
#define ARCHIVIST_MIGRATION_H

#include "archivist/pipeline.h"
#include "archivist/plan.h"
#include "archivist/session.h"

/* What the caller asks for; borrowed for the run. */
struct migration_opts {
	const char *src_bucket, *src_prefix;	/* prefix "" or ending '/' */
	const char *dst_bucket, *dst_prefix;
	const struct plan_filter *filter;
	struct pipeline_settings settings;
	int dry_run;
	const char *manifest;		/* write this manifest file when done
					   (TOML if it ends in .toml, else
					   JSON), or NULL */
	const char *tmpdir;		/* NULL: $TMPDIR or /tmp */
};

/*
 * The whole migration, with the session's configuration and client.
 * Returns 0 with *res (FLOW_FAILED: an archive failed or is invalid, or
 * the manifest could not be written; FLOW_CONFLICT: one met other
 * content), or the error that stopped it before any archive was made
 * (reported).
 */
int migration_run(const struct session *s, const struct migration_opts *o,
		  enum flow_result *res);

#endif
