/* rewrite: plan and run the pass-2 tar transformation (see rewrite.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/rewrite.h"
#include "archivist/tarhdr.h"

#define WINDOW ((size_t)1 << 20)	/* spool read-ahead */

enum action {
	A_COPY,		/* the entry's bytes as they are */
	A_PATCH,	/* the same with the pyc header replaced */
	A_DROP,		/* nothing */
	A_NEWHDR	/* new header blocks, then src's data if any */
};

struct step {
	unsigned char action;
	unsigned char patch;	/* A_NEWHDR: src's data starts with hdr */
	unsigned char decided;	/* judged as a pyc already */
	unsigned char hdr[PYC_HEADER_SIZE];
	size_t blob, blob_len;	/* A_NEWHDR: header blocks in blobs */
	size_t src;		/* A_NEWHDR: entry whose data follows */
};

struct rewrite {
	const struct tar_index *ix;
	int fd;
	char *name;
	struct rewrite_opts o;
	struct tar_end end;
	struct step *steps;
	size_t *redirect;	/* dropped entry -> the entry links now use */
	struct buf blobs;
	struct buf scratch;
	int copy_trailer;
	uint64_t trailer;
	struct rewrite_stats st;
	unsigned char *win;	/* run: the spool bytes [woff, woff+wlen) */
	uint64_t woff;
	size_t wlen;
	uint64_t written;
};

static const struct tar_index_entry *ent(const struct rewrite *rw, size_t i)
{
	return tar_index_get(rw->ix, i);
}

static int read_at(struct rewrite *rw, void *dst, size_t n, uint64_t off)
{
	unsigned char *p = dst;
	ssize_t k;

	while (n > 0) {
		k = pread(rw->fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			msg_error("%s: cannot read the spooled tar at offset %"
				  PRIu64 ": %s", rw->name, off,
				  k < 0 ? strerror(errno) : "file too short");
			return AV_EIO;
		}
		p += k;
		off += (uint64_t)k;
		n -= (size_t)k;
	}
	return 0;
}

/* 1 if path is a PEP 3147 __pycache__ pyc. */
static int is_cache_pyc(struct rewrite *rw, const char *path)
{
	buf_reset(&rw->scratch);
	return pyc_source_path(path, &rw->scratch) == 0;
}

/* Follows hardlinks from entry j to the entry holding the data. */
static size_t resolve(const struct rewrite *rw, size_t j)
{
	size_t k, n = tar_index_count(rw->ix);

	for (k = 0; k < n && j != TAR_INDEX_NONE && ent(rw, j)->type == '1';
	     k++)
		j = ent(rw, j)->target;
	return j;
}

/* The .py of the pyc at path, resolved to a regular file, or NONE. */
static size_t find_source(struct rewrite *rw, const char *path)
{
	size_t j;

	buf_reset(&rw->scratch);
	if (pyc_source_path(path, &rw->scratch) != 0)
		return TAR_INDEX_NONE;
	j = resolve(rw, tar_index_find(rw->ix, rw->scratch.ptr));
	if (j == TAR_INDEX_NONE || !tar_type_is_regular(ent(rw, j)->type))
		return TAR_INDEX_NONE;
	return j;
}

/*
 * Decides on the pyc at path whose data is entry s's: sets st->hdr and
 * *patched when pyc_rewrite_header rewrote it.  Counts the verdict.
 */
static int decide_pyc(struct rewrite *rw, const char *path, size_t s,
		      struct step *st, int *patched)
{
	const struct tar_index_entry *d = ent(rw, s), *py;
	enum pyc_verdict v = PYC_MODE_KEEP;
	unsigned char *src = NULL;
	size_t j;
	int rc = 0;

	*patched = 0;
	st->decided = 1;
	rw->st.pycs++;
	if (rw->o.pyc == PYC_KEEP)
		goto count;
	v = PYC_NO_SOURCE;
	if ((j = find_source(rw, path)) == TAR_INDEX_NONE)
		goto count;
	py = ent(rw, j);
	if (!(src = malloc(py->size ? (size_t)py->size : 1))) {
		msg_error("%s: out of memory reading '%s'", rw->name, py->path);
		return AV_ENOMEM;
	}
	if ((rc = read_at(rw, st->hdr, d->size < PYC_HEADER_SIZE ?
			  (size_t)d->size : PYC_HEADER_SIZE, d->data)) != 0 ||
	    (rc = read_at(rw, src, (size_t)py->size, py->data)) != 0)
		goto out;
	v = pyc_rewrite_header(st->hdr, (size_t)d->size, src, (size_t)py->size,
			       py->mtime, rw->o.pyc);
	*patched = v == PYC_REWRITTEN;
count:
	rw->st.pyc[v]++;
	msg_debug("%s: %s: %s", rw->name, path, pyc_verdict_name(v));
out:
	free(src);
	return rc;
}

