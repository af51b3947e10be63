/* tarhdr: tar header fields, pax records, header rebuilding (tarhdr.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/tarhdr.h"

int tar_type_is_regular(char type)
{
	return type == '0' || type == '\0' || type == '7';
}

int tar_block_is_zero(const unsigned char b[TAR_BLOCK])
{
	size_t i;

	for (i = 0; i < TAR_BLOCK; i++)
		if (b[i])
			return 0;
	return 1;
}

/* GNU base-256: bit 7 marks it, bit 6 is the sign, the rest is a
 * two's-complement big-endian number. */
static int parse_base256(const unsigned char *f, size_t n, int64_t *out)
{
	int neg = (f[0] & 0x40) != 0;
	int64_t v = neg ? (int64_t)(f[0] & 0x3f) - 64 : f[0] & 0x3f;
	size_t i;

	for (i = 1; i < n; i++) {
		if (v > INT64_MAX / 256 || v < INT64_MIN / 256)
			return AV_EINVAL;
		v = v * 256 + f[i];
	}
	*out = v;
	return 0;
}

int tar_parse_number(const unsigned char *f, size_t n, int64_t *out)
{
	size_t i = 0, end = 0;
	uint64_t v = 0;

	if (n && (f[0] & 0x80))
		return parse_base256(f, n, out);
	while (end < n && f[end])
		end++;
	while (i < end && f[i] == ' ')
		i++;
	while (end > i && f[end - 1] == ' ')
		end--;
	for (; i < end; i++) {
		if (f[i] < '0' || f[i] > '7' || v > (uint64_t)INT64_MAX / 8)
			return AV_EINVAL;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	*out = (int64_t)v;
	return 0;
}

void tar_set_number(unsigned char *f, size_t n, uint64_t v)
{
	size_t i;

	if (v <= TAR_OCTAL_MAX(n)) {
		for (i = n - 1; i-- > 0; v >>= 3)
			f[i] = (unsigned char)('0' + (v & 7));
		f[n - 1] = '\0';
		return;
	}
	for (i = n; i-- > 1; v >>= 8)
		f[i] = (unsigned char)(v & 0xff);
	f[0] = 0x80;
}

int tar_checksum_ok(const unsigned char b[TAR_BLOCK])
{
	int64_t want;
	uint64_t usum = 0;
	int64_t ssum = 0;
	size_t i;

	if (tar_parse_number(b + TAR_F_CHKSUM, 8, &want) != 0)
		return 0;
	for (i = 0; i < TAR_BLOCK; i++) {
		unsigned char c = i >= TAR_F_CHKSUM && i < TAR_F_CHKSUM + 8 ? ' ' : b[i];

		usum += c;
		ssum += (signed char)c;
	}
	return want == (int64_t)usum || want == ssum;
}

void tar_set_checksum(unsigned char b[TAR_BLOCK])
{
	uint64_t sum = 0;
	size_t i;

	memset(b + TAR_F_CHKSUM, ' ', 8);
	for (i = 0; i < TAR_BLOCK; i++)
		sum += b[i];
	tar_set_number(b + TAR_F_CHKSUM, 7, sum);	/* "NNNNNN\0 " as GNU tar */
}

static size_t digits(size_t n)
{
	size_t d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

int tar_pax_add(struct buf *out, const char *key, const void *val,
		size_t vlen)
{
	size_t base = strlen(key) + vlen + 3, n = base + digits(base);
	int rc;

	while (n != base + digits(n))	/* the length counts its digits */
		n = base + digits(n);
	if ((rc = buf_addf(out, "%zu %s=", n, key)) != 0 ||
	    (rc = buf_add(out, val, vlen)) != 0)
		return rc;
	return buf_addc(out, '\n');
}

int tar_pax_next(const unsigned char *p, size_t n, size_t *pos,
		 struct tar_pax_rec *rec)
{
	size_t i = *pos, len = 0, start = *pos, eq;

	if (i >= n || p[i] == '\0') {
		for (; i < n; i++)
			if (p[i])
				return -1;
		return 0;
	}
	for (; i < n && p[i] >= '0' && p[i] <= '9' && len < n; i++)
		len = len * 10 + (size_t)(p[i] - '0');
	if (i == start || i >= n || p[i] != ' ' || len > n - start ||
	    len < i - start + 3 || p[start + len - 1] != '\n')
		return -1;
	for (eq = i + 1; eq < start + len - 1 && p[eq] != '='; eq++)
		;
	if (eq >= start + len - 1 || eq == i + 1)
		return -1;
	rec->key = (const char *)p + i + 1;
	rec->klen = eq - i - 1;
	rec->val = (const char *)p + eq + 1;
	rec->vlen = start + len - 1 - eq - 1;
	rec->rec = p + start;
	rec->reclen = len;
	*pos = start + len;
	return 1;
}

static int key_is(const char *k, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(k, want, n) == 0;
}

int tar_group_size(const unsigned char h[TAR_BLOCK], uint64_t *size)
{
	int64_t v;

	if (tar_parse_number(h + TAR_F_SIZE, 12, &v) != 0 || v < 0 ||
	    (uint64_t)v > TAR_META_MAX)
		return AV_ECORRUPT;
	*size = (uint64_t)v;
	return 0;
}

static int add_padding(struct buf *out, uint64_t n)
{
	static const unsigned char zeros[TAR_BLOCK];
	size_t k = (size_t)(TAR_PAD(n) - n);

	return buf_add(out, zeros, k);
}

/* Appends a GNU ././@LongLink group of type t (K or L) holding s, as GNU
 * tar writes it. */
static int add_long_group(struct buf *out, char t, const char *s)
{
	unsigned char h[TAR_BLOCK] = { 0 };
	size_t n = strlen(s) + 1;	/* the NUL is part of the data */
	int rc;

	memcpy(h + TAR_F_NAME, "././@LongLink", 13);
	tar_set_number(h + TAR_F_MODE, 8, 0);
	tar_set_number(h + TAR_F_UID, 8, 0);
	tar_set_number(h + TAR_F_GID, 8, 0);
	tar_set_number(h + TAR_F_SIZE, 12, n);
	tar_set_number(h + TAR_F_MTIME, 12, 0);
	h[TAR_F_TYPE] = (unsigned char)t;
	memcpy(h + TAR_F_MAGIC, "ustar  ", 8);
	memcpy(h + TAR_F_UNAME, "root", 4);
	memcpy(h + TAR_F_GNAME, "root", 4);
	tar_set_checksum(h);
	if ((rc = buf_add(out, h, TAR_BLOCK)) != 0 ||
	    (rc = buf_add(out, s, n)) != 0)
		return rc;
	return add_padding(out, n);
}

/* Appends the pax group g (data gs bytes) without linkpath and size
 * records, adding them back where how needs them. */
static int rebuild_pax(const unsigned char *g, uint64_t gs,
		       const struct tar_rebuild *how, struct buf *out)
{
	unsigned char h[TAR_BLOCK];
	struct buf recs = BUF_INIT;
	struct tar_pax_rec x;
	size_t pos = 0;
	char num[24];
	int r, rc = 0;

	while (rc == 0 && (r = tar_pax_next(g + TAR_BLOCK, (size_t)gs, &pos,
					    &x)) == 1)
		if (!key_is(x.key, x.klen, "linkpath") &&
		    !key_is(x.key, x.klen, "size"))
			rc = buf_add(&recs, x.rec, x.reclen);
	if (r < 0 && rc == 0)
		rc = AV_ECORRUPT;
	if (rc == 0 && how->link && strlen(how->link) > 100)
		rc = tar_pax_add(&recs, "linkpath", how->link, strlen(how->link));
	if (rc == 0 && how->size > TAR_OCTAL_MAX(12)) {
		snprintf(num, sizeof(num), "%" PRIu64, how->size);
		rc = tar_pax_add(&recs, "size", num, strlen(num));
	}
	if (rc == 0 && recs.len > 0) {
		memcpy(h, g, TAR_BLOCK);
		tar_set_number(h + TAR_F_SIZE, 12, recs.len);
		tar_set_checksum(h);
		if ((rc = buf_add(out, h, TAR_BLOCK)) == 0 &&
		    (rc = buf_add(out, recs.ptr, recs.len)) == 0)
			rc = add_padding(out, recs.len);
	}
	buf_release(&recs);
	return rc;
}

int tar_rebuild(const unsigned char *meta, size_t len,
		const struct tar_rebuild *how, struct buf *out)
{
	unsigned char h[TAR_BLOCK];
	size_t pos, ln = how->link ? strlen(how->link) : 0;
	int had_pax = 0, rc = 0;
	uint64_t gs;

	if (len < TAR_BLOCK || len % TAR_BLOCK)
		return AV_ECORRUPT;
	for (pos = 0; pos + TAR_BLOCK < len && rc == 0;
	     pos += TAR_BLOCK + TAR_PAD(gs)) {
		const unsigned char *g = meta + pos;

		if (tar_group_size(g, &gs) != 0 || gs > len - pos - 2 * TAR_BLOCK)
			return AV_ECORRUPT;
		if (g[TAR_F_TYPE] == 'x') {
			had_pax = 1;
			rc = rebuild_pax(g, gs, how, out);
		} else if (g[TAR_F_TYPE] == 'L') {
			rc = buf_add(out, g, TAR_BLOCK + TAR_PAD(gs));
		} else if (g[TAR_F_TYPE] != 'K') {
			return AV_ECORRUPT;
		}
	}
	if (rc == 0 && ln > 100 && !had_pax)
		rc = add_long_group(out, 'K', how->link);
	if (rc)
		return rc;
	memcpy(h, meta + len - TAR_BLOCK, TAR_BLOCK);
	h[TAR_F_TYPE] = (unsigned char)how->type;
	memset(h + TAR_F_LINK, 0, 100);
	memcpy(h + TAR_F_LINK, how->link ? how->link : "", ln > 100 ? 100 : ln);
	tar_set_number(h + TAR_F_SIZE, 12, how->size);
	tar_set_checksum(h);
	return buf_add(out, h, TAR_BLOCK);
}
