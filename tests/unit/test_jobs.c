/* Unit tests for jobs: the parallelism rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "archivist/jobs.h"

#define GiB ((uint64_t)1 << 30)

static void test_cores_and_memory_bound_jobs(void **state)
{
	struct jobs_choice c;

	(void)state;
	c = jobs_choose(2, 24 * GiB, 22, 10, 0);	/* this machine */
	assert_int_equal(c.jobs, 2);
	assert_int_equal(c.workers, 1);
	c = jobs_choose(16, 2 * GiB, 22, 10, 0);	/* memory-bound */
	assert_int_equal(c.jobs, 1);
	assert_int_equal(c.workers, 16);
	c = jobs_choose(16, 4 * GiB, 22, 10, 0);
	assert_int_equal(c.jobs, 4);
	assert_int_equal(c.workers, 4);
	c = jobs_choose(16, 4 * GiB, 3, 100, 0);	/* small contexts */
	assert_int_equal(c.jobs, 16);
	c = jobs_choose(8, 0, 22, 100, 0);		/* memory unknown */
	assert_int_equal(c.jobs, 8);
	c = jobs_choose(4, 100 << 20, 22, 10, 0);	/* too little: still 1 */
	assert_int_equal(c.jobs, 1);
}

static void test_archives_and_user_value(void **state)
{
	struct jobs_choice c;

	(void)state;
	c = jobs_choose(8, 64 * GiB, 22, 1, 0);	/* one archive: all workers */
	assert_int_equal(c.jobs, 1);
	assert_int_equal(c.workers, 8);
	c = jobs_choose(2, 1 * GiB, 22, 10, 6);	/* the user knows best */
	assert_int_equal(c.jobs, 6);
	assert_int_equal(c.workers, 1);
	c = jobs_choose(2, 1 * GiB, 22, 3, 6);
	assert_int_equal(c.jobs, 3);
	c = jobs_choose(0, 0, 22, 0, 0);
	assert_int_equal(c.jobs, 1);
	assert_int_equal(c.workers, 1);
}

static void test_machine_probe(void **state)
{
	(void)state;
	assert_true(jobs_cores() >= 1);
	assert_true(jobs_mem_available() > ((uint64_t)16 << 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cores_and_memory_bound_jobs),
		cmocka_unit_test(test_archives_and_user_value),
		cmocka_unit_test(test_machine_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
