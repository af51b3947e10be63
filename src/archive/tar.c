/* tar: the push-style raw-block tar reader (see tar.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/tar.h"

enum rstate {
	R_HEADER,	/* expecting a header block */
	R_META_DATA,	/* inside the data of an L/K/x/g block */
	R_SPARSE,	/* old GNU sparse extension blocks */
	R_DATA,		/* inside an entry's data */
	R_END1,		/* after the first zero block */
	R_TRAILER,	/* after the second: zeros only */
	R_FAILED
};

/* What the L/K/x groups and the header of one entry say. */
struct meta {
	struct buf path, link;
	uint64_t size;
	int64_t mtime;
};

/* The records of one pax block that matter here. */
struct pax {
	const char *path, *link, *size, *mtime, *sparse_name;
	size_t path_n, link_n, size_n, mtime_n, sparse_name_n;
};

struct tar_reader {
	char *name;
	tar_entry_fn fn;
	void *ctx;
	enum rstate st;
	unsigned char blk[TAR_BLOCK];
	size_t blen;
	uint64_t off;		/* bytes consumed */
	uint64_t remain;	/* bytes left in R_DATA / R_META_DATA */
	int in_entry;		/* L/K/x blocks seen, header not yet */
	char meta_type;
	uint64_t group_at;	/* offset of the current L/K/x/g header */
	struct buf meta;	/* the current entry's blocks so far */
	int has_gmtime;
	int64_t gmtime;		/* mtime from the last pax g block */
	struct meta m;
	struct tar_entry cur;
	struct tar_end end;
};

static int key_is(const char *k, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(k, want, n) == 0;
}

/* Collects the records that matter.  0 or -1 if malformed. */
static int pax_parse(const unsigned char *p, size_t n, struct pax *px)
{
	struct tar_pax_rec x;
	size_t pos = 0;
	int r;

	while ((r = tar_pax_next(p, n, &pos, &x)) == 1) {
		if (key_is(x.key, x.klen, "path"))
			px->path = x.val, px->path_n = x.vlen;
		else if (key_is(x.key, x.klen, "linkpath"))
			px->link = x.val, px->link_n = x.vlen;
		else if (key_is(x.key, x.klen, "size"))
			px->size = x.val, px->size_n = x.vlen;
		else if (key_is(x.key, x.klen, "mtime"))
			px->mtime = x.val, px->mtime_n = x.vlen;
		else if (key_is(x.key, x.klen, "GNU.sparse.name"))
			px->sparse_name = x.val, px->sparse_name_n = x.vlen;
	}
	return r;
}

