/* Unit tests for config: the shipped files, lookups, and every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/buf.h"
#include "archivist/config.h"
#include "archivist/error.h"

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_add(&b, chunk, n), 0);
	fclose(f);
	return buf_detach(&b, NULL);
}

static void test_builtin_is_the_shipped_file(void **state)
{
	char *file = slurp("config/heroku-python.json");

	(void)state;
	assert_string_equal(config_builtin_json, file);
	free(file);
}

static void test_builtin_contents(void **state)
{
	/* heroku-24 and heroku-26 came after the naming change: no legacy
	 * archives; heroku-16, -18 and -20 are retired. */
	static const struct {
		const char *name, *version;
		size_t narches, nlegacy;
		int retired;
	} want[] = {
		{ "heroku-16", "16.04", 1, 1, 1 }, { "heroku-18", "18.04", 1, 1, 1 },
		{ "heroku-20", "20.04", 1, 1, 1 }, { "heroku-22", "22.04", 1, 1, 0 },
		{ "heroku-24", "24.04", 2, 0, 0 }, { "heroku-26", "26.04", 2, 0, 0 },
	};
	struct buf err = BUF_INIT;
	struct config *c;
	size_t i;

	(void)state;
	unsetenv(CONFIG_ENV);
	assert_int_equal(config_load(NULL, &c, &err), 0);
	assert_string_equal(err.ptr, "");
	assert_string_equal(c->origin, CONFIG_BUILTIN_NAME);
	assert_string_equal(c->name, "python");
	assert_string_equal(c->base_url,
			    "https://heroku-buildpack-python.s3.dualstack.us-east-1.amazonaws.com");
	assert_string_equal(c->tmpl_legacy.source, "{stack}/runtimes/{name}-{version}.tar.gz");
	assert_string_equal(c->tmpl_new.source,
			    "{name}-{version}-{distro_name}-{distro_version}-{arch}.tar.zst");
	assert_int_equal(c->nstacks, 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(c->stacks[i].name, want[i].name);
		assert_string_equal(c->stacks[i].os, "linux");
		assert_string_equal(c->stacks[i].distro_name, "ubuntu");
		assert_string_equal(c->stacks[i].distro_version, want[i].version);
		assert_int_equal(c->stacks[i].narches, want[i].narches);
		assert_string_equal(c->stacks[i].arches[0], "amd64");
		assert_int_equal(c->stacks[i].nlegacy_arches, want[i].nlegacy);
		if (want[i].nlegacy)
			assert_string_equal(c->stacks[i].legacy_arches[0], "amd64");
		assert_int_equal(c->stacks[i].retired, want[i].retired);
	}
	assert_string_equal(c->stacks[4].arches[1], "arm64");
	config_free(c);
	buf_release(&err);
}

