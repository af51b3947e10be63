/*
 * audit: the state of a bucket, as a person or a machine reads it.
 *
 * One listing of BUCKET/PREFIX; every key is classified through the
 * configuration as legacy, new or unrecognised, and every new key HEADed.
 * Problems found:
 *   not-migrated    a legacy key whose new key (per target) is missing
 *   no-checksum     a new key that records no sha256
 *   unrecognised    a key matching no template (--ignore GLOB to accept it)
 *   unknown-stack   a legacy key of a stack the configuration does not know
 *   invalid-name    a key that matches a template but does not parse
 * and with deep (verify.h) for each new key:
 *   checksum        its bytes do not have the sha256 it records
 *   bad-frame       no content checksum, or a window over 2^27
 *   bad-archive     it does not decode to a well-formed tar
 *   content         it is not its recorded legacy source after the
 *                   recorded transform
 * Nothing is written.
 */
#ifndef ARCHIVIST_AUDIT_H
#define ARCHIVIST_AUDIT_H

#include <stddef.h>

#include "archivist/session.h"

struct audit_opts {
	const char *bucket;
	const char *prefix;		/* "" or ending in '/' */
	int deep;
	const char *const *ignore;	/* globs of keys (under the prefix) */
	size_t nignore;
	const char *tmpdir;
};

/*
 * Runs the audit with the session's configuration and client and prints
 * the report.  Returns 0 with *res FLOW_DONE (no problem) or FLOW_FAILED
 * (problems found), or the listing's error (reported).
 */
int audit_run(const struct session *s, const struct audit_opts *o,
	      enum flow_result *res);

#endif
