/* audit: classify a bucket's keys, find problems, deep-check (audit.h). */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/audit.h"
#include "archivist/config.h"
#include "archivist/error.h"
#include "archivist/jsonout.h"
#include "archivist/msg.h"
#include "archivist/naming.h"
#include "archivist/provenance.h"
#include "archivist/progress.h"
#include "archivist/s3.h"
#include "verify.h"

struct akey {
	char *key;
	uint64_t size;
	char *etag;
	int is_new;
};

struct audit {
	const struct session *s;
	const struct audit_opts *o;
	const struct config *cfg;	/* the session's */
	struct s3_client *c;		/* the session's */
	struct akey *keys;
	size_t n, cap;
	size_t legacy, retired, stack_files, fresh, elsewhere, unrecognised, ignored;
	size_t problems, checked;
};

static void problem(struct audit *a, const char *kind, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem(struct audit *a, const char *kind, const char *key,
		    const char *fmt, ...)
{
	struct buf d = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&d, fmt, ap);
	va_end(ap);
	a->problems++;
	if (a->s->json)
		jsonout_line(json_pack("{s:s, s:s, s:s, s:s}", "event", "problem",
				       "problem", kind, "key", key, "detail", d.ptr));
	else
		printf("%-14s %s: %s\n", kind, key, d.ptr);
	buf_release(&d);
}

static int on_key(void *ctx, const struct s3_object *o)
{
	struct audit *a = ctx;
	struct akey *k;

	if (a->n == a->cap) {
		size_t ncap = a->cap ? 2 * a->cap : 256;

		if (!(k = realloc(a->keys, ncap * sizeof(*k))))
			return AV_ENOMEM;
		a->keys = k;
		a->cap = ncap;
	}
	k = &a->keys[a->n];
	k->key = strdup(o->key);
	k->etag = strdup(o->etag);
	k->size = o->size;
	k->is_new = 0;
	if (!k->key || !k->etag) {
		free(k->key);
		free(k->etag);
		return AV_ENOMEM;
	}
	a->n++;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct akey *)a)->key, ((const struct akey *)b)->key);
}

static struct akey *find(const struct audit *a, const char *key)
{
	struct akey want = { (char *)(uintptr_t)key, 0, NULL, 0 };

	return a->n ? bsearch(&want, a->keys, a->n, sizeof(*a->keys), key_cmp) : NULL;
}

static int ignored(const struct audit *a, const char *rel)
{
	size_t i;

	for (i = 0; i < a->o->nignore; i++)
		if (fnmatch(a->o->ignore[i], rel, 0) == 0)
			return 1;
	return 0;
}

/* A legacy key: each of its new keys must be there. */
static void check_legacy(struct audit *a, const char *key,
			 const struct naming_legacy *l)
{
	struct buf nk = BUF_INIT;
	size_t i;

	for (i = 0; i < l->n; i++) {
		buf_reset(&nk);
		buf_adds(&nk, a->o->prefix);
		buf_adds(&nk, l->new_keys[i]);
		if (!find(a, nk.ptr))
			problem(a, "not-migrated", key, "no %s (%s %s %s)", nk.ptr,
				l->stack->distro_name, l->stack->distro_version,
				l->arches[i]);
	}
	buf_release(&nk);
}

/* A legacy runtime of an active stack: its new keys must be there. */
static void check_active_legacy(struct audit *a, const struct akey *k,
				const char *rel)
{
	struct naming_legacy nl;

	a->legacy++;
	if (naming_parse_legacy(a->cfg, rel, &nl, NULL) == 0)
		check_legacy(a, k->key, &nl);
	naming_legacy_release(&nl);
}