/* Appends entry i's header blocks, changed as how says, to the blobs. */
static int new_header(struct rewrite *rw, size_t i,
		      const struct tar_rebuild *how, struct step *st)
{
	const struct tar_index_entry *e = ent(rw, i);
	size_t n = (size_t)(e->header + TAR_BLOCK - e->start);
	int rc;

	buf_reset(&rw->scratch);
	if ((rc = buf_grow(&rw->scratch, n)) != 0 ||
	    (rc = read_at(rw, rw->scratch.ptr, n, e->start)) != 0)
		return rc;
	st->action = A_NEWHDR;
	st->blob = rw->blobs.len;
	st->src = TAR_INDEX_NONE;
	rc = tar_rebuild((unsigned char *)rw->scratch.ptr, n, how, &rw->blobs);
	if (rc)
		msg_error("%s: cannot rebuild the header of '%s': %s", rw->name,
			  e->path, error_message(rc));
	st->blob_len = rw->blobs.len - st->blob;
	return rc;
}

/* Link i pointed at dropped t whose data is in entry s: i becomes a
 * regular file with that data; later links to t (or any dropped link on
 * the way to s) will point at i. */
static int materialize(struct rewrite *rw, size_t i, size_t t, size_t s)
{
	const struct tar_index_entry *e = ent(rw, i);
	struct tar_rebuild how = { '0', ent(rw, s)->size, NULL };
	struct step *st = &rw->steps[i];
	int rc, patched = 0;

	if ((rc = new_header(rw, i, &how, st)) != 0)
		return rc;
	st->src = s;
	if (is_cache_pyc(rw, e->path) &&
	    (rc = decide_pyc(rw, e->path, s, st, &patched)) != 0)
		return rc;
	st->patch = (unsigned char)patched;
	for (; t != TAR_INDEX_NONE && rw->redirect[t] == TAR_INDEX_NONE;
	     t = ent(rw, t)->target)
		rw->redirect[t] = i;
	rw->st.links_materialized++;
	msg_verbose("%s: '%s' linked to dropped '%s': written as a file",
		    rw->name, e->path, ent(rw, s)->path);
	return 0;
}

/*
 * The __pycache__ pyc at path is a hardlink: its bytes are those of entry
 * h in the output.  If they were not judged as a pyc yet (h is not a
 * __pycache__ pyc itself, as bsdtar's order can make it), judge them by
 * this path: on disk both names are one file.
 */
static int link_pyc(struct rewrite *rw, const char *path, size_t h)
{
	struct step *hs = &rw->steps[h];
	size_t d = hs->action == A_NEWHDR ? hs->src : h;
	int rc, patched;

	if (hs->decided || d == TAR_INDEX_NONE ||
	    !tar_type_is_regular(ent(rw, d)->type)) {
		rw->st.pyc_links++;
		return 0;
	}
	if ((rc = decide_pyc(rw, path, d, hs, &patched)) != 0)
		return rc;
	if (hs->action == A_NEWHDR)
		hs->patch = (unsigned char)patched;
	else
		hs->action = patched ? A_PATCH : A_COPY;
	return 0;
}

/* Hardlink i points at a dropped entry: keep it resolving, through the
 * dropped links on the way to the data. */
static int plan_link(struct rewrite *rw, size_t i)
{
	size_t t = ent(rw, i)->target, s = t, k, n = tar_index_count(rw->ix);
	struct tar_rebuild how = { '1', 0, NULL };
	int rc;

	for (k = 0; k < n && rw->redirect[s] == TAR_INDEX_NONE &&
	     rw->steps[s].action == A_DROP && ent(rw, s)->type == '1' &&
	     ent(rw, s)->target != TAR_INDEX_NONE; k++)
		s = ent(rw, s)->target;
	if (rw->redirect[s] != TAR_INDEX_NONE) {
		s = rw->redirect[s];	/* a link before us was made a file */
	} else if (rw->steps[s].action == A_DROP) {
		if (tar_type_is_regular(ent(rw, s)->type))
			return materialize(rw, i, t, s);
		msg_warn("%s: hardlink '%s' points at dropped '%s', which holds"
			 " no data: left as it is", rw->name, ent(rw, i)->path,
			 ent(rw, s)->path);
		rw->steps[i].action = A_COPY;
		return 0;
	}
	rw->redirect[t] = s;
	how.link = ent(rw, s)->path;
	rw->st.links_redirected++;
	msg_verbose("%s: '%s' linked to dropped '%s': now links to '%s'",
		    rw->name, ent(rw, i)->path, ent(rw, t)->path, how.link);
	if ((rc = new_header(rw, i, &how, &rw->steps[i])) != 0)
		return rc;
	return is_cache_pyc(rw, ent(rw, i)->path) ?
	       link_pyc(rw, ent(rw, i)->path, s) : 0;
}

