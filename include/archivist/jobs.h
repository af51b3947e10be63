/*
 * jobs: how many archives to process at once, and how many zstd workers
 * each gets, from the machine's cores and available memory.
 *
 * Level 22 is CPU-bound (~1 MB/s per core) and one level-20+ context with
 * long mode and a 2^27 window takes ~0.8 GB, so: at most one job per core,
 * at most one job per JOBS_MEM_PER_JOB of available memory (after a
 * reserve for everything else), never more jobs than archives, at least
 * one; the cores left over go to zstd workers inside each job.
 *
 * Each archive is then given its zstd layout when it starts
 * (jobs_layout): one zstd job, the least CPU, whenever another archive
 * can use the other cores; two jobs on two workers (the cut, zstd.h),
 * the least wall time for 25-40 % more CPU, only when cores would
 * otherwise sit idle: a single archive, or the last of a batch once the
 * others are done.  The cores in use never exceed jobs x workers, the
 * memory rule's bound.
 */
#ifndef ARCHIVIST_JOBS_H
#define ARCHIVIST_JOBS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define JOBS_RESERVE ((uint64_t)512 << 20)

struct jobs_choice {
	int jobs;		/* archives at once */
	int workers;		/* zstd workers per archive (>= 1) */
};

/* Estimated peak memory of one job at this zstd level. */
uint64_t jobs_mem_per_job(int level);

/*
 * Pure: the choice for cores, available memory (bytes), zstd level, the
 * number of archives to process and the user's -j (0 = automatic; a user
 * value is taken as is, capped only by the number of archives).
 */
struct jobs_choice jobs_choose(int cores, uint64_t mem_available, int level,
			       size_t archives, int user_jobs);

struct jobs_layout {
	int workers;		/* zstd workers for this archive (>= 1) */
	int split;		/* 1: two zstd jobs (the cut), else one */
};

/*
 * Pure: the layout of an archive starting now.  slots: the zstd workers
 * the batch may run at once (jobs x workers of jobs_choose); jobs: the
 * archives it may run at once; running, busy: the other archives running
 * now and the workers they hold; waiting: the archives not started yet.
 * Each waiting archive that has a free job to start in will want a
 * worker: only what is left after them goes to this one, at most two
 * (two zstd jobs), and it is split only when it has two.
 */
struct jobs_layout jobs_layout(int slots, int jobs, int running, int busy,
			       size_t waiting);

/*
 * The layout rule applied as archives start and end (thread-safe): take
 * when an archive starts (its layout), give back when it ends.
 */
struct jobs_pool {
	pthread_mutex_t lock;
	int slots, jobs, running, busy;
	size_t waiting;
};

/* archives: how many will be taken. */
void jobs_pool_init(struct jobs_pool *p, const struct jobs_choice *c,
		    size_t archives);
struct jobs_layout jobs_pool_take(struct jobs_pool *p);
void jobs_pool_give(struct jobs_pool *p, const struct jobs_layout *l);
void jobs_pool_release(struct jobs_pool *p);

/* This machine: online cores (>= 1) and MemAvailable (0 if unknown). */
int jobs_cores(void);
uint64_t jobs_mem_available(void);

#endif
