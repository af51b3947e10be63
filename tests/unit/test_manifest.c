/* Unit tests for manifest: golden output, order, determinism, escaping,
 * and both formats read back by Python's tomllib and json. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "archivist/buf.h"
#include "archivist/config.h"
#include "archivist/error.h"
#include "archivist/manifest.h"

#define BASE "https://heroku-buildpack-python.s3.dualstack.us-east-1.amazonaws.com"
#define MAY_2024 1714521600	/* 2024-05-01T00:00:00Z */
#define HEX(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	       c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static const char *const s20[] = { "heroku-20" };
static const char *const s22[] = { "heroku-22" };
static const char *const s24[] = { "heroku-24" };

/* Unsorted on purpose; the expected order is B F C A D E. */
static struct manifest_artifact small[] = {
	{ "python", "3.10.0", "linux", "arm64", "ubuntu", "24.04", s24, 1,
	  "python-3.10.0-ubuntu-24.04-arm64.tar.zst", NULL, 1000, HEX("a"), NULL, -1, NULL, NULL, NULL },
	{ "python", "3.9.18", "linux", "amd64", "ubuntu", "22.04", s22, 1,
	  "python-3.9.18-ubuntu-22.04-amd64.tar.zst", NULL, 2000, HEX("b"),
	  "heroku-22/runtimes/python-3.9.18.tar.gz", 4000, HEX("0"), NULL, NULL },
	{ "python", "3.10.0", "linux", "amd64", "ubuntu", "24.04", s24, 1,
	  "python-3.10.0-ubuntu-24.04-amd64.tar.zst", NULL, 3000, HEX("c"), NULL, -1, NULL, NULL, NULL },
	{ "python", "3.13.0rc1", "linux", "amd64", "ubuntu", "20.04", s20, 1,
	  "python-3.13.0rc1-ubuntu-20.04-amd64.tar.zst", NULL, 4000, HEX("d"), NULL, -1, NULL, NULL, NULL },
	{ "python", "3.13.0", "linux", "amd64", "ubuntu", "20.04", s20, 1,
	  "python-3.13.0-ubuntu-20.04-amd64.tar.zst", NULL, 5000, HEX("e"),
	  "heroku-20/runtimes/python-3.13.0.tar.gz", 9000, NULL, "\"d41d8cd98f00b204e9800998ecf8427e-2\"",
	  "x-amz-checksum-sha256" },
	{ "python", "3.10.0", "linux", "amd64", "ubuntu", "22.04", s22, 1,
	  "python-3.10.0-ubuntu-22.04-amd64.tar.zst", NULL, 6000, HEX("f"), NULL, -1, NULL, "\"6f1ed002ab5595859014ebf0951522d9\"", "metadata" },
};
#define NSMALL (sizeof(small) / sizeof(small[0]))
static const size_t small_order[NSMALL] = { 1, 5, 2, 0, 3, 4 };
static char *small_urls[NSMALL];

static struct config *cfg;

static int setup(void **state)
{
	struct buf err = BUF_INIT, url = BUF_INIT;
	size_t i;

	(void)state;
	if (config_load("config/heroku-python.json", &cfg, &err) != 0)
		return -1;
	for (i = 0; i < NSMALL; i++) {
		if (manifest_url(BASE, small[i].key, &url) != 0)
			return -1;
		small[i].url = small_urls[i] = buf_detach(&url, NULL);
	}
	buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NSMALL; i++)
		free(small_urls[i]);
	config_free(cfg);
	return 0;
}

static void init_manifest(struct manifest *m, const struct manifest_artifact *a, size_t n)
{
	m->config = cfg;
	m->bucket = "heroku-buildpack-python";
	m->prefix = "";
	m->base_url = BASE;
	m->generated = MAY_2024;
	m->artifacts = a;
	m->nartifacts = n;
	m->include_retired = 1;	/* heroku-20 is retired; see test_retired */
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_add(&b, chunk, n), 0);
	fclose(f);
	return buf_detach(&b, NULL);
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Golden files; UPDATE_GOLDEN=1 rewrites them (then review the diff). */
static void check_golden(const char *path, const char *got)
{
	char *want;

	if (getenv("UPDATE_GOLDEN"))
		spit(path, got);
	want = slurp(path);
	assert_string_equal(got, want);
	free(want);
}

