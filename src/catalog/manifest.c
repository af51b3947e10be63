/* manifest: JSON and TOML inventories of new-scheme artifacts. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "archivist/error.h"
#include "archivist/manifest.h"
#include "archivist/uri.h"
#include "archivist/version.h"

#define SHA256_HEX 64

int manifest_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp, min;
	int more, i;

	while (*p) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			more = 1, cp = *p & 0x1fu, min = 0x80;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			more = 2, cp = *p & 0x0fu, min = 0x800;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			more = 3, cp = *p & 0x07u, min = 0x10000;
		} else {
			return 0;
		}
		for (i = 1; i <= more; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += more + 1;
	}
	return 1;
}

int manifest_toml_string(struct buf *out, const char *s, struct buf *why)
{
	size_t start = out->len;
	const char *p;
	int rc;

	if (!manifest_utf8_valid(s)) {
		buf_note(why, "not valid UTF-8");
		return AV_EINVAL;
	}
	rc = buf_addc(out, '"');
	for (p = s; *p && rc == 0; p++) {
		switch (*p) {
		case '"': rc = buf_adds(out, "\\\""); break;
		case '\\': rc = buf_adds(out, "\\\\"); break;
		case '\b': rc = buf_adds(out, "\\b"); break;
		case '\t': rc = buf_adds(out, "\\t"); break;
		case '\n': rc = buf_adds(out, "\\n"); break;
		case '\f': rc = buf_adds(out, "\\f"); break;
		case '\r': rc = buf_adds(out, "\\r"); break;
		default:
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				rc = buf_addf(out, "\\u%04X", (unsigned)*p);
			else
				rc = buf_addc(out, *p);
		}
	}
	if (rc == 0)
		rc = buf_addc(out, '"');
	if (rc != 0)
		buf_setlen(out, start);
	return rc;
}

int manifest_url(const char *base_url, const char *key, struct buf *out)
{
	int rc;

	if ((rc = buf_adds(out, base_url)) != 0 || (rc = buf_addc(out, '/')) != 0)
		return rc;
	return uri_encode(out, key, strlen(key), 1);
}

int manifest_time(time_t *out, struct buf *why)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	unsigned long long v;
	char *end;

	if (!s) {
		*out = time(NULL);
		return 0;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > (unsigned long long)INT32_MAX * 64) {
		buf_note(why, "SOURCE_DATE_EPOCH='%s' is not a number of seconds "
			 "since 1970", s);
		return AV_EINVAL;
	}
	*out = (time_t)v;
	return 0;
}

static int is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; i < SHA256_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[SHA256_HEX] == '\0';
}

/* Checks what both formats need of artifact number k. */
static int check_artifact(const struct manifest_artifact *a, size_t k,
			  struct buf *why)
{
	const char *const s[] = { a->name, a->version, a->os, a->arch,
				  a->distro_name, a->distro_version, a->key, a->url };
	const char *const what[] = { "name", "version", "os", "arch",
				     "distro_name", "distro_version", "key", "url" };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(*s); i++)
		if (!s[i] || !manifest_utf8_valid(s[i])) {
			buf_note(why, "artifact %zu: %s is %s", k, what[i],
				 s[i] ? "not valid UTF-8" : "missing");
			return AV_EINVAL;
		}
	for (i = 0; i < a->nstacks; i++)
		if (!a->stacks[i] || !manifest_utf8_valid(a->stacks[i])) {
			buf_note(why, "'%s': a stack name is missing or not UTF-8", a->key);
			return AV_EINVAL;
		}
	if (!a->sha256 || !is_sha256_hex(a->sha256) ||
	    (a->legacy_sha256 && !is_sha256_hex(a->legacy_sha256))) {
		buf_note(why, "'%s': a checksum is not 64 lower-case hex digits", a->key);
		return AV_EINVAL;
	}
	if (a->size < 0 || a->legacy_size < -1 ||
	    (a->legacy_key && !manifest_utf8_valid(a->legacy_key))) {
		buf_note(why, "'%s': bad size or legacy key", a->key);
		return AV_EINVAL;
	}
	return 0;
}

