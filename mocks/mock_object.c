/* mock_object: GetObject, HeadObject, PutObject, CopyObject, DeleteObject
 * (see mock_ops.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/sigv4.h"
#include "archivist/uri.h"
#include "mock_ops.h"
#include "mock_server.h"
#include "mock_store.h"
#include "mock_xml.h"

/* Content headers stored with an object and sent back on GET/HEAD. */
static const char *const content_headers[] = {
	"Cache-Control", "Content-Disposition", "Content-Encoding",
	"Content-Language", "Expires", NULL
};

/* --etag-sha256, and no Content-MD5 to check. */
static int etag_from_sha256(const struct mock_req *r)
{
	return r->srv->cfg->etag_sha256 && !req_header(r, "Content-MD5");
}

unsigned object_digests(const struct mock_req *r)
{
	const struct checksum_algo *a;
	unsigned d = etag_from_sha256(r) ? DG_SHA256 : DG_MD5;

	for (a = checksum_algos; a->name; a++)
		if (req_header(r, a->header))
			d |= a->bit;
	return d;
}

void object_etag_hex(const struct mock_req *r, char out[33])
{
	const unsigned char *h = etag_from_sha256(r) ? r->body_sum.sha256 :
			       r->body_sum.md5;
	int i;

	for (i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

static int bad_digest(const struct mock_req *r, struct mock_reply *out,
		      const char *code, const char *message)
{
	reply_error(r, out, 400, code, message);
	return 1;
}

static int check_content_md5(const struct mock_req *r, struct mock_reply *out)
{
	const char *h = req_header(r, "Content-MD5");
	unsigned char md5[16];

	if (!h)
		return 0;
	if (digest_unb64(h, md5, sizeof(md5)) != 16)
		return bad_digest(r, out, "InvalidDigest",
				  "The Content-MD5 you specified was invalid.");
	if (memcmp(md5, r->body_sum.md5, 16) != 0)
		return bad_digest(r, out, "BadDigest",
				  "The Content-MD5 you specified did not "
				  "match what we received.");
	return 0;
}

int object_checksums(struct mock_req *r, struct mock_reply *out, json_t *meta)
{
	const struct checksum_algo *a, *given = NULL;
	unsigned char raw[32];
	struct buf b64 = BUF_INIT;
	const char *h;
	int bad = 0;

	for (a = checksum_algos; a->name && !bad; a++) {
		if (!(h = req_header(r, a->header)))
			continue;
		if (given)
			bad = bad_digest(r, out, "InvalidRequest",
					 "Expecting a single x-amz-checksum- "
					 "header.");
		else if (digest_unb64(h, raw, sizeof(raw)) != (long)a->raw_len)
			bad = bad_digest(r, out, "InvalidRequest",
					 "Value for x-amz-checksum header is "
					 "invalid.");
		else if (memcmp(raw, checksum_raw(&r->body_sum, a), a->raw_len))
			bad = bad_digest(r, out, "BadDigest",
					 "The checksum you specified did not "
					 "match the calculated checksum.");
		given = a;
	}
	if (!bad)
		bad = check_content_md5(r, out);
	if (!bad && given &&
	    !digest_b64(&b64, checksum_raw(&r->body_sum, given), given->raw_len))
		json_object_set_new(meta, "checksums",
				    json_pack("{s:s}", given->name, b64.ptr));
	if (!bad && given)
		json_object_set_new(meta, "checksum_type",
				    json_string("FULL_OBJECT"));
	buf_release(&b64);
	return bad;
}

static enum MHD_Result add_user_meta(void *cls, enum MHD_ValueKind kind,
				     const char *name, const char *value)
{
	json_t *user = cls;
	char *lower;
	size_t i;

	(void)kind;
	if (strncasecmp(name, "x-amz-meta-", 11) != 0 || !value)
		return MHD_YES;
	if (!(lower = strdup(name)))
		return MHD_NO;
	for (i = 0; lower[i]; i++)
		lower[i] = (char)(lower[i] >= 'A' && lower[i] <= 'Z' ?
					  lower[i] + 32 : lower[i]);
	json_object_set_new(user, lower, json_string(value));
	free(lower);
	return MHD_YES;
}

int object_request_meta(const struct mock_req *r, json_t *meta)
{
	json_t *user = json_object(), *hdrs = json_object();
	const char *ct = req_header(r, "Content-Type"), *v;
	size_t i;
	int bad;

	if (!user || !hdrs) {
		json_decref(user);
		json_decref(hdrs);
		return AV_ENOMEM;
	}
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, add_user_meta,
				  user);
	for (i = 0; content_headers[i]; i++)
		if ((v = req_header(r, content_headers[i])))
			json_object_set_new(hdrs, content_headers[i],
					    json_string(v));
	bad = json_object_set_new(meta, "meta", user);
	bad |= json_object_set_new(meta, "headers", hdrs);
	bad |= json_object_set_new(meta, "content_type",
				   json_string(ct ? ct : "binary/octet-stream"));
	return bad ? AV_ENOMEM : 0;
}

int object_commit_error(const struct mock_req *r, struct mock_reply *out,
			int rc)
{
	if (!rc)
		return 0;
	if (rc == AV_ENOTFOUND)
		reply_error(r, out, 404, "NoSuchKey",
			    "The specified key does not exist.");
	else
		reply_av_error(r, out, rc, "The object could not be stored.");
	return 1;
}

/* ---- reading ---- */

static const char *meta_str(json_t *meta, const char *name)
{
	const char *s = json_string_value(json_object_get(meta, name));

	return s ? s : "";
}

static void checksum_headers(const struct mock_req *r,
			     struct mock_reply *out, json_t *meta, int always)
{
	const char *mode = always ? NULL : req_header(r, "x-amz-checksum-mode");
	json_t *sums = json_object_get(meta, "checksums"), *v;
	const struct checksum_algo *a;
	const char *name;

	if (!always && (!mode || strcasecmp(mode, "ENABLED") != 0))
		return;
	json_object_foreach(sums, name, v) {
		if ((a = checksum_by_name(name)) && json_is_string(v))
			reply_header(out, a->header, json_string_value(v));
	}
	if (json_object_size(sums))
		reply_header(out, "x-amz-checksum-type",
			     meta_str(meta, "checksum_type"));
}

static void object_headers(const struct mock_req *r, struct mock_reply *out,
			   const struct store_obj *o)
{
	json_t *v;
	const char *name;
	char date[40];

	xml_time_http(date, o->st.st_mtime);
	reply_headerf(out, "ETag", "\"%s\"", meta_str(o->meta, "etag"));
	reply_header(out, "Last-Modified", date);
	reply_header(out, "Content-Type", meta_str(o->meta, "content_type"));
	reply_header(out, "Accept-Ranges", "bytes");
	json_object_foreach(json_object_get(o->meta, "meta"), name, v)
		reply_header(out, name, json_string_value(v));
	json_object_foreach(json_object_get(o->meta, "headers"), name, v)
		reply_header(out, name, json_string_value(v));
	if (json_integer_value(json_object_get(o->meta, "parts")) > 0)
		reply_headerf(out, "x-amz-mp-parts-count", "%lld",
			      (long long)json_integer_value(
				      json_object_get(o->meta, "parts")));
	(void)r;
}

/* Parses "bytes=a-b", "bytes=a-", "bytes=-n".  1 with [*first, *last],
 * 0 to ignore the header (malformed or several ranges, as S3 does), -1
 * if unsatisfiable. */
static int parse_range(const char *h, uint64_t size, uint64_t *first,
		       uint64_t *last)
{
	unsigned long long a, b;
	int n = 0;

	if (!h || strncmp(h, "bytes=", 6) || strchr(h, ','))
		return 0;
	h += 6;
	if (sscanf(h, "-%llu%n", &b, &n) == 1 && !h[n]) {
		if (b == 0 || size == 0)
			return -1;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 1;
	}
	if (sscanf(h, "%llu-%n", &a, &n) == 1 && !h[n])
		b = size ? size - 1 : 0;
	else if (sscanf(h, "%llu-%llu%n", &a, &b, &n) != 2 || h[n] || b < a)
		return 0;
	if (a >= size)
		return -1;
	*first = a;
	*last = b >= size ? size - 1 : b;
	return 1;
}

static int etag_matches(const char *etag, const char *h)
{
	size_t n = strlen(h);

	if (!strcmp(h, "*"))
		return 1;
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"')
		return strlen(etag) == n - 2 && !strncmp(etag, h + 1, n - 2);
	return !strcmp(etag, h);
}

/* If-Match and If-None-Match on GET/HEAD. */
static int read_conditions(const struct mock_req *r, struct mock_reply *out,
			   const struct store_obj *o)
{
	const char *etag = meta_str(o->meta, "etag");
	const char *im = req_header(r, "If-Match");
	const char *inm = req_header(r, "If-None-Match");

	if (im && !etag_matches(etag, im)) {
		reply_av_error(r, out, AV_EEXIST, "");
		return 1;
	}
	if (inm && etag_matches(etag, inm)) {
		reply_release(out);
		out->status = 304;
		return 1;
	}
	return 0;
}

static void ranged(const struct mock_req *r, struct mock_reply *out,
		   struct store_obj *o)
{
	uint64_t size = (uint64_t)o->st.st_size, first = 0, last = 0;
	int rng = parse_range(req_header(r, "Range"), size, &first, &last);

	if (rng < 0) {
		reply_error(r, out, 416, "InvalidRange",
			    "The requested range is not satisfiable");
		reply_headerf(out, "Content-Range", "bytes */%llu",
			      (unsigned long long)size);
		return;
	}
	object_headers(r, out, o);
	if (!rng)	/* a part of the object has no checksum of its own */
		checksum_headers(r, out, o->meta, 0);
	out->fd = o->fd;
	o->fd = -1;
	out->off = 0;
	out->len = size;
	if (rng) {
		out->status = 206;
		out->off = first;
		out->len = last - first + 1;
		reply_headerf(out, "Content-Range", "bytes %llu-%llu/%llu",
			      (unsigned long long)first,
			      (unsigned long long)last,
			      (unsigned long long)size);
	}
}

void op_get_object(struct mock_req *r, struct mock_reply *out)
{
	struct store_obj o;
	int rc;

	rc = store_obj_open(r->srv->store, r->bucket, r->key, &o);
	if (rc) {
		reply_av_error(r, out, rc, "The object could not be read.");
		return;
	}
	if (!read_conditions(r, out, &o))
		ranged(r, out, &o);
	store_obj_release(&o);
}

/* ---- writing ---- */

int object_write_conditions(const struct mock_req *r, struct mock_reply *out,
			    struct store_cond *c)
{
	const char *inm = req_header(r, "If-None-Match");

	memset(c, 0, sizeof(*c));
	c->if_match = req_header(r, "If-Match");
	if (!inm)
		return 0;
	if (strcmp(inm, "*") != 0) {
		reply_error(r, out, 501, "NotImplemented",
			    "A header you provided implies functionality "
			    "that is not implemented (If-None-Match other "
			    "than '*').");
		return 1;
	}
	c->if_none_match = 1;
	return 0;
}

void object_write_reply(struct mock_reply *out, json_t *meta)
{
	reply_headerf(out, "ETag", "\"%s\"", meta_str(meta, "etag"));
	checksum_headers(NULL, out, meta, 1);
}

void op_put_object(struct mock_req *r, struct mock_reply *out)
{
	json_t *meta = json_object();
	struct store_cond cond;
	char md5[33];
	int rc;

	if (!meta) {
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
		return;
	}
	if (object_write_conditions(r, out, &cond) || object_checksums(r, out, meta))
		goto out;
	object_etag_hex(r, md5);
	if ((rc = object_request_meta(r, meta)) ||
	    json_object_set_new(meta, "etag", json_string(md5))) {
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
		goto out;
	}
	rc = store_obj_commit(r->srv->store, r->bucket, r->key,
			      r->body_path.ptr, meta, &cond);
	if (object_commit_error(r, out, rc))
		goto out;
	buf_reset(&r->body_path);	/* renamed into place */
	object_write_reply(out, meta);
out:
	json_decref(meta);
}

void op_delete_object(struct mock_req *r, struct mock_reply *out)
{
	int rc = store_obj_delete(r->srv->store, r->bucket, r->key);

	if (rc)
		reply_av_error(r, out, rc, "The object could not be deleted.");
	else
		out->status = 204;
}

/* x-amz-copy-source: "[/]bucket/key" URL-encoded, "?versionId=" ignored. */
static int copy_source(const char *h, char **bucket, char **key)
{
	struct buf b = BUF_INIT;
	char *slash;
	size_t n;

	*bucket = *key = NULL;
	if (*h == '/')
		h++;
	n = strcspn(h, "?");
	if (uri_decode(&b, h, n) || !(slash = strchr(b.ptr, '/')) ||
	    slash == b.ptr || !slash[1]) {
		buf_release(&b);
		return AV_EINVAL;
	}
	*slash = '\0';
	*bucket = strdup(b.ptr);
	*key = strdup(slash + 1);
	buf_release(&b);
	return *bucket && *key ? 0 : AV_ENOMEM;
}

/* Copies the open source into a new temporary file. */
static int copy_data(struct mock_req *r, const struct store_obj *src)
{
	int fd = -1, rc;

	if ((rc = store_tmp_file(r->srv->store, &r->body_path, &fd)))
		return rc;
	rc = store_copy(src->fd, fd, NULL);
	if (close(fd) && !rc)
		rc = AV_EIO;
	if (rc)
		msg_error("cannot copy to '%s': %s", r->body_path.ptr,
			  strerror(errno));
	return rc;
}

static json_t *copy_meta(struct mock_req *r, json_t *src)
{
	const char *d = req_header(r, "x-amz-metadata-directive");
	json_t *meta;

	if (d && !strcasecmp(d, "REPLACE")) {
		meta = json_pack("{s:O*, s:O*, s:O*}", "etag",
				 json_object_get(src, "etag"), "checksums",
				 json_object_get(src, "checksums"),
				 "checksum_type",
				 json_object_get(src, "checksum_type"));
		if (meta && object_request_meta(r, meta)) {
			json_decref(meta);
			meta = NULL;
		}
		return meta;
	}
	return json_deep_copy(src);
}

static void copy_result(struct mock_reply *out, json_t *meta)
{
	struct buf doc = BUF_INIT;
	char when[32];

	xml_time_iso(when, time(NULL));
	if (xml_begin(&doc, "CopyObjectResult") ||
	    buf_addf(&doc, "<ETag>&quot;%s&quot;</ETag>",
		     meta_str(meta, "etag")) ||
	    xml_elem(&doc, "LastModified", when) ||
	    buf_adds(&doc, "</CopyObjectResult>\n")) {
		buf_release(&doc);
		out->status = 500;
		return;
	}
	reply_xml(out, &doc);
}

void op_copy_object(struct mock_req *r, struct mock_reply *out)
{
	struct store_obj src = { -1, { 0 }, NULL };
	struct store_cond cond;
	char *bucket = NULL, *key = NULL;
	json_t *meta = NULL;
	int rc;

	if (object_write_conditions(r, out, &cond))
		return;
	if ((rc = copy_source(req_header(r, "x-amz-copy-source"), &bucket,
			      &key))) {
		reply_error(r, out, 400, "InvalidArgument",
			    "Copy Source must mention the source bucket and "
			    "key: sourcebucket/sourcekey");
		goto out;
	}
	if ((rc = store_obj_open(r->srv->store, bucket, key, &src)) ||
	    (rc = copy_data(r, &src)) || !(meta = copy_meta(r, src.meta)) ||
	    (rc = store_obj_commit(r->srv->store, r->bucket, r->key,
				   r->body_path.ptr, meta, &cond))) {
		object_commit_error(r, out, rc ? rc : AV_ENOMEM);
		goto out;
	}
	buf_reset(&r->body_path);
	copy_result(out, meta);
out:
	store_obj_release(&src);
	json_decref(meta);
	free(bucket);
	free(key);
}
