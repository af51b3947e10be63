/* get: streamed GetObject that resumes a broken transfer (see s3.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/msg.h"
#include "archivist/s3.h"
#include "s3req.h"

struct get {
	struct s3_client *c;
	struct s3_req r;
	struct s3_reply rep;
	struct sigv4_kv hdrs[3];
	char range[48];
	struct buf etag;	/* of the first reply, for If-Match */
	const struct s3_get_opts *o;
	const struct sink *out;
	struct s3_head *info;	/* the caller's, or &own */
	struct s3_head own;
	uint64_t start;		/* the offset asked for */
	uint64_t pos;		/* next byte the sink expects */
	uint64_t attempt_at;	/* pos when this attempt began */
	uint64_t skip;		/* bytes to drop (server ignored Range) */
	uint64_t total;		/* whole object's size */
	int started;		/* this attempt's reply headers were seen */
	int attempts;		/* attempts begun */
	int stuck;		/* attempts in a row that got no further */
	int have_info;
	int sink_rc;		/* the caller's sink failed (it reports) */
	EVP_MD_CTX *md;		/* sha256 of the whole object, from byte 0 */
};

/*
 * s3req resumes for free an attempt that received bytes, but bytes we
 * drop (a server ignoring Range) are no progress: a proxy that cuts every
 * reply at the same size would have us loop forever.  Stop once as many
 * attempts in a row as a request may make got no further.
 */
static int get_stuck(struct get *g)
{
	if (g->attempts++ > 0)
		g->stuck = g->pos == g->attempt_at ? g->stuck + 1 : 0;
	if (g->stuck < g->c->retry.max_attempts)
		return 0;
	msg_error("get 's3://%s/%s': %d attempts in a row ended at byte %" PRIu64
		  " (the server cuts the transfer short and ignores Range)",
		  g->r.bucket, g->r.key, g->stuck, g->pos);
	return AV_ENET;
}

/* Before each attempt: ask for the rest, of the same object. */
static int get_before(void *ctx, int n)
{
	struct get *g = ctx;
	const char *im = g->o->if_match;
	int rc;

	(void)n;
	if ((rc = get_stuck(g)) != 0)
		return rc;
	g->started = 0;
	g->attempt_at = g->pos;
	g->r.nheaders = 1;
	if (g->pos > 0) {
		snprintf(g->range, sizeof(g->range), "bytes=%" PRIu64 "-", g->pos);
		g->hdrs[g->r.nheaders++] = (struct sigv4_kv){ "range", g->range };
	}
	if (g->etag.len)
		im = g->etag.ptr;
	if (im && *im)
		g->hdrs[g->r.nheaders++] = (struct sigv4_kv){ "if-match", im };
	return 0;
}

/* First bytes of an attempt: take the object's identity from the reply. */
static int get_start(struct get *g)
{
	const struct http_response *h = &g->rep.http;
	const char *etag = http_response_header(h, "etag");
	int rc = 0;

	g->started = 1;
	if (g->pos > 0 && h->status == 200)
		g->skip = g->pos;	/* Range ignored: drop what we have */
	if (!g->etag.len && etag && (rc = buf_sets(&g->etag, etag)))
		return rc;
	if (!g->have_info) {
		g->have_info = 1;
		if ((rc = s3req_head_from(g->info, h)))
			return rc;
		g->total = g->info->size;
	}
	return rc;
}

static int get_sink(void *ctx, const void *data, size_t n)
{
	struct get *g = ctx;
	const char *p = data;
	size_t drop;
	int rc;

	if (!g->started && (rc = get_start(g)))
		return rc;
	if (g->skip) {
		drop = g->skip < n ? (size_t)g->skip : n;
		g->skip -= drop;
		p += drop;
		n -= drop;
	}
	if (n == 0)
		return 0;
	if (g->md && !EVP_DigestUpdate(g->md, p, n))
		return AV_ECRYPTO;
	if ((rc = sink_write(g->out, p, n)))
		return g->sink_rc = rc;
	g->pos += n;
	if (g->o->progress)
		g->o->progress(g->o->progress_ctx, g->pos, g->total);
	return 0;
}

