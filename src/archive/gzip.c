/* gzip: streaming multi-member gzip decoding with zlib (see gzip.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "archivist/error.h"
#include "gzip.h"
#include "archivist/msg.h"

#define OUT_SIZE ((size_t)256 << 10)

enum gz_state {
	GZ_MEMBER,	/* inside a member (or before the first) */
	GZ_BETWEEN,	/* a member ended; a new one or zeros may follow */
	GZ_MAGIC1,	/* saw 0x1f after a member, need 0x8b */
	GZ_ZEROS,	/* only zero bytes may follow */
	GZ_FAILED
};

struct gzip {
	z_stream zs;
	enum gz_state st;
	char *name;
	unsigned char *out;
	uint64_t in_off;	/* input bytes consumed */
	uint64_t members;
	int started;		/* any input seen */
};

struct gzip *gzip_new(const char *name)
{
	struct gzip *z = calloc(1, sizeof(*z));

	if (!z || !(z->name = strdup(name ? name : "input")) ||
	    !(z->out = malloc(OUT_SIZE))) {
		msg_error("out of memory starting a gzip decoder");
		goto fail;
	}
	/* 16 + MAX_WBITS: gzip wrapper only, checked CRC and length */
	if (inflateInit2(&z->zs, 16 + MAX_WBITS) != Z_OK) {
		msg_error("cannot start a gzip decoder: %s",
			  z->zs.msg ? z->zs.msg : "zlib failed");
		goto fail;
	}
	return z;
fail:
	if (z) {
		free(z->name);
		free(z->out);
	}
	free(z);
	return NULL;
}

void gzip_free(struct gzip *z)
{
	if (!z)
		return;
	inflateEnd(&z->zs);
	free(z->name);
	free(z->out);
	free(z);
}

uint64_t gzip_members(const struct gzip *z)
{
	return z->members;
}

static int fail(struct gzip *z, int rc)
{
	z->st = GZ_FAILED;
	return rc;
}

static int garbage(struct gzip *z)
{
	msg_error("%s: trailing garbage after gzip data at offset %" PRIu64,
		  z->name, z->in_off);
	return fail(z, AV_ECORRUPT);
}

/* Inflates from (*p, *len) until the input is used up or a member ends. */
static int inflate_some(struct gzip *z, const unsigned char **p, size_t *len,
			const struct sink *out)
{
	int zrc, rc;
	size_t used;

	z->zs.next_in = (Bytef *)(uintptr_t)*p; /* zlib only reads it */
	z->zs.avail_in = *len > UINT32_MAX ? UINT32_MAX : (uInt)*len;
	do {
		z->zs.next_out = z->out;
		z->zs.avail_out = (uInt)OUT_SIZE;
		zrc = inflate(&z->zs, Z_NO_FLUSH);
		if (zrc == Z_MEM_ERROR) {
			msg_error("%s: out of memory decoding gzip", z->name);
			return fail(z, AV_ENOMEM);
		}
		if (zrc == Z_DATA_ERROR || zrc == Z_NEED_DICT ||
		    zrc == Z_STREAM_ERROR) {
			used = *len - z->zs.avail_in;
			msg_error("%s: corrupt gzip data near offset %" PRIu64 ": %s",
				  z->name, z->in_off + used,
				  z->zs.msg ? z->zs.msg : "invalid stream");
			return fail(z, AV_ECORRUPT);
		}
		rc = sink_write(out, z->out, OUT_SIZE - z->zs.avail_out);
		if (rc)
			return fail(z, rc);
	} while (zrc != Z_STREAM_END && (z->zs.avail_in > 0 ||
					 z->zs.avail_out == 0));
	used = *len - z->zs.avail_in;
	z->in_off += used;
	*p += used;
	*len -= used;
	if (zrc == Z_STREAM_END) {
		z->members++;
		z->st = GZ_BETWEEN;
	}
	return 0;
}

/* Starts the next member, feeding it the magic already consumed. */
static int next_member(struct gzip *z, const struct sink *out)
{
	static const unsigned char magic[2] = { 0x1f, 0x8b };
	const unsigned char *p = magic;
	size_t n = sizeof(magic);

	if (inflateReset(&z->zs) != Z_OK)
		return fail(z, AV_ECORRUPT);
	z->st = GZ_MEMBER;
	z->in_off -= n;	/* inflate_some counts them again */
	return inflate_some(z, &p, &n, out);
}

/* Handles bytes after the end of a member. */
static int between(struct gzip *z, const unsigned char **p, size_t *len,
		   const struct sink *out)
{
	unsigned char c = **p;

	if (z->st == GZ_BETWEEN && c == 0x1f) {
		z->st = GZ_MAGIC1;
	} else if (z->st == GZ_MAGIC1) {
		if (c != 0x8b) {
			z->in_off--;	/* the garbage began at the 0x1f */
			return garbage(z);
		}
		(*p)++, (*len)--, z->in_off++;
		return next_member(z, out);
	} else if (c == 0 && z->st != GZ_MAGIC1) {
		z->st = GZ_ZEROS;
	} else {
		return garbage(z);
	}
	(*p)++, (*len)--, z->in_off++;
	return 0;
}

int gzip_write(struct gzip *z, const void *data, size_t len,
	       const struct sink *out)
{
	const unsigned char *p = data;
	int rc = 0;

	if (z->st == GZ_FAILED)
		return AV_EINVAL;
	if (len)
		z->started = 1;
	while (len > 0 && rc == 0) {
		if (z->st == GZ_MEMBER)
			rc = inflate_some(z, &p, &len, out);
		else
			rc = between(z, &p, &len, out);
	}
	return rc;
}

int gzip_finish(struct gzip *z)
{
	if (z->st == GZ_FAILED)
		return AV_EINVAL;
	if (!z->started) {
		msg_error("%s: empty input, no gzip data", z->name);
		return fail(z, AV_ETRUNC);
	}
	if (z->st == GZ_MEMBER || z->st == GZ_MAGIC1) {
		msg_error("%s: gzip data truncated at offset %" PRIu64
			  " (inside member %" PRIu64 ")", z->name, z->in_off,
			  z->members + 1);
		return fail(z, AV_ETRUNC);
	}
	return 0;
}
