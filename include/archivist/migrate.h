/*
 * migrate: the migration engine behind `archivist migrate` (and the plan
 * half of `audit`).
 *
 *   migration_init(&m, g); m.src_bucket = ...; ...
 *   status = migration_run(&m);        // an enum exit_status
 *   migration_release(&m);
 *
 * migration_plan() lists the legacy keys, builds the plan (plan.h) and
 * HEADs every new key to decide its action; it sends only list and HEAD
 * requests.  migration_run() plans, prints the plan, and unless dry_run
 * converts every "create" (convert.h) on a pool of workers (workers.h,
 * jobs.h), then aborts the multipart uploads left behind (interrupted
 * runs, lost replies) on the keys now done, and prints a summary.
 */
#ifndef ARCHIVIST_MIGRATE_H
#define ARCHIVIST_MIGRATE_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "archivist/cli.h"
#include "archivist/config.h"
#include "archivist/convert.h"
#include "archivist/plan.h"
#include "archivist/progress.h"
#include "archivist/s3.h"

enum migration_outcome {
	MO_PLANNED = 0,		/* not run (dry run, or not a create) */
	MO_CREATED,		/* uploaded and verified */
	MO_IDENTICAL,		/* a racing run made the same archive first */
	MO_CONFLICT,		/* other content appeared at the key */
	MO_BAD_SOURCE,		/* the legacy archive is corrupt */
	MO_FAILED		/* network, server or local failure */
};

struct migration_item {
	enum migration_outcome outcome;
	struct pipeline_stats st;	/* when created or identical */
};

struct migration {
	/* Set by the caller (borrowed). */
	const struct globals *g;
	const char *src_bucket, *src_prefix;	/* prefix "" or ending '/' */
	const char *dst_bucket, *dst_prefix;
	const struct plan_filter *filter;
	struct pipeline_settings settings;
	int dry_run;
	const char *manifest;		/* --manifest FILE, or NULL */
	const char *tmpdir;

	/* Owned, filled by migration_plan / migration_run. */
	struct config *config;
	struct s3_client *client;
	struct plan plan;
	struct migration_item *items;	/* one per plan item */
	time_t started;
	int jobs;			/* archives at once */
	int workers;			/* zstd workers per archive */
	pthread_mutex_t lock;		/* output and progress */
	struct progress *progress;	/* the overall display, or NULL */
	uint64_t bytes_done, bytes_total;
};

void migration_init(struct migration *m, const struct globals *g);
void migration_release(struct migration *m);

/* Loads the config, opens the client (if not already), lists and decides.
 * 0, or AV_ECONFIG / AV_EUSAGE (reported; exit 2) or another code. */
int migration_plan(struct migration *m);

/* The whole command; returns an exit status (enum exit_status). */
int migration_run(struct migration *m);

#endif
