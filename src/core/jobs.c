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
