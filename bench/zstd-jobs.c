/*
 * zstd-jobs: compresses FILE with libzstd directly (no archivist code) in
 * a given job layout, and prints the output size, wall and CPU time.
 * It is how the job layout of archivist's encoder was chosen: see
 * bench/jobs.sh and the README's Benchmarks, 1.
 *
 *   zstd-jobs FILE LEVEL JOB_MIB OVERLAP_LOG WORKERS [CUT_MIB]
 *
 * Parameters as archivist's (long mode, windowLog 27, XXH64, content
 * size); JOB_MIB is ZSTD_c_jobSize (libzstd raises it to the overlap),
 * OVERLAP_LOG is ZSTD_c_overlapLog (9: the whole window); CUT_MIB ends
 * the first job there, with the flush archivist uses.
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <zstd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t step(ZSTD_CCtx *c, ZSTD_inBuffer *in, ZSTD_EndDirective e,
		   char *out, size_t outsz, size_t *total)
{
	ZSTD_outBuffer ob = { out, outsz, 0 };
	size_t r = ZSTD_compressStream2(c, &ob, in, e);

	if (ZSTD_isError(r)) {
		fprintf(stderr, "zstd-jobs: %s\n", ZSTD_getErrorName(r));
		exit(1);
	}
	*total += ob.pos;
	return r;
}

int main(int argc, char **argv)
{
	size_t n, total = 0, outsz = ZSTD_CStreamOutSize(), cut = 0;
	char *data, *out = malloc(outsz);
	struct rusage ru;
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_inBuffer in;
	FILE *f;
	double t0;

	if (argc < 6 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: zstd-jobs FILE LEVEL JOB_MIB OVERLAP_LOG WORKERS [CUT_MIB]\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	n = (size_t)ftell(f);
	rewind(f);
	if (!(data = malloc(n)) || fread(data, 1, n, f) != n || !out || !c)
		return 1;
	fclose(f);
	if (argc > 6)
		cut = (size_t)(atof(argv[6]) * 1048576);
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, atoi(argv[2]));
	ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 27);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, atoi(argv[5]));
	ZSTD_CCtx_setParameter(c, ZSTD_c_jobSize, (int)(atof(argv[3]) * 1048576));
	ZSTD_CCtx_setParameter(c, ZSTD_c_overlapLog, atoi(argv[4]));
	ZSTD_CCtx_setPledgedSrcSize(c, n);
	t0 = now();
	in = (ZSTD_inBuffer){ data, cut && cut < n ? cut : n, 0 };
	while (in.pos < in.size)
		step(c, &in, ZSTD_e_continue, out, outsz, &total);
	if (cut && cut < n) {	/* the flush with no room: starts the job */
		ZSTD_inBuffer none = { NULL, 0, 0 };

		step(c, &none, ZSTD_e_flush, out, 0, &total);
		in.size = n;
	}
	while (step(c, &in, ZSTD_e_end, out, outsz, &total) != 0)
		;
	getrusage(RUSAGE_SELF, &ru);
	printf("level %s job %s MiB overlapLog %s workers %s cut %s: %zu bytes, "
	       "wall %.1f s, cpu %.1f s, rss %ld MB\n", argv[2], argv[3], argv[4],
	       argv[5], argc > 6 ? argv[6] : "-", total, now() - t0,
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
	       ru.ru_maxrss / 1024);
	ZSTD_freeCCtx(c);
	free(data);
	free(out);
	return 0;
}
