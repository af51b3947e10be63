/* Unit tests for plan: legacy keys to new keys, filters, shards, actions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archivist/plan.h"

static struct config *cfg;

static int setup(void **state)
{
	struct buf err = BUF_INIT;

	(void)state;
	if (config_load_bytes(config_builtin_json, strlen(config_builtin_json),
			      "built-in", &cfg, &err) != 0) {
		fprintf(stderr, "%s\n", err.ptr);
		return -1;
	}
	buf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	config_free(cfg);
	return 0;
}

static void test_legacy_key_maps_to_new_key(void **state)
{
	struct plan p;

	(void)state;
	plan_init(&p);
	assert_int_equal(plan_add_legacy(&p, cfg, "", "", "heroku-22/runtimes/python-3.12.3.tar.gz",
					 100, "\"e1\"", NULL), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.items[0].new_key, "python-3.12.3-ubuntu-22.04-amd64.tar.zst");
	assert_string_equal(p.items[0].arch, "amd64");
	assert_string_equal(p.items[0].version, "3.12.3");
	assert_string_equal(p.items[0].stack->name, "heroku-22");
	assert_int_equal(p.items[0].action, PLAN_CREATE);
	plan_release(&p);
}

static void test_prefixes(void **state)
{
	struct plan p;

	(void)state;
	plan_init(&p);
	assert_int_equal(plan_add_legacy(&p, cfg, "old/", "new/",
					 "old/heroku-24/runtimes/python-3.13.0rc1.tar.gz",
					 1, "e", NULL), 0);
	/* not under the source prefix: ignored */
	assert_int_equal(plan_add_legacy(&p, cfg, "old/", "new/",
					 "heroku-24/runtimes/python-3.13.0.tar.gz",
					 1, "e", NULL), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.items[0].new_key,
			    "new/python-3.13.0rc1-ubuntu-24.04-amd64.tar.zst");
	assert_string_equal(p.items[0].legacy_key,
			    "old/heroku-24/runtimes/python-3.13.0rc1.tar.gz");
	plan_release(&p);
}

static void test_invalid_keys_say_why(void **state)
{
	struct plan p;

	(void)state;
	plan_init(&p);
	assert_int_equal(plan_add_legacy(&p, cfg, "", "", "heroku-18/runtimes/python-3.6.15.tar.gz",
					 1, "e", NULL), 0);
	assert_int_equal(plan_add_legacy(&p, cfg, "", "", "heroku-22/runtimes/python-3.12.tar.gz",
					 1, "e", NULL), 0);
	assert_int_equal(plan_add_legacy(&p, cfg, "", "", "heroku-22/runtimes/python-3.12.3x.tar.gz",
					 1, "e", NULL), 0);
	/* matching no template: not an item, only counted */
	assert_int_equal(plan_add_legacy(&p, cfg, "", "", "README.txt", 1, "e", NULL), 0);
	assert_int_equal(plan_add_legacy(&p, cfg, "", "", "python-3.12.3-ubuntu-22.04-amd64.tar.zst",
					 1, "e", NULL), 0);
	assert_int_equal(p.ignored, 2);
	assert_int_equal(p.n, 3);
	assert_non_null(strstr(p.items[2].reason, "3.12.3x"));
	assert_int_equal(p.items[0].action, PLAN_INVALID);
	assert_non_null(strstr(p.items[0].reason, "heroku-18"));
	assert_int_equal(p.items[1].action, PLAN_INVALID);
	assert_non_null(strstr(p.items[1].reason, "3.12"));
	assert_int_equal(p.items[2].action, PLAN_INVALID);
	assert_null(p.items[2].new_key);
	plan_release(&p);
}

static void test_filters(void **state)
{
	static const char *const stacks[] = { "heroku-20" };
	struct plan_filter f = { stacks, 1, "3.1[01].*", 0, 0 };
	struct plan p;

	(void)state;
	plan_init(&p);
	plan_add_legacy(&p, cfg, "", "", "heroku-20/runtimes/python-3.11.9.tar.gz", 1, "e", &f);
	plan_add_legacy(&p, cfg, "", "", "heroku-20/runtimes/python-3.12.1.tar.gz", 1, "e", &f);
	plan_add_legacy(&p, cfg, "", "", "heroku-22/runtimes/python-3.11.9.tar.gz", 1, "e", &f);
	plan_add_legacy(&p, cfg, "", "", "heroku-20/runtimes/python-3.10.0.tar.gz", 1, "e", &f);
	assert_int_equal(p.n, 2);
	plan_sort(&p);
	assert_string_equal(p.items[0].new_key, "python-3.10.0-ubuntu-20.04-amd64.tar.zst");
	assert_string_equal(p.items[1].new_key, "python-3.11.9-ubuntu-20.04-amd64.tar.zst");
	plan_release(&p);
}