static void test_golden(void **state)
{
	struct buf json = BUF_INIT, toml = BUF_INIT, why = BUF_INIT;
	struct manifest m;

	(void)state;
	init_manifest(&m, small, NSMALL);
	assert_int_equal(manifest_json(&m, &json, &why), 0);
	assert_int_equal(manifest_toml(&m, &toml, &why), 0);
	check_golden("tests/unit/golden/manifest-small.json", json.ptr);
	check_golden("tests/unit/golden/manifest-small.toml", toml.ptr);
	buf_release(&json);
	buf_release(&toml);
	buf_release(&why);
}

/* Any input order gives the same bytes. */
static void test_deterministic(void **state)
{
	struct manifest_artifact shuffled[NSMALL];
	struct buf first = BUF_INIT, again = BUF_INIT, t1 = BUF_INIT, t2 = BUF_INIT;
	struct manifest m;
	size_t i, r;

	(void)state;
	init_manifest(&m, small, NSMALL);
	assert_int_equal(manifest_json(&m, &first, NULL), 0);
	assert_int_equal(manifest_toml(&m, &t1, NULL), 0);
	for (r = 0; r < NSMALL; r++) {
		for (i = 0; i < NSMALL; i++)
			shuffled[i] = small[(i * 5 + r) % NSMALL];
		init_manifest(&m, shuffled, NSMALL);
		buf_reset(&again);
		buf_reset(&t2);
		assert_int_equal(manifest_json(&m, &again, NULL), 0);
		assert_int_equal(manifest_toml(&m, &t2, NULL), 0);
		assert_string_equal(first.ptr, again.ptr);
		assert_string_equal(t1.ptr, t2.ptr);
	}
	buf_release(&first);
	buf_release(&again);
	buf_release(&t1);
	buf_release(&t2);
}

/* The expectation, built straight from the input with jansson. */
static char *expectation(const struct manifest_artifact *a, const size_t *order, size_t n)
{
	json_t *list = json_array(), *o, *st, *leg;
	const struct manifest_artifact *x;
	size_t i, j;
	char *s;

	for (i = 0; i < n; i++) {
		x = &a[order ? order[i] : i];
		st = json_array();
		for (j = 0; j < x->nstacks; j++)
			json_array_append_new(st, json_string(x->stacks[j]));
		leg = x->legacy_key ? json_pack("{s:s, s:o, s:o}", "key", x->legacy_key,
				"size", x->legacy_size >= 0 ? json_integer(x->legacy_size) : json_null(),
				"sha256", x->legacy_sha256 ? json_string(x->legacy_sha256) : json_null())
			: json_null();
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:s, s:o}",
			      "name", x->name, "version", x->version, "os", x->os,
			      "arch", x->arch, "distro_name", x->distro_name,
			      "distro_version", x->distro_version, "stacks", st,
			      "key", x->key, "url", x->url, "size", (json_int_t)x->size,
			      "sha256", x->sha256, "legacy", leg);
		assert_non_null(o);
		json_array_append_new(list, o);
	}
	s = json_dumps(list, 0);
	json_decref(list);
	return s;
}

