/*
 * libFuzzer target for the gzip decoder.
 *
 * Input: byte 0 sets the size of the pieces the rest is written in (1 to
 * 256 bytes); the rest is the stream.  Output is counted and capped at
 * 16 MiB (a sink error), so bombs end quickly.  Invariants: after an
 * error every write is refused; finish succeeds only after whole members.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "archivist/error.h"
#include "archive/gzip.h"
#include "archivist/msg.h"

#define CAP ((uint64_t)16 << 20)

static int count(void *ctx, const void *data, size_t len)
{
	uint64_t *n = ctx;

	(void)data;
	*n += len;
	return *n > CAP ? AV_ETOOBIG : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t n = 0;
	struct sink s = { count, &n };
	struct gzip *z;
	size_t step, i, k;
	int rc = 0;

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	if (!(z = gzip_new("fuzz")))
		return 0;
	for (i = 1; i < size && rc == 0; i += k) {
		k = size - i < step ? size - i : step;
		rc = gzip_write(z, data + i, k, &s);
	}
	if (rc != 0 && gzip_write(z, data, 1, &s) != AV_EINVAL)
		abort();
	if (rc == 0 && gzip_finish(z) == 0 && gzip_members(z) == 0)
		abort();	/* success needs at least one member */
	gzip_free(z);
	return 0;
}
