/* convert: legacy object -> pipeline -> new object (see convert.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "archivist/cli.h"
#include "archivist/convert.h"
#include "archivist/error.h"

#define NMETA 8

static int feed(void *ctx, const void *data, size_t len)
{
	return pipeline_write(ctx, data, len);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	progress_update(ctx, done, 0);
}

int convert_bad_source(int rc)
{
	return rc == AV_ECORRUPT || rc == AV_ETRUNC || rc == AV_EUNSUPP;
}

/* Pass 1: the legacy object, streamed into the pipeline. */
static int download(struct s3_client *c, const struct convert_job *j,
		    struct pipeline *p)
{
	const struct plan_item *it = j->item;
	struct s3_get_opts o = { 0 };
	struct sink in = { feed, p };

	o.if_match = it->legacy_etag[0] ? it->legacy_etag : NULL;
	o.progress = j->progress ? on_progress : NULL;
	o.progress_ctx = j->progress;
	progress_start(j->progress, "downloading", it->legacy_size);
	return s3_get(c, j->src_bucket, it->legacy_key, &o, &in, NULL);
}

/* The metadata that lets a rerun recognise this object (plan.h). */
struct meta_text {
	struct buf key;
	char names[NMETA][32];
	char etag[128], size[24], sha[65], level[12], pyc[24], opt[8], tool[16];
	struct s3_meta m[NMETA];
};

static void set_meta(struct meta_text *t, size_t i, const char *name,
		     char *value)
{
	snprintf(t->names[i], sizeof(t->names[i]), "%s", name);
	t->m[i].name = t->names[i];
	t->m[i].value = value;
}

static int build_meta(struct meta_text *t, const struct convert_job *j,
		      const struct pipeline_stats *st)
{
	const struct plan_item *it = j->item;
	const char *e = it->legacy_etag;
	size_t n = strlen(e);
	int rc;

	if (n >= 2 && e[0] == '"' && e[n - 1] == '"')
		e++, n -= 2;
	snprintf(t->etag, sizeof(t->etag), "%.*s", (int)n, e);
	snprintf(t->size, sizeof(t->size), "%" PRIu64, it->legacy_size);
	snprintf(t->level, sizeof(t->level), "%d", j->settings->level);
	snprintf(t->pyc, sizeof(t->pyc), "%s", pyc_mode_name(j->settings->pyc));
	snprintf(t->opt, sizeof(t->opt), "%s", j->settings->keep_opt_pyc ? "keep" : "drop");
	snprintf(t->tool, sizeof(t->tool), "%s", ARCHIVIST_VERSION);
	s3_sha256_hex(st->in_sha256, t->sha);
	/* keys may hold any byte; metadata must be ASCII: store encoded */
	if ((rc = plan_source_key_encode(it->legacy_key, &t->key)))
		return rc;
	set_meta(t, 0, PLAN_META_SOURCE_KEY, t->key.ptr);
	set_meta(t, 1, PLAN_META_SOURCE_ETAG, t->etag);
	set_meta(t, 2, PLAN_META_SOURCE_SIZE, t->size);
	set_meta(t, 3, PLAN_META_SOURCE_SHA256, t->sha);
	set_meta(t, 4, PLAN_META_PYC, t->pyc);
	set_meta(t, 5, PLAN_META_OPT_PYC, t->opt);
	set_meta(t, 6, PLAN_META_LEVEL, t->level);
	set_meta(t, 7, PLAN_META_TOOL, t->tool);
	return 0;
}

static int upload(struct s3_client *c, const struct convert_job *j, int fd,
		  struct convert_result *res)
{
	struct meta_text t;
	struct deliver_item d = { 0 };
	int rc;

	buf_init(&t.key, 0);
	if ((rc = build_meta(&t, j, &res->st)) == 0) {
		d.bucket = j->dst_bucket;
		d.key = j->item->new_key;
		d.fd = fd;
		d.size = res->st.out_bytes;
		d.sha256 = res->st.sha256;
		d.meta = t.m;
		d.nmeta = NMETA;
		d.progress = j->progress;
		rc = deliver_archive(c, &d, &res->result);
	}
	buf_release(&t.key);
	return rc;
}

int convert_object(struct s3_client *c, const struct convert_job *j,
		   struct convert_result *res)
{
	struct pipeline_opts o;
	struct pipeline *p = NULL;
	struct sink_fd out = { -1, "the temporary archive" };
	struct sink sink = { sink_fd_write, &out };
	int rc;

	memset(res, 0, sizeof(*res));
	pipeline_opts_init(&o);
	o.level = j->settings->level;
	o.pyc = j->settings->pyc;
	o.keep_opt_pyc = j->settings->keep_opt_pyc;
	o.workers = j->workers;
	o.layout = j->split ? PIPELINE_LAYOUT_SPLIT : PIPELINE_LAYOUT_ONE_JOB;
	o.name = j->item->legacy_key;
	o.tmpdir = j->tmpdir;
	o.in_size = j->item->legacy_size;
	o.progress = j->progress;
	if ((rc = pipeline_new(&p, &o)) != 0)
		goto out;
	if ((rc = download(c, j, p)) != 0)
		goto out;
	if ((out.fd = deliver_tmpfile(j->tmpdir)) < 0) {
		rc = AV_EIO;
		goto out;
	}
	if ((rc = pipeline_finish(p, &sink, &res->st)) != 0)
		goto out;
	pipeline_free(p);	/* drop the spool before uploading */
	p = NULL;
	rc = upload(c, j, out.fd, res);
out:
	pipeline_free(p);
	if (out.fd >= 0)
		close(out.fd);
	return rc;
}