/* Writes both formats and the expectation, runs the Python checker. */
static void python_check(const struct manifest *m, const size_t *order)
{
	char dir[] = "/tmp/archivist-manifest.XXXXXX";
	struct buf json = BUF_INIT, toml = BUF_INIT, path = BUF_INIT, cmd = BUF_INIT;
	char *expect;
	int rc;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(manifest_json(m, &json, NULL), 0);
	assert_int_equal(manifest_toml(m, &toml, NULL), 0);
	buf_addf(&path, "%s/inventory.toml", dir);
	spit(path.ptr, toml.ptr);
	buf_reset(&path);
	buf_addf(&path, "%s/manifest.json", dir);
	spit(path.ptr, json.ptr);
	buf_reset(&path);
	buf_addf(&path, "%s/expect.json", dir);
	expect = expectation(m->artifacts, order, m->nartifacts);
	spit(path.ptr, expect);
	free(expect);
	buf_addf(&cmd, "python3 tests/unit/check_manifest.py %s/inventory.toml "
		 "%s/manifest.json %s/expect.json", dir, dir, dir);
	rc = system(cmd.ptr);
	buf_reset(&cmd);
	buf_addf(&cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd.ptr), 0);
	assert_int_equal(rc, 0);
	buf_release(&json);
	buf_release(&toml);
	buf_release(&path);
	buf_release(&cmd);
}

static void test_python_reads_both(void **state)
{
	struct manifest m;

	(void)state;
	init_manifest(&m, small, NSMALL);
	python_check(&m, small_order);
}

static void test_empty(void **state)
{
	struct buf toml = BUF_INIT;
	struct manifest m;

	(void)state;
	init_manifest(&m, NULL, 0);
	assert_int_equal(manifest_toml(&m, &toml, NULL), 0);
	assert_string_equal(toml.ptr, "artifacts = []\n");
	python_check(&m, NULL);
	buf_release(&toml);
}

/* Strings that would break a naive writer come back intact. */
static void test_hostile_strings(void **state)
{
	static const char *const evil[] = {
		"quote\" and \\backslash\\",
		"new\nline\r\n\ttab\bback\fform",
		"ctl\x01\x02\x1f\x7f end",
		"\"\n[[artifacts]]\nversion = \"pwned",
		"\\u0041 is not an escape here",
		"''' \"\"\" # not a comment",
		"caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x90\x8d",
		"]",
	};
	const size_t n = sizeof(evil) / sizeof(evil[0]);
	struct manifest_artifact a[sizeof(evil) / sizeof(evil[0])];
	const char *stacks[2];
	struct manifest m;
	size_t order[sizeof(evil) / sizeof(evil[0])], i;
	char versions[sizeof(evil) / sizeof(evil[0])][16];

	(void)state;
	stacks[0] = evil[3];
	stacks[1] = evil[6];
	for (i = 0; i < n; i++) {
		snprintf(versions[i], sizeof(versions[i]), "3.%zu.0", i);
		a[i] = small[0];
		a[i].version = versions[i];
		a[i].os = evil[i];
		a[i].distro_name = evil[(i + 1) % n];
		a[i].distro_version = evil[(i + 2) % n];
		a[i].url = evil[(i + 3) % n];
		a[i].key = evil[(i + 4) % n];
		a[i].legacy_key = evil[(i + 5) % n];
		a[i].stacks = stacks;
		a[i].nstacks = 2;
		order[i] = i;
	}
	init_manifest(&m, a, n);
	python_check(&m, order);
}

/* Without include_retired: no retired stack in the map or in an
 * artifact's stacks; an artifact serving only retired stacks is left out. */
