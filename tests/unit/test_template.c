/* Unit tests for template: compile errors, render, match and ambiguity. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/template.h"

static void test_compile_refusals(void **state)
{
	static const struct { const char *src, *want; } cases[] = {
		{ "", "empty template" },
		{ "{foo}", "unknown placeholder {foo} at offset 0" },
		{ "x/{Version}", "unknown placeholder {Version} at offset 2" },
		{ "{}", "unknown placeholder {} at offset 0" },
		{ "a{version", "'{' at offset 1 is not closed" },
		{ "{ver{sion}", "'{' at offset 0 is not closed" },
		{ "a}b{version}", "'}' at offset 1 has no '{'" },
		{ "{name}{version}", "placeholders {name} and {version} at offset 6 are adjacent" },
		{ "{version}-{stack}{arch}", "placeholders {stack} and {arch} at offset 17" },
		{ "{version}-{version}", "{version} appears twice (offset 10)" },
		{ "{stack}/{arch}/{stack}", "{stack} appears twice" },
		{ "{a-very-long-placeholder-name-that-goes-on-and-on-and-on-forever}",
		  "unknown placeholder {a-very-long-placeholder-name-that-goes-o} at" },
	};
	struct template t = TEMPLATE_INIT;
	struct buf why = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&why);
		assert_int_equal(template_compile(&t, cases[i].src, &why), AV_EINVAL);
		assert_null(t.segs);
		if (!strstr(why.ptr, cases[i].want))
			fail_msg("'%s': '%s' lacks '%s'", cases[i].src, why.ptr, cases[i].want);
	}
	buf_release(&why);
}

static void test_too_many_segments(void **state)
{
	struct template t = TEMPLATE_INIT;
	struct buf src = BUF_INIT, why = BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 17; i++)
		buf_adds(&src, "{name}/");
	assert_int_equal(template_compile(&t, src.ptr, &why), AV_EINVAL);
	assert_non_null(strstr(why.ptr, "more than 32 parts"));
	buf_release(&src);
	buf_release(&why);
}

static void test_render_and_match(void **state)
{
	struct template t = TEMPLATE_INIT;
	struct buf out = BUF_INIT, why = BUF_INIT;
	const char *v[TF_COUNT] = { "ruby", "3.3.0", "heroku-24", "ubuntu", "24.04", "arm64" };
	char *got[TF_COUNT];
	int f;

	(void)state;
	assert_int_equal(template_compile(&t, "{name}/{distro_name}-{distro_version}/{arch}/"
					  "{name}-{version}.tar.zst", &why), 0);
	assert_true(template_has(&t, TF_NAME));
	assert_false(template_has(&t, TF_STACK));
	assert_int_equal(template_render(&t, v, &out, &why), 0);
	assert_string_equal(out.ptr, "ruby/ubuntu-24.04/arm64/ruby-3.3.0.tar.zst");
	assert_int_equal(template_match(&t, "ruby", out.ptr, got, NULL, &why), 0);
	for (f = 0; f < TF_COUNT; f++) {
		if (f == TF_STACK)
			assert_null(got[f]);
		else
			assert_string_equal(got[f], v[f]);
	}
	template_values_free(got);
	/* Another name is not this artifact. */
	assert_int_equal(template_match(&t, "python", out.ptr, got, NULL, &why), AV_EINVAL);
	assert_non_null(strstr(why.ptr, "does not match the template"));
	for (f = 0; f < TF_COUNT; f++)
		assert_null(got[f]);
	/* Values outside their class do not render. */
	v[TF_DISTRO_VERSION] = "24-04";
	buf_reset(&why);
	assert_int_equal(template_render(&t, v, &out, &why), AV_EINVAL);
	assert_non_null(strstr(why.ptr, "{distro_version} is '24-04'"));
	v[TF_DISTRO_VERSION] = NULL;
	assert_int_equal(template_render(&t, v, &out, NULL), AV_EINVAL);
	template_release(&t);
	template_release(&t);	/* released twice: harmless */
	buf_release(&out);
	buf_release(&why);
}

