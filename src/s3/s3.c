/* s3: the client, object metadata, HEAD and presigned URLs (see s3.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/msg.h"
#include "archivist/s3.h"
#include "s3req.h"
#include "creds_int.h"

#define CONNECT_TIMEOUT 10
#define LOW_SPEED_LIMIT 1024
#define LOW_SPEED_TIME 30

/*
 * The endpoint's URL parts, and the addressing the config asks for:
 * virtual-hosted is endpoint_is_virtual's rule for AWS (ADDR_AUTO, not
 * custom): BUCKET.host unless the name has dots or is no DNS label.
 */
static int endpoint_set(struct s3_client *c, const struct s3_config *cfg)
{
	const char *why = "no endpoint";
	int rc = cfg->endpoint ? endpoint_parse_url(cfg->endpoint, &c->ep, &why) : AV_ECONFIG;

	if (rc == AV_ECONFIG) {
		msg_error("bad endpoint URL '%s': %s", cfg->endpoint ? cfg->endpoint : "", why);
		return AV_EINVAL;
	}
	c->ep.addressing = cfg->virtual_hosted ? ADDR_AUTO : ADDR_PATH;
	c->ep.custom = 0;
	return rc;
}

static int creds_copy(struct s3_client *c, const struct s3_config *cfg)
{
	const struct sigv4_creds *src = cfg->creds;
	struct creds cr;
	struct buf why = BUF_INIT;
	int rc;

	if (cfg->creds_cache) {
		c->creds = cfg->creds_cache;
		return 0;
	}
	if (!src) {
		c->anonymous = 1;
		return 0;
	}
	if (!src->access_key || !src->secret_key)
		return AV_EINVAL;
	creds_init(&cr);
	rc = creds_set(&cr, "explicit", src->access_key, src->secret_key,
		       src->session_token, 0, &why);
	buf_release(&why);
	if (rc) {
		creds_release(&cr);
		return rc == AV_ECORRUPT ? AV_EINVAL : rc;
	}
	return credcache_new(&cr, &c->creds);
}

/* Part size and threshold: the configured ones, within S3's limits. */
static void sizes_init(struct s3_client *c, const struct s3_config *cfg)
{
	c->part_size = cfg->part_size ? cfg->part_size : S3_PART_SIZE_DEFAULT;
	if (c->part_size < S3_PART_SIZE_MIN)
		c->part_size = S3_PART_SIZE_MIN;
	if (c->part_size > S3_PART_SIZE_MAX)
		c->part_size = S3_PART_SIZE_MAX;
	c->threshold = cfg->multipart_threshold ? cfg->multipart_threshold : c->part_size;
	c->part_jobs = cfg->part_jobs > 0 ? cfg->part_jobs : S3_PART_JOBS_DEFAULT;
}

int s3_client_new(const struct s3_config *cfg, struct s3_client **out)
{
	struct http_config hc = { cfg->ca_bundle,
		cfg->connect_timeout > 0 ? cfg->connect_timeout : CONNECT_TIMEOUT,
		cfg->low_speed_limit > 0 ? cfg->low_speed_limit : LOW_SPEED_LIMIT,
		cfg->low_speed_time > 0 ? cfg->low_speed_time : LOW_SPEED_TIME };
	struct s3_client *c;
	int rc;

	if (!(c = calloc(1, sizeof(*c)))) {
		credcache_free(cfg->creds_cache);
		return AV_ENOMEM;
	}
	atomic_init(&c->skew, 0);
	if ((rc = creds_copy(c, cfg)) == AV_EINVAL)
		msg_error("credentials need both an access key id and a secret key");
	if (rc || (rc = endpoint_set(c, cfg)))
		goto out;
	if (!cfg->region || !*cfg->region) {
		msg_error("no region to sign requests for");
		rc = AV_EINVAL;
		goto out;
	}
	if (!(c->region = strdup(cfg->region)) ||
	    (rc = http_pool_new(&hc, &c->pool)) != 0) {
		rc = rc ? rc : AV_ENOMEM;
		goto out;
	}
	retry_policy_init(&c->retry, cfg->max_attempts);
	sizes_init(c, cfg);
out:
	if (rc)
		s3_client_free(c);
	else
		*out = c;
	return rc;
}

