/* pipeline: detect, decode, spool and index; then rewrite, compress, hash
 * (see pipeline.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archivist/error.h"
#include "gzip.h"
#include "archivist/hex.h"
#include "archivist/msg.h"
#include "archivist/pipeline.h"
#include "archivist/tar.h"
#include "archivist/zstd.h"

#define SPOOL_BUF ((size_t)1 << 20)
/* Each busy worker holds a level-22 context (~780 MiB): two stay under
 * the 2 GB budget, and a 180 MB runtime tar makes at most two jobs. */
#define MAX_AUTO_WORKERS 2

enum pstate { P_DETECT, P_RUN, P_FAILED, P_DONE };

struct pipeline {
	struct pipeline_opts o;
	const char *name;
	enum pstate st;
	unsigned char head[4];	/* the first bytes, until the format is known */
	size_t headn;
	enum pipeline_format format;
	struct gzip *gz;
	struct zstd_dec *zd;
	struct tar_reader *tr;
	struct tar_index *ix;
	struct tar_end end;
	char *tmpdir;
	int fd;			/* the spool: unlinked temporary file */
	unsigned char *sbuf;	/* spool write buffer */
	size_t slen;
	uint64_t spooled;
	uint64_t in_bytes;
	EVP_MD_CTX *in_md, *out_md, *tar_md;	/* input, output, the tar */
	/* pass 2 */
	struct zstd_enc *enc;
	const struct sink *out;
	uint64_t out_bytes;
};

void pipeline_settings_init(struct pipeline_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->level = ZSTD_ENC_LEVEL_DEFAULT;
	s->pyc = PYC_UNCHECKED_HASH;
}

void pipeline_opts_init(struct pipeline_opts *o)
{
	memset(o, 0, sizeof(*o));
	pipeline_settings_init(&o->set);
}

const char *pipeline_format_name(enum pipeline_format f)
{
	return f == PIPELINE_GZIP ? "gzip" : f == PIPELINE_ZSTD ? "zstd" : "tar";
}

static int fail(struct pipeline *p, int rc)
{
	p->st = P_FAILED;
	return rc;
}

static int spool_flush(struct pipeline *p)
{
	unsigned char *q = p->sbuf;
	ssize_t k;

	while (p->slen > 0) {
		k = write(p->fd, q, p->slen);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			msg_error("%s: cannot write the temporary tar in '%s': %s",
				  p->name, p->tmpdir,
				  k < 0 ? strerror(errno) : "no progress");
			return AV_EIO;
		}
		q += k;
		p->slen -= (size_t)k;
	}
	return 0;
}

/* The decoded tar: to the spool and through the reader. */
static int tar_write(void *ctx, const void *data, size_t len)
{
	struct pipeline *p = ctx;
	const unsigned char *d = data;
	size_t k, left = len;
	int rc;

	if ((rc = tar_reader_write(p->tr, data, len)) != 0)
		return rc;
	while (left > 0) {
		if (p->slen == SPOOL_BUF && (rc = spool_flush(p)) != 0)
			return rc;
		k = SPOOL_BUF - p->slen < left ? SPOOL_BUF - p->slen : left;
		memcpy(p->sbuf + p->slen, d, k);
		p->slen += k;
		d += k;
		left -= k;
	}
	p->spooled += len;
	return 0;
}

static int index_entry(void *ctx, const struct tar_entry *e)
{
	return tar_index_add(ctx, e);
}

