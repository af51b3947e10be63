/* scan: list a prefix, keep the new-scheme artifacts, HEAD each one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/msg.h"
#include "archivist/provenance.h"
#include "scan.h"
#include "archivist/version.h"
#include "archivist/workers.h"

struct lister {
	const struct config *cfg;
	const struct scan_opts *o;
	struct scan_result *r;
	size_t cap;
};

static int add_item(struct lister *l, const char *key, struct naming_artifact *a)
{
	struct scan_item *it;

	if (l->r->n == l->cap) {
		size_t ncap = l->cap ? 2 * l->cap : 64;

		if (!(it = realloc(l->r->items, ncap * sizeof(*it))))
			return AV_ENOMEM;
		l->r->items = it;
		l->cap = ncap;
	}
	it = &l->r->items[l->r->n];
	memset(it, 0, sizeof(*it));
	if (!(it->key = strdup(key)))
		return AV_ENOMEM;
	it->name = *a;			/* ownership moves to the item */
	memset(a, 0, sizeof(*a));
	it->legacy_size = -1;
	l->r->n++;
	return 0;
}

/* One listed key: keep it, count it, or warn about it. */
static int on_object(void *ctx, const struct s3_object *obj)
{
	struct lister *l = ctx;
	const char *rel = obj->key + strlen(l->o->prefix);
	struct naming_artifact a;
	struct naming_legacy leg;
	struct buf why = BUF_INIT;
	int rc = 0;

	l->r->listed++;
	if (naming_parse_new(l->cfg, rel, &a, &why) == 0) {
		if ((l->o->version_glob && !version_glob_match(l->o->version_glob, a.version)) ||
		    (l->o->final_only && !version_is_final(a.version)))
			l->r->filtered++;
		else if (!l->o->include_retired && config_target_retired(&a.target))
			l->r->retired++;
		else
			rc = add_item(l, obj->key, &a);
	} else if (a.status != NAMING_UNRECOGNISED) {
		l->r->invalid++;
		msg_warn("skipping 's3://%s/%s': %s", l->o->bucket, obj->key, why.ptr);
	} else if (naming_parse_legacy(l->cfg, rel, &leg, NULL) == 0 ||
		   leg.status != NAMING_UNRECOGNISED) {
		l->r->legacy++;
		naming_legacy_release(&leg);
	} else {
		l->r->ignored++;
		msg_debug("ignoring 's3://%s/%s': not a runtime key", l->o->bucket, obj->key);
	}
	naming_artifact_release(&a);
	buf_release(&why);
	return rc;
}

/* The legacy source the object records (migrate writes it), if any. */
static int read_source(const struct scan_opts *o, struct scan_item *it,
		       const struct s3_head *h)
{
	struct provenance rec;
	uint64_t size;
	int rc = provenance_read(&rec, h->meta, h->nmeta);

	if (rc == AV_EINVAL)
		msg_warn("'s3://%s/%s': ignoring x-amz-meta-%s '%s' (not URI-encoded)",
			 o->bucket, it->key, PROV_SOURCE_KEY, rec.source_key_raw);
	if (rc || !rec.source_key || !*rec.source_key)
		goto out;
	if (!(it->legacy_key = strdup(rec.source_key))) {
		rc = AV_ENOMEM;
		goto out;
	}
	if (provenance_source_size(&rec, &size) == 0)
		it->legacy_size = (int64_t)size;
	else if (rec.source_size)
		msg_warn("'s3://%s/%s': ignoring x-amz-meta-%s '%s' (not a size)",
			 o->bucket, it->key, PROV_SOURCE_SIZE, rec.source_size);
	if (rec.source_sha256 && hex_is(rec.source_sha256, 64, 0))
		memcpy(it->legacy_sha256, rec.source_sha256, 65);
	else if (rec.source_sha256)
		msg_warn("'s3://%s/%s': ignoring x-amz-meta-%s '%s' (not a sha256)",
			 o->bucket, it->key, PROV_SOURCE_SHA256, rec.source_sha256);
out:
	provenance_release(&rec);
	return rc == AV_ENOMEM ? rc : 0;
}

