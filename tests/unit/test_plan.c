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
					 "old/heroku-22/runtimes/python-3.13.0rc1.tar.gz",
					 1, "e", NULL), 0);
	/* not under the source prefix: ignored */
	assert_int_equal(plan_add_legacy(&p, cfg, "old/", "new/",
					 "heroku-22/runtimes/python-3.13.0.tar.gz",
					 1, "e", NULL), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.items[0].new_key,
			    "new/python-3.13.0rc1-ubuntu-22.04-amd64.tar.zst");
	assert_string_equal(p.items[0].legacy_key,
			    "old/heroku-22/runtimes/python-3.13.0rc1.tar.gz");
	plan_release(&p);
}

static void test_invalid_keys_say_why(void **state)
{
	struct plan p;

	(void)state;
	plan_init(&p);
	assert_int_equal(plan_add_legacy(&p, cfg, "", "", "cedar-14/runtimes/python-3.6.15.tar.gz",
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
	assert_non_null(strstr(p.items[0].reason, "cedar-14"));
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

/* Retired stacks are planned only when named, and counted when not. */
static void test_retired_stacks(void **state)
{
	static const char *const keys[] = {
		"heroku-16/runtimes/python-2.7.18.tar.gz",
		"heroku-18/runtimes/python-3.6.15.tar.gz",
		"heroku-18/runtimes/python-3.12.bad.tar.gz",	/* retired, invalid */
		"heroku-20/runtimes/python-3.12.3.tar.gz",
		"heroku-22/runtimes/python-3.12.3.tar.gz",
		"heroku-18/libraries/vendor/gdal.tar.gz",
	};
	static const char *const named[] = { "heroku-18", "heroku-22" };
	static const char *const active[] = { "heroku-22" };
	struct plan_filter all = { NULL, 0, NULL, 0, 0 };
	struct plan_filter two = { named, 2, NULL, 0, 0 };
	struct plan_filter one = { active, 1, NULL, 0, 0 };
	struct plan p;
	size_t i;

	(void)state;
	plan_init(&p);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(plan_add_legacy(&p, cfg, "", "", keys[i], 1, "e", &all), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.items[0].legacy_key, "heroku-22/runtimes/python-3.12.3.tar.gz");
	assert_int_equal(p.retired, 4);
	assert_int_equal(p.ignored, 1);
	plan_release(&p);

	plan_init(&p);	/* no filter at all: the same */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		plan_add_legacy(&p, cfg, "", "", keys[i], 1, "e", NULL);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.retired, 4);
	plan_release(&p);

	plan_init(&p);	/* heroku-18 named: its two keys are planned */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		plan_add_legacy(&p, cfg, "", "", keys[i], 1, "e", &two);
	plan_sort(&p);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.items[0].new_key, "python-3.12.3-ubuntu-22.04-amd64.tar.zst");
	assert_string_equal(p.items[1].new_key, "python-3.6.15-ubuntu-18.04-amd64.tar.zst");
	assert_int_equal(p.items[2].action, PLAN_INVALID);
	assert_int_equal(p.retired, 0);	/* the others were not asked for */
	plan_release(&p);

	plan_init(&p);	/* only an active stack named: nothing retired counted */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		plan_add_legacy(&p, cfg, "", "", keys[i], 1, "e", &one);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.retired, 0);
	plan_release(&p);
}

/* The union of all shards is the full plan, with no overlap; invalid
 * keys are sharded too. */
static void add_all(struct plan *p)
{
	static const char *stacks[] = { "heroku-22", "heroku-24", "cedar-14", "heroku-26" };
	char key[128];
	size_t i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 40; j++) {
			snprintf(key, sizeof(key), "%s/runtimes/python-3.%zu.%zu.tar.gz",
				 stacks[i], 7 + j % 7, j);
			assert_int_equal(plan_add_legacy(p, cfg, "", "", key,
							 1000 + j * 37, "e", NULL), 0);
		}
}

static void test_shards_partition_the_plan(void **state)
{
	struct plan full, part;
	size_t i, j, total = 0, found, invalid = 0, full_invalid = 0;
	unsigned s;

	(void)state;
	plan_init(&full);
	add_all(&full);
	assert_int_equal(full.n, 160);
	for (i = 0; i < full.n; i++)
		full_invalid += full.items[i].action == PLAN_INVALID;
	assert_true(full_invalid > 0);
	assert_int_equal(plan_keep_shard(&full, 0, 0), 0);	/* no shards */
	assert_int_equal(full.n, 160);
	for (s = 1; s <= 3; s++) {
		plan_init(&part);
		add_all(&part);
		assert_int_equal(plan_keep_shard(&part, s, 3), 0);
		assert_true(part.n > 40 && part.n < 67);	/* about a third */
		for (i = 0; i < part.n; i++) {
			found = 0;
			for (j = 0; j < full.n; j++)
				if (strcmp(full.items[j].legacy_key, part.items[i].legacy_key) == 0)
					found++;
			assert_int_equal(found, 1);
			invalid += part.items[i].action == PLAN_INVALID;
		}
		total += part.n;
		plan_release(&part);
	}
	assert_int_equal(total, full.n);
	assert_int_equal(invalid, full_invalid);	/* each in some shard */
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
	/* made elsewhere: metadata, but none of archivist's (aws s3 sync) */
	char sn[2][16] = { "sha256", "mtime" }, sv0[] = "0123", sv1[] = "1700000000";
	struct s3_meta sync[2] = { { sn[0], sv0 }, { sn[1], sv1 } };
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
	assert_int_equal(it->action, PLAN_PRESENT);
	assert_non_null(strstr(it->reason, "made elsewhere"));
	assert_string_equal(plan_action_name(it->action), "present");
	assert_int_equal(decide(it, 1, sync, 2, &s), 0);
	assert_int_equal(it->action, PLAN_PRESENT);
	/* published by archivist: settings, no migration source */
	assert_int_equal(decide(it, 1, m + 3, 3, &s), 0);
	assert_int_equal(it->action, PLAN_CONFLICT);
	assert_non_null(strstr(it->reason, "records no migration source"));
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
	buf_reset(&why);
	assert_int_equal(plan_parse_shard("1/1001", &i, &n, &why), AV_EUSAGE);
	assert_non_null(strstr(why.ptr, "N <= 1000"));
	buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_key_maps_to_new_key),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_invalid_keys_say_why),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_shards_partition_the_plan),
		cmocka_unit_test(test_retired_stacks),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_parse_shard),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
