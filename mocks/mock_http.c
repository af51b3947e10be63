/* mock_http: requests and replies of the mock (see mock_http.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "archivist/error.h"
#include "archivist/sigv4.h"
#include "archivist/uri.h"
#include "mock_http.h"
#include "mock_xml.h"

static const char *const op_names[OP_COUNT] = {
	[OP_UNKNOWN] = "Unknown",
	[OP_ADMIN] = "Admin",
	[OP_LIST_BUCKETS] = "ListBuckets",
	[OP_CREATE_BUCKET] = "CreateBucket",
	[OP_HEAD_BUCKET] = "HeadBucket",
	[OP_DELETE_BUCKET] = "DeleteBucket",
	[OP_GET_BUCKET_LOCATION] = "GetBucketLocation",
	[OP_LIST_OBJECTS] = "ListObjects",
	[OP_LIST_OBJECTS_V2] = "ListObjectsV2",
	[OP_LIST_UPLOADS] = "ListMultipartUploads",
	[OP_HEAD_OBJECT] = "HeadObject",
	[OP_GET_OBJECT] = "GetObject",
	[OP_PUT_OBJECT] = "PutObject",
	[OP_COPY_OBJECT] = "CopyObject",
	[OP_DELETE_OBJECT] = "DeleteObject",
	[OP_DELETE_OBJECTS] = "DeleteObjects",
	[OP_CREATE_UPLOAD] = "CreateMultipartUpload",
	[OP_UPLOAD_PART] = "UploadPart",
	[OP_COMPLETE_UPLOAD] = "CompleteMultipartUpload",
	[OP_ABORT_UPLOAD] = "AbortMultipartUpload",
	[OP_LIST_PARTS] = "ListParts",
	[OP_NOT_IMPLEMENTED] = "NotImplemented",
};

const char *op_name(enum mock_op op)
{
	return op >= 0 && op < OP_COUNT && op_names[op] ? op_names[op] :
							  "Unknown";
}

/* %XX-decodes n bytes of s into a new string ('+' stays '+').  NULL on a
 * bad escape, an encoded NUL or no memory. */
static char *pct_decode(const char *s, size_t n)
{
	struct buf b = BUF_INIT;

	if (uri_decode(&b, s, n)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static int parse_query(struct mock_req *r, const char *q)
{
	const char *amp, *eq;
	struct mock_kv *kv;
	size_t n, i;

	for (n = 1, i = 0; q[i]; i++)
		n += q[i] == '&';
	if (!(r->query = calloc(n, sizeof(*r->query))))
		return AV_ENOMEM;
	for (; *q; q = amp + (*amp != '\0')) {
		amp = q + strcspn(q, "&");
		if (amp == q)
			continue;
		eq = memchr(q, '=', (size_t)(amp - q));
		kv = &r->query[r->nquery++];
		kv->name = pct_decode(q, (size_t)((eq ? eq : amp) - q));
		kv->value = eq ? pct_decode(eq + 1, (size_t)(amp - eq - 1)) :
				 strdup("");
		if (!kv->name || !kv->value)
			return AV_EINVAL;
	}
	return 0;
}

/* "/bucket/key..." -> bucket, key (NULL when empty). */
static int split_path(struct mock_req *r)
{
	const char *p = r->path + 1, *slash = strchr(p, '/');
	size_t blen = slash ? (size_t)(slash - p) : strlen(p);

	if (!(r->bucket = strndup(p, blen)))
		return AV_ENOMEM;
	if (slash && slash[1] && !(r->key = strdup(slash + 1)))
		return AV_ENOMEM;
	return 0;
}

int req_parse_target(struct mock_req *r)
{
	const char *q = strchr(r->uri, '?');
	size_t plen = q ? (size_t)(q - r->uri) : strlen(r->uri);
	int rc;

	if (r->uri[0] != '/')
		return AV_EINVAL;
	if (!(r->path = pct_decode(r->uri, plen)))
		return AV_EINVAL;
	if (q && (rc = parse_query(r, q + 1)))
		return rc;
	return split_path(r);
}

const char *req_query(const struct mock_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, name) == 0)
			return r->query[i].value;
	return NULL;
}

const char *req_header(const struct mock_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void req_release(struct mock_req *r)
{
	size_t i;

	for (i = 0; i < r->nquery; i++) {
		free(r->query[i].name);
		free(r->query[i].value);
	}
	free(r->query);
	free(r->uri);
	free(r->path);
	free(r->bucket);
	free(r->key);
	buf_release(&r->body_path);
	buf_release(&r->body_mem);
	digest_release(&r->dig);
}

void reply_init(struct mock_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->status = 200;
	out->fd = -1;
	buf_init(&out->body, 0);
}

void reply_release(struct mock_reply *out)
{
	size_t i;

	for (i = 0; i < out->nheaders; i++) {
		free(out->headers[i].name);
		free(out->headers[i].value);
	}
	free(out->headers);
	buf_release(&out->body);
	if (out->fd >= 0)
		close(out->fd);
	if (out->gen_free)
		out->gen_free(out->gen_cls);
	reply_init(out);
}

int reply_header(struct mock_reply *out, const char *name, const char *value)
{
	struct mock_kv *h;

	h = realloc(out->headers, (out->nheaders + 1) * sizeof(*h));
	if (!h)
		return AV_ENOMEM;
	out->headers = h;
	h += out->nheaders;
	h->name = strdup(name);
	h->value = strdup(value);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		return AV_ENOMEM;
	}
	out->nheaders++;
	return 0;
}

int reply_headerf(struct mock_reply *out, const char *name,
		  const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (!rc)
		rc = reply_header(out, name, b.ptr);
	buf_release(&b);
	return rc;
}

void reply_error(const struct mock_req *r, struct mock_reply *out,
		 unsigned status, const char *code, const char *message)
{
	reply_release(out);
	out->status = status;
	out->error_code = code;
	if (xml_error_doc(&out->body, code, message,
			  r->path ? r->path : r->uri, r->id))
		buf_release(&out->body);
	reply_header(out, "Content-Type", "application/xml");
}

void reply_xml(struct mock_reply *out, struct buf *doc)
{
	buf_release(&out->body);
	out->body = *doc;
	buf_init(doc, doc->max);
	out->status = 200;
	reply_header(out, "Content-Type", "application/xml");
}

void reply_av_error(const struct mock_req *r, struct mock_reply *out,
		    int rc, const char *what)
{
	switch (rc) {
	case AV_ENOTFOUND:
		reply_error(r, out, 404, "NoSuchKey",
			    "The specified key does not exist.");
		break;
	case AV_EEXIST:
		reply_error(r, out, 412, "PreconditionFailed",
			    "At least one of the pre-conditions you "
			    "specified did not hold");
		break;
	case AV_EINVAL:
		reply_error(r, out, 400, "InvalidArgument", what);
		break;
	default:
		reply_error(r, out, 500, "InternalError", what);
	}
}