static void test_retired(void **state)
{
	static const char *const shared[] = { "heroku-20", "heroku-22" };
	struct manifest_artifact a[NSMALL + 1];
	struct buf json = BUF_INIT, toml = BUF_INIT;
	json_t *root, *arts, *st;
	json_error_t err;
	struct manifest m;
	const char *p;
	size_t i;

	(void)state;
	memcpy(a, small, sizeof(small));
	a[NSMALL] = small[5];		/* a made-up target shared by both */
	a[NSMALL].key = "python-3.10.0-ubuntu-22.04-amd64-shared.tar.zst";
	a[NSMALL].stacks = shared;
	a[NSMALL].nstacks = 2;
	init_manifest(&m, a, NSMALL + 1);
	assert_int_equal(manifest_artifact_retired(&m, &a[3]), 0);	/* included */
	m.include_retired = 0;
	assert_int_equal(manifest_artifact_retired(&m, &a[3]), 1);	/* heroku-20 only */
	assert_int_equal(manifest_artifact_retired(&m, &a[0]), 0);
	assert_int_equal(manifest_artifact_retired(&m, &a[NSMALL]), 0);
	assert_int_equal(manifest_json(&m, &json, NULL), 0);
	assert_int_equal(manifest_toml(&m, &toml, NULL), 0);
	assert_non_null(root = json_loads(json.ptr, 0, &err));
	st = json_object_get(root, "stacks");
	assert_int_equal(json_object_size(st), 3);
	assert_null(json_object_get(st, "heroku-20"));
	assert_null(json_object_get(st, "heroku-16"));
	assert_non_null(json_object_get(st, "heroku-22"));
	assert_null(json_object_get(json_object_get(st, "heroku-22"), "retired"));
	arts = json_object_get(root, "artifacts");
	assert_int_equal(json_array_size(arts), NSMALL - 2 + 1);
	for (i = 0; i < json_array_size(arts); i++) {
		st = json_object_get(json_array_get(arts, i), "stacks");
		assert_int_equal(json_array_size(st), 1);
		assert_string_not_equal(json_string_value(json_array_get(st, 0)), "heroku-20");
	}
	assert_null(strstr(json.ptr, "ubuntu-20.04"));
	assert_null(strstr(toml.ptr, "ubuntu-20.04"));
	assert_null(strstr(toml.ptr, "heroku-20"));
	for (i = 0, p = toml.ptr; (p = strstr(p, "[[artifacts]]")) != NULL; p++)
		i++;
	assert_int_equal(i, NSMALL - 2 + 1);
	json_decref(root);

	m.include_retired = 1;	/* and with it: marked in the map */
	buf_reset(&json);
	assert_int_equal(manifest_json(&m, &json, NULL), 0);
	assert_non_null(root = json_loads(json.ptr, 0, &err));
	st = json_object_get(json_object_get(root, "stacks"), "heroku-16");
	assert_true(json_is_true(json_object_get(st, "retired")));
	assert_int_equal(json_array_size(json_object_get(root, "artifacts")), NSMALL + 1);
	json_decref(root);
	buf_release(&json);
	buf_release(&toml);
}

/* The TOML's version is SemVer; the artifact's spelling stays beside it. */
static void test_toml_semver(void **state)
{
	struct manifest_artifact a = small[3];	/* 3.13.0rc1 */
	struct buf toml = BUF_INIT, json = BUF_INIT, why = BUF_INIT;
	struct manifest m;

	(void)state;
	init_manifest(&m, &a, 1);
	assert_int_equal(manifest_toml(&m, &toml, NULL), 0);
	assert_non_null(strstr(toml.ptr, "[[artifacts]]\nversion = \"3.13.0-rc1\"\n"));
	assert_non_null(strstr(toml.ptr, "\npython_version = \"3.13.0rc1\"\n"));
	assert_int_equal(manifest_json(&m, &json, NULL), 0);
	assert_non_null(strstr(json.ptr, "\"version\": \"3.13.0rc1\""));
	assert_null(strstr(json.ptr, "3.13.0-rc1"));
	/* a version the TOML cannot write as SemVer: refused, with the key */
	a.version = "3.13";
	buf_sets(&toml, "keep");
	assert_int_equal(manifest_toml(&m, &toml, &why), AV_EINVAL);
	assert_string_equal(toml.ptr, "keep");
	assert_non_null(strstr(why.ptr, "version '3.13'"));
	assert_non_null(strstr(why.ptr, a.key));
	buf_release(&toml);
	buf_release(&json);
	buf_release(&why);
}

