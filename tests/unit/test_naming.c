/* Unit tests for naming: both schemes, both example configs, statuses,
 * and a seeded property test (render -> parse gives the same fields). */
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
#include "archivist/naming.h"

#define SEED 0x5eed2024u
#define ROUNDS 4000

static struct config *load(const char *path)
{
	struct buf err = BUF_INIT;
	struct config *c;

	if (config_load(path, &c, &err) != 0)
		fail_msg("%s", err.ptr);
	buf_release(&err);
	return c;
}

static void test_python_examples(void **state)
{
	struct config *c = load("config/heroku-python.json");
	struct naming_legacy l;
	struct naming_artifact a;
	struct buf key = BUF_INIT;

	(void)state;
	assert_int_equal(naming_parse_legacy(c, "heroku-22/runtimes/python-3.12.3.tar.gz",
					     &l, NULL), 0);
	assert_int_equal(l.status, NAMING_OK);
	assert_string_equal(l.version, "3.12.3");
	assert_ptr_equal(l.stack, config_find_stack(c, "heroku-22"));
	assert_int_equal(l.n, 1);
	assert_string_equal(l.arches[0], "amd64");
	assert_string_equal(l.new_keys[0], "python-3.12.3-ubuntu-22.04-amd64.tar.zst");
	naming_legacy_release(&l);

	assert_int_equal(naming_parse_legacy(c, "heroku-20/runtimes/python-3.14.0a7.tar.gz",
					     &l, NULL), 0);
	assert_string_equal(l.new_keys[0], "python-3.14.0a7-ubuntu-20.04-amd64.tar.zst");
	assert_true(l.stack->retired);
	naming_legacy_release(&l);
	/* heroku-24 came after the naming change: it has no legacy keys. */
	assert_int_equal(naming_parse_legacy(c, "heroku-24/runtimes/python-3.14.0a7.tar.gz",
					     &l, NULL), AV_EINVAL);
	assert_int_equal(l.status, NAMING_UNKNOWN_ARCH);
	naming_legacy_release(&l);

	assert_int_equal(naming_parse_new(c, "python-3.13.0rc1-ubuntu-24.04-arm64.tar.zst",
					  &a, NULL), 0);
	assert_string_equal(a.version, "3.13.0rc1");
	assert_string_equal(a.distro_name, "ubuntu");
	assert_string_equal(a.distro_version, "24.04");
	assert_string_equal(a.target.arch, "arm64");
	assert_string_equal(a.target.os, "linux");
	assert_int_equal(a.target.nstacks, 1);
	assert_string_equal(a.target.stacks[0]->name, "heroku-24");
	naming_artifact_release(&a);

	assert_int_equal(naming_legacy_key(c, "3.12.3", config_find_stack(c, "heroku-20"),
					   NULL, &key, NULL), 0);
	assert_string_equal(key.ptr, "heroku-20/runtimes/python-3.12.3.tar.gz");
	buf_reset(&key);
	assert_int_equal(naming_new_key(c, "3.12.3", "ubuntu", "26.04", "arm64", &key, NULL), 0);
	assert_string_equal(key.ptr, "python-3.12.3-ubuntu-26.04-arm64.tar.zst");
	buf_release(&key);
	config_free(c);
}

static void test_ruby_examples(void **state)
{
	struct config *c = load("config/ruby-example.json");
	struct naming_legacy l;
	struct naming_artifact a;
	struct buf key = BUF_INIT, why = BUF_INIT;

	(void)state;
	assert_int_equal(naming_parse_legacy(c, "heroku-24/arm64/ruby-3.3.0.tgz", &l, NULL), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.arches[0], "arm64");
	assert_string_equal(l.new_keys[0], "ruby/ubuntu-24.04/arm64/ruby-3.3.0.tar.zst");
	naming_legacy_release(&l);
	assert_int_equal(naming_parse_legacy(c, "heroku-22/arm64/ruby-3.3.0.tgz", &l, &why),
			 AV_EINVAL);
	assert_int_equal(l.status, NAMING_UNKNOWN_ARCH);
	assert_string_equal(why.ptr, "arch 'arm64' is not a legacy arch of stack heroku-22");
	naming_legacy_release(&l);
	assert_int_equal(naming_parse_new(c, "ruby/ubuntu-22.04/amd64/ruby-3.2.4.tar.zst",
					  &a, NULL), 0);
	assert_string_equal(a.target.stacks[0]->name, "heroku-22");
	naming_artifact_release(&a);
	/* {name} appears twice: both must be the artifact's name. */
	assert_int_equal(naming_parse_new(c, "ruby/ubuntu-22.04/amd64/jruby-3.2.4.tar.zst",
					  &a, NULL), AV_EINVAL);
	assert_int_equal(a.status, NAMING_UNRECOGNISED);
	naming_artifact_release(&a);
	buf_reset(&why);
	assert_int_equal(naming_legacy_key(c, "3.3.0", &c->stacks[0], NULL, &key, &why),
			 AV_EINVAL);
	assert_non_null(strstr(why.ptr, "needs an arch"));
	assert_int_equal(naming_legacy_key(c, "3.3.0", &c->stacks[0], "amd64", &key, NULL), 0);
	assert_string_equal(key.ptr, "heroku-22/amd64/ruby-3.3.0.tgz");
	buf_release(&key);
	buf_release(&why);
	config_free(c);
}

