/* provenance: write, read and compare how an object was made (see
 * provenance.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/provenance.h"
#include "archivist/release.h"
#include "archivist/uri.h"

/* The ETag without its quotes, in a caller buffer of n bytes. */
static const char *unquote(const char *etag, char *out, size_t n)
{
	size_t len = strlen(etag);

	if (len >= 2 && etag[0] == '"' && etag[len - 1] == '"') {
		etag++;
		len -= 2;
	}
	if (len >= n)
		len = n - 1;
	memcpy(out, etag, len);
	out[len] = '\0';
	return out;
}

static void add(struct provenance_meta *pm, const char *name, char *value)
{
	snprintf(pm->names[pm->n], sizeof(pm->names[pm->n]), "%s", name);
	pm->m[pm->n].name = pm->names[pm->n];
	pm->m[pm->n].value = value;
	pm->n++;
}

/* The settings as recorded: "as-is" for all three without settings. */
static void settings_text(struct provenance_meta *pm,
			  const struct pipeline_settings *set)
{
	if (!set) {
		strcpy(pm->pyc, "as-is");
		strcpy(pm->opt, "as-is");
		strcpy(pm->level, "as-is");
		return;
	}
	snprintf(pm->pyc, sizeof(pm->pyc), "%s", pyc_mode_name(set->pyc));
	snprintf(pm->opt, sizeof(pm->opt), "%s", set->keep_opt_pyc ? "keep" : "drop");
	snprintf(pm->level, sizeof(pm->level), "%d", set->level);
}

/* Keys and file names may hold any byte; metadata must be ASCII: both
 * are stored URI-encoded (a key keeps its '/'). */
static int source_text(struct provenance_meta *pm,
		       const struct provenance_source *src)
{
	const char *base;
	int rc;

	if (src->file) {
		base = strrchr(src->file, '/');
		base = base ? base + 1 : src->file;
		if ((rc = uri_encode(&pm->file, base, strlen(base), 0)))
			return rc;
		add(pm, PROV_SOURCE_FILE, pm->file.ptr);
	}
	if (src->key) {
		if ((rc = uri_encode(&pm->key, src->key, strlen(src->key), 1)))
			return rc;
		unquote(src->etag ? src->etag : "", pm->etag, sizeof(pm->etag));
		snprintf(pm->size, sizeof(pm->size), "%" PRIu64, src->size);
		add(pm, PROV_SOURCE_KEY, pm->key.ptr);
		add(pm, PROV_SOURCE_ETAG, pm->etag);
		add(pm, PROV_SOURCE_SIZE, pm->size);
	}
	if (src->sha256) {
		snprintf(pm->sha, sizeof(pm->sha), "%s", src->sha256);
		add(pm, PROV_SOURCE_SHA256, pm->sha);
	}
	return 0;
}

/* The tar's sha256 and the frame's layout. */
static void made_text(struct provenance_meta *pm,
		      const struct provenance_made *made)
{
	if (made->tar_sha256) {
		snprintf(pm->tar_sha, sizeof(pm->tar_sha), "%s", made->tar_sha256);
		add(pm, PROV_TAR_SHA256, pm->tar_sha);
	}
	if (!made->level)
		return;
	if (made->cut)
		snprintf(pm->layout, sizeof(pm->layout), "jobs=%u cut=%" PRIu64,
			 made->jobs, made->cut);
	else
		snprintf(pm->layout, sizeof(pm->layout), "jobs=%u", made->jobs);
	add(pm, PROV_ZSTD_LAYOUT, pm->layout);
}

int provenance_meta_build(struct provenance_meta *pm,
			  const struct provenance_source *src,
			  const struct pipeline_settings *set,
			  const struct provenance_made *made)
{
	static char tool[] = ARCHIVIST_VERSION;
	int rc;

	memset(pm, 0, sizeof(*pm));
	buf_init(&pm->key, 0);
	buf_init(&pm->file, 0);
	if ((rc = source_text(pm, src)) != 0)
		return rc;
	settings_text(pm, set);
	add(pm, PROV_PYC, pm->pyc);
	add(pm, PROV_OPT_PYC, pm->opt);
	add(pm, PROV_LEVEL, pm->level);
	add(pm, PROV_TOOL, tool);
	if (made)
		made_text(pm, made);
	return 0;
}

void provenance_meta_release(struct provenance_meta *pm)
{
	buf_release(&pm->key);
	buf_release(&pm->file);
	pm->n = 0;
}

/* The value of name among meta[0..n), or NULL; counts a hit in *any. */
static const char *find(const struct s3_meta *meta, size_t n, const char *name,
			int *any)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(meta[i].name, name) == 0) {
			*any = 1;
			return meta[i].value;
		}
	return NULL;
}

