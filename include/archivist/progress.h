/*
 * progress: a one-line progress display on a terminal (stderr).
 *
 *   pr = g->progress ? progress_new(STDERR_FILENO, name) : NULL;
 *   progress_start(pr, "downloading", content_length);
 *   ... progress_update(pr, bytes_done, 0); ...
 *   progress_free(pr);
 *
 * A NULL struct progress * is valid for every function and does nothing,
 * so callers never test whether the display is on.  The line shows the
 * bytes done (of the total when known), the bytes produced and their ratio
 * (when out > 0), the average speed and the time left, redrawn at most
 * ~6 times a second, cut to the terminal's width.  While a display exists,
 * msg_* lines erase it first (msg_set_hook) and it is redrawn on the next
 * update, so messages never mix with it.
 *
 * One display may be updated from several threads (calls are serialised);
 * only one display should exist at a time.
 */
#ifndef ARCHIVIST_PROGRESS_H
#define ARCHIVIST_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/buf.h"

struct progress;

/* A display writing to fd (a terminal), labelled label (copied; e.g. the
 * file or key name).  Returns NULL when fd < 0 or out of memory: the
 * display is then simply off. */
struct progress *progress_new(int fd, const char *label);

/* Starts a phase ("reading", "compressing"; borrowed, must outlive the
 * phase) of total bytes (0 = unknown): counters and clock restart. */
void progress_start(struct progress *p, const char *phase, uint64_t total);

/* Sets the counters of the phase: done = bytes consumed (measured against
 * total), out = bytes produced (0 = do not show).  Absolute values. */
void progress_update(struct progress *p, uint64_t done, uint64_t out);

/* Adds to the counters (for several workers feeding one display). */
void progress_add(struct progress *p, uint64_t done, uint64_t out);

/* Erases the line (it comes back on the next update). */
void progress_clear(struct progress *p);

/* Erases the line and frees p.  NULL-safe. */
void progress_free(struct progress *p);

/* What one line shows; for progress_format. */
struct progress_view {
	const char *label;	/* may be NULL */
	const char *phase;	/* may be NULL */
	uint64_t done, total, out;
	double elapsed;		/* seconds since the phase started */
};

/* Appends the text of one line (no "\r", no newline), at most width
 * columns (0 = no limit; the label is shortened first).  0 or AV_E*. */
int progress_format(struct buf *out, const struct progress_view *v,
		    size_t width);

/* "1023 B", "1.5 KiB", "12.3 MiB", "4.00 GiB": human-readable bytes. */
void progress_human(char out[16], uint64_t bytes);

#endif