/* With the whole object read, check it against the sha256 it carries. */
static int get_verify(struct get *g, const struct s3_head *h)
{
	unsigned char sha[32];
	char want[65], got[65];

	if (!g->md || !s3_head_sha256(h, want))
		return 0;
	if (!EVP_DigestFinal_ex(g->md, sha, NULL))
		return AV_ECRYPTO;
	hex_encode(sha, 32, got);
	if (strcmp(want, got) == 0)
		return 0;
	msg_error("get 's3://%s/%s': content sha256 %s differs from the object's "
		  "recorded %s", g->r.bucket, g->r.key, got, want);
	return AV_ECHECKSUM;
}

static int get_finish(struct get *g, int rc)
{
	struct s3_head *h = g->info;

	if (!rc && !g->have_info && !(rc = s3req_head_from(h, &g->rep.http)))
		g->have_info = 1;
	if (!rc && g->pos < h->size) {
		msg_error("get 's3://%s/%s': the reply ended after %" PRIu64 " of %"
			  PRIu64 " bytes", g->r.bucket, g->r.key, g->pos, h->size);
		rc = AV_ETRUNC;
	}
	if (!rc)
		rc = get_verify(g, h);
	else if (rc == AV_EEXIST)
		msg_error("get 's3://%s/%s': the object %s (ETag %s no longer matches)",
			  g->r.bucket, g->r.key, g->etag.len ? "changed while it was "
			  "being downloaded" : "is not the version expected",
			  g->etag.len ? g->etag.ptr : g->o->if_match);
	else if (rc != g->sink_rc && rc != AV_ETRUNC && g->stuck < g->c->retry.max_attempts)
		s3req_report(g->c, &g->r, &g->rep, rc);
	return rc == AV_EEXIST ? AV_ECONFLICT : rc;
}

int s3_get(struct s3_client *c, const char *bucket, const char *key,
	   const struct s3_get_opts *o, const struct sink *out,
	   struct s3_head *info)
{
	static const struct s3_get_opts none = { 0, NULL, NULL, NULL };
	struct get g;
	int rc;

	memset(&g, 0, sizeof(g));
	g.c = c;
	g.o = o ? o : &none;
	g.out = out;
	s3_head_init(&g.own);
	g.info = info ? info : &g.own;
	g.start = g.pos = g.o->offset;
	buf_init(&g.etag, 1024);
	s3_reply_init(&g.rep);
	s3req_init(&g.r, "get", "GET", bucket, key);
	g.hdrs[0] = (struct sigv4_kv){ "x-amz-checksum-mode", "ENABLED" };
	g.r.headers = g.hdrs;
	g.r.sink = get_sink;
	g.r.sink_ctx = &g;
	g.r.before = get_before;
	g.r.before_ctx = &g;
	if (g.start == 0 && (!(g.md = EVP_MD_CTX_new()) ||
			     !EVP_DigestInit_ex(g.md, EVP_sha256(), NULL))) {
		rc = AV_ECRYPTO;
		goto out;
	}
	rc = s3req_send(c, &g.r, &g.rep);
	rc = get_finish(&g, rc);
out:
	EVP_MD_CTX_free(g.md);
	s3_head_release(&g.own);
	buf_release(&g.etag);
	s3_reply_release(&g.rep);
	return rc;
}

static int buf_sink(void *ctx, const void *data, size_t n)
{
	return buf_add(ctx, data, n);
}

int s3_get_buf(struct s3_client *c, const char *bucket, const char *key,
	       struct buf *out)
{
	struct sink s = { buf_sink, out };

	return s3_get(c, bucket, key, NULL, &s, NULL);
}

static int hash_sink(void *ctx, const void *data, size_t n)
{
	return EVP_DigestUpdate(ctx, data, n) ? 0 : AV_ECRYPTO;
}

int s3_get_sha256(struct s3_client *c, const char *bucket, const char *key,
		  const char *if_match, char hex[65])
{
	struct s3_get_opts go = { 0, if_match, NULL, NULL };
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct sink s = { hash_sink, md };
	unsigned char sha[32];
	int rc;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return AV_ECRYPTO;
	}
	if (!(rc = s3_get(c, bucket, key, &go, &s, NULL)) &&
	    !EVP_DigestFinal_ex(md, sha, NULL))
		rc = AV_ECRYPTO;
	EVP_MD_CTX_free(md);
	if (!rc)
		hex_encode(sha, 32, hex);
	return rc;
}
