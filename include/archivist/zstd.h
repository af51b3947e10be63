/*
 * zstd: streaming zstd encoding and decoding (libzstd), push style.
 *
 * The encoder always runs libzstd's multi-threaded mode (nbWorkers >= 1)
 * with a fixed overlap and the job size the caller chose, so the
 * compressed bytes depend only on the input, the level and that layout,
 * never on the number of workers or cores.  Two layouts: one job
 * (ZSTD_ENC_ONE_JOB_SIZE, the least CPU: the zstd CLI's own frame for a
 * tar under 512 MiB), or jobs of ZSTD_ENC_JOB_SIZE, where the caller may
 * also cut an input of known size into two jobs (opts.cut, zstd_enc_cut)
 * so that two cores share it.  Each job after the first loads the bytes
 * before it as its window, which at level 22 costs most of what
 * compressing them would.  Frames in other layouts differ in bytes, not
 * in content.
 * Frames have long-distance matching, a window of at most 2^27 bytes (so
 * every default decoder accepts them), an XXH64 content checksum, and the
 * content size in the header when it was given.
 *
 * The decoder accepts concatenated frames (and skippable frames) and
 * windows up to 2^ZSTD_DEC_WINDOW_LOG_MAX.
 *
 * Errors are reported (msg_error) here, naming the stream.
 */
#ifndef ARCHIVIST_ZSTD_H
#define ARCHIVIST_ZSTD_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/sink.h"

#define ZSTD_ENC_LEVEL_DEFAULT 22
#define ZSTD_ENC_WINDOW_LOG 27
#define ZSTD_ENC_JOB_SIZE ((size_t)128 << 20)	/* jobs of a split frame */
/* One job: the job `zstd -22 --ultra --long` makes (-B512MiB). */
#define ZSTD_ENC_ONE_JOB_SIZE ((size_t)512 << 20)
#define ZSTD_ENC_OVERLAP_LOG 9
#define ZSTD_ENC_SIZE_UNKNOWN UINT64_MAX
#define ZSTD_DEC_WINDOW_LOG_MAX 30

struct zstd_enc_opts {
	int level;		/* 1..22 */
	int workers;		/* >= 1; the output does not depend on it */
	uint64_t content_size;	/* exact input size, or ZSTD_ENC_SIZE_UNKNOWN */
	size_t job_size;	/* 0 = ZSTD_ENC_JOB_SIZE; or
				   ZSTD_ENC_ONE_JOB_SIZE (other values only
				   in tests): it changes the output */
	uint64_t cut;		/* where the first job ends (0: no cut);
				   below content_size, with a known size */
};

struct zstd_enc;

/* An encoder with opts o (copied).  0 and *out set, or AV_EINVAL (bad
 * level or workers, or libzstd built without threads), AV_ENOMEM. */
int zstd_enc_new(struct zstd_enc **out, const struct zstd_enc_opts *o,
		 const char *name);

/*
 * Where the first job ends for an input of n bytes (0: no cut) with jobs
 * of job bytes.  The second job loads the first one's bytes as its
 * window before compressing its own, which at level 22 costs about a
 * quarter of compressing them, so the first job takes 5/8 of the input
 * (rounded down to 64 KiB).  Inputs under half a job stay one job (they
 * are quick, and several archives at once keep the cores busy); from
 * 1.6 jobs on, libzstd's own job size splits them.
 */
uint64_t zstd_enc_cut(uint64_t n, size_t job);

/* How many jobs the frame an encoder with opts o makes has (its content
 * size, job size and cut); 0 when the content size is unknown. */
unsigned zstd_enc_jobs(const struct zstd_enc_opts *o);

/* Compresses len bytes; compressed output goes to out as it is ready.
 * 0 or AV_E*. */
int zstd_enc_write(struct zstd_enc *e, const void *data, size_t len,
		   const struct sink *out);

/* Ends the frame and writes the rest of the output.  AV_EINVAL if the
 * bytes written differ from the announced content size. */
int zstd_enc_finish(struct zstd_enc *e, const struct sink *out);

/* Input bytes compressed so far (the workers may hold more, not yet
 * compressed): what a progress display should count. */
uint64_t zstd_enc_consumed(const struct zstd_enc *e);

/* NULL-safe. */
void zstd_enc_free(struct zstd_enc *e);

struct zstd_dec;

/* A decoder for the stream called name (copied).  NULL only when out of
 * memory (reported). */
struct zstd_dec *zstd_dec_new(const char *name);

/* Decodes len bytes, writing the output to out.  0, AV_ECORRUPT,
 * AV_ENOMEM, or the sink's error; refuses input after an error. */
int zstd_dec_write(struct zstd_dec *d, const void *data, size_t len,
		   const struct sink *out);

/* 0 if the input ended at the end of a frame, else AV_ETRUNC. */
int zstd_dec_finish(struct zstd_dec *d);

/* NULL-safe. */
void zstd_dec_free(struct zstd_dec *d);

#endif
