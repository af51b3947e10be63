/* Unit tests for workers: every index runs exactly once, in parallel. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>

#include "archivist/workers.h"

struct count {
	pthread_mutex_t lock;
	int seen[1000];
	int running, max_running;
};

static void fn(void *ctx, size_t i)
{
	struct count *c = ctx;

	pthread_mutex_lock(&c->lock);
	c->seen[i]++;
	if (++c->running > c->max_running)
		c->max_running = c->running;
	pthread_mutex_unlock(&c->lock);
	usleep(i % 7 == 0 ? 2000 : 200);
	pthread_mutex_lock(&c->lock);
	c->running--;
	pthread_mutex_unlock(&c->lock);
}

static void run(size_t n, int jobs, int want_max)
{
	static struct count c;
	size_t i;

	c = (struct count){ PTHREAD_MUTEX_INITIALIZER, { 0 }, 0, 0 };
	workers_run(n, jobs, fn, &c);
	for (i = 0; i < n; i++)
		assert_int_equal(c.seen[i], 1);
	for (; i < 1000; i++)
		assert_int_equal(c.seen[i], 0);
	assert_true(c.max_running <= want_max);
	if (n > 20 && want_max > 1)
		assert_true(c.max_running > 1);	/* really in parallel */
}

static void test_each_index_once(void **state)
{
	(void)state;
	run(200, 4, 4);
	run(200, 1, 1);
	run(3, 8, 3);
	run(0, 4, 0);
	run(50, 0, 1);
	run(300, 200, 64);	/* at most 64 threads, whatever is asked */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_index_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
