/* plan: legacy keys -> new keys and actions, as pure data (see plan.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/naming.h"
#include "archivist/plan.h"
#include "shard.h"
#include "archivist/version.h"

const char *plan_action_name(enum plan_action a)
{
	switch (a) {
	case PLAN_CREATE: return "create";
	case PLAN_SKIP: return "skip";
	case PLAN_CONFLICT: return "conflict";
	case PLAN_INVALID: return "invalid";
	case PLAN_PRESENT: return "present";
	}
	return "?";
}

void plan_init(struct plan *p)
{
	p->items = NULL;
	p->n = p->cap = p->ignored = p->retired = 0;
}

static void item_release(struct plan_item *it)
{
	free(it->legacy_key);
	free(it->legacy_etag);
	free(it->new_key);
	free(it->version);
	free(it->reason);
}

void plan_release(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		item_release(&p->items[i]);
	free(p->items);
	plan_init(p);
}

/* Appends a zeroed item whose strings are copies; NULL on ENOMEM. */
static struct plan_item *item_new(struct plan *p, const char *key,
				  uint64_t size, const char *etag)
{
	struct plan_item *it;

	if (p->n == p->cap) {
		size_t ncap = p->cap ? 2 * p->cap : 64;
		struct plan_item *n = realloc(p->items, ncap * sizeof(*n));

		if (!n)
			return NULL;
		p->items = n;
		p->cap = ncap;
	}
	it = &p->items[p->n];
	memset(it, 0, sizeof(*it));
	it->legacy_key = strdup(key);
	it->legacy_etag = strdup(etag ? etag : "");
	it->legacy_size = size;
	if (!it->legacy_key || !it->legacy_etag) {
		item_release(it);
		return NULL;
	}
	p->n++;
	return it;
}

static int stack_wanted(const struct plan_filter *f, const char *stack)
{
	size_t i;

	if (!f || !f->nstacks)
		return 1;
	for (i = 0; stack && i < f->nstacks; i++)
		if (strcmp(f->stacks[i], stack) == 0)
			return 1;
	return 0;
}

/* A retired stack is planned only when the filter names it. */
static int retired_left(const struct plan_filter *f, const struct config_stack *s)
{
	return s && s->retired && (!f || !f->nstacks || !stack_wanted(f, s->name));
}

static int version_wanted(const struct plan_filter *f, const char *v)
{
	if (!f || !f->version_glob)
		return 1;
	return v && version_glob_match(f->version_glob, v);
}

static int add_invalid(struct plan *p, const char *key, uint64_t size,
		       const char *etag, const struct naming_legacy *l,
		       const char *why)
{
	struct plan_item *it = item_new(p, key, size, etag);

	if (!it)
		return AV_ENOMEM;
	it->action = PLAN_INVALID;
	it->stack = l->stack;
	if ((l->version && !(it->version = strdup(l->version))) ||
	    !(it->reason = strdup(why)))
		return AV_ENOMEM;
	return 0;
}

static int add_pairs(struct plan *p, const char *to_prefix, const char *key,
		     uint64_t size, const char *etag,
		     const struct naming_legacy *l)
{
	struct buf nk = BUF_INIT;
	struct plan_item *it;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->n && !rc; i++) {
		buf_reset(&nk);
		if ((rc = buf_adds(&nk, to_prefix)) ||
		    (rc = buf_adds(&nk, l->new_keys[i])))
			break;
		if (!(it = item_new(p, key, size, etag))) {
			rc = AV_ENOMEM;
			break;
		}
		it->arch = l->arches[i];
		it->stack = l->stack;
		it->action = PLAN_CREATE;
		if (!(it->new_key = buf_detach(&nk, NULL)) ||
		    !(it->version = strdup(l->version)))
			rc = AV_ENOMEM;
	}
	buf_release(&nk);
	return rc;
}

