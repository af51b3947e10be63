/*
 * zstd-profile: where the CPU time of one zstd job goes along its input,
 * with libzstd directly (no archivist code).  It is how the content-based
 * cut of archivist's encoder was calibrated: see bench/profile.sh.
 *
 *   zstd-profile FILE LEVEL [FROM_MIB]
 *
 * Compresses FILE (from FROM_MIB on, the bytes before it loaded as the
 * job's window, as libzstd's second job of a frame loads the first's) in
 * one thread with archivist's parameters (long mode, windowLog 27), and
 * prints "offset_bytes cpu_seconds" each MiB: the cumulative cost of the
 * job up to that offset.  With FROM_MIB, the first line is the cost of
 * loading the window, before any byte is compressed.  The last line is
 * "total BYTES CPU OUTPUT_BYTES".
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zstd.h>

static double cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void step(ZSTD_CCtx *c, ZSTD_inBuffer *in, ZSTD_EndDirective e,
		 char *out, size_t outsz, size_t *total, size_t *left)
{
	ZSTD_outBuffer ob = { out, outsz, 0 };
	size_t r = ZSTD_compressStream2(c, &ob, in, e);

	if (ZSTD_isError(r)) {
		fprintf(stderr, "zstd-profile: %s\n", ZSTD_getErrorName(r));
		exit(1);
	}
	*total += ob.pos;
	*left = r;
}

int main(int argc, char **argv)
{
	size_t n, from = 0, total = 0, left = 1, outsz = ZSTD_CStreamOutSize();
	size_t mib = (size_t)1 << 20, next;
	char *data, *out = malloc(outsz);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_inBuffer in;
	FILE *f;
	double t0;

	if (argc < 3 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: zstd-profile FILE LEVEL [FROM_MIB]\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	n = (size_t)ftell(f);
	rewind(f);
	if (!(data = malloc(n)) || fread(data, 1, n, f) != n || !out || !c)
		return 1;
	fclose(f);
	if (argc > 3)
		from = (size_t)(atof(argv[3]) * 1048576) & ~(size_t)0xffff;
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, atoi(argv[2]));
	ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 27);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setPledgedSrcSize(c, n - from);
	if (from)
		ZSTD_CCtx_refPrefix(c, data, from);
	t0 = cpu();
	in = (ZSTD_inBuffer){ data + from, 0, 0 };
	step(c, &in, ZSTD_e_continue, out, outsz, &total, &left);
	if (from)
		printf("%zu %.3f\n", from, cpu() - t0);
	for (next = from + mib; in.size < n - from; next += mib) {
		in.size = next < n ? next - from : n - from;
		while (in.pos < in.size)
			step(c, &in, ZSTD_e_continue, out, outsz, &total, &left);
		printf("%zu %.3f\n", from + in.pos, cpu() - t0);
		fflush(stdout);
	}
	while (left)
		step(c, &in, ZSTD_e_end, out, outsz, &total, &left);
	printf("total %zu %.3f %zu\n", n - from, cpu() - t0, total);
	ZSTD_freeCCtx(c);
	free(data);
	free(out);
	return 0;
}