static void test_lookups(void **state)
{
	struct config_target t;
	struct buf err = BUF_INIT;
	struct config *c;

	(void)state;
	assert_int_equal(config_load("config/heroku-python.json", &c, &err), 0);
	assert_string_equal(c->origin, "config/heroku-python.json");
	assert_ptr_equal(config_find_stack(c, "heroku-24"), &c->stacks[4]);
	assert_null(config_find_stack(c, "heroku-19"));
	assert_null(config_find_stack(c, "cedar-14"));
	assert_true(config_stack_has_arch(&c->stacks[4], "arm64"));
	assert_false(config_stack_has_arch(&c->stacks[3], "arm64"));
	assert_false(config_stack_has_arch(&c->stacks[3], "x86_64"));
	assert_int_equal(config_find_target(c, "ubuntu", "24.04", "arm64", &t), 0);
	assert_string_equal(t.os, "linux");
	assert_ptr_equal(t.arch, config_arch("arm64"));
	assert_int_equal(t.nstacks, 1);
	assert_ptr_equal(t.stacks[0], &c->stacks[4]);
	assert_false(config_target_retired(&t));
	assert_int_equal(config_find_target(c, "ubuntu", "20.04", "amd64", &t), 0);
	assert_true(config_target_retired(&t));
	assert_int_equal(config_find_target(c, "ubuntu", "22.04", "arm64", &t), AV_ENOTFOUND);
	assert_false(config_target_retired(&t));
	assert_int_equal(t.nstacks, 0);
	assert_int_equal(config_find_target(c, "debian", "12", "amd64", &t), AV_ENOTFOUND);
	assert_int_equal(config_parse_target(c, "ubuntu-26.04-arm64", &t, &err), 0);
	assert_ptr_equal(t.stacks[0], &c->stacks[5]);
	assert_string_equal(t.distro_version, "26.04");
	assert_int_equal(config_parse_target(c, "ubuntu-22.04-arm64", &t, &err), AV_ENOTFOUND);
	assert_non_null(strstr(err.ptr, "no stack"));
	buf_reset(&err);
	assert_int_equal(config_parse_target(c, "ubuntu22.04", &t, &err), AV_EINVAL);
	assert_int_equal(config_parse_target(c, "ubuntu--amd64", &t, &err), AV_EINVAL);
	assert_int_equal(config_parse_target(c, "-22.04-amd64", &t, &err), AV_EINVAL);
	assert_int_equal(config_parse_target(c, "ubuntu-22.04-", &t, &err), AV_EINVAL);
	assert_null(config_arch("x86_64"));
	assert_null(config_arch("AMD64"));
	config_free(c);
	buf_release(&err);
}

/* Two stacks on one distro: a new key serves both. */
static void test_shared_target(void **state)
{
	static const char json[] =
		"{\"name\":\"python\",\"base_url\":\"http://127.0.0.1:1/b/\","
		"\"templates\":{\"legacy\":\"{stack}/runtimes/{name}-{version}.tar.gz\","
		"\"new\":\"{name}-{version}-{distro_name}-{distro_version}-{arch}.tar.zst\"},"
		"\"stacks\":[{\"name\":\"heroku-24\",\"os\":\"linux\",\"distro_name\":\"ubuntu\","
		"\"distro_version\":\"24.04\",\"arches\":[\"amd64\",\"arm64\"],\"legacy_arches\":[]},"
		"{\"name\":\"heroku-24-build\",\"os\":\"linux\",\"distro_name\":\"ubuntu\","
		"\"distro_version\":\"24.04\",\"arches\":[\"amd64\"],\"legacy_arches\":[\"amd64\"],"
		"\"retired\":false}]}";
	struct config_target t;
	struct buf err = BUF_INIT;
	struct config *c;

	(void)state;
	assert_int_equal(config_load_bytes(json, strlen(json), "mem", &c, &err), 0);
	assert_string_equal(c->base_url, "http://127.0.0.1:1/b");
	assert_false(c->stacks[0].retired);	/* absent */
	assert_false(c->stacks[1].retired);	/* false */
	assert_int_equal(config_find_target(c, "ubuntu", "24.04", "amd64", &t), 0);
	assert_int_equal(t.nstacks, 2);
	assert_int_equal(config_find_target(c, "ubuntu", "24.04", "arm64", &t), 0);
	assert_int_equal(t.nstacks, 1);
	config_free(c);
	buf_release(&err);
}

static void test_file_and_env(void **state)
{
	struct buf err = BUF_INIT;
	struct config *c = (struct config *)1;

	(void)state;
	assert_int_equal(config_load("config/does-not-exist.json", &c, &err), AV_ECONFIG);
	assert_null(c);
	assert_non_null(strstr(err.ptr, "config/does-not-exist.json: cannot open"));
	buf_reset(&err);
	c = (struct config *)1;
	assert_int_equal(config_load("config", &c, &err), AV_ECONFIG);
	assert_null(c);
	assert_non_null(strstr(err.ptr, "config: cannot read: Is a directory"));
	setenv(CONFIG_ENV, "config/ruby-example.json", 1);
	assert_int_equal(config_load(NULL, &c, &err), 0);
	assert_string_equal(c->name, "ruby");
	assert_string_equal(c->origin, "config/ruby-example.json");
	config_free(c);
	/* An explicit path wins over the environment. */
	assert_int_equal(config_load("config/heroku-python.json", &c, &err), 0);
	assert_string_equal(c->name, "python");
	config_free(c);
	setenv(CONFIG_ENV, "", 1);
	assert_int_equal(config_load(NULL, &c, &err), 0);
	assert_string_equal(c->origin, CONFIG_BUILTIN_NAME);
	config_free(c);
	unsetenv(CONFIG_ENV);
	buf_release(&err);
}