static void test_statuses(void **state)
{
	static const struct {
		int legacy;
		const char *key;
		enum naming_status status;
		const char *why;
	} cases[] = {
		{ 1, "cedar-14/runtimes/python-3.6.0.tar.gz", NAMING_UNKNOWN_STACK,
		  "stack 'cedar-14' is not in config/heroku-python.json" },
		{ 1, "heroku-26/runtimes/python-3.14.0.tar.gz", NAMING_UNKNOWN_ARCH,
		  "stack heroku-26 has no legacy arches in config/heroku-python.json" },
		{ 1, "heroku-22/runtimes/python-3.12.tar.gz", NAMING_BAD_VERSION,
		  "version '3.12': fewer than 3 components" },
		{ 1, "heroku-22/runtimes/python-3.12.3rc.tar.gz", NAMING_BAD_VERSION,
		  "pre-release tag without a number" },
		{ 1, "heroku-22/runtimes/pypy3.10-7.3.15.tar.gz", NAMING_UNRECOGNISED,
		  "does not match the template '{stack}/runtimes/{name}-{version}.tar.gz'" },
		{ 1, "heroku-22/runtimes/python-3.12.3.tar.gz.sha256", NAMING_UNRECOGNISED, NULL },
		{ 1, "heroku-22/runtimes/python-3.12.3.tar.zst", NAMING_UNRECOGNISED, NULL },
		{ 1, "python-3.12.3-ubuntu-22.04-amd64.tar.zst", NAMING_UNRECOGNISED, NULL },
		{ 1, "", NAMING_UNRECOGNISED, NULL },
		{ 0, "python-3.12.3-ubuntu-22.04-arm64.tar.zst", NAMING_UNKNOWN_TARGET,
		  "no stack in config/heroku-python.json serves ubuntu 22.04 on arm64" },
		{ 0, "python-3.12.3-ubuntu-28.04-amd64.tar.zst", NAMING_UNKNOWN_TARGET, NULL },
		{ 0, "python-3.12.3-debian-12-amd64.tar.zst", NAMING_UNKNOWN_TARGET, NULL },
		{ 0, "python-3.12.3-ubuntu-22.04-x86_64.tar.zst", NAMING_UNKNOWN_ARCH,
		  "arch 'x86_64' is not amd64 or arm64" },
		{ 0, "python-3.12-ubuntu-22.04-amd64.tar.zst", NAMING_BAD_VERSION, NULL },
		{ 0, "python-3.12.3-ubuntu-22.04-amd64.tar.gz", NAMING_UNRECOGNISED, NULL },
		{ 0, "heroku-22/runtimes/python-3.12.3.tar.gz", NAMING_UNRECOGNISED, NULL },
		{ 0, "python-3.12.3-ubuntu-22.04-amd64.tar.zst/", NAMING_UNRECOGNISED, NULL },
		{ 0, "Python-3.12.3-ubuntu-22.04-amd64.tar.zst", NAMING_UNRECOGNISED, NULL },
	};
	struct config *c = load("config/heroku-python.json");
	struct naming_legacy l;
	struct naming_artifact a;
	struct buf why = BUF_INIT;
	enum naming_status got;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&why);
		if (cases[i].legacy) {
			rc = naming_parse_legacy(c, cases[i].key, &l, &why);
			got = l.status;
			naming_legacy_release(&l);
		} else {
			rc = naming_parse_new(c, cases[i].key, &a, &why);
			got = a.status;
			naming_artifact_release(&a);
		}
		if (rc != AV_EINVAL || got != cases[i].status)
			fail_msg("'%s': rc %d status %s, want %s", cases[i].key, rc,
				 naming_status_name(got), naming_status_name(cases[i].status));
		assert_true(why.len > 0);
		if (cases[i].why && !strstr(why.ptr, cases[i].why))
			fail_msg("'%s': '%s' lacks '%s'", cases[i].key, why.ptr, cases[i].why);
	}
	/* The raw parts are kept for reports. */
	assert_int_equal(naming_parse_legacy(c, "cedar-14/runtimes/python-3.6.0.tar.gz",
					     &l, NULL), AV_EINVAL);
	assert_string_equal(l.stack_name, "cedar-14");
	assert_string_equal(l.version, "3.6.0");
	assert_null(l.stack);
	naming_legacy_release(&l);
	assert_string_equal(naming_status_name(NAMING_UNKNOWN_TARGET), "unknown-target");
	buf_release(&why);
	config_free(c);
}

