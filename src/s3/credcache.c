/* credcache: current credentials, renewed before they expire (see credcache.h). */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "credcache.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "creds_int.h"

struct credcache {
	pthread_mutex_t lock;
	pthread_cond_t done;		/* a renewal finished */
	struct creds_snap *cur;
	struct creds_provider *provider; /* NULL: they never expire */
	const char *name;		/* the provider's */
	int refreshing;
	unsigned long generation;	/* renewals finished */
	int last_rc;			/* of the last renewal */
	time_t last_attempt;		/* 0: none yet */
};

static int snap_new(struct creds *c, struct creds_snap **out)
{
	struct creds_snap *s = malloc(sizeof(*s));

	if (!s)
		return AV_ENOMEM;
	s->c = *c;	/* the sig views move with the strings */
	s->c.refresh = NULL;
	creds_init(c);
	atomic_init(&s->refs, 1);
	*out = s;
	return 0;
}

void creds_snap_put(struct creds_snap *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
		creds_release(&s->c);
		free(s);
	}
}

int credcache_new(struct creds *c, struct credcache **out)
{
	struct credcache *cc = calloc(1, sizeof(*cc));
	struct creds_provider *pv = c->refresh;

	if (!cc) {
		creds_release(c);
		return AV_ENOMEM;
	}
	c->refresh = NULL;
	cc->provider = c->expires ? pv : NULL;
	cc->name = c->provider ? c->provider : "?";
	if (!cc->provider && pv)
		pv->free(pv);
	if (snap_new(c, &cc->cur)) {
		creds_provider_free(cc->provider);
		creds_release(c);
		free(cc);
		return AV_ENOMEM;
	}
	pthread_mutex_init(&cc->lock, NULL);
	pthread_cond_init(&cc->done, NULL);
	*out = cc;
	return 0;
}

void credcache_free(struct credcache *cc)
{
	if (!cc)
		return;
	creds_snap_put(cc->cur);
	if (cc->provider)
		cc->provider->free(cc->provider);
	pthread_mutex_destroy(&cc->lock);
	pthread_cond_destroy(&cc->done);
	free(cc);
}

static void utc(time_t t, char out[32])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(out, "?");
}

/*
 * Renews the credentials; called and returns with the lock held, which
 * is let go while the provider works.  Reports the outcome.
 */
static int renew(struct credcache *cc, int mandatory)
{
	struct creds next;
	struct buf why = BUF_INIT;
	struct creds_snap *s = NULL, *old;
	char was[32], now[32];
	int rc;

	cc->refreshing = 1;
	utc(cc->cur->c.expires, was);
	pthread_mutex_unlock(&cc->lock);
	creds_init(&next);
	rc = cc->provider->fetch(cc->provider, &next, &why);
	if (!rc)
		utc(next.expires, now);
	if (!rc) {
		msg_verbose("credentials from %s renewed: access key id %s, "
			    "expire %s", cc->name, next.access_key, now);
		rc = snap_new(&next, &s);
	} else if (mandatory) {
		msg_error("credentials from %s could not be renewed (they "
			  "expire %s): %s", cc->name, was, why.ptr);
	} else {
		msg_warn("credentials from %s could not be renewed yet (they "
			 "expire %s; trying again in %d s): %s", cc->name, was,
			 CREDCACHE_SPACING, why.ptr);
	}
	creds_release(&next);
	buf_release(&why);
	pthread_mutex_lock(&cc->lock);
	if (s) {
		old = cc->cur;
		cc->cur = s;
		creds_snap_put(old);
	}
	cc->refreshing = 0;
	cc->generation++;
	cc->last_rc = rc == AV_ENOMEM ? rc : rc ? AV_ECREDS : 0;
	cc->last_attempt = time(NULL);
	pthread_cond_broadcast(&cc->done);
	return cc->last_rc;
}

/* Decides, with the lock held: 0 when cc->cur may be used now. */
static int settle(struct credcache *cc)
{
	unsigned long gen;
	time_t now;
	long left;

	for (;;) {
		now = time(NULL);
		left = cc->provider && cc->cur->c.expires ?
			(long)(cc->cur->c.expires - now) : LONG_MAX;
		if (left >= CREDCACHE_ADVISORY)
			return 0;
		if (left >= CREDCACHE_MANDATORY) {
			if (cc->refreshing || (cc->last_attempt &&
			    now - cc->last_attempt < CREDCACHE_SPACING))
				return 0;
			renew(cc, 0);
			return 0;
		}
		if (cc->refreshing) {
			gen = cc->generation;
			while (cc->refreshing)
				pthread_cond_wait(&cc->done, &cc->lock);
			if (cc->generation != gen && cc->last_rc)
				return cc->last_rc;
			continue;
		}
		/* A provider whose credentials are always short-lived:
		 * asked again at most every CREDCACHE_SPACING seconds. */
		if (!cc->last_rc && cc->last_attempt && left > 0 &&
		    now - cc->last_attempt < CREDCACHE_SPACING)
			return 0;
		if (renew(cc, 1))
			return cc->last_rc;
		if (cc->cur->c.expires <= time(NULL))
			return AV_ECREDS;
	}
}

int credcache_get(struct credcache *cc, struct creds_snap **out)
{
	int rc;

	pthread_mutex_lock(&cc->lock);
	if (!(rc = settle(cc))) {
		atomic_fetch_add(&cc->cur->refs, 1);
		*out = cc->cur;
	}
	pthread_mutex_unlock(&cc->lock);
	return rc;
}