/* Reads the object and hashes it; the ETag pins the version HEAD saw. */
static int compute_sha(struct s3_client *c, const struct scan_opts *o,
		       struct scan_item *it)
{
	int rc;

	msg_verbose("'s3://%s/%s' records no sha256: reading it", o->bucket, it->key);
	if ((rc = s3_get_sha256(c, o->bucket, it->key, it->etag, it->sha256)) == 0)
		it->source = SCAN_SHA_COMPUTED;
	return rc;
}

const char *scan_sha_source_name(enum scan_sha_source s)
{
	switch (s) {
	case SCAN_SHA_NONE: return "none";
	case SCAN_SHA_METADATA: return "metadata";
	case SCAN_SHA_CHECKSUM: return "x-amz-checksum-sha256";
	case SCAN_SHA_REUSED: return "reused";
	case SCAN_SHA_COMPUTED: return "computed";
	case SCAN_SHA_NSOURCES: break;
	}
	return "?";
}

/* The sha256 from what HEAD says, else the earlier manifest: 1 if known. */
static int sha_known(const struct scan_opts *o, struct scan_item *it,
		     const struct s3_head *h)
{
	const char *reused;

	switch (s3_head_sha256_from(h, it->sha256)) {
	case S3_SHA256_META:
		it->source = SCAN_SHA_METADATA;
		return 1;
	case S3_SHA256_CHECKSUM:
		it->source = SCAN_SHA_CHECKSUM;
		return 1;
	case S3_SHA256_NONE:
		break;
	}
	if (!(reused = manifest_reuse_find(o->reuse, it->key, it->size, it->etag)))
		return 0;
	memcpy(it->sha256, reused, 65);
	it->source = SCAN_SHA_REUSED;
	return 1;
}

/* HEAD (and maybe GET) one artifact; the outcome goes in it->state. */
static void inspect(struct s3_client *c, const struct scan_opts *o,
		    struct scan_item *it)
{
	struct s3_head h;
	int rc;

	s3_head_init(&h);
	it->state = SCAN_FAILED;
	if (s3_head(c, o->bucket, it->key, &h) != 0)
		goto out;
	if (!h.exists) {
		msg_warn("'s3://%s/%s' is gone (HEAD: %d) since it was listed: left out",
			 o->bucket, it->key, h.absent_status);
		it->state = SCAN_GONE;
		goto out;
	}
	it->size = h.size;
	if (!(it->etag = strdup(h.etag)) || read_source(o, it, &h) != 0) {
		msg_error("'s3://%s/%s': out of memory", o->bucket, it->key);
		goto out;
	}
	if (sha_known(o, it, &h))
		it->state = SCAN_OK;
	else if (!o->compute_missing)
		it->state = SCAN_NO_SHA256;
	else if ((rc = compute_sha(c, o, it)) == 0)
		it->state = SCAN_OK;
	else if (rc == AV_ENOMEM || rc == AV_ECRYPTO)
		msg_error("'s3://%s/%s': cannot hash: %s", o->bucket, it->key,
			  error_message(rc));
out:
	s3_head_release(&h);
}

struct inspect_ctx {
	struct s3_client *c;
	const struct scan_opts *o;
	struct scan_result *r;
};

static void inspect_one(void *ctx, size_t i)
{
	struct inspect_ctx *x = ctx;

	inspect(x->c, x->o, &x->r->items[i]);
}

int scan_run(struct s3_client *c, const struct config *cfg,
	     const struct scan_opts *o, struct scan_result *out)
{
	struct s3_list_opts lo = { o->prefix, NULL, 0, NULL };
	struct lister l = { cfg, o, out, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = s3_list(c, o->bucket, &lo, on_object, &l)) != 0) {
		if (rc == AV_ENOMEM)
			msg_error("listing 's3://%s/%s': out of memory", o->bucket, o->prefix);
		return rc;
	}
	workers_run(out->n, o->jobs, inspect_one, &(struct inspect_ctx){ c, o, out });
	return 0;
}

void scan_result_release(struct scan_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->items[i].key);
		free(r->items[i].etag);
		free(r->items[i].legacy_key);
		naming_artifact_release(&r->items[i].name);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}
