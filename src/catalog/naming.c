/* naming: legacy and new keys through the config's templates. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/naming.h"
#include "archivist/version.h"

const char *naming_status_name(enum naming_status s)
{
	switch (s) {
	case NAMING_OK: return "ok";
	case NAMING_UNRECOGNISED: return "unrecognised";
	case NAMING_AMBIGUOUS: return "ambiguous";
	case NAMING_BAD_VERSION: return "bad-version";
	case NAMING_UNKNOWN_STACK: return "unknown-stack";
	case NAMING_UNKNOWN_ARCH: return "unknown-arch";
	case NAMING_UNKNOWN_TARGET: return "unknown-target";
	}
	return "?";
}

/* Matches key against t; on failure sets *status and returns AV_EINVAL. */
static int match(const struct config *c, const struct template *t,
		 const char *key, char *v[TF_COUNT], enum naming_status *status,
		 struct buf *why)
{
	int ambiguous = 0, rc;

	rc = template_match(t, c->name, key, v, &ambiguous, why);
	if (rc == AV_EINVAL)
		*status = ambiguous ? NAMING_AMBIGUOUS : NAMING_UNRECOGNISED;
	return rc;
}

static int fail(enum naming_status *status, enum naming_status s)
{
	*status = s;
	return AV_EINVAL;
}

/* Fills the arches a legacy key holds and renders their new keys. */
static int legacy_targets(const struct config *c, struct naming_legacy *out,
			  struct buf *why)
{
	const struct config_stack *s = out->stack;
	struct buf key = BUF_INIT;
	size_t i;
	int rc = 0;

	if (out->arch_name) {
		out->arches[0] = config_arch(out->arch_name);
		out->n = 1;
	} else {
		for (i = 0; i < s->nlegacy_arches; i++)
			out->arches[i] = s->legacy_arches[i];
		out->n = s->nlegacy_arches;
	}
	for (i = 0; i < out->n && rc == 0; i++) {
		rc = naming_new_key(c, out->version, s->distro_name,
				    s->distro_version, out->arches[i], &key, why);
		if (rc == 0 && !(out->new_keys[i] = buf_detach(&key, NULL)))
			rc = AV_ENOMEM;
	}
	buf_release(&key);
	return rc;
}

/* The checks after a legacy key matched: stack, arch, version. */
static int legacy_check(const struct config *c, struct naming_legacy *out,
			struct buf *why)
{
	const struct config_stack *s;
	const char *a;
	size_t i;

	if (!(s = config_find_stack(c, out->stack_name))) {
		buf_note(why, "stack '%s' is not in %s", out->stack_name, c->origin);
		return fail(&out->status, NAMING_UNKNOWN_STACK);
	}
	out->stack = s;
	if (out->arch_name) {
		a = config_arch(out->arch_name);
		for (i = 0; a && i < s->nlegacy_arches && s->legacy_arches[i] != a; i++)
			;
		if (!a || i == s->nlegacy_arches) {
			buf_note(why, "arch '%s' is not a legacy arch of stack %s",
				 out->arch_name, s->name);
			return fail(&out->status, NAMING_UNKNOWN_ARCH);
		}
	} else if (s->nlegacy_arches == 0) {
		buf_note(why, "stack %s has no legacy arches in %s", s->name, c->origin);
		return fail(&out->status, NAMING_UNKNOWN_ARCH);
	}
	if (version_parse(out->version, &(struct version){ 0 }, why) != 0)
		return fail(&out->status, NAMING_BAD_VERSION);
	return 0;
}

int naming_parse_legacy(const struct config *c, const char *key,
			struct naming_legacy *out, struct buf *why)
{
	struct buf scratch = BUF_INIT;
	char *v[TF_COUNT];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!why)
		why = &scratch;
	if ((rc = match(c, &c->tmpl_legacy, key, v, &out->status, why)) != 0)
		goto out;
	out->version = v[TF_VERSION];
	out->stack_name = v[TF_STACK];
	out->arch_name = v[TF_ARCH];
	v[TF_VERSION] = v[TF_STACK] = v[TF_ARCH] = NULL;
	template_values_free(v);
	if ((rc = legacy_check(c, out, why)) == 0)
		rc = legacy_targets(c, out, why);
