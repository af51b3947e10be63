/* verify: deep checks of new archives and of their sources (verify.h). */
#include <openssl/evp.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/msg.h"
#include "archivist/pipeline.h"
#include "archivist/tar.h"
#include "verify.h"
#include "archivist/zstd.h"

int verify_zstd_header(const unsigned char *p, size_t n, uint64_t *window,
		       int *checksum)
{
	static const unsigned fcs_bytes[4] = { 0, 2, 4, 8 };
	unsigned fhd, single, did, fcs, i;
	uint64_t size = 0, base;

	if (n < 5)
		return AV_ETRUNC;
	if (memcmp(p, "\x28\xb5\x2f\xfd", 4) != 0)
		return AV_ECORRUPT;
	fhd = p[4];
	single = (fhd >> 5) & 1;
	*checksum = (fhd >> 2) & 1;
	did = fhd & 3 ? 1u << ((fhd & 3) - 1) : 0;
	fcs = (fhd >> 6) ? fcs_bytes[fhd >> 6] : single;
	if (n < 5 + !single + did + fcs)
		return AV_ETRUNC;
	if (!single) {	/* Window_Descriptor: exponent and mantissa */
		base = (uint64_t)1 << (10 + (p[5] >> 3));
		*window = base + (base / 8) * (p[5] & 7);
		return 0;
	}
	for (i = 0; i < fcs; i++)
		size |= (uint64_t)p[5 + did + i] << (8 * i);
	*window = size + (fcs == 2 ? 256 : 0);
	return 0;
}

struct deep {
	const char *name;
	EVP_MD_CTX *obj_md, *tar_md;
	struct zstd_dec *dec;
	struct tar_reader *tar;
	unsigned char head[18];
	size_t nhead;
	struct verify_result *r;
};

static int on_entry(void *ctx, const struct tar_entry *e)
{
	(void)e;
	((struct deep *)ctx)->r->entries++;
	return 0;
}

static int tar_write(void *ctx, const void *data, size_t len)
{
	struct deep *d = ctx;

	d->r->tar_size += len;
	if (!EVP_DigestUpdate(d->tar_md, data, len))
		return AV_ECRYPTO;
	return tar_reader_write(d->tar, data, len);
}

static int obj_write(void *ctx, const void *data, size_t len)
{
	struct deep *d = ctx;
	struct sink next = { tar_write, d };
	size_t take = sizeof(d->head) - d->nhead;

	if (take > len)
		take = len;
	memcpy(d->head + d->nhead, data, take);
	d->nhead += take;
	d->r->size += len;
	if (!EVP_DigestUpdate(d->obj_md, data, len))
		return AV_ECRYPTO;
	return zstd_dec_write(d->dec, data, len, &next);
}

static int digest(EVP_MD_CTX *md, char out[65])
{
	unsigned char d[32];
	unsigned n = 0;

	if (!EVP_DigestFinal_ex(md, d, &n))
		return AV_ECRYPTO;
	hex_encode(d, 32, out);
	return 0;
}

static void frame_check(struct deep *d)
{
	struct verify_result *r = d->r;

	if (verify_zstd_header(d->head, d->nhead, &r->window, &r->has_checksum) == 0)
		r->frame_ok = r->has_checksum && r->window <= VERIFY_MAX_WINDOW;
}

int verify_archive(struct s3_client *c, const char *bucket, const char *key,
		   struct verify_result *r)
{
	struct deep d = { key, EVP_MD_CTX_new(), EVP_MD_CTX_new(), NULL, NULL,
			  { 0 }, 0, r };
	struct sink in = { obj_write, &d };
	struct tar_end end;
	int rc = AV_ENOMEM;

	memset(r, 0, sizeof(*r));
	d.dec = zstd_dec_new(key);
	d.tar = tar_reader_new(key, on_entry, &d);
	if (!d.obj_md || !d.tar_md || !d.dec || !d.tar ||
	    !EVP_DigestInit_ex(d.obj_md, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(d.tar_md, EVP_sha256(), NULL))
		goto out;
	if ((rc = s3_get(c, bucket, key, NULL, &in, NULL)) == 0 &&
	    (rc = zstd_dec_finish(d.dec)) == 0 &&
	    (rc = tar_reader_finish(d.tar, &end)) == 0 &&
	    (rc = digest(d.obj_md, r->sha256)) == 0)
		rc = digest(d.tar_md, r->tar_sha256);
	frame_check(&d);
out:
	EVP_MD_CTX_free(d.obj_md);
	EVP_MD_CTX_free(d.tar_md);
	zstd_dec_free(d.dec);
	tar_reader_free(d.tar);
	return rc;
}

static int feed(void *ctx, const void *data, size_t len)
{
	return pipeline_write(ctx, data, len);
}

static int discard(void *ctx, const void *data, size_t len)
{
	(void)ctx, (void)data, (void)len;
	return 0;
}

int verify_source(struct s3_client *c, const char *bucket, const char *key,
		  const struct pipeline_settings *s, const char *tmpdir,
		  char tar_sha256[65])
{
	struct pipeline_opts o;
	struct pipeline *p = NULL;
	struct pipeline_stats st;
	struct sink in, none = { discard, NULL };
	int rc;

	pipeline_opts_init(&o);
	o.set = *s;
	o.set.level = 0;	/* the rewritten tar itself, uncompressed */
	o.name = key;
	o.tmpdir = tmpdir;
	if ((rc = pipeline_new(&p, &o)) != 0)
		return rc;
	in.write = feed;
	in.ctx = p;
	if ((rc = s3_get(c, bucket, key, NULL, &in, NULL)) == 0 &&
	    (rc = pipeline_finish(p, &none, &st)) == 0)
		memcpy(tar_sha256, st.sha256_hex, 65);
	pipeline_free(p);
	return rc;
}