static int cmp_artifacts(const void *pa, const void *pb)
{
	const struct manifest_artifact *a = *(const struct manifest_artifact *const *)pa;
	const struct manifest_artifact *b = *(const struct manifest_artifact *const *)pb;
	int c;

	if ((c = strcmp(a->name, b->name)) || (c = version_strcmp(a->version, b->version)) ||
	    (c = version_natcmp(a->distro_version, b->distro_version)) ||
	    (c = strcmp(a->distro_name, b->distro_name)) || (c = strcmp(a->arch, b->arch)) ||
	    (c = strcmp(a->key, b->key)) || (c = strcmp(a->sha256, b->sha256)))
		return c;
	return a->size < b->size ? -1 : a->size > b->size;
}

/* Checks every artifact and returns them sorted (caller frees the array). */
static int sorted(const struct manifest *m, const struct manifest_artifact ***out,
		  struct buf *why)
{
	const struct manifest_artifact **v;
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < m->nartifacts; i++)
		if ((rc = check_artifact(&m->artifacts[i], i, why)) != 0)
			return rc;
	if (!(v = calloc(m->nartifacts + 1, sizeof(*v))))
		return AV_ENOMEM;
	for (i = 0; i < m->nartifacts; i++)
		v[i] = &m->artifacts[i];
	qsort(v, m->nartifacts, sizeof(*v), cmp_artifacts);
	*out = v;
	return 0;
}

/* TOML: key = "string" */
static int toml_kv(struct buf *out, const char *key, const char *val)
{
	int rc;

	if ((rc = buf_addf(out, "%s = ", key)) != 0 ||
	    (rc = manifest_toml_string(out, val, NULL)) != 0)
		return rc;
	return buf_addc(out, '\n');
}

static int toml_artifact(struct buf *out, const struct manifest_artifact *a)
{
	struct buf checksum = BUF_INIT;
	size_t i;
	int rc;

	if ((rc = buf_addf(&checksum, "sha256:%s", a->sha256)) != 0 ||
	    (rc = buf_adds(out, "[[artifacts]]\n")) != 0 ||
	    (rc = toml_kv(out, "version", a->version)) != 0 ||
	    (rc = toml_kv(out, "os", a->os)) != 0 ||
	    (rc = toml_kv(out, "arch", a->arch)) != 0 ||
	    (rc = toml_kv(out, "url", a->url)) != 0 ||
	    (rc = toml_kv(out, "checksum", checksum.ptr)) != 0 ||
	    (rc = buf_adds(out, "\n[artifacts.metadata]\n")) != 0 ||
	    (rc = toml_kv(out, "distro_name", a->distro_name)) != 0 ||
	    (rc = toml_kv(out, "distro_version", a->distro_version)) != 0 ||
	    (rc = buf_adds(out, "stacks = [")) != 0)
		goto out;
	for (i = 0; i < a->nstacks && rc == 0; i++)
		if ((rc = buf_adds(out, i ? ", " : "")) == 0)
			rc = manifest_toml_string(out, a->stacks[i], NULL);
	if (rc == 0)
		rc = buf_adds(out, "]\n");
out:
	buf_release(&checksum);
	return rc;
}

int manifest_toml(const struct manifest *m, struct buf *out, struct buf *why)
{
	const struct manifest_artifact **v;
	size_t i, start = out->len;
	int rc;

	if ((rc = sorted(m, &v, why)) != 0)
		return rc;
	if (m->nartifacts == 0)
		rc = buf_adds(out, "artifacts = []\n");
	for (i = 0; i < m->nartifacts && rc == 0; i++)
		if ((rc = buf_adds(out, i ? "\n" : "")) == 0)
			rc = toml_artifact(out, v[i]);
	if (rc != 0)
		buf_setlen(out, start);
	free(v);
	return rc;
}

/* JSON helpers: each takes ownership of v and records failure in *ok. */
static void jset(json_t *obj, const char *key, json_t *v, int *ok)
{
	if (!v || json_object_set_new(obj, key, v) != 0)
		*ok = 0;
}

static void jpush(json_t *arr, json_t *v, int *ok)
{
	if (!v || json_array_append_new(arr, v) != 0)
		*ok = 0;
}

static json_t *jchecksum(const char *hex)
{
	struct buf b = BUF_INIT;
	json_t *s = NULL;

	if (buf_addf(&b, "sha256:%s", hex) == 0)
		s = json_string(b.ptr);
	buf_release(&b);
	return s;
}

static json_t *jstrings(const char *const *v, size_t n, int *ok)
{
	json_t *arr = json_array();
	size_t i;

	if (!arr)
		*ok = 0;
	for (i = 0; arr && i < n; i++)
		jpush(arr, json_string(v[i]), ok);
	return arr;
}