out:
	buf_release(&scratch);
	return rc;
}

void naming_legacy_release(struct naming_legacy *l)
{
	size_t i;

	free(l->version);
	free(l->stack_name);
	free(l->arch_name);
	for (i = 0; i < CONFIG_MAX_ARCHES; i++)
		free(l->new_keys[i]);
	memset(l, 0, sizeof(*l));
}

/* The checks after a new key matched: version, arch, target. */
static int new_check(const struct config *c, struct naming_artifact *out,
		     struct buf *why)
{
	if (version_parse(out->version, &(struct version){ 0 }, why) != 0)
		return fail(&out->status, NAMING_BAD_VERSION);
	if (!config_arch(out->arch_name)) {
		buf_note(why, "arch '%s' is not amd64 or arm64", out->arch_name);
		return fail(&out->status, NAMING_UNKNOWN_ARCH);
	}
	if (config_find_target(c, out->distro_name, out->distro_version,
			       out->arch_name, &out->target) != 0) {
		buf_note(why, "no stack in %s serves %s %s on %s", c->origin,
			 out->distro_name, out->distro_version, out->arch_name);
		return fail(&out->status, NAMING_UNKNOWN_TARGET);
	}
	return 0;
}

int naming_parse_new(const struct config *c, const char *key,
		     struct naming_artifact *out, struct buf *why)
{
	struct buf scratch = BUF_INIT;
	char *v[TF_COUNT];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!why)
		why = &scratch;
	if ((rc = match(c, &c->tmpl_new, key, v, &out->status, why)) != 0)
		goto out;
	out->version = v[TF_VERSION];
	out->distro_name = v[TF_DISTRO_NAME];
	out->distro_version = v[TF_DISTRO_VERSION];
	out->arch_name = v[TF_ARCH];
	v[TF_VERSION] = v[TF_DISTRO_NAME] = v[TF_DISTRO_VERSION] = v[TF_ARCH] = NULL;
	template_values_free(v);
	rc = new_check(c, out, why);
out:
	buf_release(&scratch);
	return rc;
}

void naming_artifact_release(struct naming_artifact *a)
{
	free(a->version);
	free(a->distro_name);
	free(a->distro_version);
	free(a->arch_name);
	memset(a, 0, sizeof(*a));
}

static int check_version_arch(const char *version, const char *arch,
			      struct buf *why)
{
	if (version_parse(version, &(struct version){ 0 }, why) != 0)
		return AV_EINVAL;
	if (arch && !config_arch(arch)) {
		buf_note(why, "arch '%s' is not amd64 or arm64", arch);
		return AV_EINVAL;
	}
	return 0;
}

int naming_legacy_key(const struct config *c, const char *version,
		      const struct config_stack *s, const char *arch,
		      struct buf *out, struct buf *why)
{
	const char *v[TF_COUNT] = { NULL };
	int rc;

	if (!template_has(&c->tmpl_legacy, TF_ARCH))
		arch = NULL;
	else if (!arch) {
		buf_note(why, "the legacy template '%s' needs an arch",
			 c->tmpl_legacy.source);
		return AV_EINVAL;
	}
	if ((rc = check_version_arch(version, arch, why)) != 0)
		return rc;
	v[TF_NAME] = c->name;
	v[TF_VERSION] = version;
	v[TF_STACK] = s->name;
	v[TF_ARCH] = arch;
	return template_render(&c->tmpl_legacy, v, out, why);
}

int naming_new_key(const struct config *c, const char *version,
		   const char *distro_name, const char *distro_version,
		   const char *arch, struct buf *out, struct buf *why)
{
	const char *v[TF_COUNT] = { NULL };
	int rc;

	if ((rc = check_version_arch(version, arch, why)) != 0)
		return rc;
	v[TF_NAME] = c->name;
	v[TF_VERSION] = version;
	v[TF_DISTRO_NAME] = distro_name;
	v[TF_DISTRO_VERSION] = distro_version;
	v[TF_ARCH] = arch;
	return template_render(&c->tmpl_new, v, out, why);
}