/* A mutation of the shipped file and what the error must say. */
struct bad_case {
	const char *from, *to;
	const char *want1, *want2;
};

static const struct bad_case bad_cases[] = {
	{ "{\n  \"name\"", "{\n  \"name\" \"", "invalid JSON", ":2:" },
	{ "\"name\": \"python\"", "\"name\": 3", "name: expected a string, got a number", NULL },
	{ "\"name\": \"python\",", "", "missing field 'name'", NULL },
	{ "\"name\": \"python\"", "\"name\": \"py thon\"", "name: 'py thon' is not a valid {name}", NULL },
	{ "\"name\": \"python\"", "\"name\": \"python\", \"extra\": 1", "unknown field 'extra'",
	  "expected only: name, base_url, templates, stacks" },
	{ "\"name\": \"python\"", "\"name\": \"python\", \"name\": \"x\"", "invalid JSON", "duplicate" },
	{ "https://heroku", "ftp://heroku", "base_url: 'ftp://heroku", "http(s) URL" },
	{ ".com\"", ".com/?x=1\"", "base_url", "without query" },
	{ "\"templates\": {", "\"templates\": 1, \"x\": {", "unknown field 'x'", NULL },
	{ "\"legacy\": \"{stack}/runtimes", "\"legacy\": 7, \"l\": \"", "unknown field 'l'", NULL },
	{ "{distro_version}-{arch}", "{distro_version}-{foo}",
	  "templates.new: '{name}-{version}-{distro_name}-{distro_version}-{foo}.tar.zst'",
	  "unknown placeholder {foo} at offset 48" },
	{ "{name}-{version}-{distro_name}", "{name}{version}-{distro_name}",
	  "templates.new", "placeholders {name} and {version} at offset 6 are adjacent" },
	{ "-{arch}.tar.zst", ".tar.zst", "templates.new", "lacks {arch}, needed to identify" },
	{ "{distro_name}-{distro_version}-{arch}", "{distro_version}-{arch}", "templates.new",
	  "lacks {distro_name}" },
	{ "{name}-{version}-{distro_name}", "{stack}-{version}-{distro_name}", "templates.new",
	  "uses {stack}" },
	{ "\"{stack}/runtimes/", "\"runtimes/", "templates.legacy", "lacks {stack}" },
	{ "runtimes/{name}-{version}.tar.gz", "runtimes/{name}.tar.gz", "templates.legacy",
	  "lacks {version}" },
	{ "runtimes/{name}-{version}.tar.gz", "{distro_name}/{name}-{version}.tar.gz",
	  "templates.legacy", "uses {distro_name}" },
	{ "{name}-{version}.tar.gz", "{name}-{version}.tar.gz}", "templates.legacy",
	  "'}' at offset 40 has no '{'" },
	{ "{name}-{version}.tar.gz", "{name}-{version.tar.gz", "templates.legacy",
	  "'{' at offset 24 is not closed" },
	{ "{name}-{version}.tar.gz", "{name}-{version}-{version}.tar.gz", "templates.legacy",
	  "{version} appears twice" },
	{ "\"legacy\": \"{stack}/runtimes/{name}-{version}.tar.gz\"", "\"legacy\": \"\"",
	  "templates.legacy", "empty template" },
	{ "-{version}-{distro_name}-{distro_version}-", "-{version}.{distro_version}-{distro_name}-",
	  "templates.new: key 'python-3.12.3.16.04-ubuntu-amd64.tar.zst' does not parse back",
	  "more than one way" },
	{ "\"stacks\": [", "\"stacks\": [], \"s\": [", "unknown field 's'", NULL },
	{ "\"name\": \"heroku-22\"", "\"name\": \"heroku-20\"",
	  "stacks[3].name: duplicate stack 'heroku-20' (also stacks[2])", NULL },
	{ "\"name\": \"heroku-22\"", "\"name\": \"heroku 22\"", "stacks[3].name", "not a valid {stack}" },
	{ "\"arches\": [\"amd64\"],", "\"arches\": [\"x86_64\"],",
	  "stacks[0].arches[0]: 'x86_64' is not a known arch (expected \"amd64\" or \"arm64\")", NULL },
	{ "\"arches\": [\"amd64\"],", "\"arches\": [\"amd64\", \"amd64\"],",
	  "stacks[0].arches[1]: duplicate arch 'amd64'", NULL },
	{ "\"arches\": [\"amd64\"],", "\"arches\": [1],", "stacks[0].arches[0]: a number is not a known arch", NULL },
	{ "\"arches\": [\"amd64\"],", "\"arches\": \"amd64\",",
	  "stacks[0].arches: expected an array of arch names, got a string", NULL },
	{ "\"arches\": [\"amd64\"],", "\"arches\": [],", "stacks[0].arches: empty list", NULL },
	{ "\"legacy_arches\": [\"amd64\"]", "\"legacy_arches\": [\"arm64\"]",
	  "stacks[0].legacy_arches: 'arm64' is not in arches", NULL },
	{ "\"os\": \"linux\",", "\"os\": \"windows\",", "stacks[0].os: 'windows' is not a known os", NULL },
	{ "\"os\": \"linux\",", "", "stacks[0]: missing field 'os'", NULL },
	{ "\"os\": \"linux\",", "\"os\": \"linux\", \"arch\": \"amd64\",", "stacks[0]: unknown field 'arch'", NULL },
	{ "\"distro_version\": \"20.04\"", "\"distro_version\": \"20-04\"",
	  "stacks[2].distro_version: '20-04' is not a valid {distro_version} value", NULL },
	{ "\"distro_version\": \"22.04\"", "\"distro_version\": \"20.04\", \"os\": \"darwin\"",
	  "invalid JSON", "duplicate" },
	{ "{\n      \"name\": \"heroku-20\"", "7, {\n      \"name\": \"heroku-19\"",
	  "stacks[2]: expected a stack object, got a number", NULL },
	{ "\"retired\": true", "\"retired\": \"yes\"",
	  "stacks[0].retired: expected true or false, got a string", NULL },
	{ "\"retired\": true", "\"retired\": 1", "stacks[0].retired: expected true or false, got a number", NULL },
	{ "\"retired\": true", "\"retire\": true",
	  "stacks[0]: unknown field 'retire' (expected only: name, os, distro_name, "
	  "distro_version, arches, legacy_arches, retired)", NULL },
	{ "{\n  \"name\"", "[{\n  \"name\"", "invalid JSON", NULL },
};

