/*
 * libFuzzer target for the tar reader and header rebuilding.
 *
 * Input: byte 0 chooses where the rest is split in two writes; the rest
 * is the archive.  Invariants: every reported entry has start <= header <
 * data <= end with end - data the padded size; entries follow each other
 * without gaps; and rebuilding an entry's header blocks as a 5-byte
 * regular file gives blocks the reader accepts as one entry of that type,
 * size and path.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/buf.h"
#include "archivist/msg.h"
#include "archivist/tar.h"

struct fz {
	const uint8_t *data;
	size_t len;
	uint64_t next;		/* where the next entry must start */
	struct buf path;	/* for the re-read check */
	char type;
	uint64_t size;
	int seen;
};

static int reread_entry(void *ctx, const struct tar_entry *e)
{
	struct fz *f = ctx;

	f->seen++;
	f->type = e->type;
	f->size = e->size;
	buf_reset(&f->path);
	return buf_adds(&f->path, e->path);
}

/* Rebuilds e as a 5-byte file and reads the result back. */
static void check_rebuild(const struct fz *f, const struct tar_entry *e)
{
	static const unsigned char tail[TAR_BLOCK + 2 * TAR_BLOCK] = "hello";
	struct tar_rebuild how = { '0', 5, NULL };
	struct buf out = BUF_INIT;
	struct fz g = { 0 };
	struct tar_reader *r;
	struct tar_end end;

	if (e->type == 'g' || e->header + TAR_BLOCK > f->len)
		return;
	if (tar_rebuild(f->data + e->start, (size_t)(e->header + TAR_BLOCK -
						     e->start), &how, &out) != 0)
		abort();	/* the reader accepted these blocks */
	buf_init(&g.path, 0);
	r = tar_reader_new("rebuilt", reread_entry, &g);
	if (!r || tar_reader_write(r, out.ptr, out.len) != 0 ||
	    tar_reader_write(r, tail, sizeof(tail)) != 0 ||
	    tar_reader_finish(r, &end) != 0 || g.seen != 1 || g.type != '0' ||
	    g.size != 5 || strcmp(g.path.ptr, e->path) != 0)
		abort();
	tar_reader_free(r);
	buf_release(&g.path);
	buf_release(&out);
}

static int on_entry(void *ctx, const struct tar_entry *e)
{
	struct fz *f = ctx;

	if (e->start != f->next || e->start > e->header ||
	    e->header >= e->data || e->data > e->end ||
	    e->end - e->data != TAR_PAD(e->size))
		abort();
	f->next = e->end;
	check_rebuild(f, e);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { 0 };
	struct tar_reader *r;
	struct tar_end end;
	size_t split;

	if (size < 1)
		return 0;
	f.data = data + 1;
	f.len = size - 1;
	split = f.len * data[0] / 256;
	if (!(r = tar_reader_new("fuzz", on_entry, &f)))
		return 0;
	if (tar_reader_write(r, f.data, split) == 0 &&
	    tar_reader_write(r, f.data + split, f.len - split) == 0 &&
	    tar_reader_finish(r, &end) == 0 &&
	    (end.entries_end != f.next || end.size != f.len))
		abort();
	tar_reader_free(r);
	return 0;
}
