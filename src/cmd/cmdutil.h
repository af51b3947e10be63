/*
 * cmdutil: small helpers the commands share: exit status from an error
 * code, sizes and times as users write and read them.
 */
#ifndef ARCHIVIST_CMDUTIL_H
#define ARCHIVIST_CMDUTIL_H

#include <stdint.h>
#include <time.h>

/* The exit status (enum exit_status) for an operation's result: 0 done,
 * 3 for AV_ECONFLICT, 2 for AV_EUSAGE / AV_ECONFIG, else 1. */
int cmd_exit_status(int rc);

/* The exit status of a flow that returned rc and, when rc is 0, res
 * (enum flow_result, session.h): 0 done, 1 some item failed, 3 a
 * conflict; an error as cmd_exit_status. */
enum flow_result;
int cmd_flow_status(int rc, enum flow_result res);

/* "123", "64K", "5M", "1G", "5MiB" (binary multiples).  0, or AV_EINVAL
 * for anything else or an overflow. */
int cmd_parse_size(const char *s, uint64_t *out);

/* --level: a zstd level 1..22.  0, or AV_EUSAGE (reported). */
int cmd_parse_level(const char *s, int *out);

/* --pyc: unchecked-hash, checked-hash or keep.  0, or AV_EUSAGE
 * (reported). */
enum pyc_mode;
int cmd_parse_pyc(const char *s, enum pyc_mode *out);

/* "2024-05-01T12:00:00Z" (UTC). */
void cmd_time_iso(time_t t, char out[21]);

#endif
