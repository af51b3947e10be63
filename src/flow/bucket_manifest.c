/* bucket_manifest: scan, render, write, upload (see bucket_manifest.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "archivist/atomicfile.h"
#include "archivist/bucket_manifest.h"
#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/jsonout.h"
#include "archivist/manifest.h"
#include "archivist/msg.h"
#include "scan.h"

#define DEFAULT_JOBS 8

/* One run; released once at the end. */
struct mf {
	const struct session *s;
	const struct bucket_manifest_opts *o;
	struct s3_head before;		/* the upload key as first seen */
	struct scan_result scan;
	struct buf text;		/* the manifest */
};

/* Reports the artifacts that keep the manifest from being written. */
static int check_items(const struct mf *r, size_t *kept)
{
	const struct scan_item *it;
	size_t i, failed = 0;

	*kept = 0;
	for (i = 0; i < r->scan.n; i++) {
		it = &r->scan.items[i];
		if (it->state == SCAN_NO_SHA256)
			msg_error("'s3://%s/%s' records no sha256 (x-amz-meta-sha256, or "
				  "x-amz-checksum-sha256 of the FULL_OBJECT type)%s; "
				  "--compute-missing reads and hashes it", r->o->bucket,
				  it->key, r->o->reuse ? " and --reuse has none for its "
				  "key, size and ETag" : ": --reuse FILE takes it from an "
				  "earlier manifest");
		failed += it->state == SCAN_NO_SHA256 || it->state == SCAN_FAILED;
		*kept += it->state == SCAN_OK;
	}
	if (!failed)
		return 0;
	msg_error("manifest: %zu of %zu artifacts failed: nothing written", failed,
		  r->scan.n);
	return AV_EIO;
}

/* The manifest's view of one scanned item (strings borrowed from it). */
static void to_artifact(const struct mf *r, const struct scan_item *it,
			const char **stacks, const char *url,
			struct manifest_artifact *a)
{
	const struct naming_artifact *n = &it->name;
	size_t i;

	for (i = 0; i < n->target.nstacks; i++)
		stacks[i] = n->target.stacks[i]->name;
	memset(a, 0, sizeof(*a));
	a->name = r->s->config->name;
	a->version = n->version;
	a->os = n->target.os;
	a->arch = n->target.arch;
	a->distro_name = n->target.distro_name;
	a->distro_version = n->target.distro_version;
	a->stacks = stacks;
	a->nstacks = n->target.nstacks;
	a->key = it->key;
	a->url = url;
	a->size = (int64_t)it->size;
	a->sha256 = it->sha256;
	a->legacy_key = it->legacy_key;
	a->legacy_size = it->legacy_size;
	a->legacy_sha256 = *it->legacy_sha256 ? it->legacy_sha256 : NULL;
	a->etag = it->etag;
	a->checksum_source = scan_sha_source_name(it->source);
}

/* Renders the scanned artifacts into r->text. */
static int render(struct mf *r, size_t kept)
{
	const struct config *cfg = r->s->config;
	struct manifest m = { cfg, r->o->bucket, r->o->prefix,
			      r->o->base_url ? r->o->base_url : cfg->base_url,
			      r->o->now, NULL, 0, r->o->include_retired };
	struct manifest_artifact *arts = calloc(kept + 1, sizeof(*arts));
	const char **stacks = calloc(kept * CONFIG_MAX_STACKS + 1, sizeof(*stacks));
	char **urls = calloc(kept + 1, sizeof(*urls));
	struct buf url = BUF_INIT, why = BUF_INIT;
	size_t i, k = 0;
	int rc = 0;

	if (!arts || !stacks || !urls)
		rc = AV_ENOMEM;
	for (i = 0; rc == 0 && i < r->scan.n; i++) {
		if (r->scan.items[i].state != SCAN_OK)
			continue;
		if ((rc = manifest_url(m.base_url, r->scan.items[i].key, &url)) == 0 &&
		    !(urls[k] = buf_detach(&url, NULL)))
			rc = AV_ENOMEM;
		if (rc == 0)
			to_artifact(r, &r->scan.items[i], stacks + k * CONFIG_MAX_STACKS,
				    urls[k], &arts[k]);
		k++;
	}
	m.artifacts = arts;
	m.nartifacts = k;
	if (rc == 0)
		rc = r->o->toml ? manifest_toml(&m, &r->text, &why) :
			manifest_json(&m, &r->text, &why);
	if (rc != 0)
		msg_error("manifest: %s", why.len ? why.ptr : error_message(rc));
	for (i = 0; urls && i < k; i++)
		free(urls[i]);
	free(urls);
	free(stacks);
	free(arts);
	buf_release(&url);
	buf_release(&why);
	return rc;
}

static int write_output(const struct mf *r)
{
	const char *out = r->o->output;

	if (out && strcmp(out, "-") != 0)
		return atomic_file_write(out, r->text.ptr, r->text.len);
	if (r->o->upload_key && !out)
		return 0;
	if (fwrite(r->text.ptr, 1, r->text.len, stdout) != r->text.len ||
	    fflush(stdout) != 0) {
		msg_error("manifest: cannot write to stdout: %s", strerror(errno));
		return AV_EIO;
	}
	return 0;
}

