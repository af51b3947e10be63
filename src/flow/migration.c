/* migration: plan, print, convert, summarise (see migration.h). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archivist/bucket_manifest.h"
#include "convert.h"
#include "archivist/error.h"
#include "archivist/jobs.h"
#include "archivist/jsonout.h"
#include "archivist/migration.h"
#include "migrate_report.h"
#include "archivist/manifest.h"
#include "archivist/msg.h"
#include "archivist/provenance.h"
#include "archivist/workers.h"

static int on_legacy(void *ctx, const struct s3_object *o)
{
	struct migration *m = ctx;

	return plan_add_legacy(&m->plan, m->s->config, m->o->src_prefix,
			       m->o->dst_prefix, o->key, o->size, o->etag,
			       m->o->filter);
}

/* HEADs the new key and decides from what it records (provenance.h). */
static int decide(struct migration *m, struct plan_item *it)
{
	struct provenance rec;
	struct s3_head h;
	int rc;

	s3_head_init(&h);
	if ((rc = s3_head(m->s->client, m->o->dst_bucket, it->new_key, &h)) == 0) {
		rc = provenance_read(&rec, h.meta, h.nmeta);
		if (rc == 0)
			rc = plan_decide(it, h.exists, &rec, &m->o->settings);
		provenance_release(&rec);
	}
	s3_head_release(&h);
	return rc;
}

/* Lists the legacy keys and decides each new key's action. */
static int make_plan(struct migration *m)
{
	struct s3_list_opts lo = { 0 };
	size_t i;
	int rc;

	m->started = time(NULL);
	lo.prefix = m->o->src_prefix;
	if ((rc = s3_list(m->s->client, m->o->src_bucket, &lo, on_legacy, m)))
		return rc;
	if (m->o->filter && (rc = plan_keep_shard(&m->plan, m->o->filter->shard,
						  m->o->filter->nshards)))
		return rc;
	plan_sort(&m->plan);
	for (i = 0; i < m->plan.n && !rc; i++)
		rc = decide(m, &m->plan.items[i]);
	if (!rc && !(m->items = calloc(m->plan.n ? m->plan.n : 1, sizeof(*m->items))))
		rc = AV_ENOMEM;
	return rc;
}

/*
 * Multipart uploads left behind on the planned keys: by interrupted runs,
 * or by a CreateMultipartUpload that S3 carried out but whose reply was
 * lost (it was retried).  Only on keys that now hold an object: there no
 * upload can ever complete (If-None-Match), while one on a key still
 * missing may belong to a concurrent run about to complete it.  A
 * concurrent run whose upload of a done key vanishes looks at the object
 * (s3.h) and finds it there.
 */
struct cleanup {
	struct migration *m;
	size_t found, aborted;
};