int plan_add_legacy(struct plan *p, const struct config *c,
		    const char *from_prefix, const char *to_prefix,
		    const char *key, uint64_t size, const char *etag,
		    const struct plan_filter *f)
{
	struct naming_legacy l = { 0 };
	struct buf why = BUF_INIT;
	size_t plen = from_prefix ? strlen(from_prefix) : 0;
	int rc;

	if (plen && strncmp(key, from_prefix, plen) != 0)
		return 0;	/* not under the prefix: not ours to plan */
	rc = naming_parse_legacy(c, key + plen, &l, &why);
	if (rc == AV_ENOMEM)
		goto out;
	if (!stack_wanted(f, l.stack_name) || !version_wanted(f, l.version)) {
		rc = 0;
		goto out;
	}
	if (retired_left(f, l.stack)) {
		p->retired++;
		rc = 0;
		goto out;
	}
	if (l.status == NAMING_UNRECOGNISED) {
		p->ignored++;
		rc = 0;
		goto out;
	}
	if (l.status != NAMING_OK) {
		rc = add_invalid(p, key, size, etag, &l, why.ptr);
		goto out;
	}
	rc = add_pairs(p, to_prefix ? to_prefix : "", key, size, etag, &l);
out:
	naming_legacy_release(&l);
	buf_release(&why);
	return rc;
}

static int item_cmp(const void *a, const void *b)
{
	const struct plan_item *x = a, *y = b;

	if (!x->new_key != !y->new_key)
		return x->new_key ? -1 : 1;
	if (x->new_key)
		return strcmp(x->new_key, y->new_key);
	return strcmp(x->legacy_key, y->legacy_key);
}

void plan_sort(struct plan *p)
{
	if (p->n > 1)
		qsort(p->items, p->n, sizeof(p->items[0]), item_cmp);
}

static int set_reason(struct plan_item *it, enum plan_action a, const char *r)
{
	it->action = a;
	free(it->reason);
	it->reason = strdup(r);
	return it->reason ? 0 : AV_ENOMEM;
}

int plan_decide(struct plan_item *it, int exists,
		const struct provenance *rec, const struct pipeline_settings *s)
{
	struct provenance_source src = { it->legacy_key, it->legacy_etag,
					 it->legacy_size, NULL, NULL };
	struct buf why = BUF_INIT;
	int rc, m;

	if (it->action == PLAN_INVALID)
		return 0;
	if (!exists)
		return set_reason(it, PLAN_CREATE, "absent");
	if ((m = provenance_compare(rec, &src, s, &why)) < 0)
		rc = AV_ENOMEM;
	else if (m == PROV_NONE)
		rc = set_reason(it, PLAN_PRESENT, "exists, made elsewhere (records "
				"no archivist provenance): left as it is");
	else if (m == PROV_SAME)
		rc = set_reason(it, PLAN_SKIP, "already made from this source "
				"with these settings");
	else	/* PROV_OTHER: made by archivist otherwise; left alone */
		rc = set_reason(it, PLAN_CONFLICT, why.ptr);
	buf_release(&why);
	return rc;
}

/* An item's key for sharding: its new key, or the legacy key. */
static const char *shard_key(const struct plan_item *it)
{
	return it->new_key ? it->new_key : it->legacy_key;
}

int plan_keep_shard(struct plan *p, unsigned shard, unsigned nshards)
{
	struct shard_item *si = NULL;
	unsigned *of = NULL;
	size_t i, k = 0;
	int rc = AV_ENOMEM;

	if (!nshards || !p->n)
		return 0;
	if (!(si = calloc(p->n, sizeof(*si))) || !(of = calloc(p->n, sizeof(*of))))
		goto out;
	for (i = 0; i < p->n; i++)
		si[i] = (struct shard_item){ shard_key(&p->items[i]),
					     p->items[i].legacy_size };
	if ((rc = shard_assign(si, p->n, nshards, of)) != 0)
		goto out;
	for (i = 0; i < p->n; i++) {
		if (of[i] != shard)
			item_release(&p->items[i]);
		else
			p->items[k++] = p->items[i];
	}
	p->n = k;
out:
	free(si);
	free(of);
	return rc;
}

static int parse_uint(const char *s, const char *end, unsigned *out)
{
	unsigned long v = 0;

	if (s == end || end - s > 4)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = (unsigned)v;
	return 0;
}

int plan_parse_shard(const char *s, unsigned *shard, unsigned *nshards,
		     struct buf *why)
{
	const char *slash = strchr(s, '/');
	unsigned i, n;

	if (!slash || parse_uint(s, slash, &i) ||
	    parse_uint(slash + 1, slash + 1 + strlen(slash + 1), &n)) {
		buf_addf(why, "--shard takes I/N (two numbers, as 2/4), not '%s'", s);
		return AV_EUSAGE;
	}
	if (n < 1 || n > SHARD_MAX || i < 1 || i > n) {
		buf_addf(why, "--shard '%s': need 1 <= I <= N <= %d", s, SHARD_MAX);
		return AV_EUSAGE;
	}
	*shard = i;
	*nshards = n;
	return 0;
}