static int droppable(struct rewrite *rw, const struct tar_index_entry *e)
{
	return !rw->o.keep_opt_pyc &&
	       (tar_type_is_regular(e->type) || e->type == '1') &&
	       pyc_is_opt_cache(e->path);
}

static int plan_entry(struct rewrite *rw, size_t i)
{
	const struct tar_index_entry *e = ent(rw, i);
	struct step *st = &rw->steps[i];
	int patched, rc;

	st->action = A_COPY;
	if (e->type == 'g')
		return 0;
	if (droppable(rw, e)) {
		st->action = A_DROP;
		rw->st.dropped++;
		rw->st.dropped_bytes += e->end - e->start;
		msg_debug("%s: %s: dropped", rw->name, e->path);
		return 0;
	}
	if (e->type == '1' && e->target != TAR_INDEX_NONE &&
	    rw->steps[e->target].action == A_DROP)
		return plan_link(rw, i);
	if (!is_cache_pyc(rw, e->path))
		return 0;
	if (e->type == '1' && e->target != TAR_INDEX_NONE)
		return link_pyc(rw, e->path, e->target);
	if (!tar_type_is_regular(e->type))
		return 0;
	if ((rc = decide_pyc(rw, e->path, i, st, &patched)) != 0)
		return rc;
	st->action = patched ? A_PATCH : A_COPY;
	return 0;
}

static uint64_t step_size(const struct rewrite *rw, size_t i)
{
	const struct step *st = &rw->steps[i];
	const struct tar_index_entry *e = ent(rw, i);

	switch (st->action) {
	case A_DROP:
		return 0;
	case A_NEWHDR:
		return st->blob_len + (st->src == TAR_INDEX_NONE ? 0 :
				       TAR_PAD(ent(rw, st->src)->size));
	default:
		return e->end - e->start;
	}
}

/* Output size and the end-of-archive bytes. */
static void plan_sizes(struct rewrite *rw)
{
	uint64_t sum = 0, pad;
	size_t i, n = tar_index_count(rw->ix);

	for (i = 0; i < n; i++) {
		sum += step_size(rw, i);
		rw->st.entries_out += rw->steps[i].action != A_DROP;
	}
	rw->copy_trailer = sum == rw->end.entries_end;
	if (rw->copy_trailer) {
		rw->trailer = rw->end.size - rw->end.entries_end;
	} else {
		pad = (sum + 2 * TAR_BLOCK) % TAR_RECORD;
		rw->trailer = 2 * TAR_BLOCK + (pad ? TAR_RECORD - pad : 0);
	}
	rw->st.tar_in = rw->end.size;
	rw->st.tar_out = sum + rw->trailer;
}

int rewrite_plan(struct rewrite **out, const struct tar_index *ix, int fd,
		 const struct tar_end *end, const struct rewrite_opts *o,
		 const char *name)
{
	struct rewrite *rw = calloc(1, sizeof(*rw));
	size_t i, n = tar_index_count(ix);
	int rc = AV_ENOMEM;

	*out = NULL;
	if (!rw || !(rw->name = strdup(name ? name : "input")) ||
	    !(rw->steps = calloc(n ? n : 1, sizeof(*rw->steps))) ||
	    !(rw->redirect = malloc((n ? n : 1) * sizeof(*rw->redirect)))) {
		msg_error("out of memory planning the rewrite");
		goto out;
	}
	buf_init(&rw->blobs, (size_t)1 << 30);
	buf_init(&rw->scratch, TAR_META_MAX + TAR_BLOCK);
	rw->ix = ix;
	rw->fd = fd;
	rw->o = *o;
	rw->end = *end;
	rw->st.entries = n;
	for (i = 0; i < n; i++)
		rw->redirect[i] = TAR_INDEX_NONE;
	for (i = 0, rc = 0; i < n && rc == 0; i++)
		rc = plan_entry(rw, i);
	if (rc == 0) {
		plan_sizes(rw);
		*out = rw;
		return 0;
	}
out:
	rewrite_free(rw);
	return rc;
}

