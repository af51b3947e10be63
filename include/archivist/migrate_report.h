/*
 * migrate_report: what migrate prints -- the plan, one line per archive
 * made, and the summary -- as text on stdout, or JSON lines with --json:
 *   {"event":"plan","action","source","destination","reason"}
 *   {"event":"result","result","source","destination","size","sha256",...}
 *   {"event":"summary","created","skipped","conflicts","invalid","failed",
 *    "bytes_before","bytes_after","dry_run"}
 * Callers hold m->lock around report_outcome (workers print concurrently).
 */
#ifndef ARCHIVIST_MIGRATE_REPORT_H
#define ARCHIVIST_MIGRATE_REPORT_H

#include <stddef.h>

#include "archivist/migrate.h"

void report_plan(const struct migration *m);
void report_outcome(const struct migration *m, size_t i);
/* Prints the totals; returns the exit status they make. */
int report_summary(const struct migration *m);

#endif
