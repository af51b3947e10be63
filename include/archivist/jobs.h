/*
 * jobs: how many archives to process at once, and how many zstd workers
 * each gets, from the machine's cores and available memory.
 *
 * Level 22 is CPU-bound (~1 MB/s per core) and one level-20+ context with
 * long mode and a 2^27 window takes ~0.8 GB, so: at most one job per core,
 * at most one job per JOBS_MEM_PER_JOB of available memory (after a
 * reserve for everything else), never more jobs than archives, at least
 * one; the cores left over go to zstd workers inside each job.  The
 * number of workers never changes the output (see zstd.h).
 */
#ifndef ARCHIVIST_JOBS_H
#define ARCHIVIST_JOBS_H

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

/* This machine: online cores (>= 1) and MemAvailable (0 if unknown). */
int jobs_cores(void);
uint64_t jobs_mem_available(void);

#endif
