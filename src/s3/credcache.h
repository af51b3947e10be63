/*
 * credcache: the credentials every request of a client signs with, kept
 * current while a long run goes on.
 *
 * Each request takes a snapshot (credcache_get) and gives it back when
 * it is done (creds_snap_put): a snapshot never changes, so a request
 * signed with it is sent with the token it was signed with, while
 * another thread puts newer credentials in place.  Parts of one
 * multipart upload may be signed with different credentials.
 *
 * Credentials that expire are renewed from the provider that gave them
 * (creds.h) in botocore's two windows: within 15 minutes of the expiry
 * one request renews them while the others go on with the current ones
 * (a failure is a warning, and is tried again 30 s later at the
 * earliest); within 10 minutes every request waits for new ones, and a
 * failure (after the provider's own retries) fails the requests that
 * were waiting for it, reported once, naming the provider.
 */
#ifndef ARCHIVIST_CREDCACHE_H
#define ARCHIVIST_CREDCACHE_H

#include <stdatomic.h>
#include <time.h>

#include "creds.h"

#define CREDCACHE_ADVISORY (15 * 60)
#define CREDCACHE_MANDATORY (10 * 60)
#define CREDCACHE_SPACING 30

/* One set of credentials, shared read-only by the requests using it. */
struct creds_snap {
	struct creds c;		/* c.sig is what the signer takes */
	atomic_int refs;
};

struct credcache;

/*
 * Takes over c (resolved, not anonymous: emptied, its provider with it).
 * 0 and *out, or AV_ENOMEM (c released).
 */
int credcache_new(struct creds *c, struct credcache **out);
void credcache_free(struct credcache *cc);	/* NULL-safe */

/*
 * The credentials to sign one request with, renewed first when due
 * (see above).  0 and *out (give it back with creds_snap_put), AV_ECREDS
 * (reported) or AV_ENOMEM.  Thread-safe.
 */
int credcache_get(struct credcache *cc, struct creds_snap **out);
void creds_snap_put(struct creds_snap *s);	/* NULL-safe */

#endif
