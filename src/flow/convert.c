/* convert: legacy object -> pipeline -> new object (see convert.h). */
#include <string.h>
#include <unistd.h>

#include "convert.h"
#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/provenance.h"

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

/* Uploads the made archive with the record of how it was made, so that a
 * rerun recognises it (provenance.h). */
static int upload(struct s3_client *c, const struct convert_job *j, int fd,
		  struct convert_result *res)
{
	const struct plan_item *it = j->item;
	struct provenance_source src = { it->legacy_key, it->legacy_etag,
					 it->legacy_size, NULL, NULL };
	struct provenance_made made = { res->st.tar_sha256_hex, res->st.level,
					res->st.jobs, res->st.cut };
	struct provenance_meta pm;
	struct deliver_item d = { 0 };
	char sha[65];
	int rc;

	hex_encode(res->st.in_sha256, 32, sha);
	src.sha256 = sha;
	if ((rc = provenance_meta_build(&pm, &src, j->settings, &made)) == 0) {
		d.bucket = j->dst_bucket;
		d.key = it->new_key;
		d.fd = fd;
		d.size = res->st.out_bytes;
		d.sha256 = res->st.sha256;
		d.meta = pm.m;
		d.nmeta = pm.n;
		d.progress = j->progress;
		rc = deliver_archive(c, &d, &res->result);
	}
	provenance_meta_release(&pm);
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
	o.set = *j->settings;
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