static char *mutate(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	struct buf b = BUF_INIT;

	if (!at)
		fail_msg("'%s' not in the base config", from);
	assert_int_equal(buf_add(&b, base, (size_t)(at - base)), 0);
	assert_int_equal(buf_adds(&b, to), 0);
	assert_int_equal(buf_adds(&b, at + strlen(from)), 0);
	return buf_detach(&b, NULL);
}

static void test_refusals(void **state)
{
	struct buf err = BUF_INIT;
	struct config *c;
	size_t i;
	char *text;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		text = mutate(config_builtin_json, bad_cases[i].from, bad_cases[i].to);
		buf_reset(&err);
		c = (struct config *)1;
		rc = config_load_bytes(text, strlen(text), "t.json", &c, &err);
		if (rc != AV_ECONFIG)
			fail_msg("case %zu: rc %d, err '%s'", i, rc, err.ptr);
		assert_null(c);
		if (strncmp(err.ptr, "t.json", 6) != 0 || !strstr(err.ptr, bad_cases[i].want1) ||
		    (bad_cases[i].want2 && !strstr(err.ptr, bad_cases[i].want2)))
			fail_msg("case %zu: error '%s' lacks '%s' / '%s'", i, err.ptr,
				 bad_cases[i].want1, bad_cases[i].want2 ? bad_cases[i].want2 : "");
		free(text);
	}
	buf_release(&err);
}

