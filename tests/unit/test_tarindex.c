/* Unit tests for tarindex: path matching as extraction sees it, last
 * entry wins, hardlink targets among earlier entries, growth. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/tarindex.h"

static void add(struct tar_index *ix, const char *path, char type,
		const char *link)
{
	struct tar_entry e = { path, link ? link : "", type, 0, 0, 0, 0, 0, 0 };

	e.start = tar_index_count(ix) * 512;
	assert_int_equal(tar_index_add(ix, &e), 0);
}

static void test_paths_match_as_extracted(void **state)
{
	struct tar_index *ix = tar_index_new();

	(void)state;
	add(ix, "./a/", '5', NULL);
	add(ix, "./a/m.py", '0', NULL);
	add(ix, "/b//c.py", '0', NULL);
	assert_int_equal(tar_index_find(ix, "a"), 0);
	assert_int_equal(tar_index_find(ix, "a/"), 0);
	assert_int_equal(tar_index_find(ix, "a/m.py"), 1);
	assert_int_equal(tar_index_find(ix, "./././a/m.py"), 1);
	assert_int_equal(tar_index_find(ix, "b//c.py"), 2);
	assert_int_equal(tar_index_find(ix, "b/c.py"), TAR_INDEX_NONE);
	assert_int_equal(tar_index_find(ix, "a/m.p"), TAR_INDEX_NONE);
	assert_string_equal(tar_index_get(ix, 1)->path, "./a/m.py");
	tar_index_free(ix);
}

static void test_last_wins_and_links_look_back(void **state)
{
	struct tar_index *ix = tar_index_new();

	(void)state;
	add(ix, "x.py", '0', NULL);		/* 0 */
	add(ix, "l1", '1', "x.py");		/* 1: -> 0 */
	add(ix, "./x.py", '0', NULL);		/* 2: replaces 0 */
	add(ix, "l2", '1', "./x.py");		/* 3: -> 2 */
	add(ix, "l3", '1', "missing");		/* 4 */
	add(ix, "", 'g', NULL);			/* 5: global header */
	add(ix, "s", '2', "x.py");		/* 6: symlinks resolve nothing */
	assert_int_equal(tar_index_find(ix, "x.py"), 2);
	assert_int_equal(tar_index_get(ix, 1)->target, 0);
	assert_int_equal(tar_index_get(ix, 3)->target, 2);
	assert_int_equal(tar_index_get(ix, 4)->target, TAR_INDEX_NONE);
	assert_int_equal(tar_index_get(ix, 6)->target, TAR_INDEX_NONE);
	assert_int_equal(tar_index_find(ix, ""), TAR_INDEX_NONE);
	assert_int_equal(tar_index_count(ix), 7);
	tar_index_free(ix);
	tar_index_free(NULL);
}

static void test_many_entries(void **state)
{
	struct tar_index *ix = tar_index_new();
	char p[32];
	size_t i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		snprintf(p, sizeof(p), "d/f%zu.py", i);
		add(ix, p, '0', NULL);
	}
	for (i = 0; i < 20000; i += 997) {
		snprintf(p, sizeof(p), "./d/f%zu.py", i);
		assert_int_equal(tar_index_find(ix, p), i);
		assert_int_equal(tar_index_get(ix, i)->start, i * 512);
	}
	assert_int_equal(tar_index_find(ix, "d/f20000.py"), TAR_INDEX_NONE);
	tar_index_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_match_as_extracted),
		cmocka_unit_test(test_last_wins_and_links_look_back),
		cmocka_unit_test(test_many_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
