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

/* The layout as a batch runs: what each archive gets when it starts. */
static void test_layout_rule(void **state)
{
	struct jobs_layout l;

	(void)state;
	/* one archive on 2 cores (jobs 1 x workers 2): the cut */
	l = jobs_layout(2, 1, 0, 0, 0);
	assert_int_equal(l.workers, 2);
	assert_int_equal(l.split, 1);
	/* 4 archives, 2 jobs x 1 worker: the first leaves a core for the
	 * second, which finds it busy... */
	l = jobs_layout(2, 2, 0, 0, 3);
	assert_int_equal(l.workers, 1);
	assert_int_equal(l.split, 0);
	l = jobs_layout(2, 2, 1, 1, 2);
	assert_int_equal(l.workers, 1);
	assert_int_equal(l.split, 0);
	/* ... and so on to the last one, while another still runs */
	l = jobs_layout(2, 2, 1, 1, 0);
	assert_int_equal(l.split, 0);
	/* the tail: the others done, nothing waiting */
	l = jobs_layout(2, 2, 0, 0, 0);
	assert_int_equal(l.workers, 2);
	assert_int_equal(l.split, 1);
	/* -j 1 with 4 archives on 2 cores: nobody else can use the core */
	l = jobs_layout(2, 1, 0, 0, 3);
	assert_int_equal(l.workers, 2);
	assert_int_equal(l.split, 1);
	/* 8 cores, 4 jobs x 2 workers, 10 archives: 3 more will start */
	l = jobs_layout(8, 4, 0, 0, 9);
	assert_int_equal(l.workers, 2);
	l = jobs_layout(8, 4, 3, 3, 6);
	assert_int_equal(l.workers, 2);
	/* 3 cores, 3 jobs, the first of 10: the others get one each */
	l = jobs_layout(3, 3, 0, 0, 9);
	assert_int_equal(l.workers, 1);
	/* never more than two workers (one cut), never fewer than one */
	assert_int_equal(jobs_layout(16, 1, 0, 0, 0).workers, 2);
	assert_int_equal(jobs_layout(1, 1, 0, 0, 0).workers, 1);
	assert_int_equal(jobs_layout(2, 2, 2, 3, 0).workers, 1);
}

/* The pool applies the rule as archives start and end. */
static void test_pool(void **state)
{
	struct jobs_choice c = jobs_choose(2, 24 * GiB, 22, 4, 0);
	struct jobs_pool p;
	struct jobs_layout a, b, d, e;
	int split = 0;

	(void)state;
	jobs_pool_init(&p, &c, 4);
	a = jobs_pool_take(&p);
	b = jobs_pool_take(&p);
	split += a.split + b.split;
	jobs_pool_give(&p, &a);
	d = jobs_pool_take(&p);		/* b still runs */
	jobs_pool_give(&p, &b);
	e = jobs_pool_take(&p);		/* d still runs */
	split += d.split + e.split;
	assert_int_equal(split, 0);	/* 4 archives on 2 cores: no cut */
	assert_int_equal(p.busy, 2);
	jobs_pool_give(&p, &d);
	jobs_pool_give(&p, &e);
	assert_int_equal(p.busy, 0);
	assert_int_equal(p.running, 0);
	jobs_pool_release(&p);
	/* 3 archives: the third starts alone, on both cores */
	c = jobs_choose(2, 24 * GiB, 22, 3, 0);
	jobs_pool_init(&p, &c, 3);
	a = jobs_pool_take(&p);
	b = jobs_pool_take(&p);
	jobs_pool_give(&p, &a);
	jobs_pool_give(&p, &b);
	d = jobs_pool_take(&p);
	assert_int_equal(a.split + b.split, 0);
	assert_int_equal(d.workers, 2);
	assert_int_equal(d.split, 1);
	jobs_pool_give(&p, &d);
	jobs_pool_release(&p);
	/* a single archive: the cut */
	c = jobs_choose(2, 24 * GiB, 22, 1, 0);
	jobs_pool_init(&p, &c, 1);
	a = jobs_pool_take(&p);
	assert_int_equal(a.split, 1);
	jobs_pool_give(&p, &a);
	jobs_pool_release(&p);
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
		cmocka_unit_test(test_layout_rule),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_machine_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