static void test_more_refusals(void **state)
{
	static const struct { const char *json, *want; } cases[] = {
		{ "[]", "expected a JSON object, got an array" },
		{ "", "invalid JSON" },
		{ "{\"name\":\"python\",\"base_url\":\"https://x\",\"templates\":"
		  "{\"legacy\":\"{stack}/{name}-{version}.tgz\",\"new\":"
		  "\"{name}-{version}-{distro_name}-{distro_version}-{arch}.tgz\"},\"stacks\":[]}",
		  "t.json: stacks: empty list (expected at least one stack)" },
		/* A legacy key that reads as a new one would be migrated twice. */
		{ "{\"name\":\"python\",\"base_url\":\"https://x\",\"templates\":"
		  "{\"legacy\":\"{name}-{version}-{stack}.tar.zst\",\"new\":"
		  "\"{name}-{version}-{distro_name}-{distro_version}-{arch}.tar.zst\"},\"stacks\":["
		  "{\"name\":\"ubuntu-22.04-amd64\",\"os\":\"linux\",\"distro_name\":\"ubuntu\","
		  "\"distro_version\":\"22.04\",\"arches\":[\"amd64\"],\"legacy_arches\":[\"amd64\"]}]}",
		  "also matches the other scheme's template" },
		{ "{\"name\":\"python\",\"base_url\":\"https://x\",\"templates\":"
		  "{\"legacy\":\"{stack}/{name}-{version}.tgz\",\"new\":"
		  "\"{name}-{version}-{distro_name}-{distro_version}-{arch}.tgz\"},\"stacks\":["
		  "{\"name\":\"a\",\"os\":\"linux\",\"distro_name\":\"ubuntu\",\"distro_version\":\"1\","
		  "\"arches\":[\"amd64\"],\"legacy_arches\":[]},"
		  "{\"name\":\"b\",\"os\":\"darwin\",\"distro_name\":\"ubuntu\",\"distro_version\":\"1\","
		  "\"arches\":[\"arm64\"],\"legacy_arches\":[]}]}",
		  "stacks[1].os: 'darwin' differs from stacks[0] ('linux')" },
	};
	struct buf err = BUF_INIT;
	struct config *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&err);
		assert_int_equal(config_load_bytes(cases[i].json, strlen(cases[i].json),
						   "t.json", &c, &err), AV_ECONFIG);
		if (!strstr(err.ptr, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.ptr, cases[i].want);
	}
	buf_release(&err);
}

static void test_too_many_stacks(void **state)
{
	struct buf json = BUF_INIT, err = BUF_INIT;
	struct config *c;
	int i;

	(void)state;
	buf_adds(&json, "{\"name\":\"python\",\"base_url\":\"https://x\",\"templates\":"
		 "{\"legacy\":\"{stack}/{name}-{version}.tgz\",\"new\":"
		 "\"{name}-{version}-{distro_name}-{distro_version}-{arch}.tgz\"},\"stacks\":[");
	for (i = 0; i <= CONFIG_MAX_STACKS; i++)
		buf_addf(&json, "%s{\"name\":\"s%d\",\"os\":\"linux\",\"distro_name\":\"u\","
			 "\"distro_version\":\"%d\",\"arches\":[\"amd64\"],\"legacy_arches\":[]}",
			 i ? "," : "", i, i);
	buf_adds(&json, "]}");
	assert_int_equal(config_load_bytes(json.ptr, json.len, "t.json", &c, &err), AV_ECONFIG);
	assert_non_null(strstr(err.ptr, "stacks: 33 stacks (at most 32)"));
	buf_release(&json);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_is_the_shipped_file),
		cmocka_unit_test(test_builtin_contents),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_shared_target),
		cmocka_unit_test(test_file_and_env),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_more_refusals),
		cmocka_unit_test(test_too_many_stacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