static void classify(struct audit *a, struct akey *k)
{
	const char *rel = k->key + strlen(a->o->prefix);
	struct naming_class nc;
	struct buf why = BUF_INIT;

	if (ignored(a, rel)) {
		a->ignored++;
		goto out;
	}
	if (naming_classify(a->cfg, rel, &nc, &why) != 0) {
		problem(a, "unreadable", k->key, "out of memory");
		goto out;
	}
	switch (nc.kind) {
	case NAMING_KIND_NEW:
		a->fresh++;
		k->is_new = 1;
		break;
	case NAMING_KIND_LEGACY:
		check_active_legacy(a, k, rel);
		break;
	case NAMING_KIND_LEGACY_RETIRED:	/* kept as it is: not a problem */
		a->retired++;
		msg_verbose("%s: legacy archive of retired stack %s", k->key,
			    nc.stack->name);
		break;
	case NAMING_KIND_STACK_FILE:		/* vendored libraries and such */
		a->stack_files++;
		msg_verbose("%s: not a runtime, in the folder of stack %s", k->key,
			    nc.stack->name);
		break;
	case NAMING_KIND_INVALID:
		a->legacy += nc.legacy_scheme;
		problem(a, nc.legacy_scheme && nc.status == NAMING_UNKNOWN_STACK ?
			"unknown-stack" : "invalid-name", k->key, "%s", why.ptr);
		break;
	case NAMING_KIND_OTHER:
		a->unrecognised++;
		problem(a, "unrecognised", k->key, "matches neither key template "
			"(--ignore GLOB accepts it)");
		break;
	}
out:
	buf_release(&why);
}

/* --deep, content: the recorded source after the recorded transform. */
static int check_source(struct audit *a, const struct akey *k,
			const struct s3_head *h, const struct verify_result *r)
{
	struct pipeline_settings s;
	struct provenance rec;
	const struct akey *sk;
	const char *src;
	char sha[65];
	int match = -1;

	pipeline_settings_init(&s);
	if (provenance_read(&rec, h->meta, h->nmeta) != 0 || !(src = rec.source_key))
		goto out;
	if (!(sk = find(a, src))) {
		msg_verbose("%s: its source '%s' is not in the listing", k->key, src);
		goto out;
	}
	if (rec.source_etag && !strstr(sk->etag, rec.source_etag)) {
		problem(a, "source-changed", k->key, "its source '%s' has ETag %s, "
			"it was made from ETag \"%s\"", src, sk->etag, rec.source_etag);
		goto out;
	}
	if (provenance_settings(&rec, &s) != 0) {
		problem(a, "content", k->key, "records no pyc settings to check against");
		match = 0;
	} else if (verify_source(a->c, a->o->bucket, src, &s, a->o->tmpdir, sha) == 0) {
		match = strcmp(sha, r->tar_sha256) == 0;
		if (!match)
			problem(a, "content", k->key, "its tar (sha256 %s) is not '%s' after "
				"--pyc %s%s (sha256 %s)", r->tar_sha256, src,
				pyc_mode_name(s.pyc), s.keep_opt_pyc ? " --keep-opt-pyc" : "", sha);
	} else {
		problem(a, "content", k->key, "its source '%s' cannot be read", src);
		match = 0;
	}
out:
	provenance_release(&rec);
	return match;
}

static void check_deep(struct audit *a, const struct akey *k,
		       const struct s3_head *h, const char *recorded)
{
	struct verify_result r;
	char win[16];
	int rc, match;

	rc = verify_archive(a->c, a->o->bucket, k->key, &r);
	if (rc == AV_ECHECKSUM) {	/* s3_get checks the recorded sha256 */
		problem(a, "checksum", k->key, "its bytes do not have the sha256 "
			"it records (%s)", recorded);
		return;
	}
	if (rc) {
		problem(a, "bad-archive", k->key, "%s", error_message(rc));
		return;
	}
	a->checked++;
	if (*recorded && strcmp(recorded, r.sha256) != 0)
		problem(a, "checksum", k->key, "sha256 %s, it records %s", r.sha256, recorded);
	progress_human(win, r.window);
	if (!r.frame_ok)
		problem(a, "bad-frame", k->key, "window %s, content checksum %s",
			win, r.has_checksum ? "on" : "off");
	match = check_source(a, k, h, &r);
	if (a->s->json)
		jsonout_line(json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:I, s:o}",
			"event", "checked", "key", k->key, "sha256", r.sha256,
			"size", (json_int_t)r.size, "window", (json_int_t)r.window,
			"content_checksum", r.has_checksum, "entries", (json_int_t)r.entries,
			"source_match", match < 0 ? json_null() : json_boolean(match)));
	else
		printf("%-14s %s: sha256 %s, window %s, %" PRIu64 " entries%s\n",
		       "checked", k->key, r.sha256, win, r.entries,
		       match > 0 ? ", equal to its source after the transform" : "");
}