void rewrite_stats(const struct rewrite *rw, struct rewrite_stats *st)
{
	*st = rw->st;
}

/* Writes n bytes of the spool from off to out, through the window. */
static int copy_range(struct rewrite *rw, uint64_t off, uint64_t n,
		      const struct sink *out)
{
	size_t k, want;
	int rc;

	while (n > 0) {
		if (off < rw->woff || off >= rw->woff + rw->wlen) {
			want = rw->end.size - off < WINDOW ?
			       (size_t)(rw->end.size - off) : WINDOW;
			if (want == 0 || (rc = read_at(rw, rw->win, want, off)))
				return want ? rc : AV_EIO;
			rw->woff = off;
			rw->wlen = want;
		}
		k = (size_t)(rw->woff + rw->wlen - off);
		if (k > n)
			k = (size_t)n;
		if ((rc = sink_write(out, rw->win + (off - rw->woff), k)) != 0)
			return rc;
		rw->written += k;
		off += k;
		n -= k;
	}
	return 0;
}

static int put(struct rewrite *rw, const void *p, size_t n,
	       const struct sink *out)
{
	rw->written += n;
	return sink_write(out, p, n);
}

/* Data of entry d, with hdr in place of its first bytes if patch. */
static int put_data(struct rewrite *rw, const struct tar_index_entry *d,
		    uint64_t from, int patch, const unsigned char *hdr,
		    const struct sink *out)
{
	uint64_t len = d->data + TAR_PAD(d->size) - from;
	int rc;

	if (!patch)
		return copy_range(rw, from, len, out);
	if ((rc = copy_range(rw, from, d->data - from, out)) != 0 ||
	    (rc = put(rw, hdr, PYC_HEADER_SIZE, out)) != 0)
		return rc;
	return copy_range(rw, d->data + PYC_HEADER_SIZE,
			  TAR_PAD(d->size) - PYC_HEADER_SIZE, out);
}

static int run_step(struct rewrite *rw, size_t i, const struct sink *out)
{
	const struct step *st = &rw->steps[i];
	const struct tar_index_entry *e = ent(rw, i);
	int rc;

	switch (st->action) {
	case A_COPY:
		return copy_range(rw, e->start, e->end - e->start, out);
	case A_PATCH:
		return put_data(rw, e, e->start, 1, st->hdr, out);
	case A_NEWHDR:
		rc = put(rw, rw->blobs.ptr + st->blob, st->blob_len, out);
		if (rc || st->src == TAR_INDEX_NONE)
			return rc;
		return put_data(rw, ent(rw, st->src), ent(rw, st->src)->data,
				st->patch, st->hdr, out);
	default:
		return 0;
	}
}

static int put_trailer(struct rewrite *rw, const struct sink *out)
{
	static const unsigned char zeros[TAR_RECORD];
	uint64_t left = rw->trailer;
	size_t k;
	int rc = 0;

	if (rw->copy_trailer)
		return copy_range(rw, rw->end.entries_end, left, out);
	while (rc == 0 && left > 0) {
		k = left < sizeof(zeros) ? (size_t)left : sizeof(zeros);
		rc = put(rw, zeros, k, out);
		left -= k;
	}
	return rc;
}

int rewrite_run(struct rewrite *rw, const struct sink *out)
{
	size_t i, n = tar_index_count(rw->ix);
	int rc = 0;

	if (!rw->win && !(rw->win = malloc(WINDOW))) {
		msg_error("out of memory rewriting '%s'", rw->name);
		return AV_ENOMEM;
	}
	rw->woff = rw->wlen = 0;
	rw->written = 0;
	for (i = 0; i < n && rc == 0; i++)
		rc = run_step(rw, i, out);
	if (rc == 0)
		rc = put_trailer(rw, out);
	if (rc == 0 && rw->written != rw->st.tar_out) {
		msg_error("%s: internal error: wrote %" PRIu64 " tar bytes, "
			  "planned %" PRIu64, rw->name, rw->written,
			  rw->st.tar_out);
		rc = AV_EINVAL;
	}
	return rc;
}

void rewrite_free(struct rewrite *rw)
{
	if (!rw)
		return;
	buf_release(&rw->blobs);
	buf_release(&rw->scratch);
	free(rw->steps);
	free(rw->redirect);
	free(rw->win);
	free(rw->name);
	free(rw);
}