void s3_client_free(struct s3_client *c)
{
	if (!c)
		return;
	http_pool_free(c->pool);
	endpoint_release(&c->ep);
	free(c->region);
	credcache_free(c->creds);
	free(c);
}

void s3req_b64(const unsigned char sha[32], char out[45])
{
	EVP_EncodeBlock((unsigned char *)out, sha, 32);
}

int s3req_unb64(const char *b64, unsigned char sha[32])
{
	unsigned char tmp[48];
	char back[45];

	if (strlen(b64) != 44 || b64[43] != '=' || b64[42] == '=')
		return AV_EINVAL;
	if (EVP_DecodeBlock(tmp, (const unsigned char *)b64, 44) != 33)
		return AV_EINVAL;
	/* EVP_DecodeBlock also takes '=' (and blanks) in the middle: only
	 * the one canonical spelling of 32 bytes is a sha256. */
	s3req_b64(tmp, back);
	if (strcmp(back, b64) != 0)
		return AV_EINVAL;
	memcpy(sha, tmp, 32);
	return 0;
}

void s3_head_init(struct s3_head *h)
{
	memset(h, 0, sizeof(*h));
}

void s3_head_release(struct s3_head *h)
{
	size_t i;

	free(h->etag);
	free(h->content_type);
	free(h->checksum_sha256);
	free(h->checksum_type);
	for (i = 0; i < h->nmeta; i++) {
		free(h->meta[i].name);
		free(h->meta[i].value);
	}
	free(h->meta);
	s3_head_init(h);
}

const char *s3_head_meta(const struct s3_head *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nmeta; i++)
		if (strcmp(h->meta[i].name, name) == 0)
			return h->meta[i].value;
	return NULL;
}

/*
 * Only a checksum S3 calls FULL_OBJECT is the content's: a multipart
 * object's composite checksum ("...-N", COMPOSITE) is a hash of its parts'
 * hashes, and a server that does not say which it is (moto 5.2 sends no
 * x-amz-checksum-type, and a composite value without "-N") is not
 * trusted with it.
 */
static int checksum_whole(const struct s3_head *h)
{
	if (!h->checksum_sha256 || !*h->checksum_sha256 || strchr(h->checksum_sha256, '-'))
		return 0;
	return h->checksum_type && strcmp(h->checksum_type, "FULL_OBJECT") == 0;
}

enum s3_sha256_from s3_head_sha256_from(const struct s3_head *h, char hex[65])
{
	unsigned char sha[32];
	const char *m;
	int i;

	if ((m = s3_head_meta(h, "sha256")) != NULL && hex_is(m, 64, 1)) {
		for (i = 0; i < 65; i++)
			hex[i] = (char)tolower((unsigned char)m[i]);
		return S3_SHA256_META;
	}
	if (checksum_whole(h) && s3req_unb64(h->checksum_sha256, sha) == 0) {
		hex_encode(sha, 32, hex);
		return S3_SHA256_CHECKSUM;
	}
	return S3_SHA256_NONE;
}

int s3_head_sha256(const struct s3_head *h, char hex[65])
{
	return s3_head_sha256_from(h, hex) != S3_SHA256_NONE;
}

static int dup_header(char **dst, const struct http_response *r, const char *name)
{
	const char *v = http_response_header(r, name);

	free(*dst);
	*dst = strdup(v ? v : "");
	return *dst ? 0 : AV_ENOMEM;
}