static const struct plan_item *planned_item(const struct plan *p, const char *key)
{
	size_t lo = 0, hi = p->n, mid;
	int c;

	while (lo < hi) {	/* sorted by new key, invalid (NULL) last */
		mid = (lo + hi) / 2;
		if (!p->items[mid].new_key) {
			hi = mid;
			continue;
		}
		c = strcmp(p->items[mid].new_key, key);
		if (c == 0)
			return &p->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* 1 if the new key of item it holds an object now. */
static int key_done(const struct migration *m, const struct plan_item *it)
{
	enum migration_outcome o = m->items[it - m->plan.items].outcome;

	if (it->action == PLAN_SKIP || it->action == PLAN_CONFLICT ||
	    it->action == PLAN_PRESENT)
		return 1;
	return it->action == PLAN_CREATE &&
	       (o == MO_CREATED || o == MO_IDENTICAL || o == MO_CONFLICT);
}

static int on_upload(void *ctx, const struct s3_upload *u)
{
	struct cleanup *cl = ctx;
	struct migration *m = cl->m;
	const struct plan_item *it = planned_item(&m->plan, u->key);

	if (!it)
		return 0;
	if (m->o->dry_run) {
		cl->found++;
		msg_info("would abort an abandoned multipart upload of '%s'", u->key);
		return 0;
	}
	if (!key_done(m, it))
		return 0;
	cl->found++;
	if (s3_abort_upload(m->s->client, m->o->dst_bucket, u->key, u->upload_id) == 0) {
		msg_verbose("aborted an abandoned multipart upload of '%s'", u->key);
		cl->aborted++;
	}
	return 0;
}

static int cleanup_uploads(struct migration *m)
{
	struct cleanup cl = { m, 0, 0 };
	int rc;

	rc = s3_list_uploads(m->s->client, m->o->dst_bucket, m->o->dst_prefix,
			     on_upload, &cl);
	if (cl.aborted)
		msg_info("aborted %zu abandoned multipart upload(s)", cl.aborted);
	return rc;
}

static void run_one(void *ctx, size_t i)
{
	struct migration *m = ctx;
	struct plan_item *it = &m->plan.items[i];
	struct migration_item *mi = &m->items[i];
	struct convert_job j = { 0 };
	struct convert_result r;
	struct jobs_layout l;
	int rc;

	if (it->action != PLAN_CREATE)
		return;
	l = jobs_pool_take(&m->pool);
	j.src_bucket = m->o->src_bucket;
	j.item = it;
	j.dst_bucket = m->o->dst_bucket;
	j.settings = &m->o->settings;
	j.workers = l.workers;
	j.split = l.split;
	j.tmpdir = m->o->tmpdir;
	j.progress = m->jobs == 1 ? m->progress : NULL;
	rc = convert_object(m->s->client, &j, &r);
	jobs_pool_give(&m->pool, &l);
	if (rc)
		mi->outcome = convert_bad_source(rc) ? MO_BAD_SOURCE : MO_FAILED;
	else
		mi->outcome = r.result == DELIVER_CREATED ? MO_CREATED :
			      r.result == DELIVER_IDENTICAL ? MO_IDENTICAL : MO_CONFLICT;
	mi->st = r.st;
	pthread_mutex_lock(&m->lock);
	m->bytes_done += it->legacy_size;
	report_outcome(m, i);
	if (m->progress && !j.progress)
		progress_update(m->progress, m->bytes_done, 0);
	pthread_mutex_unlock(&m->lock);
}

static void execute(struct migration *m)
{
	struct jobs_choice jc;
	size_t i, ncreate = 0;

	for (i = 0; i < m->plan.n; i++)
		if (m->plan.items[i].action == PLAN_CREATE) {
			ncreate++;
			m->bytes_total += m->plan.items[i].legacy_size;
		}
	if (!ncreate)
		return;
	jc = jobs_choose(jobs_cores(), jobs_mem_available(), m->o->settings.level,
			 ncreate, m->s->jobs);
	m->jobs = jc.jobs;
	jobs_pool_init(&m->pool, &jc, ncreate);
	msg_verbose("%zu archive(s) to make, %d at a time, on %d zstd worker(s)",
		    ncreate, jc.jobs, jc.jobs * jc.workers);
	if (m->s->progress) {
		m->progress = progress_new(STDERR_FILENO, "migrate");
		progress_start(m->progress, "archives", m->bytes_total);
	}
	workers_run(m->plan.n, jc.jobs, run_one, m);
	jobs_pool_release(&m->pool);
	progress_free(m->progress);
	m->progress = NULL;
}

/*
 * --manifest FILE: what the destination holds now, made by the manifest
 * flow with this run's session (TOML when FILE ends in .toml, else JSON).
 */
static int write_manifest(const struct migration *m)
{
	struct bucket_manifest_opts mo = { 0 };
	struct buf why = BUF_INIT;
	size_t n = strlen(m->o->manifest);
	int rc;

	if ((rc = manifest_time(&mo.now, &why)) != 0) {
		msg_error("manifest: %s", why.ptr);
		buf_release(&why);
		return rc;
	}
	mo.bucket = m->o->dst_bucket;
	mo.prefix = m->o->dst_prefix;
	mo.toml = n > 5 && !strcmp(m->o->manifest + n - 5, ".toml");
	mo.output = m->o->manifest;
	mo.jobs = m->s->jobs;
	return bucket_manifest_run(m->s, &mo);
}

static void run(struct migration *m, enum flow_result *res)
{
	report_plan(m);
	if (!m->o->dry_run)
		execute(m);
	if (cleanup_uploads(m) != 0)
		msg_warn("could not list abandoned multipart uploads");
	*res = report_summary(m);
	if (m->o->manifest && m->o->dry_run)
		msg_info("dry run: no manifest written");
	else if (m->o->manifest && write_manifest(m) != 0 && *res == FLOW_DONE)
		*res = FLOW_FAILED;
}

int migration_run(const struct session *s, const struct migration_opts *o,
		  enum flow_result *res)
{
	struct migration m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.s = s;
	m.o = o;
	plan_init(&m.plan);
	pthread_mutex_init(&m.lock, NULL);
	*res = FLOW_FAILED;
	if ((rc = make_plan(&m)) == 0)
		run(&m, res);
	progress_free(m.progress);
	plan_release(&m.plan);
	free(m.items);
	pthread_mutex_destroy(&m.lock);
	return rc;
}
