/* zstd: reproducible multi-threaded encoding, streaming decoding (zstd.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
/* ZSTD_getFrameProgression: how far the workers are, for progress */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/zstd.h"

struct zstd_enc {
	ZSTD_CCtx *cctx;
	char *name;
	void *out;
	size_t outsz;
	uint64_t fed;		/* input bytes given so far */
	uint64_t cut;		/* where the first job ends, or 0 */
};

struct zstd_dec {
	ZSTD_DCtx *dctx;
	char *name;
	void *out;
	size_t outsz;
	uint64_t in_off;
	size_t last;		/* last ZSTD_decompressStream result */
	int started, failed;
};

/* Sets one parameter, naming it if libzstd refuses. */
static int set_param(struct zstd_enc *e, ZSTD_cParameter p, int v,
		     const char *what)
{
	size_t r = ZSTD_CCtx_setParameter(e->cctx, p, v);

	if (ZSTD_isError(r)) {
		msg_error("%s: zstd refuses %s = %d: %s", e->name, what, v,
			  ZSTD_getErrorName(r));
		return AV_EINVAL;
	}
	return 0;
}

/*
 * The parameters that define the output.  jobSize and overlapLog are
 * fixed and the cut is the caller's because they shape the frame: with
 * them and nbWorkers >= 1 the bytes are the same whatever the worker
 * count.
 */
static int configure(struct zstd_enc *e, const struct zstd_enc_opts *o)
{
	size_t job = o->job_size ? o->job_size : ZSTD_ENC_JOB_SIZE;
	int rc;

	if ((rc = set_param(e, ZSTD_c_compressionLevel, o->level, "level")) ||
	    (rc = set_param(e, ZSTD_c_enableLongDistanceMatching, 1, "long")) ||
	    (rc = set_param(e, ZSTD_c_windowLog, ZSTD_ENC_WINDOW_LOG,
			    "windowLog")) ||
	    (rc = set_param(e, ZSTD_c_checksumFlag, 1, "checksum")) ||
	    (rc = set_param(e, ZSTD_c_contentSizeFlag, 1, "contentSize")) ||
	    (rc = set_param(e, ZSTD_c_nbWorkers, o->workers, "workers")) ||
	    (rc = set_param(e, ZSTD_c_jobSize, (int)job, "jobSize")) ||
	    (rc = set_param(e, ZSTD_c_overlapLog, ZSTD_ENC_OVERLAP_LOG,
			    "overlapLog")))
		return rc;
	if (o->content_size != ZSTD_ENC_SIZE_UNKNOWN &&
	    ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(e->cctx,
						     o->content_size))) {
		msg_error("%s: zstd refuses content size %" PRIu64, e->name,
			  o->content_size);
		return AV_EINVAL;
	}
	if (o->cut && (o->content_size == ZSTD_ENC_SIZE_UNKNOWN ||
		       o->cut >= o->content_size)) {
		msg_error("%s: a zstd cut needs a known size beyond it", e->name);
		return AV_EINVAL;
	}
	e->cut = o->cut;
	return 0;
}

uint64_t zstd_enc_cut(uint64_t n, size_t job)
{
	uint64_t cut = n / 8 * 5 & ~(uint64_t)0xffff;

	return n >= job / 2 && cut < job ? cut : 0;
}

unsigned zstd_enc_jobs(const struct zstd_enc_opts *o)
{
	size_t job = o->job_size ? o->job_size : ZSTD_ENC_JOB_SIZE;
	uint64_t n = o->content_size, rest;

	if (n == ZSTD_ENC_SIZE_UNKNOWN)
		return 0;
	rest = n - (o->cut < n ? o->cut : n);	/* after the cut, if any */
	return (unsigned)((o->cut ? 1 : 0) + (rest ? (rest - 1) / job + 1 : 1));
}

int zstd_enc_new(struct zstd_enc **out, const struct zstd_enc_opts *o,
		 const char *name)
{
	struct zstd_enc *e;
	int rc = AV_ENOMEM;

	*out = NULL;
	if (o->level < 1 || o->level > ZSTD_maxCLevel() || o->workers < 1) {
		msg_error("zstd level must be 1..%d and workers >= 1 (got %d, %d)",
			  ZSTD_maxCLevel(), o->level, o->workers);
		return AV_EINVAL;
	}
	if (!(e = calloc(1, sizeof(*e))) ||
	    !(e->name = strdup(name ? name : "output")) ||
	    !(e->cctx = ZSTD_createCCtx()) ||
	    !(e->out = malloc(e->outsz = ZSTD_CStreamOutSize()))) {
		msg_error("out of memory starting a zstd encoder");
		goto fail;
	}
	if ((rc = configure(e, o)) != 0)
		goto fail;
	*out = e;
	return 0;
fail:
	zstd_enc_free(e);
	return rc;
}

uint64_t zstd_enc_consumed(const struct zstd_enc *e)
{
	return ZSTD_getFrameProgression(e->cctx).consumed;
}

void zstd_enc_free(struct zstd_enc *e)
{
	if (!e)
		return;
	ZSTD_freeCCtx(e->cctx);
	free(e->name);
	free(e->out);
	free(e);
}

