/* mock_digest: streaming hashes and checksums (see mock_digest.h). */
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "archivist/error.h"
#include "mock_digest.h"

const struct checksum_algo checksum_algos[] = {
	{ "CRC32", "x-amz-checksum-crc32", DG_CRC32, 4 },
	{ "CRC32C", "x-amz-checksum-crc32c", DG_CRC32C, 4 },
	{ "CRC64NVME", "x-amz-checksum-crc64nvme", DG_CRC64NVME, 8 },
	{ "SHA1", "x-amz-checksum-sha1", DG_SHA1, 20 },
	{ "SHA256", "x-amz-checksum-sha256", DG_SHA256, 32 },
	{ NULL, NULL, 0, 0 }
};

/* Reflected table-driven CRCs: CRC-32C (Castagnoli) and CRC-64/NVME. */
static uint32_t crc32c_table[256];
static uint64_t crc64_table[256];

static void tables_init(void)
{
	uint32_t c;
	uint64_t q;
	int i, k;

	if (crc32c_table[1])
		return;
	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		q = (uint64_t)i;
		for (k = 0; k < 8; k++) {
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
			q = q & 1 ? (q >> 1) ^ 0x9A6C9329AC4BC9B5ull : q >> 1;
		}
		crc64_table[i] = q;
		crc32c_table[i] = c;
	}
}

const struct checksum_algo *checksum_by_name(const char *name)
{
	const struct checksum_algo *a;

	for (a = checksum_algos; name && a->name; a++)
		if (strcasecmp(a->name, name) == 0)
			return a;
	return NULL;
}

const unsigned char *checksum_raw(const struct digest_out *out,
				  const struct checksum_algo *a)
{
	switch (a->bit) {
	case DG_CRC32: return out->crc32;
	case DG_CRC32C: return out->crc32c;
	case DG_CRC64NVME: return out->crc64nvme;
	case DG_SHA1: return out->sha1;
	default: return out->sha256;
	}
}

static int md_start(EVP_MD_CTX **ctx, const EVP_MD *md)
{
	if (!(*ctx = EVP_MD_CTX_new()))
		return AV_ENOMEM;
	return EVP_DigestInit_ex(*ctx, md, NULL) == 1 ? 0 : AV_ECRYPTO;
}

int digest_init(struct digest *d, unsigned which)
{
	int rc = 0;

	tables_init();
	memset(d, 0, sizeof(*d));
	d->which = which;
	d->crc32 = (uint32_t)crc32(0L, Z_NULL, 0);
	d->crc32c = 0xFFFFFFFFu;
	d->crc64 = ~0ull;
	if (!rc && (which & DG_MD5))
		rc = md_start(&d->md5, EVP_md5());
	if (!rc && (which & DG_SHA256))
		rc = md_start(&d->sha256, EVP_sha256());
	if (!rc && (which & DG_SHA1))
		rc = md_start(&d->sha1, EVP_sha1());
	if (rc)
		digest_release(d);
	return rc;
}

static void crc_update(struct digest *d, const unsigned char *p, size_t n)
{
	uint32_t c = d->crc32c;
	uint64_t q = d->crc64;
	size_t i;

	if (d->which & DG_CRC32C) {
		for (i = 0; i < n; i++)
			c = crc32c_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
		d->crc32c = c;
	}
	if (d->which & DG_CRC64NVME) {
		for (i = 0; i < n; i++)
			q = crc64_table[(q ^ p[i]) & 0xFF] ^ (q >> 8);
		d->crc64 = q;
	}
}

void digest_update(struct digest *d, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t left, chunk;

	d->bytes += n;
	if (d->md5)
		EVP_DigestUpdate(d->md5, p, n);
	if (d->sha256)
		EVP_DigestUpdate(d->sha256, p, n);
	if (d->sha1)
		EVP_DigestUpdate(d->sha1, p, n);
	/* zlib's crc32 takes a uInt length. */
	for (left = n; (d->which & DG_CRC32) && left; s += chunk, left -= chunk) {
		chunk = left > (1u << 30) ? (1u << 30) : left;
		d->crc32 = (uint32_t)crc32(d->crc32, s, (uInt)chunk);
	}
	crc_update(d, p, n);
}

static void put_be(unsigned char *out, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)(v & 0xFF);
}

int digest_final(struct digest *d, struct digest_out *out)
{
	int ok = 1;

	memset(out, 0, sizeof(*out));
	out->bytes = d->bytes;
	if (d->md5)
		ok &= EVP_DigestFinal_ex(d->md5, out->md5, NULL) == 1;
	if (d->sha256)
		ok &= EVP_DigestFinal_ex(d->sha256, out->sha256, NULL) == 1;
	if (d->sha1)
		ok &= EVP_DigestFinal_ex(d->sha1, out->sha1, NULL) == 1;
	if (d->which & DG_CRC32)
		put_be(out->crc32, d->crc32, 4);
	if (d->which & DG_CRC32C)
		put_be(out->crc32c, d->crc32c ^ 0xFFFFFFFFu, 4);
	if (d->which & DG_CRC64NVME)
		put_be(out->crc64nvme, d->crc64 ^ ~0ull, 8);
	digest_release(d);
	return ok ? 0 : AV_ECRYPTO;
}

void digest_release(struct digest *d)
{
	EVP_MD_CTX_free(d->md5);
	EVP_MD_CTX_free(d->sha256);
	EVP_MD_CTX_free(d->sha1);
	d->md5 = d->sha256 = d->sha1 = NULL;
}

int digest_sha256(const void *p, size_t n, unsigned char out[32])
{
	return EVP_Digest(p, n, out, NULL, EVP_sha256(), NULL) == 1 ?
		       0 : AV_ECRYPTO;
}

int digest_b64(struct buf *out, const unsigned char *p, size_t n)
{
	unsigned char chunk[65];
	size_t take;
	int len, rc = 0;

	/* 48 bytes (a multiple of 3) encode alone into 64 characters. */
	for (; n > 0 && !rc; p += take, n -= take) {
		take = n > 48 ? 48 : n;
		len = EVP_EncodeBlock(chunk, p, (int)take);
		rc = buf_add(out, chunk, (size_t)len);
	}
	return rc;
}

long digest_unb64(const char *s, unsigned char *out, size_t max)
{
	unsigned char tmp[128];
	size_t n = strlen(s), pad = 0;
	int len;

	if (n == 0 || n % 4 || n > sizeof(tmp) / 3 * 4)
		return -1;
	len = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
	if (len < 0)
		return -1;
	pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	if ((size_t)len < pad || (size_t)len - pad > max)
		return -1;
	memcpy(out, tmp, (size_t)len - pad);
	return (long)((size_t)len - pad);
}
