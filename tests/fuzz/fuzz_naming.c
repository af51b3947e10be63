/*
 * libFuzzer target: key templates and key names, the bytes that come from
 * configuration files and from S3 listings.
 *
 * Input: TEMPLATE NUL KEY [NUL VALUE]...  (missing parts are empty).
 *
 * Invariants checked (abort on violation):
 * - a template that compiles and matches KEY uniquely renders those
 *   values back to KEY, byte for byte;
 * - a key rendered from valid VALUEs matches back either ambiguously or to
 *   exactly those values -- never uniquely to other values;
 * - KEY parsed as a legacy or new key under each shipped configuration
 *   renders back to itself, and never parses as both schemes;
 * - a version that parses compares equal to itself; version_strcmp and
 *   version_natcmp are antisymmetric on KEY and the first VALUE (sorting
 *   with them is sound).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/buf.h"
#include "archivist/config.h"
#include "archivist/naming.h"
#include "archivist/template.h"
#include "archivist/version.h"

#define NAME "python"

static struct config *configs[2];

/* The built-in configuration, and the Ruby example when run from the
 * repository (tests/fuzz/run.sh is). */
static void load_configs(void)
{
	struct buf err = BUF_INIT;

	if (configs[0])
		return;
	if (config_load(NULL, &configs[0], &err) != 0)
		abort();
	(void)config_load("config/ruby-example.json", &configs[1], &err);
	buf_release(&err);
}

/* Splits data at NULs into at most n NUL-terminated copies. */
static size_t split(const uint8_t *data, size_t size, char **part, size_t n)
{
	size_t i = 0, start = 0, k;

	for (k = 0; k <= size && i < n; k++) {
		if (k < size && data[k] != 0)
			continue;
		if (!(part[i] = malloc(k - start + 1)))
			abort();
		memcpy(part[i], data + start, k - start);
		part[i++][k - start] = '\0';
		start = k + 1;
	}
	return i;
}

static void check_match_renders_back(const struct template *t, const char *key)
{
	char *v[TF_COUNT] = { NULL };
	const char *cv[TF_COUNT];
	struct buf out = BUF_INIT;
	int amb = 0, f;

	if (template_match(t, NAME, key, v, &amb, NULL) == 0) {
		for (f = 0; f < TF_COUNT; f++)
			cv[f] = f == TF_NAME ? NAME : v[f];
		if (template_render(t, cv, &out, NULL) != 0 || strcmp(out.ptr, key) != 0)
			abort();
	} else if (v[TF_VERSION] || v[TF_STACK] || v[TF_ARCH]) {
		abort();	/* values are all NULL on failure */
	}
	template_values_free(v);
	buf_release(&out);
}

static void check_render_matches_back(const struct template *t, char **vals, size_t nvals)
{
	const char *cv[TF_COUNT];
	char *back[TF_COUNT] = { NULL };
	struct buf key = BUF_INIT;
	int amb = 0, f;

	for (f = 0; f < TF_COUNT; f++)
		cv[f] = f == TF_NAME ? NAME : (size_t)f - 1 < nvals ? vals[f - 1] : "1";
	if (template_render(t, cv, &key, NULL) != 0)
		goto out;
	if (template_match(t, NAME, key.ptr, back, &amb, NULL) == 0) {
		for (f = 1; f < TF_COUNT; f++)
			if (template_has(t, f) && (!back[f] || strcmp(back[f], cv[f]) != 0))
				abort();
	} else if (!amb && key.len <= TEMPLATE_MAX_KEY) {
		abort();	/* a rendered key matches, one way or several */
	}
out:
	template_values_free(back);
	buf_release(&key);
}

static void check_key(const struct config *c, const char *key)
{
	struct naming_legacy l;
	struct naming_artifact a;
	struct buf again = BUF_INIT;
	int legacy = 0;

	memset(&l, 0, sizeof(l));
	memset(&a, 0, sizeof(a));
	if (naming_parse_legacy(c, key, &l, NULL) == 0) {
		legacy = 1;
		if (naming_legacy_key(c, l.version, l.stack, l.arch_name, &again, NULL) != 0 ||
		    strcmp(again.ptr, key) != 0)
			abort();
	}
	buf_reset(&again);
	if (naming_parse_new(c, key, &a, NULL) == 0) {
		if (legacy || naming_new_key(c, a.version, a.distro_name, a.distro_version,
					     a.arch_name, &again, NULL) != 0 ||
		    strcmp(again.ptr, key) != 0)
			abort();
	}
	naming_legacy_release(&l);
	naming_artifact_release(&a);
	buf_release(&again);
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void check_version(const char *s, const char *other)
{
	struct version v;

	if (version_parse(s, &v, NULL) == 0 &&
	    (version_cmp(&v, &v) != 0 || version_strcmp(s, s) != 0))
		abort();
	if (sign(version_strcmp(s, other)) != -sign(version_strcmp(other, s)) ||
	    sign(version_natcmp(s, other)) != -sign(version_natcmp(other, s)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template t = TEMPLATE_INIT;
	char *part[8] = { NULL };
	size_t n, i;

	if (size > 4096)
		return 0;
	load_configs();
	n = split(data, size, part, 8);
	if (template_compile(&t, part[0], NULL) == 0) {
		if (n > 1)
			check_match_renders_back(&t, part[1]);
		check_render_matches_back(&t, part + 2, n > 2 ? n - 2 : 0);
		template_release(&t);
	}
	for (i = 0; i < 2; i++)
		if (configs[i])
			check_key(configs[i], n > 1 ? part[1] : part[0]);
	check_version(n > 1 ? part[1] : part[0], n > 2 ? part[2] : "3.12.3");
	for (i = 0; i < n; i++)
		free(part[i]);
	return 0;
}
