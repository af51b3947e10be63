/*
 * rewrite: the tar transformation of pass 2, planned then run.
 *
 * Input: the indexed archive (tarindex) and its bytes in a spool file read
 * with pread.  rewrite_plan() decides, entry by entry in archive order:
 *
 * - an entry is copied byte for byte (its L/K/x blocks, header, data and
 *   padding), except:
 * - a __pycache__ pyc (regular file) whose .py is in the archive: the
 *   pyc module decides on its 16-byte header (pyc_rewrite_header); only
 *   data bytes 4-15 change, so its header blocks stay valid;
 * - .opt-1.pyc / .opt-2.pyc caches (regular files and hardlinks) are
 *   dropped unless keep_opt_pyc;
 * - a hardlink to a dropped entry would dangle: the first such link is
 *   written as a regular file with the dropped entry's data (and is a
 *   pyc like any other), later ones link to it;
 * - the end: if the entries kept their total length the input's own
 *   end-of-archive bytes are copied (so keep mode is byte-identical),
 *   else two zero blocks and zeros up to a multiple of 10240, as GNU tar.
 *
 * A .py listed twice counts as its last entry (what extraction leaves); a
 * .py that is a hardlink counts as the file it links to; a pyc whose .py
 * is absent, a symlink or a device is left (PYC_NO_SOURCE).
 *
 * The plan knows the exact output size before anything is written (the
 * zstd frame header records it).  rewrite_run() then streams the result.
 */
#ifndef ARCHIVIST_REWRITE_H
#define ARCHIVIST_REWRITE_H

#include <stdint.h>

#include "archivist/pyc.h"
#include "archivist/sink.h"
#include "archivist/tarindex.h"

struct rewrite_opts {
	enum pyc_mode pyc;
	int keep_opt_pyc;
};

struct rewrite_stats {
	uint64_t entries;		/* in the input (pax g headers included) */
	uint64_t entries_out;		/* in the output */
	uint64_t dropped;		/* opt pycs dropped */
	uint64_t dropped_bytes;		/* their blocks, headers included */
	uint64_t links_materialized;	/* hardlinks written as files */
	uint64_t links_redirected;	/* hardlinks pointed at those */
	uint64_t pycs;			/* __pycache__ pycs looked at */
	uint64_t pyc_links;		/* pycs that are hardlinks: left as links */
	uint64_t pyc[PYC_VERDICT_COUNT];	/* by verdict */
	uint64_t tar_in, tar_out;	/* tar bytes in and out */
};

struct rewrite;

/*
 * Plans the rewrite of the archive indexed in ix (borrowed, must outlive
 * the plan), whose bytes are in fd (end: what the reader reported).
 * name is for messages.  0 and *out set, or AV_EIO (reading fd),
 * AV_ENOMEM, AV_ECORRUPT (an entry's header blocks do not parse again).
 */
int rewrite_plan(struct rewrite **out, const struct tar_index *ix, int fd,
		 const struct tar_end *end, const struct rewrite_opts *o,
		 const char *name);

/* Counts of the plan (tar_out is the exact output size). */
void rewrite_stats(const struct rewrite *rw, struct rewrite_stats *st);

/* Writes the rewritten archive to out.  0, AV_EIO or the sink's error. */
int rewrite_run(struct rewrite *rw, const struct sink *out);

/* NULL-safe. */
void rewrite_free(struct rewrite *rw);

#endif
