/* jobs: parallelism from cores and memory (see jobs.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "archivist/jobs.h"

uint64_t jobs_mem_per_job(int level)
{
	if (level >= 20)
		return (uint64_t)800 << 20;
	if (level >= 16)
		return (uint64_t)400 << 20;
	return (uint64_t)160 << 20;
}

struct jobs_choice jobs_choose(int cores, uint64_t mem_available, int level,
			       size_t archives, int user_jobs)
{
	struct jobs_choice c;
	uint64_t by_mem;
	int j;

	if (cores < 1)
		cores = 1;
	if (user_jobs > 0) {
		j = user_jobs;
	} else {
		j = cores;
		if (mem_available) {
			by_mem = mem_available > JOBS_RESERVE ?
				(mem_available - JOBS_RESERVE) / jobs_mem_per_job(level) : 0;
			if (by_mem < (uint64_t)j)
				j = (int)by_mem;
		}
	}
	if (archives && (size_t)j > archives)
		j = (int)archives;
	if (j < 1)
		j = 1;
	c.jobs = j;
	c.workers = cores / j >= 1 ? cores / j : 1;
	return c;
}

struct jobs_layout jobs_layout(int slots, int jobs, int running, int busy,
			       size_t waiting)
{
	struct jobs_layout l = { 1, 0 };
	int spare = slots - busy, startable = jobs - running - 1;

	/* the archives that will start beside this one take a worker each */
	if (startable > 0 && waiting > 0)
		spare -= waiting < (size_t)startable ? (int)waiting : startable;
	if (spare >= 2) {
		l.workers = 2;
		l.split = 1;
	}
	return l;
}

void jobs_pool_init(struct jobs_pool *p, const struct jobs_choice *c,
		    size_t archives)
{
	pthread_mutex_init(&p->lock, NULL);
	p->slots = c->jobs * c->workers;
	p->jobs = c->jobs;
	p->running = p->busy = 0;
	p->waiting = archives;
}

struct jobs_layout jobs_pool_take(struct jobs_pool *p)
{
	struct jobs_layout l;

	pthread_mutex_lock(&p->lock);
	if (p->waiting)
		p->waiting--;
	l = jobs_layout(p->slots, p->jobs, p->running, p->busy, p->waiting);
	p->running++;
	p->busy += l.workers;
	pthread_mutex_unlock(&p->lock);
	return l;
}

void jobs_pool_give(struct jobs_pool *p, const struct jobs_layout *l)
{
	pthread_mutex_lock(&p->lock);
	p->running--;
	p->busy -= l->workers;
	pthread_mutex_unlock(&p->lock);
}

void jobs_pool_release(struct jobs_pool *p)
{
	pthread_mutex_destroy(&p->lock);
}

int jobs_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

uint64_t jobs_mem_available(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}
