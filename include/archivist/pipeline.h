/*
 * pipeline: a runtime archive (.tar, .tar.gz or .tar.zst) in, a rewritten
 * .tar.zst out, with its sha256 and size.
 *
 *   struct pipeline_opts o;
 *   struct pipeline *p;
 *   struct pipeline_stats st;
 *   pipeline_opts_init(&o);  o.name = "python-3.12.3.tar.gz"; ...
 *   if ((rc = pipeline_new(&p, &o)) == 0) {
 *       while (... bytes arrive ...)            // file reads, or a curl
 *           if ((rc = pipeline_write(p, buf, n)))   // write callback
 *               break;
 *       if (rc == 0)
 *           rc = pipeline_finish(p, &sink, &st);   // sink: file, upload
 *   }
 *   pipeline_free(p);
 *
 * Pass 1 (pipeline_write): the input format is detected from its first
 * bytes (gzip 1f 8b, zstd 28 b5 2f fd, else tar), the input is decoded
 * and the tar spooled to an unlinked temporary file in opts.tmpdir while
 * its entries are indexed.  Pass 2 (pipeline_finish): the rewrite is
 * planned (rewrite.h: pyc headers, opt pycs, hardlinks), which gives the
 * exact tar size for the zstd frame header, then the spool is streamed
 * through the rewriter into the zstd encoder, whose output goes to the
 * sink while its sha256 and size are computed.
 *
 * Threads: everything runs in the caller's thread, except libzstd's
 * compression workers, which the pipeline configures (opts.workers) and
 * which never change the output.  One pipeline is used by one thread at a
 * time; separate pipelines are independent (migrate may run several).
 * Memory: ~1 MiB of buffers plus the entry index, plus libzstd's (about
 * 780 MiB per worker at level 22).  Disk: the decompressed tar, in tmpdir.
 *
 * Errors are reported (msg_error) where they happen, naming opts.name.
 * Codes: AV_ECORRUPT / AV_ETRUNC / AV_EUNSUPP for bad input (exit 1),
 * AV_EIO for the spool or the sink, AV_ENOMEM, or the sink's own code.
 */
#ifndef ARCHIVIST_PIPELINE_H
#define ARCHIVIST_PIPELINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "archivist/progress.h"
#include "archivist/pyc.h"
#include "archivist/rewrite.h"
#include "archivist/sink.h"

/* How an archive is made: what migrate and publish record on each object
 * (provenance.h) and compare on a rerun. */
struct pipeline_settings {
	int level;		/* zstd level 1..22 (default 22); 0 writes the
				   rewritten tar uncompressed (audit --deep
				   compares content with it) */
	enum pyc_mode pyc;	/* default PYC_UNCHECKED_HASH */
	int keep_opt_pyc;	/* default 0: drop .opt-1/.opt-2 pycs */
};

/* The defaults: level 22, unchecked-hash, drop opt pycs. */
void pipeline_settings_init(struct pipeline_settings *s);

/* How the zstd frame is laid out (zstd.h): the bytes differ, the
 * content does not. */
enum pipeline_layout {
	PIPELINE_LAYOUT_AUTO = 0,	/* split with two or more workers */
	PIPELINE_LAYOUT_ONE_JOB,	/* one zstd job (up to 512 MiB of
					   tar): the least CPU */
	PIPELINE_LAYOUT_SPLIT		/* two jobs when the tar is 64-204 MiB:
					   the least wall time on two cores */
};

struct pipeline_opts {
	struct pipeline_settings set;
	int workers;		/* zstd workers; 0 = automatic (online CPUs,
				   at most 2: ~780 MiB each at level 22);
				   any value >= 1 gives the same bytes */
	enum pipeline_layout layout;	/* default AUTO */
	const char *name;	/* input name for messages (borrowed) */
	const char *tmpdir;	/* spool directory; NULL: $TMPDIR, else /tmp */
	uint64_t in_size;	/* expected input bytes, for progress; 0 =
				   unknown */
	struct progress *progress;	/* borrowed; NULL = no display */
};

enum pipeline_format {
	PIPELINE_TAR = 0,
	PIPELINE_GZIP,
	PIPELINE_ZSTD
};

struct pipeline_stats {
	enum pipeline_format format;	/* of the input */
	int level;			/* zstd level used */
	uint64_t in_bytes;		/* input bytes, as written */
	unsigned char in_sha256[32];	/* of the input bytes */
	uint64_t out_bytes;		/* zstd bytes written to the sink */
	unsigned char sha256[32];	/* of those bytes */
	char sha256_hex[65];		/* the same, lower-case hex */
	unsigned jobs;			/* zstd jobs in the frame */
	uint64_t cut;			/* where the first zstd job ended
					   (tar offset), 0: no cut */
	unsigned char tar_sha256[32];	/* of the tar the frame holds (the
					   content, whatever the layout) */
	char tar_sha256_hex[65];
	struct rewrite_stats rw;	/* entries, pycs, tar sizes */
};

struct pipeline;

/* Defaults: level 22, unchecked-hash, drop opt pycs, automatic workers. */
void pipeline_opts_init(struct pipeline_opts *o);

/* A pipeline with options o (copied; o->name and o->progress must
 * outlive it).  0 and *out set, or AV_EINVAL (bad level), AV_EIO (no
 * spool file in tmpdir), AV_ENOMEM. */
int pipeline_new(struct pipeline **out, const struct pipeline_opts *o);

/* Pass 1: len more input bytes (compressed or plain), borrowed for the
 * call.  0 or an error code; after an error the pipeline refuses all
 * further calls (only pipeline_free remains). */
int pipeline_write(struct pipeline *p, const void *data, size_t len);

/* Ends the input and runs pass 2, writing the .tar.zst to out (borrowed;
 * it may be called many times, then never again).  Fills *st.  Call at
 * most once.  On error the sink may have received part of the output:
 * the caller discards it (a temporary file, an aborted upload). */
int pipeline_finish(struct pipeline *p, const struct sink *out,
		    struct pipeline_stats *st);

/* Frees everything, the spool file included.  NULL-safe. */
void pipeline_free(struct pipeline *p);

/* "tar", "gzip", "zstd". */
const char *pipeline_format_name(enum pipeline_format f);

/* The stats as a JSON object (new reference; NULL when out of memory):
 * sha256, size, input_format, input_size, input_sha256, level, zstd_cut,
 * tar_sha256,
 * tar_size_in, tar_size_out, bytes_saved, entries, entries_out,
 * opt_pycs_dropped, links_materialized, links_redirected, pycs, and
 * pyc: {rewritten, already-hash, stale, ...: count}.  Callers add their
 * own fields (input/output names, keys). */
json_t *pipeline_stats_json(const struct pipeline_stats *st);

/* Prints the stats on stderr (msg_info lines): what was made and its
 * sha256, entries and pycs. */
void pipeline_stats_print(const struct pipeline_stats *st);

#endif