static void test_match_cases(void **state)
{
	static const struct {
		const char *tmpl, *key;
		int rc, ambiguous;
		const char *version, *stack;
	} cases[] = {
		{ "{stack}/runtimes/{name}-{version}.tar.gz",
		  "heroku-22/runtimes/python-3.12.3.tar.gz", 0, 0, "3.12.3", "heroku-22" },
		{ "{stack}-{version}.tgz", "heroku-22-3.1.2.tgz", 0, 0, "3.1.2", "heroku-22" },
		{ "{stack}/runtimes/{name}-{version}.tar.gz",
		  "heroku-22/runtimes/python-3.12.3.tar.gz.bak", AV_EINVAL, 0, NULL, NULL },
		{ "{stack}/runtimes/{name}-{version}.tar.gz",
		  "heroku-22/runtimes/pypy-3.12.3.tar.gz", AV_EINVAL, 0, NULL, NULL },
		{ "{stack}/runtimes/{name}-{version}.tar.gz",
		  "a/b/runtimes/python-3.12.3.tar.gz", AV_EINVAL, 0, NULL, NULL },
		{ "{stack}/runtimes/{name}-{version}.tar.gz",
		  "/runtimes/python-3.12.3.tar.gz", AV_EINVAL, 0, NULL, NULL },
		{ "{stack}/runtimes/{name}-{version}.tar.gz",
		  "heroku-22/runtimes/python-.tar.gz", AV_EINVAL, 0, NULL, NULL },
		{ "{version}.{stack}", "3.12.3.x", AV_EINVAL, 1, NULL, NULL },
		{ "{stack}.{version}", "a.b.c", AV_EINVAL, 1, NULL, NULL },
		{ "{stack}-{version}", "a-b", 0, 0, "b", "a" },
	};
	struct template t = TEMPLATE_INIT;
	struct buf why = BUF_INIT;
	char *got[TF_COUNT];
	size_t i;
	int amb;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(template_compile(&t, cases[i].tmpl, NULL), 0);
		buf_reset(&why);
		assert_int_equal(template_match(&t, "python", cases[i].key, got, &amb, &why),
				 cases[i].rc);
		assert_int_equal(amb, cases[i].ambiguous);
		if (cases[i].rc == 0) {
			assert_string_equal(got[TF_VERSION], cases[i].version);
			assert_string_equal(got[TF_STACK], cases[i].stack);
		} else {
			assert_non_null(strstr(why.ptr, cases[i].ambiguous ?
					       "in more than one way" : "does not match"));
		}
		template_values_free(got);
		template_release(&t);
	}
	buf_release(&why);
}

/* A long key of separators costs time linear-ish in its length. */
static void test_long_keys_are_cheap(void **state)
{
	struct template t = TEMPLATE_INIT;
	struct buf key = BUF_INIT, why = BUF_INIT;
	char *got[TF_COUNT];
	clock_t start;
	int i, rc;

	(void)state;
	assert_int_equal(template_compile(&t, "{stack}-{version}-{distro_version}."
					  "{distro_name}-{arch}", NULL), 0);
	for (i = 0; i < 1020; i++)
		buf_addc(&key, "-.a1"[i % 4]);
	start = clock();
	for (i = 0; i < 20; i++) {
		rc = template_match(&t, "x", key.ptr, got, NULL, NULL);
		assert_int_equal(rc, AV_EINVAL);
	}
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 2.0);
	buf_addc(&key, 'x');
	buf_adds(&key, "0123456789");
	assert_int_equal(template_match(&t, "x", key.ptr, got, NULL, &why), AV_EINVAL);
	assert_non_null(strstr(why.ptr, "longer than 1024 bytes"));
	template_release(&t);
	buf_release(&key);
	buf_release(&why);
}

static void test_value_classes(void **state)
{
	(void)state;
	assert_true(template_value_valid(TF_STACK, "heroku-24"));
	assert_true(template_value_valid(TF_NAME, "python_3.x-build"));
	assert_false(template_value_valid(TF_STACK, "heroku/24"));
	assert_false(template_value_valid(TF_VERSION, "3.12-3"));
	assert_true(template_value_valid(TF_DISTRO_VERSION, "24.04"));
	assert_false(template_value_valid(TF_DISTRO_NAME, "ubu.ntu"));
	assert_true(template_value_valid(TF_ARCH, "x86_64"));
	assert_false(template_value_valid(TF_ARCH, ""));
	assert_false(template_value_valid(TF_ARCH, NULL));
	assert_string_equal(template_field_name(TF_DISTRO_VERSION), "distro_version");
	assert_null(template_field_name(TF_COUNT));
	assert_null(template_field_name(-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_refusals),
		cmocka_unit_test(test_too_many_segments),
		cmocka_unit_test(test_render_and_match),
		cmocka_unit_test(test_match_cases),
		cmocka_unit_test(test_long_keys_are_cheap),
		cmocka_unit_test(test_value_classes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