/* The union of all shards is the full plan, with no overlap. */
static void test_shards_partition_the_plan(void **state)
{
	static const char *stacks[] = { "heroku-20", "heroku-22", "heroku-24", "heroku-18" };
	char key[128];
	struct plan full, part;
	struct plan_filter f = { NULL, 0, NULL, 0, 0 };
	size_t i, j, total = 0, found;
	unsigned s;

	(void)state;
	plan_init(&full);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 40; j++) {
			snprintf(key, sizeof(key), "%s/runtimes/python-3.%zu.%zu.tar.gz",
				 stacks[i], 7 + j % 7, j);
			plan_add_legacy(&full, cfg, "", "", key, j, "e", NULL);
		}
	assert_int_equal(full.n, 160);
	f.nshards = 3;
	for (s = 1; s <= 3; s++) {
		f.shard = s;
		plan_init(&part);
		for (i = 0; i < full.n; i++)
			plan_add_legacy(&part, cfg, "", "", full.items[i].legacy_key,
					0, "e", &f);
		assert_true(part.n > 20);	/* every shard gets a share */
		for (i = 0; i < part.n; i++) {
			found = 0;
			for (j = 0; j < full.n; j++)
				if (strcmp(full.items[j].legacy_key, part.items[i].legacy_key) == 0)
					found++;
			assert_int_equal(found, 1);
		}
		total += part.n;
		plan_release(&part);
	}
	assert_int_equal(total, full.n);
	plan_release(&full);
}

/* plan_decide with the provenance read from n metadata pairs. */
static int decide(struct plan_item *it, int exists, struct s3_meta *m, size_t n,
		  const struct pipeline_settings *s)
{
	struct provenance rec;
	int rc;

	assert_int_equal(provenance_read(&rec, m, n), 0);
	rc = plan_decide(it, exists, &rec, s);
	provenance_release(&rec);
	return rc;
}

static void test_decide(void **state)
{
	struct pipeline_settings s = { 22, PYC_UNCHECKED_HASH, 0 };
	char names[6][32] = { PROV_SOURCE_KEY, PROV_SOURCE_ETAG, PROV_SOURCE_SIZE,
			      PROV_PYC, PROV_OPT_PYC, PROV_LEVEL };
	char v0[] = "heroku-22/runtimes/python-3.12.3.tar.gz", v0b[] =
		"heroku-20/runtimes/python-3.12.3.tar.gz";
	char v1[] = "abc", v1b[] = "other", v2[] = "100", v3[] = "unchecked-hash",
	     v4[] = "drop", v5[] = "22";
	struct s3_meta m[6] = { { names[0], v0 }, { names[1], v1 }, { names[2], v2 },
				{ names[3], v3 }, { names[4], v4 }, { names[5], v5 } };
	struct plan p;
	struct plan_item *it;

	(void)state;
	plan_init(&p);
	plan_add_legacy(&p, cfg, "", "", "heroku-22/runtimes/python-3.12.3.tar.gz",
			100, "\"abc\"", NULL);
	it = &p.items[0];
	assert_int_equal(plan_decide(it, 0, NULL, &s), 0);
	assert_int_equal(it->action, PLAN_CREATE);
	assert_int_equal(decide(it, 1, m, 6, &s), 0);
	assert_int_equal(it->action, PLAN_SKIP);
	assert_int_equal(decide(it, 1, m, 0, &s), 0);
	assert_int_equal(it->action, PLAN_CONFLICT);
	s.level = 19;
	assert_int_equal(decide(it, 1, m, 6, &s), 0);
	assert_int_equal(it->action, PLAN_CONFLICT);
	assert_non_null(strstr(it->reason, "'22', this run makes '19'"));
	s.level = 22;
	m[1].value = v1b;
	assert_int_equal(decide(it, 1, m, 6, &s), 0);
	assert_int_equal(it->action, PLAN_CONFLICT);
	assert_non_null(strstr(it->reason, PROV_SOURCE_ETAG));
	m[1].value = v1;
	m[0].value = v0b;
	assert_int_equal(decide(it, 1, m, 6, &s), 0);
	assert_int_equal(it->action, PLAN_CONFLICT);
	assert_non_null(strstr(it->reason, "heroku-20"));
	plan_release(&p);
}

static void test_parse_shard(void **state)
{
	static const char *bad[] = { "", "1", "0/2", "3/2", "1/0", "a/b", "1/2/3",
				     "-1/2", "1/1001", "1/", "/2", "1 /2" };
	struct buf why = BUF_INIT;
	unsigned i, n;
	size_t k;

	(void)state;
	assert_int_equal(plan_parse_shard("2/4", &i, &n, &why), 0);
	assert_int_equal(i, 2);
	assert_int_equal(n, 4);
	assert_int_equal(plan_parse_shard("1/1", &i, &n, &why), 0);
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		buf_reset(&why);
		assert_int_equal(plan_parse_shard(bad[k], &i, &n, &why), AV_EUSAGE);
		assert_true(why.len > 0);
	}
	buf_release(&why);
	/* FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c: a fixed, documented hash */
	assert_int_equal(plan_shard_of("a", 1000), (unsigned)(0xaf63dc4c8601ec8cULL % 1000) + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_key_maps_to_new_key),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_invalid_keys_say_why),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_shards_partition_the_plan),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_parse_shard),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
