/*
 * convert: one legacy object into one new object -- the body of migrate.
 *
 *   GET legacy (streamed) -> pipeline (gunzip, spool, tar rewrite, zstd)
 *   -> temporary file -> deliver (conditional upload, verify)
 *
 * The legacy object is only read (GET with If-Match on the ETag the plan
 * saw, so an object replaced since is not mixed in).  The new object
 * records its source and settings (provenance.h), so a rerun knows it is
 * done with one HEAD.
 */
#ifndef ARCHIVIST_CONVERT_H
#define ARCHIVIST_CONVERT_H

#include <stdint.h>

#include "archivist/deliver.h"
#include "archivist/pipeline.h"
#include "archivist/plan.h"
#include "archivist/progress.h"
#include "archivist/s3.h"

/* Borrowed for the call. */
struct convert_job {
	const char *src_bucket;
	const struct plan_item *item;	/* legacy key, size, ETag; new key */
	const char *dst_bucket;
	const struct pipeline_settings *settings;
	int workers;			/* zstd workers (>= 1) */
	int split;			/* 1: the zstd frame in two jobs */
	const char *tmpdir;		/* NULL: $TMPDIR or /tmp */
	struct progress *progress;	/* NULL: none */
};

struct convert_result {
	enum deliver_result result;
	struct pipeline_stats st;	/* sizes, sha256s, pyc counts */
};

/*
 * Runs the job.  Returns 0 with *res filled (res->result may be
 * DELIVER_CONFLICT), or an AV_E* code, reported: AV_ECORRUPT / AV_ETRUNC /
 * AV_EUNSUPP for a legacy archive that cannot be read, others for I/O and
 * S3 failures.  Nothing is left at the new key unless it was uploaded
 * whole.
 */
int convert_object(struct s3_client *c, const struct convert_job *j,
		   struct convert_result *res);

/* 1 if rc means the source archive itself is bad (not worth a retry). */
int convert_bad_source(int rc);

#endif