const char *naming_kind_name(enum naming_kind k)
{
	switch (k) {
	case NAMING_KIND_NEW: return "new";
	case NAMING_KIND_LEGACY: return "legacy";
	case NAMING_KIND_LEGACY_RETIRED: return "legacy-retired";
	case NAMING_KIND_STACK_FILE: return "stack-file";
	case NAMING_KIND_INVALID: return "invalid";
	case NAMING_KIND_OTHER: return "other";
	}
	return "?";
}

/*
 * Appends the folder of stack s (see naming.h) to out: 1 if it has one,
 * 0 if the legacy template gives none, -1 out of memory.
 */
static int stack_folder(const struct config *c, const struct config_stack *s,
			struct buf *out)
{
	const struct template *t = &c->tmpl_legacy;
	const struct template_segment *g;
	const char *slash;
	size_t i;

	for (i = 0; i < t->nsegs; i++) {
		g = &t->segs[i];
		if (g->field == TF_STACK)
			break;
		if (g->field != -1 && g->field != TF_NAME)
			return 0;	/* another placeholder first: no fixed folder */
		if (buf_adds(out, g->field == TF_NAME ? c->name : g->text) != 0)
			return -1;
	}
	if (i + 1 >= t->nsegs || t->segs[i + 1].field != -1 ||
	    !(slash = strchr(t->segs[i + 1].text, '/')))
		return 0;
	if (buf_adds(out, s->name) != 0 ||
	    buf_add(out, t->segs[i + 1].text, (size_t)(slash - t->segs[i + 1].text) + 1) != 0)
		return -1;
	return 1;
}

/* The stack whose folder holds key, or NULL; -1 in *oom on ENOMEM. */
static const struct config_stack *in_stack_folder(const struct config *c,
						  const char *key, int *oom)
{
	struct buf dir = BUF_INIT;
	const struct config_stack *found = NULL;
	size_t i;
	int r;

	for (i = 0; i < c->nstacks && !found; i++) {
		buf_reset(&dir);
		if ((r = stack_folder(c, &c->stacks[i], &dir)) < 0) {
			*oom = 1;
			break;
		}
		if (r > 0 && strncmp(key, dir.ptr, dir.len) == 0)
			found = &c->stacks[i];
	}
	buf_release(&dir);
	return found;
}

/* The legacy half of naming_classify. */
static int classify_legacy(const struct config *c, const char *key,
			   struct naming_class *out, struct buf *why)
{
	struct naming_legacy l;
	size_t start = why ? why->len : 0;
	int rc, oom = 0;

	rc = naming_parse_legacy(c, key, &l, why);
	if (why && l.status == NAMING_UNRECOGNISED)
		buf_setlen(why, start);
	out->status = l.status;
	out->stack = l.stack;
	if (rc == AV_ENOMEM) {
		naming_legacy_release(&l);
		return rc;
	}
	if (l.status == NAMING_OK)
		out->kind = l.stack->retired ? NAMING_KIND_LEGACY_RETIRED :
			NAMING_KIND_LEGACY;
	else if (l.status != NAMING_UNRECOGNISED)
		out->kind = NAMING_KIND_INVALID, out->legacy_scheme = 1;
	else if ((out->stack = in_stack_folder(c, key, &oom)) != NULL)
		out->kind = NAMING_KIND_STACK_FILE, out->status = NAMING_OK;
	else
		out->kind = NAMING_KIND_OTHER;
	naming_legacy_release(&l);
	return oom ? AV_ENOMEM : 0;
}

int naming_classify(const struct config *c, const char *key,
		    struct naming_class *out, struct buf *why)
{
	struct naming_artifact a;
	size_t start = why ? why->len : 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = naming_parse_new(c, key, &a, why);
	out->status = a.status;
	naming_artifact_release(&a);
	if (rc == AV_ENOMEM)
		return rc;
	if (out->status == NAMING_OK)
		return 0;	/* NAMING_KIND_NEW */
	if (out->status != NAMING_UNRECOGNISED) {
		out->kind = NAMING_KIND_INVALID;
		return 0;
	}
	if (why)
		buf_setlen(why, start);	/* "matches no template" is not the story */
	return classify_legacy(c, key, out, why);
}
