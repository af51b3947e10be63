/* manifest_reuse: checksums of an earlier manifest (manifest_reuse.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "archivist/error.h"
#include "archivist/manifest.h"
#include "archivist/manifest_reuse.h"

/* s without surrounding quotes, as a new string. */
static char *unquoted(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		return strndup(s + 1, n - 2);
	return strdup(s);
}

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* One artifact into r->e[r->n]; 1 when it cannot be reused (counted). */
static int add_entry(struct manifest_reuse *r, json_t *a, size_t i,
		     const char *origin, struct buf *why)
{
	const char *key = json_string_value(json_object_get(a, "key"));
	const char *sum = json_string_value(json_object_get(a, "checksum"));
	const char *etag = json_string_value(json_object_get(a, "etag"));
	json_t *size = json_object_get(a, "size");
	struct manifest_reuse_entry *e = &r->e[r->n];

	if (!key || !json_is_integer(size) || json_integer_value(size) < 0 || !sum) {
		buf_note(why, "%s: artifacts[%zu] has no key, size or checksum: "
			 "not a JSON manifest written by archivist", origin, i);
		return AV_EINVAL;
	}
	if (!etag || strncmp(sum, "sha256:", 7) != 0 || !is_hex64(sum + 7)) {
		r->skipped++;
		return 0;
	}
	if (!(e->key = strdup(key)) || !(e->etag = unquoted(etag))) {
		free(e->key);
		return AV_ENOMEM;
	}
	e->size = (uint64_t)json_integer_value(size);
	memcpy(e->sha256, sum + 7, 65);
	r->n++;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct manifest_reuse_entry *)a)->key,
		      ((const struct manifest_reuse_entry *)b)->key);
}

int manifest_reuse_load(struct manifest_reuse *r, const char *data, size_t n,
			const char *origin, struct buf *why)
{
	json_error_t jerr;
	json_t *root, *arts, *a;
	size_t i;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (!(root = json_loadb(data, n, 0, &jerr))) {
		buf_note(why, "%s:%d:%d: not JSON: %s", origin, jerr.line, jerr.column,
			 jerr.text);
		return AV_EINVAL;
	}
	arts = json_object_get(root, "artifacts");
	if (json_integer_value(json_object_get(root, "schema_version")) !=
	    MANIFEST_SCHEMA_VERSION || !json_is_array(arts)) {
		buf_note(why, "%s: not a JSON manifest written by archivist (schema_version "
			 "%d and an artifacts list expected)", origin, MANIFEST_SCHEMA_VERSION);
		rc = AV_EINVAL;
		goto out;
	}
	if (!(r->e = calloc(json_array_size(arts) + 1, sizeof(*r->e)))) {
		rc = AV_ENOMEM;
		goto out;
	}
	json_array_foreach(arts, i, a)
		if ((rc = add_entry(r, a, i, origin, why)) != 0)
			goto out;
	qsort(r->e, r->n, sizeof(*r->e), cmp_entry);
out:
	json_decref(root);
	return rc;
}

void manifest_reuse_release(struct manifest_reuse *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->e[i].key);
		free(r->e[i].etag);
	}
	free(r->e);
	memset(r, 0, sizeof(*r));
}

const char *manifest_reuse_find(const struct manifest_reuse *r, const char *key,
				uint64_t size, const char *etag)
{
	struct manifest_reuse_entry want = { (char *)(uintptr_t)key, 0, NULL, "" };
	const struct manifest_reuse_entry *e;
	size_t n;

	if (!r || !r->n || !etag)
		return NULL;
	e = bsearch(&want, r->e, r->n, sizeof(*r->e), cmp_entry);
	if (!e || e->size != size)
		return NULL;
	n = strlen(etag);
	if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"') {
		etag++;
		n -= 2;
	}
	if (strlen(e->etag) != n || memcmp(e->etag, etag, n) != 0)
		return NULL;
	return e->sha256;
}
