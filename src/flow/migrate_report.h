/*
 * migrate_report: what migrate prints -- the plan, one line per archive
 * made, and the summary -- as text on stdout, or JSON lines with --json:
 *   {"event":"plan","action","source","destination","reason"}
 *   {"event":"result","result","source","destination","size","sha256",...}
 *   {"event":"summary","created","skipped","conflicts","invalid","failed",
 *    "bytes_before","bytes_after","dry_run"}
 * Callers hold m->lock around report_outcome (workers print concurrently).
 * The state of a run (struct migration) is shared by migration.c and this
 * module only; callers see migration.h.
 */
#ifndef ARCHIVIST_MIGRATE_REPORT_H
#define ARCHIVIST_MIGRATE_REPORT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "archivist/jobs.h"
#include "archivist/migration.h"
#include "archivist/progress.h"

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

/* A run's state, shared by its workers (migration.c, migrate_report.c). */
struct migration {
	const struct session *s;	/* borrowed */
	const struct migration_opts *o;	/* borrowed */
	struct plan plan;
	struct migration_item *items;	/* one per plan item */
	time_t started;
	int jobs;			/* archives at once */
	struct jobs_pool pool;		/* zstd workers and layout of each */
	pthread_mutex_t lock;		/* output and progress */
	struct progress *progress;	/* the overall display, or NULL */
	uint64_t bytes_done, bytes_total;
};


void report_plan(const struct migration *m);
void report_outcome(const struct migration *m, size_t i);
/* Prints the totals; returns the exit status they make. */
/* Prints the summary; returns what the run came to. */
enum flow_result report_summary(const struct migration *m);

#endif
