/*
 * libFuzzer target for pyc: header rewriting with fuzzer-chosen header,
 * source, mtime and mode, and the cache-name parsers on fuzzer strings.
 *
 * Input layout: byte 0 selects the mode (and the pyc length below 16 for
 * the too-short path), bytes 1-8 the source mtime, bytes 9-24 the header,
 * the rest the source, which is also tried as a path.  Invariants checked:
 * only a rewrite changes the header, a rewrite changes only bytes 4-15 and
 * writes the source hash, a rewritten header is then left as hash-based,
 * and a source path ends in ".py" and is shorter than the pyc path.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/pyc.h"

static void fuzz_header(const uint8_t *data, size_t size)
{
	unsigned char hdr[PYC_HEADER_SIZE], before[PYC_HEADER_SIZE], h[8];
	enum pyc_mode mode = (enum pyc_mode)(data[0] % 3);
	size_t pyclen = data[0] & 0x80 ? (size_t)(data[0] >> 3 & 15) : 4096;
	const uint8_t *src = data + 25;
	size_t srclen = size - 25;
	uint64_t mtime = 0;
	enum pyc_verdict v;
	int i;

	for (i = 8; i >= 1; i--)
		mtime = mtime << 8 | data[i];
	memcpy(hdr, data + 9, sizeof(hdr));
	memcpy(before, hdr, sizeof(hdr));
	v = pyc_rewrite_header(hdr, pyclen, src, srclen, (int64_t)mtime, mode);
	if ((unsigned)v >= PYC_VERDICT_COUNT || v == PYC_NO_SOURCE)
		abort();
	if (v != PYC_REWRITTEN) {
		if (memcmp(hdr, before, sizeof(hdr)) != 0)
			abort();
		return;
	}
	if (memcmp(hdr, before, 4) != 0 || pyclen < PYC_HEADER_SIZE ||
	    pyc_source_hash((uint16_t)(hdr[0] | hdr[1] << 8), src, srclen,
			    h) != 0 || memcmp(hdr + 8, h, 8) != 0 ||
	    hdr[4] != (mode == PYC_CHECKED_HASH ? 3 : 1))
		abort();
	if (pyc_rewrite_header(hdr, pyclen, src, srclen, (int64_t)mtime,
			       mode) != PYC_ALREADY_HASH)
		abort();
}

static void fuzz_names(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;
	char *path = malloc(size + 1);
	int rc, opt;

	if (!path)
		return;
	memcpy(path, data, size);
	path[size] = '\0';
	rc = pyc_source_path(path, &out);
	opt = pyc_is_opt_cache(path);
	if (rc != 0 && (rc != AV_EINVAL || out.len != 0 || opt))
		abort();
	if (rc == 0 && (out.len < 4 || out.len >= strlen(path) ||
			strcmp(out.ptr + out.len - 3, ".py") != 0))
		abort();
	buf_release(&out);
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 25)
		fuzz_header(data, size);
	fuzz_names(data, size);
	return 0;
}