static int open_spool(struct pipeline *p)
{
	const char *env = getenv("TMPDIR");
	char *path = NULL;

	p->tmpdir = strdup(p->o.tmpdir ? p->o.tmpdir :
			   env && *env ? env : "/tmp");
	if (!p->tmpdir)
		return AV_ENOMEM;
	p->fd = open(p->tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (p->fd < 0 && asprintf(&path, "%s/archivist-spool-XXXXXX",
				  p->tmpdir) > 0) {
		p->fd = mkostemp(path, O_CLOEXEC);	/* no O_TMPFILE here */
		if (p->fd >= 0)
			unlink(path);
	}
	free(path);
	if (p->fd < 0) {
		msg_error("cannot create a temporary file in '%s': %s",
			  p->tmpdir, strerror(errno));
		return AV_EIO;
	}
	return 0;
}

int pipeline_new(struct pipeline **out, const struct pipeline_opts *o)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	int rc = AV_ENOMEM;

	*out = NULL;
	if (!p)
		goto nomem;
	p->fd = -1;
	p->o = *o;
	p->name = o->name ? o->name : "input";
	if (o->set.level < 0 || o->set.level > 22) {
		msg_error("zstd level must be 1..22 (or 0: no compression),"
			  " not %d", o->set.level);
		rc = AV_EINVAL;
		goto out;
	}
	if (!(p->sbuf = malloc(SPOOL_BUF)) || !(p->ix = tar_index_new()) ||
	    !(p->tr = tar_reader_new(p->name, index_entry, p->ix)) ||
	    !(p->in_md = EVP_MD_CTX_new()) || !(p->out_md = EVP_MD_CTX_new()) ||
	    !(p->tar_md = EVP_MD_CTX_new()) ||
	    !EVP_DigestInit_ex(p->in_md, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(p->out_md, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(p->tar_md, EVP_sha256(), NULL))
		goto nomem;
	if ((rc = open_spool(p)) != 0)
		goto out;
	progress_start(o->progress, "reading", o->in_size);
	*out = p;
	return 0;
nomem:
	msg_error("out of memory starting the archive pipeline");
out:
	pipeline_free(p);
	return rc;
}

/* Picks the decoder from the first bytes. */
static int detect(struct pipeline *p)
{
	const unsigned char *h = p->head;
	size_t n = p->headn;

	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) {
		p->format = PIPELINE_GZIP;
		return (p->gz = gzip_new(p->name)) ? 0 : AV_ENOMEM;
	}
	if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0) {
		p->format = PIPELINE_ZSTD;
		return (p->zd = zstd_dec_new(p->name)) ? 0 : AV_ENOMEM;
	}
	if ((n >= 4 && memcmp(h, "\xfd" "7zX", 4) == 0) ||
	    (n >= 3 && memcmp(h, "BZh", 3) == 0) ||
	    (n >= 4 && memcmp(h, "\x04\x22\x4d\x18", 4) == 0)) {
		msg_error("%s: %s input is not supported (.tar, .tar.gz or"
			  " .tar.zst only)", p->name, h[0] == 0xfd ? "xz" :
			  h[0] == 'B' ? "bzip2" : "lz4");
		return AV_EUNSUPP;
	}
	p->format = PIPELINE_TAR;
	return 0;
}

static int feed(struct pipeline *p, const void *data, size_t len)
{
	struct sink s = { tar_write, p };

	switch (p->format) {
	case PIPELINE_GZIP:
		return gzip_write(p->gz, data, len, &s);
	case PIPELINE_ZSTD:
		return zstd_dec_write(p->zd, data, len, &s);
	default:
		return tar_write(p, data, len);
	}
}

/* Collects the first bytes; feeds them once the format is known. */
static int start(struct pipeline *p, const unsigned char **d, size_t *len)
{
	size_t k = sizeof(p->head) - p->headn;
	int rc;

	if (k > *len)
		k = *len;
	memcpy(p->head + p->headn, *d, k);
	p->headn += k;
	*d += k;
	*len -= k;
	if (p->headn < sizeof(p->head))
		return 0;
	if ((rc = detect(p)) != 0)
		return rc;
	p->st = P_RUN;
	return feed(p, p->head, p->headn);
}

int pipeline_write(struct pipeline *p, const void *data, size_t len)
{
	const unsigned char *d = data;
	int rc = 0;

	if (p->st == P_FAILED || p->st == P_DONE)
		return AV_EINVAL;
	p->in_bytes += len;
	if (!EVP_DigestUpdate(p->in_md, data, len))
		return fail(p, AV_ECRYPTO);
	if (p->st == P_DETECT)
		rc = start(p, &d, &len);
	if (rc == 0 && len > 0 && p->st == P_RUN)
		rc = feed(p, d, len);
	progress_update(p->o.progress, p->in_bytes, p->spooled);
	return rc ? fail(p, rc) : 0;
}

/* Ends pass 1: the whole input decoded, the tar read and spooled. */
static int end_input(struct pipeline *p)
{
	int rc = 0;

	if (p->st == P_DETECT) {
		if (p->headn == 0) {
			msg_error("%s: empty input, not an archive", p->name);
			return AV_ETRUNC;
		}
		if ((rc = detect(p)) != 0 ||
		    (rc = feed(p, p->head, p->headn)) != 0)
			return rc;
	}
	if (p->gz)
		rc = gzip_finish(p->gz);
	else if (p->zd)
		rc = zstd_dec_finish(p->zd);
	if (rc == 0)
		rc = tar_reader_finish(p->tr, &p->end);
	if (rc == 0)
		rc = spool_flush(p);
	progress_update(p->o.progress, p->in_bytes, p->spooled);
	return rc;
}