/* Every kind of key a bucket with a history holds, in one table. */
static void test_classify(void **state)
{
	static const struct {
		const char *config, *key;
		enum naming_kind kind;
		const char *stack;		/* NULL: none */
		enum naming_status status;
		int legacy_scheme;
		const char *why;		/* NULL: why stays empty */
	} cases[] = {
		{ "python", "python-3.12.3-ubuntu-24.04-arm64.tar.zst", NAMING_KIND_NEW,
		  NULL, NAMING_OK, 0, NULL },
		/* a new key of a retired stack's target is still a new key */
		{ "python", "python-3.8.10-ubuntu-20.04-amd64.tar.zst", NAMING_KIND_NEW,
		  NULL, NAMING_OK, 0, NULL },
		{ "python", "python-3.13.0rc1-ubuntu-22.04-amd64.tar.zst", NAMING_KIND_NEW,
		  NULL, NAMING_OK, 0, NULL },
		{ "python", "heroku-22/runtimes/python-3.12.3.tar.gz", NAMING_KIND_LEGACY,
		  "heroku-22", NAMING_OK, 0, NULL },
		{ "python", "heroku-16/runtimes/python-2.7.18.tar.gz",
		  NAMING_KIND_LEGACY_RETIRED, "heroku-16", NAMING_OK, 0, NULL },
		{ "python", "heroku-18/runtimes/python-3.6.15.tar.gz",
		  NAMING_KIND_LEGACY_RETIRED, "heroku-18", NAMING_OK, 0, NULL },
		{ "python", "heroku-20/runtimes/python-3.13.0rc1.tar.gz",
		  NAMING_KIND_LEGACY_RETIRED, "heroku-20", NAMING_OK, 0, NULL },
		{ "python", "heroku-18/libraries/vendor/gdal.tar.gz",
		  NAMING_KIND_STACK_FILE, "heroku-18", NAMING_OK, 0, NULL },
		{ "python", "heroku-22/runtimes/pypy3.10-7.3.15.tar.gz",
		  NAMING_KIND_STACK_FILE, "heroku-22", NAMING_OK, 0, NULL },
		{ "python", "heroku-22/runtimes/python-3.12.3.tar.gz.sha256",
		  NAMING_KIND_STACK_FILE, "heroku-22", NAMING_OK, 0, NULL },
		{ "python", "heroku-24/", NAMING_KIND_STACK_FILE, "heroku-24", NAMING_OK, 0, NULL },
		{ "python", "heroku-22/runtimes/python-3.12.tar.gz", NAMING_KIND_INVALID,
		  "heroku-22", NAMING_BAD_VERSION, 1, "fewer than 3 components" },
		{ "python", "heroku-24/runtimes/python-3.12.3.tar.gz", NAMING_KIND_INVALID,
		  "heroku-24", NAMING_UNKNOWN_ARCH, 1, "no legacy arches" },
		{ "python", "cedar-14/runtimes/python-2.7.9.tar.gz", NAMING_KIND_INVALID,
		  NULL, NAMING_UNKNOWN_STACK, 1, "stack 'cedar-14' is not in" },
		{ "python", "python-3.12-ubuntu-22.04-amd64.tar.zst", NAMING_KIND_INVALID,
		  NULL, NAMING_BAD_VERSION, 0, "fewer than 3 components" },
		{ "python", "python-3.12.3-ubuntu-22.04-arm64.tar.zst", NAMING_KIND_INVALID,
		  NULL, NAMING_UNKNOWN_TARGET, 0, "serves ubuntu 22.04 on arm64" },
		/* stack names are whole path segments */
		{ "python", "heroku-2/runtimes/x", NAMING_KIND_OTHER, NULL, NAMING_UNRECOGNISED, 0, NULL },
		{ "python", "heroku-22x/runtimes/python-3.12.3.tar.gz", NAMING_KIND_INVALID,
		  NULL, NAMING_UNKNOWN_STACK, 1, "heroku-22x" },
		{ "python", "heroku-22", NAMING_KIND_OTHER, NULL, NAMING_UNRECOGNISED, 0, NULL },
		{ "python", "manifest.json", NAMING_KIND_OTHER, NULL, NAMING_UNRECOGNISED, 0, NULL },
		{ "python", "", NAMING_KIND_OTHER, NULL, NAMING_UNRECOGNISED, 0, NULL },
		/* ruby: "{stack}/{arch}/..." -- the folder is still the stack's */
		{ "ruby", "heroku-22/amd64/ruby-3.3.0.tgz", NAMING_KIND_LEGACY, "heroku-22",
		  NAMING_OK, 0, NULL },
		{ "ruby", "heroku-22/amd64/bundler-2.5.0.tgz", NAMING_KIND_STACK_FILE,
		  "heroku-22", NAMING_OK, 0, NULL },
		{ "ruby", "ruby/ubuntu-22.04/amd64/ruby-3.2.4.tar.zst", NAMING_KIND_NEW,
		  NULL, NAMING_OK, 0, NULL },
	};
	struct config *py = load("config/heroku-python.json");
	struct config *rb = load("config/ruby-example.json");
	struct buf why = BUF_INIT;
	struct naming_class nc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&why);
		assert_int_equal(naming_classify(strcmp(cases[i].config, "ruby") ? py : rb,
						 cases[i].key, &nc, &why), 0);
		if (nc.kind != cases[i].kind || nc.status != cases[i].status ||
		    nc.legacy_scheme != cases[i].legacy_scheme)
			fail_msg("'%s': %s/%s/%d, want %s/%s/%d", cases[i].key,
				 naming_kind_name(nc.kind), naming_status_name(nc.status),
				 nc.legacy_scheme, naming_kind_name(cases[i].kind),
				 naming_status_name(cases[i].status), cases[i].legacy_scheme);
		if (cases[i].stack)
			assert_string_equal(nc.stack ? nc.stack->name : "(none)", cases[i].stack);
		else if (nc.stack)
			fail_msg("'%s': stack %s, want none", cases[i].key, nc.stack->name);
		if (cases[i].why ? !strstr(why.ptr, cases[i].why) : why.len != 0)
			fail_msg("'%s': why '%s', want '%s'", cases[i].key, why.ptr,
				 cases[i].why ? cases[i].why : "");
	}
	assert_string_equal(naming_kind_name(NAMING_KIND_LEGACY_RETIRED), "legacy-retired");
	assert_string_equal(naming_kind_name(NAMING_KIND_STACK_FILE), "stack-file");
	buf_release(&why);
	config_free(py);
	config_free(rb);
}

