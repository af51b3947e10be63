/*
 * mock_digest: the hashes and checksums the mock computes over bodies as
 * they stream in (MD5 for ETags, SHA-256 for x-amz-content-sha256, the
 * x-amz-checksum-* algorithms), so no body is ever read twice.
 */
#ifndef MOCK_DIGEST_H
#define MOCK_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "archivist/buf.h"

/* One bit per algorithm; DG_ALL_CHECKSUMS are the x-amz-checksum-* ones. */
enum {
	DG_MD5 = 1 << 0,
	DG_SHA256 = 1 << 1,
	DG_SHA1 = 1 << 2,
	DG_CRC32 = 1 << 3,
	DG_CRC32C = 1 << 4,
	DG_CRC64NVME = 1 << 5,
	DG_ALL_CHECKSUMS = DG_SHA256 | DG_SHA1 | DG_CRC32 | DG_CRC32C |
			   DG_CRC64NVME
};

struct digest {
	unsigned which;
	EVP_MD_CTX *md5, *sha256, *sha1;
	uint32_t crc32, crc32c;
	uint64_t crc64;
	uint64_t bytes;
};

/* Raw results of digest_final(); fields of algorithms not asked for are
 * zero. */
struct digest_out {
	unsigned char md5[16], sha256[32], sha1[20];
	unsigned char crc32[4], crc32c[4], crc64nvme[8];	/* big-endian */
	uint64_t bytes;
};

/* An x-amz-checksum-* algorithm: "CRC32" and "x-amz-checksum-crc32". */
struct checksum_algo {
	const char *name;
	const char *header;
	unsigned bit;
	size_t raw_len;
};

/* The algorithms, NULL-name terminated. */
extern const struct checksum_algo checksum_algos[];
/* By name ("SHA256", any case) or NULL. */
const struct checksum_algo *checksum_by_name(const char *name);
/* Pointer to the raw value of algorithm a inside out. */
const unsigned char *checksum_raw(const struct digest_out *out,
				  const struct checksum_algo *a);

/* Starts the algorithms in which.  0 or AV_ENOMEM / AV_ECRYPTO. */
int digest_init(struct digest *d, unsigned which);
void digest_update(struct digest *d, const void *p, size_t n);
/* Finishes every algorithm into out.  0 or AV_ECRYPTO. */
int digest_final(struct digest *d, struct digest_out *out);
/* Frees the contexts; safe on a zeroed or finished digest. */
void digest_release(struct digest *d);

/* One-shot SHA-256 of n bytes; 0 or AV_ECRYPTO. */
int digest_sha256(const void *p, size_t n, unsigned char out[32]);
/* Appends the base64 of n bytes to out. */
int digest_b64(struct buf *out, const unsigned char *p, size_t n);
/* Decodes base64 s into out (at most max bytes); returns the length or -1. */
long digest_unb64(const char *s, unsigned char *out, size_t max);

#endif
