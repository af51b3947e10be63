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
