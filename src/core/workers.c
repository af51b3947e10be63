/* workers: a shared-counter thread pool (see workers.h). */
#include <pthread.h>

#include "archivist/workers.h"

struct pool {
	pthread_mutex_t lock;
	size_t next, n;
	workers_fn fn;
	void *ctx;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		p->fn(p->ctx, i);
	}
}

#define MAX_THREADS 64

void workers_run(size_t n, int jobs, workers_fn fn, void *ctx)
{
	struct pool p = { PTHREAD_MUTEX_INITIALIZER, 0, n, fn, ctx };
	pthread_t t[MAX_THREADS];
	int i, started = 0;

	if (jobs > MAX_THREADS)
		jobs = MAX_THREADS;
	if ((size_t)jobs > n)
		jobs = (int)n;
	for (i = 0; i < jobs - 1; i++)	/* the caller is one of the workers */
		if (pthread_create(&t[started], NULL, worker, &p) == 0)
			started++;
	worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&p.lock);
}
