/*
 * libFuzzer target: the zstd frame header parser that `audit --deep`
 * runs on the first bytes of every archive in the bucket, checked against
 * libzstd's own (ZSTD_getFrameHeader), which no one here wrote.
 *
 * Invariants checked (abort on violation):
 * - whenever libzstd reads a zstd frame header from the bytes, ours reads
 *   it too, with the same window size and content-checksum flag;
 * - whenever ours reads one, libzstd does as well, or refuses it only for
 *   what ours does not judge: the reserved bit, or a window too large;
 * - ours never reads past n bytes (ASan) and says AV_ETRUNC only for an
 *   input shorter than the header it announces.
 */
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "archivist/error.h"
#include "flow/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ZSTD_frameHeader zfh;
	uint64_t window = 0;
	int checksum = -1, ours;
	size_t theirs;
	unsigned char *p;

	if (size > 32)
		size = 32;
	/* A copy of exactly size bytes, so ASan sees any read past them. */
	if (!(p = malloc(size ? size : 1)))
		return 0;
	memcpy(p, data, size);
	ours = verify_zstd_header(p, size, &window, &checksum);
	memset(&zfh, 0, sizeof(zfh));
	theirs = ZSTD_getFrameHeader(&zfh, p, size);
	if (theirs == 0 && zfh.frameType == ZSTD_frame &&
	    (ours != 0 || window != zfh.windowSize ||
	     checksum != (int)zfh.checksumFlag))
		abort();
	if (ours == 0 && theirs != 0 && !(ZSTD_isError(theirs) &&
	    (ZSTD_getErrorCode(theirs) == ZSTD_error_frameParameter_unsupported ||
	     ZSTD_getErrorCode(theirs) == ZSTD_error_frameParameter_windowTooLarge)))
		abort();
	if (ours == AV_ETRUNC && theirs == 0)
		abort();
	free(p);
	return 0;
}