/* xorshift64*: a fixed seed, so failures reproduce. */
static uint64_t rng_state = SEED;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32) % n;
}

static void random_version(struct buf *v)
{
	static const char *const tags[] = { "a", "b", "rc", "" };
	uint32_t big = rnd(50) == 0 ? 999999999 : 40;
	const char *tag = tags[rnd(4)];

	buf_reset(v);
	buf_addf(v, "%u.%u.%u", rnd(big + 1), rnd(41), rnd(big + 1));
	if (*tag)
		buf_addf(v, "%s%u", tag, rnd(30));
}

/* Parses a rendered new key and checks every field. */
static void check_new(const struct config *c, const char *key, const char *version,
		      const struct config_stack *s, const char *arch)
{
	struct naming_artifact a;
	struct naming_legacy l;
	size_t i;

	if (naming_parse_new(c, key, &a, NULL) != 0)
		fail_msg("seed %#x: new key '%s' did not parse", SEED, key);
	assert_string_equal(a.version, version);
	assert_string_equal(a.distro_name, s->distro_name);
	assert_string_equal(a.distro_version, s->distro_version);
	assert_string_equal(a.target.arch, arch);
	assert_string_equal(a.target.os, s->os);
	for (i = 0; i < a.target.nstacks && a.target.stacks[i] != s; i++)
		;
	assert_true(i < a.target.nstacks);
	naming_artifact_release(&a);
	assert_int_equal(naming_parse_legacy(c, key, &l, NULL), AV_EINVAL);
	naming_legacy_release(&l);
}