static json_t *json_stacks(const struct config *c, int *ok)
{
	const struct config_stack *s;
	json_t *all = json_object(), *one;
	size_t i;

	for (i = 0; all && i < c->nstacks; i++) {
		s = &c->stacks[i];
		if (!(one = json_object())) {
			*ok = 0;
			break;
		}
		jset(one, "os", json_string(s->os), ok);
		jset(one, "distro_name", json_string(s->distro_name), ok);
		jset(one, "distro_version", json_string(s->distro_version), ok);
		jset(one, "arches", jstrings(s->arches, s->narches, ok), ok);
		jset(all, s->name, one, ok);
	}
	if (!all)
		*ok = 0;
	return all;
}

static json_t *json_artifact(const struct manifest_artifact *a, int *ok)
{
	json_t *o = json_object(), *leg;

	if (!o) {
		*ok = 0;
		return NULL;
	}
	jset(o, "name", json_string(a->name), ok);
	jset(o, "version", json_string(a->version), ok);
	jset(o, "os", json_string(a->os), ok);
	jset(o, "arch", json_string(a->arch), ok);
	jset(o, "distro_name", json_string(a->distro_name), ok);
	jset(o, "distro_version", json_string(a->distro_version), ok);
	jset(o, "stacks", jstrings(a->stacks, a->nstacks, ok), ok);
	jset(o, "key", json_string(a->key), ok);
	jset(o, "url", json_string(a->url), ok);
	jset(o, "size", json_integer(a->size), ok);
	jset(o, "checksum", jchecksum(a->sha256), ok);
	if (!a->legacy_key)
		return o;
	if (!(leg = json_object())) {
		*ok = 0;
		return o;
	}
	jset(leg, "key", json_string(a->legacy_key), ok);
	if (a->legacy_size >= 0)
		jset(leg, "size", json_integer(a->legacy_size), ok);
	if (a->legacy_sha256)
		jset(leg, "checksum", jchecksum(a->legacy_sha256), ok);
	jset(o, "legacy_source", leg, ok);
	return o;
}

static int format_time(time_t t, char out[32])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return AV_EINVAL;
	return 0;
}

static json_t *json_root(const struct manifest *m, const char *when,
			 const struct manifest_artifact *const *v, int *ok)
{
	json_t *root = json_object(), *arts = json_array();
	size_t i;

	if (!root || !arts) {
		json_decref(root);
		json_decref(arts);
		*ok = 0;
		return NULL;
	}
	jset(root, "schema_version", json_integer(MANIFEST_SCHEMA_VERSION), ok);
	jset(root, "generated_at", json_string(when), ok);
	jset(root, "name", json_string(m->config->name), ok);
	jset(root, "bucket", json_string(m->bucket), ok);
	jset(root, "prefix", json_string(m->prefix), ok);
	jset(root, "base_url", json_string(m->base_url), ok);
	jset(root, "stacks", json_stacks(m->config, ok), ok);
	for (i = 0; i < m->nartifacts; i++)
		jpush(arts, json_artifact(v[i], ok), ok);
	jset(root, "artifacts", arts, ok);
	return root;
}

int manifest_json(const struct manifest *m, struct buf *out, struct buf *why)
{
	const struct manifest_artifact **v;
	json_t *root = NULL;
	char *text = NULL, when[32];
	int rc, ok = 1;

	if (!manifest_utf8_valid(m->bucket) || !manifest_utf8_valid(m->prefix) ||
	    !manifest_utf8_valid(m->base_url)) {
		buf_note(why, "bucket, prefix or base URL is not valid UTF-8");
		return AV_EINVAL;
	}
	if (format_time(m->generated, when) != 0) {
		buf_note(why, "generation time %lld is out of range",
			 (long long)m->generated);
		return AV_EINVAL;
	}
	if ((rc = sorted(m, &v, why)) != 0)
		return rc;
	root = json_root(m, when, v, &ok);
	if (ok && root)
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
				  JSON_ENSURE_ASCII);
	if (!text)
		rc = AV_ENOMEM;
	else if ((rc = buf_adds(out, text)) == 0 && (rc = buf_addc(out, '\n')) != 0)
		buf_setlen(out, out->len - strlen(text));
	json_decref(root);
	free(text);
	free(v);
	return rc;
}
