/* config: loading and validating the naming configuration (see config.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "archivist/config.h"
#include "archivist/error.h"

/* Versions the self-check renders: a final release and a pre-release. */
static const char *const probe_versions[] = { "3.12.3", "3.13.0rc1" };

struct loader {
	const char *origin;
	struct buf *err;
	struct config *c;
};

static const char *const top_fields[] = { "name", "base_url", "templates",
					  "stacks", NULL };
static const char *const template_fields[] = { "legacy", "new", NULL };
static const char *const stack_fields[] = { "name", "os", "distro_name",
					    "distro_version", "arches",
					    "legacy_arches", NULL };
static const char *const stack_optional[] = { "retired", NULL };

/* Appends "ORIGIN: PATH[.FIELD]: message" to the error buffer; AV_ECONFIG. */
static int bad(struct loader *l, const char *path, const char *field,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int bad(struct loader *l, const char *path, const char *field,
	       const char *fmt, ...)
{
	va_list ap;

	buf_addf(l->err, "%s: %s%s%s%s", l->origin, path, field ? "." : "",
		 field ? field : "", *path || field ? ": " : "");
	va_start(ap, fmt);
	buf_vaddf(l->err, fmt, ap);
	va_end(ap);
	return AV_ECONFIG;
}

const char *config_arch(const char *arch)
{
	if (strcmp(arch, "amd64") == 0)
		return "amd64";
	if (strcmp(arch, "arm64") == 0)
		return "arm64";
	return NULL;
}

static const char *type_name(json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int listed(const char *const *names, const char *key)
{
	size_t i;

	for (i = 0; names && names[i]; i++)
		if (strcmp(names[i], key) == 0)
			return 1;
	return 0;
}

/* Every field in fields must be present; those in optional may be;
 * nothing else. */
static int check_fields(struct loader *l, json_t *obj, const char *path,
			const char *const *fields, const char *const *optional)
{
	struct buf list = BUF_INIT;
	const char *key;
	json_t *v;
	size_t i;
	int rc = 0;

	for (i = 0; fields[i]; i++)
		if (!json_object_get(obj, fields[i]))
			return bad(l, path, NULL, "missing field '%s'", fields[i]);
	json_object_foreach(obj, key, v) {
		if (listed(fields, key) || listed(optional, key))
			continue;
		for (i = 0; fields[i]; i++)
			buf_addf(&list, "%s%s", i ? ", " : "", fields[i]);
		for (i = 0; optional && optional[i]; i++)
			buf_addf(&list, ", %s", optional[i]);
		rc = bad(l, path, NULL, "unknown field '%s' (expected only: %s)", key, list.ptr);
		break;
	}
	buf_release(&list);
	return rc;
}

static int want_type(struct loader *l, json_t *v, json_type type,
		     const char *path, const char *what)
{
	if (json_typeof(v) != type)
		return bad(l, path, NULL, "expected %s, got %s", what, type_name(v));
	return 0;
}

/*
 * Copies obj[key] (a string) to *out.  cls >= 0 checks it against that
 * placeholder's character class.
 */
static int get_string(struct loader *l, json_t *obj, const char *key,
		      const char *parent, int cls, char **out)
{
	struct buf path = BUF_INIT;
	json_t *v = json_object_get(obj, key);
	int rc;

	if ((rc = buf_addf(&path, "%s%s%s", parent, *parent ? "." : "", key)) != 0)
		goto out;
	if ((rc = want_type(l, v, JSON_STRING, path.ptr, "a string")) != 0)
		goto out;
	if (cls >= 0 && !template_value_valid((enum template_field)cls,
					      json_string_value(v))) {
		rc = bad(l, path.ptr, NULL, "'%s' is not a valid {%s} value (non-empty; "
			 "letters, digits%s)", json_string_value(v),
			 template_field_name(cls),
			 cls == TF_DISTRO_VERSION ? " and '.'" :
			 cls == TF_NAME || cls == TF_STACK ? " and '.', '_', '-'" : "");
		goto out;
	}
	if (!(*out = strdup(json_string_value(v))))
		rc = AV_ENOMEM;
out:
	buf_release(&path);
	return rc;
}

/* Reads an array of arch names into arches (no duplicates). */
static int get_arches(struct loader *l, json_t *obj, const char *key,
		      const char *parent, const char **arches, size_t *n)
{
	struct buf path = BUF_INIT;
	json_t *arr = json_object_get(obj, key), *v;
	const char *a;
	size_t i, j;
	int rc;

	if ((rc = buf_addf(&path, "%s.%s", parent, key)) != 0 ||
	    (rc = want_type(l, arr, JSON_ARRAY, path.ptr, "an array of arch names")) != 0)
		goto out;
	*n = 0;
	json_array_foreach(arr, i, v) {
		if (json_typeof(v) != JSON_STRING || !(a = config_arch(json_string_value(v)))) {
			buf_addf(&path, "[%zu]", i);
			rc = bad(l, path.ptr, NULL, "%s%s%s is not a known arch (expected "
				 "\"amd64\" or \"arm64\")", json_is_string(v) ? "'" : "",
				 json_is_string(v) ? json_string_value(v) : type_name(v),
				 json_is_string(v) ? "'" : "");
			goto out;
		}
		for (j = 0; j < *n; j++)
			if (arches[j] == a) {
				buf_addf(&path, "[%zu]", i);
				rc = bad(l, path.ptr, NULL, "duplicate arch '%s'", a);
				goto out;
			}
		arches[(*n)++] = a;
	}
out:
	buf_release(&path);
	return rc;
}

/* The optional "retired" flag: a boolean, false when absent. */
static int get_retired(struct loader *l, json_t *obj, const char *path,
		       struct config_stack *s)
{
	json_t *v = json_object_get(obj, "retired");

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(l, path, "retired", "expected true or false, got %s",
			   type_name(v));
	s->retired = json_is_true(v);
	return 0;
}

static int load_stack(struct loader *l, json_t *obj, const char *path,
		      struct config_stack *s)
{
	size_t i;
	int rc;

	if ((rc = want_type(l, obj, JSON_OBJECT, path, "a stack object")) != 0 ||
	    (rc = check_fields(l, obj, path, stack_fields, stack_optional)) != 0 ||
	    (rc = get_string(l, obj, "name", path, TF_STACK, &s->name)) != 0 ||
	    (rc = get_string(l, obj, "os", path, -1, &s->os)) != 0 ||
	    (rc = get_string(l, obj, "distro_name", path, TF_DISTRO_NAME,
			     &s->distro_name)) != 0 ||
	    (rc = get_string(l, obj, "distro_version", path, TF_DISTRO_VERSION,
			     &s->distro_version)) != 0 ||
	    (rc = get_arches(l, obj, "arches", path, s->arches, &s->narches)) != 0 ||
	    (rc = get_arches(l, obj, "legacy_arches", path, s->legacy_arches,
			     &s->nlegacy_arches)) != 0 ||
	    (rc = get_retired(l, obj, path, s)) != 0)
		return rc;
	if (strcmp(s->os, "linux") != 0 && strcmp(s->os, "darwin") != 0)
		return bad(l, path, "os", "'%s' is not a known os (expected \"linux\" "
			   "or \"darwin\", as the buildpack inventory spells them)", s->os);
	if (s->narches == 0)
		return bad(l, path, "arches", "empty list (expected at least one arch)");
	for (i = 0; i < s->nlegacy_arches; i++)
		if (!config_stack_has_arch(s, s->legacy_arches[i]))
			return bad(l, path, "legacy_arches", "'%s' is not in arches",
				   s->legacy_arches[i]);
	return 0;
}

/* Checks a stack against the earlier ones: unique names, one os per distro. */
static int check_stack_unique(struct loader *l, size_t k, const char *path)
{
	const struct config_stack *s = &l->c->stacks[k], *o;
	size_t i;

	for (i = 0; i < k; i++) {
		o = &l->c->stacks[i];
		if (strcmp(o->name, s->name) == 0)
			return bad(l, path, "name", "duplicate stack '%s' (also stacks[%zu])",
				   s->name, i);
		if (strcmp(o->distro_name, s->distro_name) == 0 &&
		    strcmp(o->distro_version, s->distro_version) == 0 &&
		    strcmp(o->os, s->os) != 0)
			return bad(l, path, "os", "'%s' differs from stacks[%zu] ('%s') for "
				   "the same distro %s %s", s->os, i, o->os,
				   s->distro_name, s->distro_version);
	}
	return 0;
}

static int load_stacks(struct loader *l, json_t *root)
{
	struct buf path = BUF_INIT;
	json_t *arr = json_object_get(root, "stacks"), *v;
	size_t i;
	int rc;

	if ((rc = want_type(l, arr, JSON_ARRAY, "stacks", "an array of stacks")) != 0)
		return rc;
	if (json_array_size(arr) == 0)
		return bad(l, "stacks", NULL, "empty list (expected at least one stack)");
	if (json_array_size(arr) > CONFIG_MAX_STACKS)
		return bad(l, "stacks", NULL, "%zu stacks (at most %d)",
			   json_array_size(arr), CONFIG_MAX_STACKS);
	l->c->stacks = calloc(json_array_size(arr), sizeof(*l->c->stacks));
	if (!l->c->stacks)
		return AV_ENOMEM;
	json_array_foreach(arr, i, v) {
		buf_reset(&path);
		l->c->nstacks = i + 1;
		if ((rc = buf_addf(&path, "stacks[%zu]", i)) != 0 ||
		    (rc = load_stack(l, v, path.ptr, &l->c->stacks[i])) != 0 ||
		    (rc = check_stack_unique(l, i, path.ptr)) != 0)
			break;
	}
	buf_release(&path);
	return rc;
}

/* The placeholders each template must have, and must not have. */
static int check_template_fields(struct loader *l, const struct template *t,
				 const char *path, unsigned need, unsigned forbid,
				 const char *why_forbid)
{
	int f;

	for (f = 0; f < TF_COUNT; f++) {
		if ((need >> f & 1u) && !template_has(t, (enum template_field)f))
			return bad(l, path, NULL, "'%s' lacks {%s}, needed to identify an "
				   "artifact", t->source, template_field_name(f));
		if ((forbid >> f & 1u) && template_has(t, (enum template_field)f))
			return bad(l, path, NULL, "'%s' uses {%s}: %s", t->source,
				   template_field_name(f), why_forbid);
	}
	return 0;
}

#define BIT(f) (1u << (f))

static int load_templates(struct loader *l, json_t *root)
{
	json_t *obj = json_object_get(root, "templates");
	char *legacy = NULL, *fresh = NULL;
	struct buf why = BUF_INIT;
	int rc;

	if ((rc = want_type(l, obj, JSON_OBJECT, "templates", "an object")) != 0 ||
	    (rc = check_fields(l, obj, "templates", template_fields, NULL)) != 0 ||
	    (rc = get_string(l, obj, "legacy", "templates", -1, &legacy)) != 0 ||
	    (rc = get_string(l, obj, "new", "templates", -1, &fresh)) != 0)
		goto out;
	if ((rc = template_compile(&l->c->tmpl_legacy, legacy, &why)) != 0 ||
	    (rc = check_template_fields(l, &l->c->tmpl_legacy, "templates.legacy",
					BIT(TF_STACK) | BIT(TF_VERSION),
					BIT(TF_DISTRO_NAME) | BIT(TF_DISTRO_VERSION),
					"legacy keys are per stack (use {stack})")) != 0) {
		if (rc == AV_EINVAL)
			rc = bad(l, "templates.legacy", NULL, "'%s': %s", legacy, why.ptr);
		goto out;
	}
	if ((rc = template_compile(&l->c->tmpl_new, fresh, &why)) != 0 ||
	    (rc = check_template_fields(l, &l->c->tmpl_new, "templates.new",
					BIT(TF_VERSION) | BIT(TF_DISTRO_NAME) |
					BIT(TF_DISTRO_VERSION) | BIT(TF_ARCH),
					BIT(TF_STACK), "a new-scheme artifact serves "
					"every stack of its target, so it cannot name one")) != 0) {
		if (rc == AV_EINVAL)
			rc = bad(l, "templates.new", NULL, "'%s': %s", fresh, why.ptr);
		goto out;
	}
out:
	free(legacy);
	free(fresh);
	buf_release(&why);
	return rc;
}

static int load_base_url(struct loader *l, json_t *root)
{
	char *u;
	size_t n;
	int rc;

	if ((rc = get_string(l, root, "base_url", "", -1, &l->c->base_url)) != 0)
		return rc;
	u = l->c->base_url;
	n = strlen(u);
	while (n > 0 && u[n - 1] == '/')
		u[--n] = '\0';
	if ((strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) ||
	    strlen(strstr(u, "//") + 2) == 0 || strpbrk(u, " \t\r\n?#\"\\<>"))
		return bad(l, "base_url", NULL, "'%s' is not an http(s) URL without query "
			   "or fragment (e.g. \"https://BUCKET.s3.us-east-1.amazonaws.com\")",
			   json_string_value(json_object_get(root, "base_url")));
	return 0;
}

/*
 * Renders key(s) with t and checks that each matches back to the same
 * values, and never matches other (the other scheme).
 */
static int roundtrip(struct loader *l, const struct template *t,
		     const struct template *other, const char *path,
		     const char *const values[TF_COUNT])
{
	struct buf key = BUF_INIT, why = BUF_INIT;
	char *got[TF_COUNT] = { NULL }, *dummy[TF_COUNT] = { NULL };
	int rc, f;

	if ((rc = template_render(t, values, &key, &why)) != 0) {
		rc = rc == AV_EINVAL ? bad(l, path, NULL, "cannot render: %s", why.ptr) : rc;
		goto out;
	}
	if ((rc = template_match(t, l->c->name, key.ptr, got, NULL, &why)) != 0) {
		rc = rc == AV_EINVAL ? bad(l, path, NULL, "key '%s' does not parse back: %s",
					   key.ptr, why.ptr) : rc;
		goto out;
	}
	for (f = 0; f < TF_COUNT; f++)
		if (template_has(t, (enum template_field)f) && strcmp(got[f], values[f])) {
			rc = bad(l, path, NULL, "key '%s' parses back with {%s} = '%s', not '%s'",
				 key.ptr, template_field_name(f), got[f], values[f]);
			goto out;
		}
	if (template_match(other, l->c->name, key.ptr, dummy, NULL, NULL) == 0)
		rc = bad(l, path, NULL, "key '%s' also matches the other scheme's template '%s'",
			 key.ptr, other->source);
out:
	template_values_free(got);
	template_values_free(dummy);
	buf_release(&key);
	buf_release(&why);
	return rc;
}

/* Round-trips every key shape the configuration can produce. */
static int self_check(struct loader *l)
{
	const struct config *c = l->c;
	const struct config_stack *s;
	const char *v[TF_COUNT];
	size_t i, j, k, nleg;
	int rc;

	for (k = 0; k < sizeof(probe_versions) / sizeof(*probe_versions); k++) {
		for (i = 0; i < c->nstacks; i++) {
			s = &c->stacks[i];
			v[TF_NAME] = c->name;
			v[TF_VERSION] = probe_versions[k];
			v[TF_STACK] = s->name;
			v[TF_DISTRO_NAME] = s->distro_name;
			v[TF_DISTRO_VERSION] = s->distro_version;
			for (j = 0; j < s->narches; j++) {
				v[TF_ARCH] = s->arches[j];
				if ((rc = roundtrip(l, &c->tmpl_new, &c->tmpl_legacy,
						    "templates.new", v)) != 0)
					return rc;
			}
			nleg = template_has(&c->tmpl_legacy, TF_ARCH) ? s->nlegacy_arches : 1;
			for (j = 0; j < nleg; j++) {
				v[TF_ARCH] = s->nlegacy_arches ? s->legacy_arches[j] : "amd64";
				if ((rc = roundtrip(l, &c->tmpl_legacy, &c->tmpl_new,
						    "templates.legacy", v)) != 0)
					return rc;
			}
		}
	}
	return 0;
}

static int load_root(struct loader *l, json_t *root)
{
	int rc;

	if ((rc = check_fields(l, root, "", top_fields, NULL)) != 0 ||
	    (rc = get_string(l, root, "name", "", TF_NAME, &l->c->name)) != 0 ||
	    (rc = load_base_url(l, root)) != 0 ||
	    (rc = load_templates(l, root)) != 0 ||
	    (rc = load_stacks(l, root)) != 0)
		return rc;
	return self_check(l);
}

int config_load_bytes(const char *data, size_t n, const char *origin,
		      struct config **out, struct buf *err)
{
	struct loader l = { origin, err, NULL };
	json_error_t jerr;
	json_t *root = NULL;
	int rc;

	*out = NULL;
	if (n > CONFIG_MAX_BYTES) {
		buf_addf(err, "%s: larger than %zu bytes", origin, CONFIG_MAX_BYTES);
		return AV_ECONFIG;
	}
	if (!(root = json_loadb(data, n, JSON_REJECT_DUPLICATES, &jerr))) {
		buf_addf(err, "%s:%d:%d: invalid JSON: %s", origin, jerr.line,
			 jerr.column, jerr.text);
		return AV_ECONFIG;
	}
	if (!(l.c = calloc(1, sizeof(*l.c))) || !(l.c->origin = strdup(origin))) {
		rc = AV_ENOMEM;
		goto out;
	}
	if ((rc = want_type(&l, root, JSON_OBJECT, "", "a JSON object")) == 0)
		rc = load_root(&l, root);
out:
	if (rc == AV_ENOMEM)
		buf_addf(err, "%s: out of memory", origin);
	if (rc == 0)
		*out = l.c;
	else
		config_free(l.c);
	json_decref(root);
	return rc;
}

/*
 * A configuration that cannot be read is a configuration error like one
 * that does not validate (AV_ECONFIG: exit 2, nothing attempted), not an
 * I/O failure of the work.
 */
static int read_file(const char *path, struct buf *data, struct buf *err)
{
	char chunk[8192];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = 0;

	if (!f) {
		buf_addf(err, "%s: cannot open: %s", path, strerror(errno));
		return AV_ECONFIG;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((rc = buf_add(data, chunk, n)) != 0) {
			buf_addf(err, "%s: %s", path, rc == AV_ETOOBIG ?
				 "larger than 1 MiB: not a configuration file" :
				 "out of memory");
			break;
		}
	if (rc == 0 && ferror(f)) {
		buf_addf(err, "%s: cannot read: %s", path, strerror(errno));
		rc = AV_ECONFIG;
	}
	fclose(f);
	return rc == AV_ETOOBIG ? AV_ECONFIG : rc;
}

int config_load(const char *path, struct config **out, struct buf *err)
{
	struct buf data;
	int rc;

	*out = NULL;
	if (!path && (path = getenv(CONFIG_ENV)) != NULL && !*path)
		path = NULL;
	if (!path)
		return config_load_bytes(config_builtin_json,
					 strlen(config_builtin_json),
					 CONFIG_BUILTIN_NAME, out, err);
	buf_init(&data, CONFIG_MAX_BYTES);
	if ((rc = read_file(path, &data, err)) == 0)
		rc = config_load_bytes(data.ptr, data.len, path, out, err);
	buf_release(&data);
	return rc;
}

void config_free(struct config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nstacks; i++) {
		free(c->stacks[i].name);
		free(c->stacks[i].os);
		free(c->stacks[i].distro_name);
		free(c->stacks[i].distro_version);
	}
	free(c->stacks);
	template_release(&c->tmpl_legacy);
	template_release(&c->tmpl_new);
	free(c->origin);
	free(c->name);
	free(c->base_url);
	free(c);
}

const struct config_stack *config_find_stack(const struct config *c,
					     const char *name)
{
	size_t i;

	for (i = 0; i < c->nstacks; i++)
		if (strcmp(c->stacks[i].name, name) == 0)
			return &c->stacks[i];
	return NULL;
}

int config_stack_has_arch(const struct config_stack *s, const char *arch)
{
	const char *a = config_arch(arch);
	size_t i;

	for (i = 0; a && i < s->narches; i++)
		if (s->arches[i] == a)
			return 1;
	return 0;
}

int config_find_target(const struct config *c, const char *distro_name,
		       const char *distro_version, const char *arch,
		       struct config_target *out)
{
	const struct config_stack *s;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->distro_name = distro_name;
	out->distro_version = distro_version;
	out->arch = config_arch(arch);
	for (i = 0; i < c->nstacks; i++) {
		s = &c->stacks[i];
		if (strcmp(s->distro_name, distro_name) != 0 ||
		    strcmp(s->distro_version, distro_version) != 0 ||
		    !config_stack_has_arch(s, arch))
			continue;
		out->distro_name = s->distro_name;
		out->distro_version = s->distro_version;
		out->os = s->os;
		out->stacks[out->nstacks++] = s;
	}
	return out->nstacks ? 0 : AV_ENOTFOUND;
}

int config_target_retired(const struct config_target *t)
{
	size_t i;

	for (i = 0; i < t->nstacks; i++)
		if (!t->stacks[i]->retired)
			return 0;
	return t->nstacks > 0;
}

int config_parse_target(const struct config *c, const char *spec,
			struct config_target *out, struct buf *why)
{
	const char *d1 = strchr(spec, '-'), *d2 = strrchr(spec, '-');
	char *copy;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!d1 || d1 == d2 || d1 == spec || !d2[1] || d2 == d1 + 1) {
		buf_addf(why, "target '%s' is not DISTRO-VERSION-ARCH "
			 "(e.g. ubuntu-24.04-arm64)", spec);
		return AV_EINVAL;
	}
	if (!(copy = strdup(spec)))
		return AV_ENOMEM;
	copy[d1 - spec] = '\0';
	copy[d2 - spec] = '\0';
	rc = config_find_target(c, copy, copy + (d1 - spec) + 1, d2 + 1, out);
	if (rc == AV_ENOTFOUND)
		buf_addf(why, "target '%s': no stack in %s serves %s %s on %s",
			 spec, c->origin, copy, copy + (d1 - spec) + 1, d2 + 1);
	free(copy);
	/* The strings must outlive copy: point them into the config. */
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}