static int parse_dec(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* pax mtime "[-]SECONDS[.FRACTION]", truncated toward zero to whole
 * seconds, as CPython's int(st_mtime) that pyc headers record. */
static int parse_mtime(const char *s, size_t n, int64_t *out)
{
	size_t i, dot = n;
	int neg = n > 0 && s[0] == '-';
	uint64_t v;

	for (i = (size_t)neg; i < n; i++)
		if (s[i] == '.') {
			dot = i;
			break;
		}
	for (i = dot + 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	if (parse_dec(s + neg, dot - (size_t)neg, &v) != 0 ||
	    v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* A NUL-terminated field of at most n bytes, appended to out. */
static int add_field(struct buf *out, const unsigned char *f, size_t n)
{
	size_t len = 0;

	while (len < n && f[len])
		len++;
	return buf_add(out, f, len);
}

/* The ustar name: prefix "/" name for POSIX magic, name alone else. */
static int ustar_name(struct buf *out, const unsigned char *h)
{
	int rc;

	if (memcmp(h + TAR_F_MAGIC, "ustar\0", 6) == 0 && h[TAR_F_PREFIX]) {
		if ((rc = add_field(out, h + TAR_F_PREFIX, 155)) != 0 ||
		    (rc = buf_addc(out, '/')) != 0)
			return rc;
	}
	return add_field(out, h + TAR_F_NAME, 100);
}

static int set_buf(struct buf *b, const char *p, size_t n)
{
	buf_reset(b);
	return buf_add(b, p, n);
}

/* Applies the overriding pax records to m. */
static int apply_pax(const struct pax *px, struct meta *m, int *have_size,
		     int *have_mtime)
{
	int rc = 0;

	if (px->path_n)
		rc = set_buf(&m->path, px->path, px->path_n);
	if (rc == 0 && px->sparse_name_n)
		rc = set_buf(&m->path, px->sparse_name, px->sparse_name_n);
	if (rc == 0 && px->link_n)
		rc = set_buf(&m->link, px->link, px->link_n);
	if (rc)
		return rc;
	if (px->size_n) {
		if (parse_dec(px->size, px->size_n, &m->size) != 0 ||
		    m->size > (uint64_t)INT64_MAX)
			return AV_ECORRUPT;
		*have_size = 1;
	}
	if (px->mtime_n) {
		if (parse_mtime(px->mtime, px->mtime_n, &m->mtime) != 0)
			return AV_ECORRUPT;
		*have_mtime = 1;
	}
	return 0;
}

/*
 * Parses an entry's blocks (L/K/x groups, then the main header, len bytes)
 * into m.  gmtime, if given, is the mtime of a preceding pax g block.
 * 0, AV_ECORRUPT or AV_ENOMEM.
 */
static int meta_parse(const unsigned char *p, size_t len,
		      const int64_t *gmtime, struct meta *m)
{
	const unsigned char *h = p + len - TAR_BLOCK;
	int have_path = 0, have_link = 0, have_size = 0, have_mtime = 0, rc;
	size_t pos;
	uint64_t gs;
	int64_t v;

	buf_reset(&m->path);
	buf_reset(&m->link);
	for (pos = 0; pos + TAR_BLOCK < len; pos += TAR_BLOCK + TAR_PAD(gs)) {
		const unsigned char *g = p + pos, *d = g + TAR_BLOCK;
		struct pax px = { 0 };

		if (tar_group_size(g, &gs) != 0 || gs > len - pos - 2 * TAR_BLOCK)
			return AV_ECORRUPT;
		if (g[TAR_F_TYPE] == 'L' || g[TAR_F_TYPE] == 'K') {
			struct buf *b = g[TAR_F_TYPE] == 'L' ? &m->path : &m->link;

			buf_reset(b);
			if ((rc = add_field(b, d, (size_t)gs)) != 0)
				return rc;
			*(g[TAR_F_TYPE] == 'L' ? &have_path : &have_link) = 1;
		} else if (g[TAR_F_TYPE] == 'x') {
			if (pax_parse(d, (size_t)gs, &px) != 0)
				return AV_ECORRUPT;
			if ((rc = apply_pax(&px, m, &have_size, &have_mtime)))
				return rc;
			have_path |= px.path_n || px.sparse_name_n;
			have_link |= px.link_n != 0;
		} else {
			return AV_ECORRUPT;
		}
	}
	if (!have_path && (rc = ustar_name(&m->path, h)) != 0)
		return rc;
	if (!have_link && (rc = add_field(&m->link, h + TAR_F_LINK, 100)) != 0)
		return rc;
	if (!have_size) {
		if (tar_parse_number(h + TAR_F_SIZE, 12, &v) != 0 || v < 0)
			return AV_ECORRUPT;
		m->size = (uint64_t)v;
	}
	if (!have_mtime && gmtime)
		m->mtime = *gmtime;
	else if (!have_mtime &&
		 tar_parse_number(h + TAR_F_MTIME, 12, &m->mtime) != 0)
		return AV_ECORRUPT;
	return 0;
}

static int fail(struct tar_reader *r, int rc)
{
	r->st = R_FAILED;
	return rc;
}

static int corrupt(struct tar_reader *r, const char *what, uint64_t at)
{
	msg_error("%s: %s at offset %" PRIu64, r->name, what, at);
	return fail(r, AV_ECORRUPT);
}

/* Reports the entry in r->cur and moves to its data. */
static int emit(struct tar_reader *r)
{
	int rc;

	r->cur.path = r->m.path.ptr;
	r->cur.link = r->m.link.ptr;
	r->cur.end = r->cur.data + TAR_PAD(r->cur.size);
	r->in_entry = 0;
	r->end.entries++;
	if ((rc = r->fn(r->ctx, &r->cur)) != 0)
		return fail(r, rc);
	r->remain = TAR_PAD(r->cur.size);
	r->st = r->remain ? R_DATA : R_HEADER;
	return 0;
}

/* Types whose size must be 0: links, character/block devices,
 * directories, FIFOs. */
static int sizeless(char t)
{
	return t == '1' || t == '2' || t == '3' || t == '4' || t == '5' ||
	       t == '6';
}

static int main_header(struct tar_reader *r, const unsigned char *h,
		       uint64_t at)
{
	int rc = meta_parse((const unsigned char *)r->meta.ptr, r->meta.len,
			    r->has_gmtime ? &r->gmtime : NULL, &r->m);

	if (rc == AV_ENOMEM)
		return fail(r, rc);
	if (rc)
		return corrupt(r, "malformed header fields or pax records", at);
	if (r->m.size > (uint64_t)INT64_MAX - at)
		return corrupt(r, "entry size too large", at);
	if (sizeless((char)h[TAR_F_TYPE]) && r->m.size) {
		msg_error("%s: entry '%s' at offset %" PRIu64 " of type '%c' has"
			  " size %" PRIu64 ": unsupported", r->name,
			  r->m.path.ptr, at, h[TAR_F_TYPE], r->m.size);
		return fail(r, AV_EUNSUPP);
	}
	r->cur = (struct tar_entry){ .type = (char)h[TAR_F_TYPE], .size = r->m.size,
		.mtime = r->m.mtime, .header = at, .data = at + TAR_BLOCK,
		.start = at - (r->meta.len - TAR_BLOCK) };
	if (h[TAR_F_TYPE] == 'S' && h[TAR_F_GNU_ISEXT]) {
		r->st = R_SPARSE;
		return 0;
	}
	return emit(r);
}

/* The data of an L/K/x/g group is complete. */
static int meta_done(struct tar_reader *r)
{
	uint64_t at = r->group_at;
	const unsigned char *g;
	struct pax px = { 0 };
	uint64_t gs;

	r->st = R_HEADER;
	if (r->meta_type != 'g')
		return 0;
	/* a global header: its mtime applies from now on */
	g = (const unsigned char *)r->meta.ptr;
	if (tar_group_size(g, &gs) != 0 ||
	    pax_parse(g + TAR_BLOCK, (size_t)gs, &px) != 0)
		return corrupt(r, "malformed pax global header", at);
	if (px.mtime_n) {
		if (parse_mtime(px.mtime, px.mtime_n, &r->gmtime) != 0)
			return corrupt(r, "malformed pax global mtime", at);
		r->has_gmtime = 1;
	}
	buf_reset(&r->m.path);
	buf_reset(&r->m.link);
	r->cur = (struct tar_entry){ .type = 'g', .size = gs,
		.start = at, .header = at, .data = at + TAR_BLOCK,
		.mtime = r->has_gmtime ? r->gmtime : 0 };
	r->cur.end = r->cur.data + TAR_PAD(gs);
	r->cur.path = r->cur.link = "";
	r->in_entry = 0;
	r->end.entries++;
	return r->fn(r->ctx, &r->cur) ? fail(r, AV_EINVAL) : 0;
}

static int header_block(struct tar_reader *r, const unsigned char *h,
			uint64_t at)
{
	char t = (char)h[TAR_F_TYPE];
	uint64_t gs;
	int rc;

	if (tar_block_is_zero(h)) {
		if (r->in_entry)
			return corrupt(r, "extended header not followed by an"
				       " entry", at);
		r->end.entries_end = at;
		r->st = R_END1;
		return 0;
	}
	if (!tar_checksum_ok(h))
		return corrupt(r, at ? "bad header checksum" :
			       "not a tar archive: no valid header", at);
	if (!r->in_entry) {
		r->in_entry = 1;
		buf_reset(&r->meta);
	}
	if ((rc = buf_add(&r->meta, h, TAR_BLOCK)) != 0) {
		msg_error("%s: extended headers over %zu bytes at offset %"
			  PRIu64, r->name, TAR_META_MAX, at);
		return fail(r, rc);
	}
	if (t != 'L' && t != 'K' && t != 'x' && t != 'g')
		return main_header(r, h, at);
	if (tar_group_size(h, &gs) != 0)
		return corrupt(r, "bad extended header size", at);
	if (t == 'g' && r->meta.len != TAR_BLOCK)
		return corrupt(r, "pax global header inside an entry", at);
	r->meta_type = t;
	r->group_at = at;
	r->remain = TAR_PAD(gs);
	if (r->remain == 0)
		return meta_done(r);
	r->st = R_META_DATA;
	return 0;
}

/* A complete block at offset at, in any block-based state. */
static int block(struct tar_reader *r, const unsigned char *b, uint64_t at)
{
	int rc;

	switch (r->st) {
	case R_HEADER:
		return header_block(r, b, at);
	case R_META_DATA:
		if ((rc = buf_add(&r->meta, b, TAR_BLOCK)) != 0)
			return fail(r, rc);
		r->remain -= TAR_BLOCK;
		return r->remain ? 0 : meta_done(r);
	case R_SPARSE:
		r->cur.data = at + TAR_BLOCK;
		return b[TAR_F_EXT_ISEXT] ? 0 : emit(r);
	case R_END1:
		if (!tar_block_is_zero(b))
			return corrupt(r, "data after a zero block", at);
		r->st = R_TRAILER;
		return 0;
	default:
		return fail(r, AV_EINVAL);
	}
}

/* Consumes bytes that need no block assembly; returns how many. */
static size_t stream_bytes(struct tar_reader *r, const unsigned char *p,
			   size_t len, int *rc)
{
	size_t n = 0;

	if (r->st == R_DATA) {
		n = r->remain < len ? (size_t)r->remain : len;
		r->remain -= n;
		if (r->remain == 0)
			r->st = R_HEADER;
	} else {	/* R_TRAILER */
		while (n < len && p[n] == 0)
			n++;
		if (n < len)
			*rc = corrupt(r, "data after the end-of-archive marker",
				      r->off + n);
	}
	return n;
}

int tar_reader_write(struct tar_reader *r, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n;
	int rc = 0;

	if (r->st == R_FAILED)
		return AV_EINVAL;
	while (len > 0 && rc == 0) {
		if (r->st == R_DATA || r->st == R_TRAILER) {
			n = stream_bytes(r, p, len, &rc);
		} else {
			n = TAR_BLOCK - r->blen < len ? TAR_BLOCK - r->blen : len;
			memcpy(r->blk + r->blen, p, n);
			r->blen += n;
			if (r->blen == TAR_BLOCK) {
				r->blen = 0;
				rc = block(r, r->blk, r->off + n - TAR_BLOCK);
			}
		}
		r->off += n;
		p += n;
		len -= n;
	}
	return rc;
}

int tar_reader_finish(struct tar_reader *r, struct tar_end *end)
{
	const char *why = NULL;

	if (r->st == R_FAILED)
		return AV_EINVAL;
	if (r->off == 0)
		why = "empty input, not a tar archive";
	else if (r->st == R_END1)
		why = "archive ends after a single zero block";
	else if (r->st == R_HEADER && r->blen == 0 && !r->in_entry)
		why = "no end-of-archive marker";
	if (why) {
		msg_error("%s: %s (truncated?) at offset %" PRIu64, r->name,
			  why, r->off);
		return fail(r, AV_ETRUNC);
	}
	if (r->st != R_TRAILER) {
		msg_error("%s: archive truncated at offset %" PRIu64
			  " inside entry '%s' (it needs %" PRIu64 " bytes more)",
			  r->name, r->off, r->m.path.ptr,
			  r->st == R_DATA ? r->remain : TAR_BLOCK - r->blen);
		return fail(r, AV_ETRUNC);
	}
	r->end.size = r->off;
	*end = r->end;
	return 0;
}

struct tar_reader *tar_reader_new(const char *name, tar_entry_fn fn,
				  void *ctx)
{
	struct tar_reader *r = calloc(1, sizeof(*r));

	if (!r || !(r->name = strdup(name ? name : "input"))) {
		free(r);
		msg_error("out of memory starting a tar reader");
		return NULL;
	}
	r->fn = fn;
	r->ctx = ctx;
	buf_init(&r->meta, TAR_META_MAX + TAR_BLOCK);
	buf_init(&r->m.path, TAR_META_MAX);
	buf_init(&r->m.link, TAR_META_MAX);
	return r;
}

void tar_reader_free(struct tar_reader *r)
{
	if (!r)
		return;
	buf_release(&r->meta);
	buf_release(&r->m.path);
	buf_release(&r->m.link);
	free(r->name);
	free(r);
}
