/*
 * plan: what migrate (and its dry run, and audit) will do, as pure data.
 *
 * From a bucket listing of legacy keys, the configuration and the filters,
 * plan_add_legacy() builds one item per (legacy key, new key) pair, or one
 * "invalid" item per key that does not parse.  plan_decide() then sets the
 * action of a pair from what HEAD says of its new key.  No I/O here: the
 * commands list and HEAD, this module decides, so every rule is unit-tested.
 *
 * A new object written by a migration records where it came from and how
 * it was made (provenance.h).  A rerun reads that back with one HEAD: the
 * same source object (ETag and size) and the same settings mean the work
 * is done (skip); anything else at that key is a conflict, never
 * overwritten.
 */
#ifndef ARCHIVIST_PLAN_H
#define ARCHIVIST_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/buf.h"
#include "archivist/config.h"
#include "archivist/pipeline.h"
#include "archivist/provenance.h"

enum plan_action {
	PLAN_CREATE = 0,	/* new key absent: make it */
	PLAN_SKIP,		/* already made from this source, same settings */
	PLAN_CONFLICT,		/* new key holds something else: left alone */
	PLAN_INVALID		/* the legacy key cannot be migrated */
};

/* "create", "skip", "conflict", "invalid"; never NULL. */
const char *plan_action_name(enum plan_action a);

struct plan_filter {
	const char *const *stacks;	/* --stack values; nstacks 0 = all */
	size_t nstacks;
	const char *version_glob;	/* --version; NULL = all */
	unsigned shard, nshards;	/* --shard I/N (1-based); 0/0 = all */
};

struct plan_item {
	char *legacy_key;		/* full key in the source bucket */
	uint64_t legacy_size;
	char *legacy_etag;		/* as listed, quotes included */
	char *new_key;			/* full key in the destination; NULL
					   for PLAN_INVALID from parsing */
	const char *arch;		/* static "amd64"/"arm64"; NULL if invalid */
	char *version;			/* NULL if the key did not parse */
	const struct config_stack *stack;	/* borrowed from the config */
	enum plan_action action;
	char *reason;			/* why invalid / conflict / skip; or NULL */
};

struct plan {
	struct plan_item *items;
	size_t n, cap;
	size_t ignored;		/* keys matching no legacy template at all */
};

void plan_init(struct plan *p);
void plan_release(struct plan *p);

/*
 * Parses one listed legacy key (full key; from_prefix is stripped before
 * matching the template, to_prefix prepended to each new key) and appends
 * its items, unless a filter excludes it.  Items start as PLAN_CREATE, or
 * PLAN_INVALID with the reason when the key looks legacy but cannot be
 * migrated (bad version, unknown stack, ...).  A key that matches no
 * legacy template at all (a new-scheme key, a manifest, a README) is not
 * an item: it only counts in p->ignored.  Returns 0 or AV_ENOMEM.
 */
int plan_add_legacy(struct plan *p, const struct config *c,
		    const char *from_prefix, const char *to_prefix,
		    const char *key, uint64_t size, const char *etag,
		    const struct plan_filter *f);

/* Sorts items by new key (invalid ones last, by legacy key). */
void plan_sort(struct plan *p);

/*
 * Sets item->action from what the new key records (rec, read from its
 * HEAD; may be NULL when exists is 0): exists 0 -> create; recorded source
 * (key, ETag and size) and settings equal -> skip; else conflict with
 * the reason (also for an object with no provenance at all, made by
 * other means).  Returns 0 or AV_ENOMEM.
 */
int plan_decide(struct plan_item *item, int exists,
		const struct provenance *rec, const struct pipeline_settings *s);

/* Shard (1..n) of a key: FNV-1a 64 of its bytes, mod n, plus one. */
unsigned plan_shard_of(const char *key, unsigned n);

/* Parses "I/N" (1 <= I <= N <= 1000).  0, or AV_EUSAGE with why. */
int plan_parse_shard(const char *s, unsigned *shard, unsigned *nshards,
		     struct buf *why);

#endif