static void test_toml_string(void **state)
{
	struct buf out = BUF_INIT, why = BUF_INIT;

	(void)state;
	assert_int_equal(manifest_toml_string(&out, "a\"b\\c\x01\x7f\t", NULL), 0);
	assert_string_equal(out.ptr, "\"a\\\"b\\\\c\\u0001\\u007F\\t\"");
	buf_reset(&out);
	assert_int_equal(manifest_toml_string(&out, "bad \xff", &why), AV_EINVAL);
	assert_string_equal(out.ptr, "");
	assert_string_equal(why.ptr, "not valid UTF-8");
	buf_release(&out);
	buf_release(&why);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(manifest_utf8_valid("plain"));
	assert_true(manifest_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
	assert_true(manifest_utf8_valid("\xf4\x8f\xbf\xbf"));		/* U+10FFFF */
	assert_false(manifest_utf8_valid("\xc0\xaf"));			/* overlong '/' */
	assert_false(manifest_utf8_valid("\xe0\x80\xaf"));		/* overlong */
	assert_false(manifest_utf8_valid("\xed\xa0\x80"));		/* surrogate */
	assert_false(manifest_utf8_valid("\xf4\x90\x80\x80"));		/* > U+10FFFF */
	assert_false(manifest_utf8_valid("\xc3"));			/* truncated */
	assert_false(manifest_utf8_valid("\x80"));
	assert_false(manifest_utf8_valid("\xfe"));
}

static void test_refuses_bad_artifacts(void **state)
{
	struct manifest_artifact a = small[0];
	struct buf out = BUF_INIT, why = BUF_INIT;
	struct manifest m;

	(void)state;
	init_manifest(&m, &a, 1);
	buf_adds(&out, "keep");
	a.sha256 = "ABCD";
	assert_int_equal(manifest_toml(&m, &out, &why), AV_EINVAL);
	assert_int_equal(manifest_json(&m, &out, &why), AV_EINVAL);
	assert_non_null(strstr(why.ptr, "not 64 lower-case hex digits"));
	a.sha256 = HEX("A");
	assert_int_equal(manifest_toml(&m, &out, NULL), AV_EINVAL);
	a.sha256 = small[0].sha256;
	a.legacy_sha256 = "123";
	assert_int_equal(manifest_toml(&m, &out, NULL), AV_EINVAL);
	a.legacy_sha256 = NULL;
	a.version = "3.1\xff";
	buf_reset(&why);
	assert_int_equal(manifest_json(&m, &out, &why), AV_EINVAL);
	assert_string_equal(why.ptr, "artifact 0: version is not valid UTF-8");
	a.version = NULL;
	assert_int_equal(manifest_toml(&m, &out, NULL), AV_EINVAL);
	a.version = "3.12.0";
	a.size = -5;
	assert_int_equal(manifest_toml(&m, &out, NULL), AV_EINVAL);
	assert_string_equal(out.ptr, "keep");
	buf_release(&out);
	buf_release(&why);
}

static void test_url(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(manifest_url("http://h:9/b", "dir/python-3.12.3 x+y~_\xc3\xa9?#%.tar", &out), 0);
	assert_string_equal(out.ptr, "http://h:9/b/dir/python-3.12.3%20x%2By~_%C3%A9%3F%23%25.tar");
	buf_release(&out);
}

static void test_time(void **state)
{
	struct buf why = BUF_INIT;
	time_t t, before = time(NULL);

	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1714521600", 1);
	assert_int_equal(manifest_time(&t, &why), 0);
	assert_int_equal(t, MAY_2024);
	setenv("SOURCE_DATE_EPOCH", "17145x", 1);
	assert_int_equal(manifest_time(&t, &why), AV_EINVAL);
	assert_non_null(strstr(why.ptr, "SOURCE_DATE_EPOCH='17145x'"));
	setenv("SOURCE_DATE_EPOCH", "-1", 1);
	assert_int_equal(manifest_time(&t, &why), AV_EINVAL);
	setenv("SOURCE_DATE_EPOCH", "", 1);
	assert_int_equal(manifest_time(&t, &why), AV_EINVAL);
	unsetenv("SOURCE_DATE_EPOCH");
	assert_int_equal(manifest_time(&t, &why), 0);
	assert_true(t >= before && t <= time(NULL));
	buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_python_reads_both),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_retired),
		cmocka_unit_test(test_toml_semver),
		cmocka_unit_test(test_toml_string),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_refuses_bad_artifacts),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