int provenance_read(struct provenance *p, const struct s3_meta *meta, size_t n)
{
	const char *raw;

	memset(p, 0, sizeof(*p));
	buf_init(&p->key, 0);
	p->source_key_raw = raw = find(meta, n, PROV_SOURCE_KEY, &p->any);
	p->source_etag = find(meta, n, PROV_SOURCE_ETAG, &p->any);
	p->source_size = find(meta, n, PROV_SOURCE_SIZE, &p->any);
	p->source_sha256 = find(meta, n, PROV_SOURCE_SHA256, &p->any);
	p->source_file = find(meta, n, PROV_SOURCE_FILE, &p->any);
	p->pyc = find(meta, n, PROV_PYC, &p->any);
	p->opt_pyc = find(meta, n, PROV_OPT_PYC, &p->any);
	p->level = find(meta, n, PROV_LEVEL, &p->any);
	p->tool = find(meta, n, PROV_TOOL, &p->any);
	p->tar_sha256 = find(meta, n, PROV_TAR_SHA256, &p->any);
	p->zstd_layout = find(meta, n, PROV_ZSTD_LAYOUT, &p->any);
	if (!raw)
		return 0;
	switch (uri_decode(&p->key, raw, strlen(raw))) {
	case 0:
		p->source_key = p->key.ptr;
		return 0;
	case AV_ENOMEM:
	case AV_ETOOBIG:
		return AV_ENOMEM;
	default:
		return AV_EINVAL;
	}
}

void provenance_release(struct provenance *p)
{
	buf_release(&p->key);
	p->source_key = NULL;
}

/* The first of n recorded values that differs from want, as a reason in
 * why; 0 when all agree.  A recorded ETag is compared without quotes. */
static int differs(const char *const *names, const char *const *got_raw,
		   const char *const *want, size_t n, struct buf *why)
{
	char rec_etag[128];
	const char *got;
	size_t i;

	for (i = 0; i < n; i++) {
		got = got_raw[i];
		if (got && !strcmp(names[i], PROV_SOURCE_ETAG))
			got = unquote(got, rec_etag, sizeof(rec_etag));
		if (got && strcmp(got, want[i]) == 0)
			continue;
		return buf_addf(why, "its recorded %s is '%s', this run makes '%s'",
				names[i], got ? got : "(none)", want[i]) ? -1 : 1;
	}
	return 0;
}

int provenance_settings_differ(const struct provenance *rec,
			       const struct pipeline_settings *set,
			       struct buf *why)
{
	static const char *const names[3] = { PROV_PYC, PROV_OPT_PYC, PROV_LEVEL };
	const char *got[3] = { rec->pyc, rec->opt_pyc, rec->level };
	const char *want[3];
	char level[16];

	snprintf(level, sizeof(level), "%d", set->level);
	want[0] = pyc_mode_name(set->pyc);
	want[1] = set->keep_opt_pyc ? "keep" : "drop";
	want[2] = level;
	return differs(names, got, want, 3, why);
}

/* The legacy source: key, then ETag and size. */
static int source_differs(const struct provenance *rec,
			  const struct provenance_source *src, struct buf *why)
{
	static const char *const names[2] = { PROV_SOURCE_ETAG, PROV_SOURCE_SIZE };
	const char *got[2] = { rec->source_etag, rec->source_size };
	const char *want[2];
	char size[24], etag[128];

	if (!rec->source_key)
		return buf_adds(why, "exists and records no migration source "
				"(published, not migrated)") ? -1 : 1;
	if (strcmp(rec->source_key, src->key) != 0)
		return buf_addf(why, "exists, made from '%s'", rec->source_key) ? -1 : 1;
	snprintf(size, sizeof(size), "%" PRIu64, src->size);
	want[0] = unquote(src->etag ? src->etag : "", etag, sizeof(etag));
	want[1] = size;
	return differs(names, got, want, 2, why);
}

int provenance_compare(const struct provenance *rec,
		       const struct provenance_source *src,
		       const struct pipeline_settings *set, struct buf *why)
{
	static const char *const sha_name[1] = { PROV_SOURCE_SHA256 };
	int d = 0;

	if (!rec->any) {
		if (src->key)
			d = source_differs(rec, src, why);
		else
			d = buf_adds(why, "records no archivist provenance") ? -1 : 1;
		return d < 0 ? -1 : PROV_NONE;
	}
	if (src->key)
		d = source_differs(rec, src, why);
	if (!d && src->sha256)
		d = differs(sha_name, &rec->source_sha256, &src->sha256, 1, why);
	if (!d)
		d = provenance_settings_differ(rec, set, why);
	return d < 0 ? -1 : d ? PROV_OTHER : PROV_SAME;
}

static int same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int provenance_same_content(const struct provenance *a,
			    const struct provenance *b)
{
	return same(a->source_sha256, b->source_sha256) &&
	       same(a->pyc, b->pyc) && same(a->opt_pyc, b->opt_pyc) &&
	       same(a->level, b->level) && same(a->tar_sha256, b->tar_sha256);
}

int provenance_settings(const struct provenance *rec,
			struct pipeline_settings *set)
{
	if (!rec->pyc || !rec->opt_pyc || pyc_mode_parse(rec->pyc, &set->pyc) != 0)
		return -1;
	set->keep_opt_pyc = strcmp(rec->opt_pyc, "keep") == 0;
	return 0;
}

int provenance_source_size(const struct provenance *rec, uint64_t *size)
{
	const char *s = rec->source_size;
	unsigned long long v;
	char *end;

	if (!s)
		return 1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > INT64_MAX)
		return AV_EINVAL;
	*size = (uint64_t)v;
	return 0;
}