/* 1 if the object records any of archivist's provenance (provenance.h). */
static int made_by_archivist(const struct s3_head *h)
{
	struct provenance rec;
	int any;

	provenance_read(&rec, h->meta, h->nmeta);
	any = rec.any;
	provenance_release(&rec);
	return any;
}

/* An object made elsewhere (rebuilt and uploaded by other tools): it is
 * present, and not archivist's to judge beyond what --deep reads. */
static void made_elsewhere(struct audit *a, const struct akey *k, const char *sha)
{
	a->elsewhere++;
	if (a->s->json)
		jsonout_line(json_pack("{s:s, s:s, s:s, s:s?}", "event", "present",
				       "key", k->key, "made", "elsewhere",
				       "sha256", *sha ? sha : NULL));
	else
		msg_verbose("%s: present, made elsewhere (no archivist provenance%s)",
			    k->key, *sha ? "" : ", no sha256 recorded");
}

static void check_new(struct audit *a, const struct akey *k)
{
	struct s3_head h;
	char sha[65] = "";
	int ours;

	s3_head_init(&h);
	if (s3_head(a->c, a->o->bucket, k->key, &h) != 0 || !h.exists) {
		problem(a, "unreadable", k->key, "HEAD failed or the object vanished");
	} else {
		ours = made_by_archivist(&h);
		if (!s3_head_sha256(&h, sha))
			sha[0] = '\0';
		if (!ours)
			made_elsewhere(a, k, sha);
		else if (!*sha)
			problem(a, "no-checksum", k->key, "records no sha256 "
				"(x-amz-checksum-sha256 or x-amz-meta-sha256)");
		if (a->o->deep)
			check_deep(a, k, &h, sha);
	}
	s3_head_release(&h);
}

static void summary(const struct audit *a)
{
	if (a->s->json) {
		jsonout_line(json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"event", "summary", "bucket", a->o->bucket, "prefix", a->o->prefix,
			"keys", (json_int_t)a->n, "legacy", (json_int_t)a->legacy,
			"legacy_retired", (json_int_t)a->retired,
			"made_elsewhere", (json_int_t)a->elsewhere,
			"stack_files", (json_int_t)a->stack_files,
			"new", (json_int_t)a->fresh, "unrecognised", (json_int_t)a->unrecognised,
			"ignored", (json_int_t)a->ignored, "checked", (json_int_t)a->checked,
			"problems", (json_int_t)a->problems));
		return;
	}
	printf("audit s3://%s/%s: %zu key(s): %zu legacy, %zu legacy of retired "
	       "stacks, %zu new (%zu made elsewhere), %zu other file(s) in stack "
	       "folders, %zu unrecognised, %zu ignored", a->o->bucket, a->o->prefix,
	       a->n, a->legacy, a->retired, a->fresh, a->elsewhere, a->stack_files,
	       a->unrecognised, a->ignored);
	if (a->o->deep)
		printf("; %zu archive(s) checked in depth", a->checked);
	printf("; %zu problem(s)\n", a->problems);
}

int audit_run(const struct session *s, const struct audit_opts *o,
	      enum flow_result *res)
{
	struct audit a = { 0 };
	struct s3_list_opts lo = { 0 };
	size_t i;
	int rc;

	a.s = s;
	a.o = o;
	a.cfg = s->config;
	a.c = s->client;
	*res = FLOW_FAILED;
	lo.prefix = o->prefix;
	if ((rc = s3_list(a.c, o->bucket, &lo, on_key, &a)) != 0)
		goto out;
	qsort(a.keys, a.n, sizeof(*a.keys), key_cmp);
	for (i = 0; i < a.n; i++)
		classify(&a, &a.keys[i]);
	for (i = 0; i < a.n; i++)
		if (a.keys[i].is_new)
			check_new(&a, &a.keys[i]);
	summary(&a);
	fflush(stdout);
	*res = a.problems ? FLOW_FAILED : FLOW_DONE;
out:
	for (i = 0; i < a.n; i++) {
		free(a.keys[i].key);
		free(a.keys[i].etag);
	}
	free(a.keys);
	return rc;
}