static void check_legacy(const struct config *c, const char *key, const char *version,
			 const struct config_stack *s, const char *arch)
{
	struct naming_legacy l;
	struct naming_artifact a;
	struct buf want = BUF_INIT;
	size_t i;

	if (naming_parse_legacy(c, key, &l, NULL) != 0)
		fail_msg("seed %#x: legacy key '%s' did not parse", SEED, key);
	assert_string_equal(l.version, version);
	assert_ptr_equal(l.stack, s);
	assert_int_equal(l.n, arch ? 1 : s->nlegacy_arches);
	for (i = 0; i < l.n; i++) {
		assert_string_equal(l.arches[i], arch ? arch : s->legacy_arches[i]);
		buf_reset(&want);
		assert_int_equal(naming_new_key(c, version, s->distro_name, s->distro_version,
						l.arches[i], &want, NULL), 0);
		assert_string_equal(l.new_keys[i], want.ptr);
	}
	naming_legacy_release(&l);
	assert_int_equal(naming_parse_new(c, key, &a, NULL), AV_EINVAL);
	naming_artifact_release(&a);
	buf_release(&want);
}

/* A key with one byte changed parses either not at all, or to fields
 * that render back to exactly that key: never a guess. */
static void check_mutant(const struct config *c, const char *key)
{
	struct naming_artifact a;
	struct buf m = BUF_INIT, again = BUF_INIT;

	buf_adds(&m, key);
	m.ptr[rnd((uint32_t)m.len)] = (char)(32 + rnd(95));
	if (naming_parse_new(c, m.ptr, &a, NULL) == 0) {
		assert_int_equal(naming_new_key(c, a.version, a.distro_name, a.distro_version,
						a.target.arch, &again, NULL), 0);
		assert_string_equal(again.ptr, m.ptr);
	} else {
		assert_int_not_equal(a.status, NAMING_OK);
	}
	naming_artifact_release(&a);
	buf_release(&m);
	buf_release(&again);
}

static void roundtrip_config(const char *path)
{
	struct config *c = load(path);
	struct buf v = BUF_INIT, key = BUF_INIT;
	const struct config_stack *s;
	const char *arch;
	int i, has_arch = template_has(&c->tmpl_legacy, TF_ARCH);

	for (i = 0; i < ROUNDS; i++) {
		random_version(&v);
		s = &c->stacks[rnd((uint32_t)c->nstacks)];
		arch = s->arches[rnd((uint32_t)s->narches)];
		buf_reset(&key);
		assert_int_equal(naming_new_key(c, v.ptr, s->distro_name, s->distro_version,
						arch, &key, NULL), 0);
		check_new(c, key.ptr, v.ptr, s, arch);
		check_mutant(c, key.ptr);
		if (s->nlegacy_arches == 0)
			continue;
		arch = has_arch ? s->legacy_arches[rnd((uint32_t)s->nlegacy_arches)] : NULL;
		buf_reset(&key);
		assert_int_equal(naming_legacy_key(c, v.ptr, s, arch, &key, NULL), 0);
		check_legacy(c, key.ptr, v.ptr, s, arch);
	}
	buf_release(&v);
	buf_release(&key);
	config_free(c);
}

static void test_property_python(void **state)
{
	(void)state;
	roundtrip_config("config/heroku-python.json");
}

static void test_property_ruby(void **state)
{
	(void)state;
	roundtrip_config("config/ruby-example.json");
}

static void test_render_refuses_bad_input(void **state)
{
	struct config *c = load("config/heroku-python.json");
	struct buf key = BUF_INIT, why = BUF_INIT;

	(void)state;
	assert_int_equal(naming_new_key(c, "3.12", "ubuntu", "22.04", "amd64", &key, &why),
			 AV_EINVAL);
	assert_non_null(strstr(why.ptr, "fewer than 3 components"));
	buf_reset(&why);
	assert_int_equal(naming_new_key(c, "3.12.1", "ubuntu", "22.04", "x86_64", &key, &why),
			 AV_EINVAL);
	assert_non_null(strstr(why.ptr, "not amd64 or arm64"));
	assert_int_equal(naming_new_key(c, "3.12.1", "ubu/ntu", "22.04", "amd64", &key, NULL),
			 AV_EINVAL);
	assert_string_equal(key.ptr, "");	/* nothing half-written */
	buf_release(&key);
	buf_release(&why);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python_examples),
		cmocka_unit_test(test_ruby_examples),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_property_python),
		cmocka_unit_test(test_property_ruby),
		cmocka_unit_test(test_render_refuses_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