static int add_meta(struct s3_head *h, const char *name, const char *value)
{
	struct s3_meta *m = realloc(h->meta, (h->nmeta + 1) * sizeof(*m));

	if (!m)
		return AV_ENOMEM;
	h->meta = m;
	m[h->nmeta].name = strdup(name);
	m[h->nmeta].value = strdup(value);
	if (!m[h->nmeta].name || !m[h->nmeta].value) {
		free(m[h->nmeta].name);
		free(m[h->nmeta].value);
		return AV_ENOMEM;
	}
	h->nmeta++;
	return 0;
}

/* The whole object's size: Content-Range's total, else Content-Length. */
static uint64_t object_size(const struct http_response *r)
{
	const char *v = http_response_header(r, "content-range"), *slash;

	if (v && (slash = strrchr(v, '/')) && slash[1] != '*')
		return strtoull(slash + 1, NULL, 10);
	v = http_response_header(r, "content-length");
	return v ? strtoull(v, NULL, 10) : 0;
}

int s3req_head_from(struct s3_head *h, const struct http_response *r)
{
	const char *lm = http_response_header(r, "last-modified");
	size_t i;
	int rc;

	s3_head_release(h);
	h->exists = 1;
	h->size = object_size(r);
	if (lm && http_parse_date(lm, &h->mtime) != 0)
		h->mtime = 0;
	if ((rc = dup_header(&h->etag, r, "etag")) ||
	    (rc = dup_header(&h->content_type, r, "content-type")) ||
	    (rc = dup_header(&h->checksum_sha256, r, "x-amz-checksum-sha256")) ||
	    (rc = dup_header(&h->checksum_type, r, "x-amz-checksum-type")))
		return rc;
	for (i = 0; i < r->nheaders && !rc; i++)
		if (strncmp(r->headers[i].name, "x-amz-meta-", 11) == 0)
			rc = add_meta(h, r->headers[i].name + 11, r->headers[i].value);
	return rc;
}

int s3_head(struct s3_client *c, const char *bucket, const char *key,
	    struct s3_head *h)
{
	static const struct sigv4_kv hdr[] = { { "x-amz-checksum-mode", "ENABLED" } };
	struct s3_reply rep;
	struct s3_req r;
	int rc;

	s3req_init(&r, "head", "HEAD", bucket, key);
	r.headers = hdr;
	r.nheaders = 1;
	s3_reply_init(&rep);
	rc = s3req_send(c, &r, &rep);
	if (rc == 0) {
		rc = s3req_head_from(h, &rep.http);
	} else if (rc == AV_ENOTFOUND || (rc == AV_EAUTH && !rep.err.code.len)) {
		s3_head_release(h);
		h->absent_status = (int)rep.http.status;
		rc = 0;
	} else {
		s3req_report(c, &r, &rep, rc);
	}
	s3_reply_release(&rep);
	return rc;
}

int s3_presign(struct s3_client *c, const char *bucket, const char *key,
	       long expires, time_t now, struct buf *url)
{
	struct buf q = BUF_INIT;
	struct s3_target t;
	struct sigv4_kv hdr[1];
	struct sigv4_request sr;
	struct sigv4_params sp;
	struct creds_snap *snap = NULL;
	int rc;

	if (c->anonymous || expires < 1 || expires > SIGV4_MAX_EXPIRES)
		return AV_EINVAL;
	if ((rc = credcache_get(c->creds, &snap)))
		return rc;
	s3_target_init(&t);
	if ((rc = endpoint_target(&c->ep, bucket, key, &t)))
		goto out;
	hdr[0] = (struct sigv4_kv){ "host", t.host.ptr };
	sr = (struct sigv4_request){ "GET", t.path.ptr, NULL, 0, hdr, 1,
		SIGV4_UNSIGNED_PAYLOAD };
	sigv4_params_s3(&sp, c->region, now ? now : s3req_now(c));
	if ((rc = sigv4_presign_query(&sr, &sp, &snap->c.sig, expires, &q)))
		goto out;
	rc = buf_addf(url, "%s?%s", t.url.ptr, q.ptr);
out:
	creds_snap_put(snap);
	s3_target_release(&t);
	buf_release(&q);
	return rc;
}
