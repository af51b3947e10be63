/* deliver: no-clobber upload of a finished archive, then verification. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archivist/deliver.h"
#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/msg.h"
#include "archivist/provenance.h"

const char *deliver_result_name(enum deliver_result r)
{
	switch (r) {
	case DELIVER_CREATED: return "created";
	case DELIVER_IDENTICAL: return "identical";
	case DELIVER_CONFLICT: return "conflict";
	}
	return "?";
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	progress_update(ctx, done, 0);
}

/* The object at the key is this archive in another zstd layout: its
 * record and ours name the same source, settings and tar. */
static int same_content(void *ctx, const struct s3_head *h)
{
	const struct deliver_item *it = ctx;
	struct provenance theirs, ours;
	int same = 0;

	if (provenance_read(&theirs, h->meta, h->nmeta) == 0 &&
	    provenance_read(&ours, it->meta, it->nmeta) == 0)
		same = provenance_same_content(&theirs, &ours);
	if (same)
		msg_verbose("'%s' holds the same archive (tar sha256 %s), in"
			    " zstd layout %s", it->key, theirs.tar_sha256,
			    theirs.zstd_layout ? theirs.zstd_layout : "unrecorded");
	provenance_release(&theirs);
	provenance_release(&ours);
	return same;
}

int deliver_archive(struct s3_client *c, const struct deliver_item *it,
		    enum deliver_result *res)
{
	struct s3_put_opts o = { 0 };
	struct s3_put_result r = { 0 };
	char hex[65];
	int rc;

	o.content_type = "application/zstd";
	o.meta = it->meta;
	o.nmeta = it->nmeta;
	o.sha256 = it->sha256;
	o.if_exists = S3_EXISTS_COMPARE;
	o.if_match = it->if_match;
	o.accept = same_content;
	o.accept_ctx = (void *)(uintptr_t)it;
	o.progress = it->progress ? on_progress : NULL;
	o.progress_ctx = it->progress;
	progress_start(it->progress, "uploading", it->size);
	rc = s3_put_fd(c, it->bucket, it->key, it->fd, it->size, &o, &r);
	progress_clear(it->progress);
	if (rc == AV_ECONFLICT) {
		*res = DELIVER_CONFLICT;
		return 0;
	}
	if (rc)
		return rc;
	*res = r.created ? DELIVER_CREATED : DELIVER_IDENTICAL;
	if (r.accepted)
		return 0;	/* other bytes: its HEAD was just read */
	hex_encode(it->sha256, 32, hex);
	return deliver_verify(c, it->bucket, it->key, it->size, hex);
}

int deliver_verify(struct s3_client *c, const char *bucket, const char *key,
		   uint64_t size, const char *sha256_hex)
{
	struct s3_head h;
	char got[65];
	int rc;

	s3_head_init(&h);
	rc = s3_head(c, bucket, key, &h);
	if (rc)
		goto out;
	if (!h.exists) {
		msg_error("verify 's3://%s/%s': the object is not there after "
			  "its upload (HTTP %d)", bucket, key, h.absent_status);
		rc = AV_ENOTFOUND;
	} else if (h.size != size) {
		msg_error("verify 's3://%s/%s': size %" PRIu64 ", expected %" PRIu64,
			  bucket, key, h.size, size);
		rc = AV_ECHECKSUM;
	} else if (!s3_head_sha256(&h, got) || strcmp(got, sha256_hex) != 0) {
		msg_error("verify 's3://%s/%s': sha256 %s, expected %s", bucket,
			  key, s3_head_sha256(&h, got) ? got : "(none recorded)",
			  sha256_hex);
		rc = AV_ECHECKSUM;
	}
out:
	s3_head_release(&h);
	return rc;
}

int deliver_tmpfile(const char *dir)
{
	char *path = NULL;
	int fd;

	if (!dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (asprintf(&path, "%s/archivist.XXXXXX", dir) < 0)
		return -1;
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	else
		msg_error("cannot create a temporary file in '%s': %s", dir,
			  strerror(errno));
	free(path);
	return fd;
}