/*
 * Stores the manifest at the upload key, replacing only what was there at
 * the start: If-Match on the ETag read then, or If-None-Match: * if it was
 * absent.  Someone else's write in between is a conflict (AV_ECONFLICT).
 */
static int upload(struct mf *r, int *created)
{
	const struct bucket_manifest_opts *o = r->o;
	struct s3_put_opts po = { 0 };
	unsigned char sha[32];
	char ours[65], theirs[65];
	int rc;

	*created = 0;
	EVP_Digest(r->text.ptr, r->text.len, sha, NULL, EVP_sha256(), NULL);
	hex_encode(sha, 32, ours);
	if (r->before.exists && s3_head_sha256(&r->before, theirs) &&
	    strcmp(ours, theirs) == 0) {
		msg_verbose("manifest: 's3://%s/%s' is already this manifest",
			    o->upload_bucket, o->upload_key);
		return 0;
	}
	po.content_type = o->toml ? "application/toml" : "application/json";
	po.if_exists = S3_EXISTS_FAIL;
	po.if_match = r->before.exists ? r->before.etag : NULL;
	rc = s3_put_mem(r->s->client, o->upload_bucket, o->upload_key, r->text.ptr,
			r->text.len, &po, NULL);
	if (rc == AV_EEXIST || rc == AV_ECONFLICT) {
		msg_error("manifest: 's3://%s/%s' changed since it was read (%s): "
			  "left untouched; run again", o->upload_bucket, o->upload_key,
			  r->before.exists ? r->before.etag : "it was absent");
		return AV_ECONFLICT;
	}
	if (rc == 0)
		msg_info("manifest: stored at 's3://%s/%s'", o->upload_bucket,
			 o->upload_key);
	*created = rc == 0;
	return rc;
}

static int report(const struct mf *r, size_t kept, int uploaded)
{
	const struct bucket_manifest_opts *o = r->o;
	size_t n[SCAN_SHA_NSOURCES] = { 0 }, i;
	const struct scan_item *it;

	for (i = 0; i < r->scan.n; i++) {
		it = &r->scan.items[i];
		if (it->state != SCAN_OK)
			continue;
		n[it->source]++;
		msg_verbose("manifest: %s: sha256 %.12s... from %s", it->key, it->sha256,
			    scan_sha_source_name(it->source));
	}
	msg_verbose("manifest: 's3://%s/%s': %zu keys listed, %zu artifacts (sha256 "
		    "from metadata %zu, x-amz-checksum-sha256 %zu, reused %zu, computed "
		    "%zu), %zu legacy, %zu invalid, %zu other, %zu filtered out, %zu of "
		    "retired stacks left out", o->bucket, o->prefix, r->scan.listed, kept,
		    n[SCAN_SHA_METADATA], n[SCAN_SHA_CHECKSUM], n[SCAN_SHA_REUSED],
		    n[SCAN_SHA_COMPUTED], r->scan.legacy, r->scan.invalid,
		    r->scan.ignored, r->scan.filtered, r->scan.retired);
	if (!r->s->json || (!o->output && !o->upload_key))
		return 0;
	return jsonout_line(json_pack("{s:s, s:s, s:I, s:I, s:{s:I, s:I, s:I, s:I}, "
				      "s:I, s:s?, s:s?, s:b}",
				      "bucket", o->bucket, "prefix", o->prefix,
				      "artifacts", (json_int_t)kept,
				      "hashed", (json_int_t)n[SCAN_SHA_COMPUTED],
				      "checksum_sources",
				      "metadata", (json_int_t)n[SCAN_SHA_METADATA],
				      "x-amz-checksum-sha256", (json_int_t)n[SCAN_SHA_CHECKSUM],
				      "reused", (json_int_t)n[SCAN_SHA_REUSED],
				      "computed", (json_int_t)n[SCAN_SHA_COMPUTED],
				      "retired_left_out", (json_int_t)r->scan.retired,
				      "output", o->output, "upload", o->upload,
				      "uploaded", uploaded));
}

static int run(struct mf *r)
{
	const struct bucket_manifest_opts *o = r->o;
	struct scan_opts so = { o->bucket, o->prefix, o->version_glob,
				o->jobs > 0 ? o->jobs : DEFAULT_JOBS,
				o->compute_missing, o->include_retired, o->reuse,
				o->final_only };
	size_t kept;
	int rc, uploaded = 0;

	if (o->upload_key &&
	    (rc = s3_head(r->s->client, o->upload_bucket, o->upload_key, &r->before)) != 0)
		return rc;
	if ((rc = scan_run(r->s->client, r->s->config, &so, &r->scan)) != 0 ||
	    (rc = check_items(r, &kept)) != 0 || (rc = render(r, kept)) != 0 ||
	    (rc = write_output(r)) != 0)
		return rc;
	if (o->upload_key && (rc = upload(r, &uploaded)) != 0)
		return rc;
	return report(r, kept, uploaded);
}

int bucket_manifest_run(const struct session *s,
			const struct bucket_manifest_opts *o)
{
	struct mf r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.o = o;
	s3_head_init(&r.before);
	buf_init(&r.text, 0);
	rc = run(&r);
	s3_head_release(&r.before);
	scan_result_release(&r.scan);
	buf_release(&r.text);
	return rc;
}
