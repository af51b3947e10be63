/*
 * tmpguard: a half-written temporary file is removed when a signal
 * (SIGINT, SIGTERM, SIGHUP, SIGPIPE) ends the process, so that an
 * interrupted command leaves nothing behind but what it had finished.
 *
 *   fd = mkstemp(tmp); tmpguard_set(tmp);
 *   ... write, fsync, rename(tmp, dest) ...
 *   tmpguard_clear();
 *
 * One file per process at a time (commands that write one output file).
 * The handler only calls unlink(2) and re-raises the signal with its
 * default action, so the exit status still says which signal it was.
 */
#ifndef ARCHIVIST_TMPGUARD_H
#define ARCHIVIST_TMPGUARD_H

/*
 * Guards path (copied; installs the handlers on first use).  Returns 0,
 * or AV_ETOOBIG when path is too long to keep (then it is not guarded).
 */
int tmpguard_set(const char *path);

/*
 * mkostemp(tmpl, flags) and tmpguard_set(tmpl) with the guarded signals
 * blocked in between, so no signal can leave the new file unguarded.
 * Returns the descriptor, or -1 with errno set (ENAMETOOLONG when tmpl
 * is too long to guard: then no file is created).
 */
int tmpguard_mkstemp(char *tmpl, int flags);

/* Stops guarding (after the file was renamed into place or removed). */
void tmpguard_clear(void);

#endif
