/*
 * atomicfile: a file that appears whole or not at all.
 *
 *   struct atomic_file f;
 *   if ((rc = atomic_file_open(&f, "out.tar.zst")) == 0) {
 *       ... write to f.fd (a sink_fd on it) ...
 *       rc = ok ? atomic_file_commit(&f) : (atomic_file_abort(&f), rc);
 *   }
 *
 * The bytes go to a temporary file beside the destination
 * (DEST.archivist-XXXXXX, same directory so rename(2) is atomic),
 * registered with tmpguard so that a signal removes it too.  Commit
 * fsyncs it, renames it over DEST and fsyncs the directory: readers see
 * the old file or the new one, and a crash cannot leave a short DEST.
 * The file gets the mode a plain creat() would (0666 & ~umask).  One
 * atomic file per process at a time (tmpguard guards one).
 */
#ifndef ARCHIVIST_ATOMICFILE_H
#define ARCHIVIST_ATOMICFILE_H

#include <stddef.h>

#include "archivist/buf.h"

struct atomic_file {
	int fd;			/* write here; -1 when not open */
	const char *path;	/* the destination (borrowed) */
	struct buf tmp;		/* the temporary file's name */
};

/* Creates the temporary file for path.  0 with f->fd open, or AV_EIO
 * (reported) / AV_ENOMEM; on failure nothing is left to abort. */
int atomic_file_open(struct atomic_file *f, const char *path);

/* Makes the temporary file path, durably, and closes it.  0, or AV_EIO
 * (reported; the temporary file is removed, path untouched). */
int atomic_file_commit(struct atomic_file *f);

/* Removes the temporary file (path untouched).  Safe after a failed open
 * or commit, and twice. */
void atomic_file_abort(struct atomic_file *f);

/* The whole of data[0..n) as path, atomically.  0, AV_EIO (reported) or
 * AV_ENOMEM. */
int atomic_file_write(const char *path, const void *data, size_t n);

#endif