static int enc_error(struct zstd_enc *e, size_t r)
{
	if (ZSTD_getErrorCode(r) == ZSTD_error_srcSize_wrong) {
		msg_error("%s: input size differs from the size announced"
			  " in the zstd frame header", e->name);
		return AV_EINVAL;
	}
	if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation) {
		msg_error("%s: out of memory compressing", e->name);
		return AV_ENOMEM;
	}
	msg_error("%s: zstd compression failed: %s", e->name,
		  ZSTD_getErrorName(r));
	return AV_EINVAL;
}

/* One step of the streaming loop: compress, pass the output on. */
static int enc_step(struct zstd_enc *e, ZSTD_inBuffer *in,
		    ZSTD_EndDirective end, const struct sink *out,
		    size_t *left)
{
	ZSTD_outBuffer ob = { e->out, e->outsz, 0 };
	size_t r = ZSTD_compressStream2(e->cctx, &ob, in, end);

	if (ZSTD_isError(r))
		return enc_error(e, r);
	*left = r;
	return sink_write(out, e->out, ob.pos);
}

/*
 * Ends the first job here.  A flush directive makes libzstd hand the
 * bytes it holds to a worker as a job of their own; given no room for
 * output, the call returns once the job is started instead of waiting
 * for its compressed bytes, which come later like any others.  The next
 * job still sees these bytes as its window (overlapLog 9).
 */
static int enc_cut(struct zstd_enc *e)
{
	ZSTD_inBuffer none = { NULL, 0, 0 };
	ZSTD_outBuffer full = { e->out, 0, 0 };
	size_t r = ZSTD_compressStream2(e->cctx, &full, &none, ZSTD_e_flush);

	return ZSTD_isError(r) ? enc_error(e, r) : 0;
}

int zstd_enc_write(struct zstd_enc *e, const void *data, size_t len,
		   const struct sink *out)
{
	ZSTD_inBuffer in = { data, len, 0 };
	size_t left;
	int rc = 0;

	if (e->fed < e->cut && len >= e->cut - e->fed) {
		in.size = (size_t)(e->cut - e->fed);	/* up to the cut */
		while (rc == 0 && in.pos < in.size)
			rc = enc_step(e, &in, ZSTD_e_continue, out, &left);
		if (rc || (rc = enc_cut(e)))
			return rc;
		in.size = len;
	}
	while (rc == 0 && in.pos < in.size)
		rc = enc_step(e, &in, ZSTD_e_continue, out, &left);
	e->fed += len;
	return rc;
}

int zstd_enc_finish(struct zstd_enc *e, const struct sink *out)
{
	ZSTD_inBuffer in = { NULL, 0, 0 };
	size_t left = 1;
	int rc = 0;

	while (rc == 0 && left != 0)
		rc = enc_step(e, &in, ZSTD_e_end, out, &left);
	return rc;
}

struct zstd_dec *zstd_dec_new(const char *name)
{
	struct zstd_dec *d = calloc(1, sizeof(*d));

	if (!d || !(d->name = strdup(name ? name : "input")) ||
	    !(d->dctx = ZSTD_createDCtx()) ||
	    !(d->out = malloc(d->outsz = ZSTD_DStreamOutSize()))) {
		msg_error("out of memory starting a zstd decoder");
		zstd_dec_free(d);
		return NULL;
	}
	ZSTD_DCtx_setParameter(d->dctx, ZSTD_d_windowLogMax,
			       ZSTD_DEC_WINDOW_LOG_MAX);
	return d;
}

void zstd_dec_free(struct zstd_dec *d)
{
	if (!d)
		return;
	ZSTD_freeDCtx(d->dctx);
	free(d->name);
	free(d->out);
	free(d);
}

static int dec_error(struct zstd_dec *d, size_t r, size_t at)
{
	ZSTD_ErrorCode c = ZSTD_getErrorCode(r);

	d->failed = 1;
	if (c == ZSTD_error_memory_allocation) {
		msg_error("%s: out of memory decoding zstd", d->name);
		return AV_ENOMEM;
	}
	msg_error("%s: corrupt zstd data near offset %" PRIu64 ": %s%s",
		  d->name, d->in_off + at, ZSTD_getErrorName(r),
		  c == ZSTD_error_frameParameter_windowTooLarge ?
		  " (window above 2^30)" : "");
	return AV_ECORRUPT;
}

int zstd_dec_write(struct zstd_dec *d, const void *data, size_t len,
		   const struct sink *out)
{
	ZSTD_inBuffer in = { data, len, 0 };
	ZSTD_outBuffer ob;
	int rc = 0;

	if (d->failed)
		return AV_EINVAL;
	if (len == 0)
		return 0;
	d->started = 1;
	/* until the input is used up and the output buffer not filled */
	do {
		ob = (ZSTD_outBuffer){ d->out, d->outsz, 0 };
		d->last = ZSTD_decompressStream(d->dctx, &ob, &in);
		if (ZSTD_isError(d->last))
			return dec_error(d, d->last, in.pos);
		rc = sink_write(out, d->out, ob.pos);
	} while (rc == 0 && (in.pos < in.size || ob.pos == ob.size));
	d->in_off += in.pos;
	if (rc)
		d->failed = 1;
	return rc;
}

int zstd_dec_finish(struct zstd_dec *d)
{
	if (d->failed)
		return AV_EINVAL;
	if (!d->started) {
		msg_error("%s: empty input, no zstd data", d->name);
		return AV_ETRUNC;
	}
	if (d->last != 0) {
		msg_error("%s: zstd data truncated at offset %" PRIu64
			  " (inside a frame)", d->name, d->in_off);
		return AV_ETRUNC;
	}
	return 0;
}
