/* Unit tests for manifest_reuse: an earlier manifest's checksums, reused
 * only for objects whose key, size and ETag have not changed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/buf.h"
#include "archivist/config.h"
#include "archivist/error.h"
#include "archivist/manifest.h"
#include "archivist/manifest_reuse.h"

#define HEX(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	       c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static const char *const s24[] = { "heroku-24" };

/* A manifest as the manifest module writes it, read back. */
static void test_round_trip(void **state)
{
	struct manifest_artifact a[3] = {
		{ "python", "3.12.3", "linux", "amd64", "ubuntu", "24.04", s24, 1,
		  "py/python-3.12.3-ubuntu-24.04-amd64.tar.zst", "https://x/a", 100, HEX("a"),
		  NULL, -1, NULL, "\"e1\"", "metadata" },
		{ "python", "3.12.3", "linux", "arm64", "ubuntu", "24.04", s24, 1,
		  "py/python-3.12.3-ubuntu-24.04-arm64.tar.zst", "https://x/b", 200, HEX("b"),
		  NULL, -1, NULL, "\"e2-2\"", "computed" },
		/* no ETag recorded: never reused */
		{ "python", "3.13.0", "linux", "amd64", "ubuntu", "24.04", s24, 1,
		  "py/python-3.13.0-ubuntu-24.04-amd64.tar.zst", "https://x/c", 300, HEX("c"),
		  NULL, -1, NULL, NULL, NULL },
	};
	struct manifest m = { NULL, "b", "py/", "https://x", 0, a, 3, 1 };
	struct buf json = BUF_INIT, why = BUF_INIT, err = BUF_INIT;
	struct manifest_reuse r;
	struct config *cfg;

	(void)state;
	assert_int_equal(config_load(NULL, &cfg, &err), 0);
	m.config = cfg;
	assert_int_equal(manifest_json(&m, &json, &why), 0);
	assert_int_equal(manifest_reuse_load(&r, json.ptr, json.len, "m.json", &why), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.skipped, 1);
	assert_string_equal(manifest_reuse_find(&r, a[0].key, 100, "\"e1\""), HEX("a"));
	assert_string_equal(manifest_reuse_find(&r, a[0].key, 100, "e1"), HEX("a"));
	assert_string_equal(manifest_reuse_find(&r, a[1].key, 200, "\"e2-2\""), HEX("b"));
	/* anything changed: not reused */
	assert_null(manifest_reuse_find(&r, a[0].key, 101, "\"e1\""));
	assert_null(manifest_reuse_find(&r, a[0].key, 100, "\"e9\""));
	assert_null(manifest_reuse_find(&r, a[0].key, 100, "\"e1"));
	assert_null(manifest_reuse_find(&r, a[0].key, 100, NULL));
	assert_null(manifest_reuse_find(&r, a[2].key, 300, "\"e3\""));
	assert_null(manifest_reuse_find(&r, "py/other.tar.zst", 100, "\"e1\""));
	assert_null(manifest_reuse_find(NULL, a[0].key, 100, "\"e1\""));
	manifest_reuse_release(&r);
	config_free(cfg);
	buf_release(&json);
	buf_release(&why);
	buf_release(&err);
}

static void test_refusals(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "{", "m.json:1:1: not JSON" },
		{ "[]", "not a JSON manifest written by archivist" },
		{ "{\"schema_version\": 2, \"artifacts\": []}", "schema_version 1" },
		{ "{\"schema_version\": 1}", "an artifacts list" },
		{ "{\"schema_version\": 1, \"artifacts\": [{\"size\": 1, \"checksum\": \"x\"}]}",
		  "artifacts[0] has no key, size or checksum" },
		{ "{\"schema_version\": 1, \"artifacts\": [{\"key\": \"k\", \"size\": -1, "
		  "\"checksum\": \"x\"}]}", "artifacts[0] has no key" },
	};
	static const char bad_sum[] = "{\"schema_version\": 1, \"artifacts\": "
		"[{\"key\": \"k\", \"size\": 1, \"etag\": \"e\", \"checksum\": \"sha256:ABC\"}]}";
	struct buf why = BUF_INIT;
	struct manifest_reuse r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&why);
		assert_int_equal(manifest_reuse_load(&r, cases[i].text, strlen(cases[i].text),
						     "m.json", &why), AV_EINVAL);
		if (!strstr(why.ptr, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, why.ptr, cases[i].want);
		manifest_reuse_release(&r);
	}
	/* a bad checksum is not reused, but not an error either */
	assert_int_equal(manifest_reuse_load(&r, bad_sum, strlen(bad_sum), "m", &why), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.skipped, 1);
	manifest_reuse_release(&r);
	buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