/* The zstd output: hashed, counted, passed on. */
static int out_write(void *ctx, const void *data, size_t len)
{
	struct pipeline *p = ctx;

	if (!EVP_DigestUpdate(p->out_md, data, len))
		return AV_ECRYPTO;
	p->out_bytes += len;
	/* level 0 has no encoder: the tar itself is the output */
	progress_update(p->o.progress, p->enc ? zstd_enc_consumed(p->enc) :
			p->out_bytes, p->out_bytes);
	return sink_write(p->out, data, len);
}

/* The rewritten tar: hashed, then into the encoder (or, level 0, out). */
static int enc_write(void *ctx, const void *data, size_t len)
{
	struct pipeline *p = ctx;
	struct sink s = { out_write, p };
	int rc;

	if (!EVP_DigestUpdate(p->tar_md, data, len))
		return AV_ECRYPTO;
	if (!p->enc)
		return out_write(p, data, len);
	rc = zstd_enc_write(p->enc, data, len, &s);

	progress_update(p->o.progress, zstd_enc_consumed(p->enc),
			p->out_bytes);
	return rc;
}

static int workers(const struct pipeline *p)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (p->o.workers > 0)
		return p->o.workers;
	return n < 1 ? 1 : n > MAX_AUTO_WORKERS ? MAX_AUTO_WORKERS : (int)n;
}

static int hex_digest(const unsigned char d[32], char out[65])
{
	hex_encode(d, 32, out);
	return 0;
}

/* The frame's layout: one job of up to 512 MiB, or jobs of 128 MiB
 * with the two-job cut of a 64-204 MiB tar (zstd.h). */
static void choose_layout(const struct pipeline *p, struct zstd_enc_opts *zo)
{
	enum pipeline_layout l = p->o.layout;

	if (l == PIPELINE_LAYOUT_ONE_JOB ||
	    (l == PIPELINE_LAYOUT_AUTO && workers(p) < 2)) {
		zo->job_size = ZSTD_ENC_ONE_JOB_SIZE;
		zo->cut = 0;
	} else {
		zo->job_size = ZSTD_ENC_JOB_SIZE;
		zo->cut = zstd_enc_cut(zo->content_size, ZSTD_ENC_JOB_SIZE);
	}
}

/* Pass 2 into the encoder, or (level 0) straight to the output. */
static int encode(struct pipeline *p, struct rewrite *rw, uint64_t size,
		  struct pipeline_stats *st)
{
	struct zstd_enc_opts zo = { p->o.set.level, workers(p), size, 0, 0 };
	struct sink in = { enc_write, p }, out = { out_write, p };
	int rc;

	if (p->o.set.level) {
		choose_layout(p, &zo);
		st->cut = zo.cut;
		st->jobs = zstd_enc_jobs(&zo);
	}

	progress_start(p->o.progress, p->o.set.level ? "compressing" : "writing",
		       size);
	if (p->o.set.level == 0)
		return rewrite_run(rw, &in);
	if ((rc = zstd_enc_new(&p->enc, &zo, p->name)) != 0 ||
	    (rc = rewrite_run(rw, &in)) != 0)
		return rc;
	return zstd_enc_finish(p->enc, &out);
}

/* Pass 2 with the plan made. */
static int compress(struct pipeline *p, struct rewrite *rw,
		    struct pipeline_stats *st)
{
	unsigned int n = 0;
	int rc;

	if ((rc = encode(p, rw, st->rw.tar_out, st)) != 0)
		return rc;
	progress_update(p->o.progress, st->rw.tar_out, p->out_bytes);
	if (!EVP_DigestFinal_ex(p->out_md, st->sha256, &n) ||
	    !EVP_DigestFinal_ex(p->in_md, st->in_sha256, &n) ||
	    !EVP_DigestFinal_ex(p->tar_md, st->tar_sha256, &n))
		return AV_ECRYPTO;
	st->out_bytes = p->out_bytes;
	st->in_bytes = p->in_bytes;
	hex_digest(st->tar_sha256, st->tar_sha256_hex);
	return hex_digest(st->sha256, st->sha256_hex);
}

int pipeline_finish(struct pipeline *p, const struct sink *out,
		    struct pipeline_stats *st)
{
	struct rewrite_opts ro = { p->o.set.pyc, p->o.set.keep_opt_pyc };
	struct rewrite *rw = NULL;
	int rc;

	if (p->st == P_FAILED || p->st == P_DONE)
		return AV_EINVAL;
	memset(st, 0, sizeof(*st));
	p->out = out;
	if ((rc = end_input(p)) != 0 ||
	    (rc = rewrite_plan(&rw, p->ix, p->fd, &p->end, &ro, p->name)) != 0)
		goto out;
	rewrite_stats(rw, &st->rw);
	st->format = p->format;
	st->level = p->o.set.level;
	rc = compress(p, rw, st);
out:
	rewrite_free(rw);
	p->st = rc ? P_FAILED : P_DONE;
	return rc;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	gzip_free(p->gz);
	zstd_dec_free(p->zd);
	zstd_enc_free(p->enc);
	tar_reader_free(p->tr);
	tar_index_free(p->ix);
	EVP_MD_CTX_free(p->in_md);
	EVP_MD_CTX_free(p->out_md);
	EVP_MD_CTX_free(p->tar_md);
	if (p->fd >= 0)
		close(p->fd);
	free(p->tmpdir);
	free(p->sbuf);
	free(p);
}

static json_t *verdicts_json(const struct rewrite_stats *rw)
{
	json_t *o = json_object();
	int v;

	for (v = 0; o && v < PYC_VERDICT_COUNT; v++)
		if (json_object_set_new(o, pyc_verdict_name((enum pyc_verdict)v),
					json_integer((json_int_t)rw->pyc[v])))
			return json_decref(o), NULL;
	return o;
}

json_t *pipeline_stats_json(const struct pipeline_stats *st)
{
	const struct rewrite_stats *rw = &st->rw;
	char in_hex[65];

	hex_digest(st->in_sha256, in_hex);
	return json_pack("{s:s, s:I, s:s, s:I, s:s, s:i, s:I, s:I, s:s, s:I, s:I,"
			 " s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o*}",
			 "sha256", st->sha256_hex,
			 "size", (json_int_t)st->out_bytes,
			 "input_format", pipeline_format_name(st->format),
			 "input_size", (json_int_t)st->in_bytes,
			 "input_sha256", in_hex,
			 "level", st->level,
			 "zstd_jobs", (json_int_t)st->jobs,
			 "zstd_cut", (json_int_t)st->cut,
			 "tar_sha256", st->tar_sha256_hex,
			 "tar_size_in", (json_int_t)rw->tar_in,
			 "tar_size_out", (json_int_t)rw->tar_out,
			 "bytes_saved", (json_int_t)(rw->tar_in - rw->tar_out),
			 "entries", (json_int_t)rw->entries,
			 "entries_out", (json_int_t)rw->entries_out,
			 "opt_pycs_dropped", (json_int_t)rw->dropped,
			 "links_materialized", (json_int_t)rw->links_materialized,
			 "links_redirected", (json_int_t)rw->links_redirected,
			 "pycs", (json_int_t)rw->pycs,
			 "pyc_links", (json_int_t)rw->pyc_links,
			 "pyc", verdicts_json(rw));
}

void pipeline_stats_print(const struct pipeline_stats *st)
{
	const struct rewrite_stats *rw = &st->rw;
	char a[16], b[16], c[16], d[16], e[48];
	struct buf left = BUF_INIT;
	int v;

	progress_human(a, st->in_bytes);
	progress_human(b, rw->tar_in);
	progress_human(c, rw->tar_out);
	progress_human(d, st->out_bytes);
	if (st->level)	/* level 0: the tar itself is the output */
		snprintf(e, sizeof(e), "zstd level %d, %s", st->level, d);
	else
		snprintf(e, sizeof(e), "uncompressed");
	if (st->format == PIPELINE_TAR)
		msg_info("input: tar %s; output: tar %s, %s", b, c, e);
	else
		msg_info("input: %s %s (tar %s); output: tar %s, %s",
			 pipeline_format_name(st->format), a, b, c, e);
	msg_info("sha256 %s  size %" PRIu64, st->sha256_hex, st->out_bytes);
	msg_info("entries %" PRIu64 " in, %" PRIu64 " out: %" PRIu64
		 " opt pycs dropped (%" PRIu64 " bytes), %" PRIu64
		 " hardlinks made files, %" PRIu64 " relinked", rw->entries,
		 rw->entries_out, rw->dropped, rw->dropped_bytes,
		 rw->links_materialized, rw->links_redirected);
	for (v = 1; v < PYC_VERDICT_COUNT; v++)
		if (rw->pyc[v])
			buf_addf(&left, ", %" PRIu64 " %s", rw->pyc[v],
				 pyc_verdict_name((enum pyc_verdict)v));
	if (rw->pyc_links)
		buf_addf(&left, ", %" PRIu64 " hardlinks", rw->pyc_links);
	msg_info("pycs %" PRIu64 ": %" PRIu64 " rewritten%s%s", rw->pycs,
		 rw->pyc[PYC_REWRITTEN], left.len ? "; left" : "",
		 left.len ? left.ptr + 1 : "");
	buf_release(&left);
}
