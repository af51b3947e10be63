/* xml: hardened parsing of S3 replies with libxml2 (see xml.h). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "archivist/error.h"
#include "archivist/hex.h"
#include "xml.h"

/*
 * No XML_PARSE_NOENT (entity substitution), no XML_PARSE_DTDLOAD, no
 * XML_PARSE_HUGE (keeps libxml2's own limits), no network, no messages.
 */
#define PARSE_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
		    XML_PARSE_NOCDATA)

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void)
{
	xmlInitParser();
}

/* A document we will look at, or NULL.  Refuses DTDs before parsing. */
static xmlDoc *doc_read(const char *doc, size_t n, const char *root)
{
	xmlDoc *d;
	xmlNode *r;

	if (n == 0 || n > XML_DOC_MAX || memmem(doc, n, "<!DOCTYPE", 9) ||
	    memmem(doc, n, "<!ENTITY", 8))
		return NULL;
	pthread_once(&xml_once, xml_init_once);
	if (!(d = xmlReadMemory(doc, (int)n, "reply.xml", NULL, PARSE_OPTS)))
		return NULL;
	r = xmlDocGetRootElement(d);
	if (d->intSubset || d->extSubset || !r || strcmp((const char *)r->name, root) != 0) {
		xmlFreeDoc(d);
		return NULL;
	}
	return d;
}

static int is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Replaces out with n's text content. */
static int text(const xmlNode *n, struct buf *out)
{
	xmlChar *s = xmlNodeGetContent(n);
	int rc;

	if (!s)
		return AV_ENOMEM;
	buf_reset(out);
	rc = buf_adds(out, (const char *)s);
	xmlFree(s);
	return rc;
}

static int text_bool(const xmlNode *n, int *out)
{
	struct buf b = BUF_INIT;
	int rc = text(n, &b);

	if (!rc)
		*out = strcmp(b.ptr, "true") == 0;
	buf_release(&b);
	return rc;
}

int xml_url_decode(const char *s, struct buf *out)
{
	int rc = 0, hi, lo;
	char c;

	for (; *s && !rc; s++) {
		if (*s == '+') {
			rc = buf_addc(out, ' ');
		} else if (*s == '%' && (hi = hex_value(s[1])) >= 0 &&
			   (lo = hex_value(s[2])) >= 0) {
			/* Keys are C strings here: "a%00b" would pass for "a". */
			if (!(c = (char)(hi << 4 | lo)))
				return AV_ECORRUPT;
			rc = buf_addc(out, c);
			s += 2;
		} else if (*s == '%') {
			return AV_ECORRUPT;
		} else {
			rc = buf_addc(out, *s);
		}
	}
	return rc;
}

int xml_parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (!(end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return AV_EINVAL;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	if (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0)
		return AV_EINVAL;
	*out = timegm(&tm);
	return 0;
}

void xml_error_init(struct xml_error *e)
{
	buf_init(&e->code, 256);
	buf_init(&e->message, 8192);
	buf_init(&e->request_id, 256);
	buf_init(&e->resource, 8192);
	buf_init(&e->region, 256);
	buf_init(&e->endpoint, 1024);
}

void xml_error_release(struct xml_error *e)
{
	buf_release(&e->code);
	buf_release(&e->message);
	buf_release(&e->request_id);
	buf_release(&e->resource);
	buf_release(&e->region);
	buf_release(&e->endpoint);
}

/* Over-long fields are cut rather than failing the whole report. */
static int error_field(const xmlNode *n, struct buf *out)
{
	struct buf b = BUF_INIT;
	int rc = text(n, &b);

	if (!rc) {
		buf_reset(out);
		rc = buf_add(out, b.ptr, b.len < out->max ? b.len : out->max);
	}
	buf_release(&b);
	return rc;
}

static int error_from(const xmlNode *root, struct xml_error *e)
{
	const xmlNode *c;
	int rc = 0;

	for (c = root->children; c && !rc; c = c->next) {
		if (is(c, "Code"))
			rc = error_field(c, &e->code);
		else if (is(c, "Message"))
			rc = error_field(c, &e->message);
		else if (is(c, "RequestId"))
			rc = error_field(c, &e->request_id);
		else if (is(c, "Resource"))
			rc = error_field(c, &e->resource);
		else if (is(c, "Region"))
			rc = error_field(c, &e->region);
		else if (is(c, "Endpoint"))
			rc = error_field(c, &e->endpoint);
	}
	return rc;
}

int xml_parse_error(const char *doc, size_t n, struct xml_error *e)
{
	xmlDoc *d = doc_read(doc, n, "Error");
	int rc;

	if (!d)
		return AV_ECORRUPT;
	rc = error_from(xmlDocGetRootElement(d), e);
	xmlFreeDoc(d);
	return rc;
}

void xml_list_page_init(struct xml_list_page *p)
{
	p->truncated = 0;
	p->count = 0;
	buf_init(&p->next_token, 64 << 10);
}

void xml_list_page_release(struct xml_list_page *p)
{
	buf_release(&p->next_token);
}

/* Text of n into out, URL-decoded when encoded. */
static int key_text(const xmlNode *n, int encoded, struct buf *raw, struct buf *out)
{
	int rc;

	if ((rc = text(n, encoded ? raw : out)) != 0 || !encoded)
		return rc;
	buf_reset(out);
	return xml_url_decode(raw->ptr, out);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return AV_ECORRUPT;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end || errno ? AV_ECORRUPT : 0;
}

/* One <Contents>: needs Key and Size; date and ETag when present. */
static int list_contents(const xmlNode *c, int encoded, s3_object_fn fn, void *ctx)
{
	struct buf key = BUF_INIT, etag = BUF_INIT, tmp = BUF_INIT;
	struct s3_object o = { NULL, 0, 0, NULL };
	const xmlNode *f;
	int rc = 0, have_key = 0, have_size = 0;

	for (f = c->children; f && !rc; f = f->next) {
		if (is(f, "Key")) {
			rc = key_text(f, encoded, &tmp, &key);
			have_key = 1;
		} else if (is(f, "Size")) {
			if (!(rc = text(f, &tmp)))
				rc = parse_u64(tmp.ptr, &o.size);
			have_size = 1;
		} else if (is(f, "ETag")) {
			rc = text(f, &etag);
		} else if (is(f, "LastModified") && !(rc = text(f, &tmp))) {
			rc = xml_parse_time(tmp.ptr, &o.mtime) ? AV_ECORRUPT : 0;
		}
	}
	if (!rc && (!have_key || !have_size))
		rc = AV_ECORRUPT;
	if (!rc) {
		o.key = key.ptr;
		o.etag = etag.ptr;
		rc = fn(ctx, &o);
	}
	buf_release(&key);
	buf_release(&etag);
	buf_release(&tmp);
	return rc;
}

static int list_prefix(const xmlNode *c, int encoded, s3_prefix_fn fn, void *ctx)
{
	struct buf p = BUF_INIT, tmp = BUF_INIT;
	const xmlNode *f;
	int rc = 0;

	for (f = c->children; f && !rc; f = f->next)
		if (is(f, "Prefix") && !(rc = key_text(f, encoded, &tmp, &p)) && fn)
			rc = fn(ctx, p.ptr);
	buf_release(&p);
	buf_release(&tmp);
	return rc;
}

/* First pass: the page's own fields, wherever they stand. */
static int list_head(const xmlNode *root, struct xml_list_page *page, int *encoded)
{
	struct buf tmp = BUF_INIT;
	const xmlNode *c;
	int rc = 0;

	*encoded = 0;
	for (c = root->children; c && !rc; c = c->next) {
		if (is(c, "IsTruncated"))
			rc = text_bool(c, &page->truncated);
		else if (is(c, "NextContinuationToken"))
			rc = text(c, &page->next_token);
		else if (is(c, "EncodingType") && !(rc = text(c, &tmp)))
			*encoded = strcmp(tmp.ptr, "url") == 0;
	}
	buf_release(&tmp);
	return rc;
}

int xml_parse_list(const char *doc, size_t n, s3_object_fn on_object,
		   s3_prefix_fn on_prefix, void *ctx, struct xml_list_page *page)
{
	xmlDoc *d = doc_read(doc, n, "ListBucketResult");
	const xmlNode *c;
	int rc, encoded;

	if (!d)
		return AV_ECORRUPT;
	page->count = 0;
	buf_reset(&page->next_token);
	rc = list_head(xmlDocGetRootElement(d), page, &encoded);
	for (c = xmlDocGetRootElement(d)->children; c && !rc; c = c->next) {
		if (is(c, "Contents")) {
			rc = list_contents(c, encoded, on_object, ctx);
			page->count++;
		} else if (is(c, "CommonPrefixes")) {
			rc = list_prefix(c, encoded, on_prefix, ctx);
			page->count++;
		}
	}
	xmlFreeDoc(d);
	return rc;
}

/* Appends the text of root's first child element called name. */
static int child_text(const xmlNode *root, const char *name, struct buf *out)
{
	const xmlNode *c;
	struct buf b = BUF_INIT;
	int rc;

	for (c = root->children; c; c = c->next)
		if (is(c, name))
			break;
	if (!c)
		return AV_ECORRUPT;
	if (!(rc = text(c, &b)))
		rc = b.len ? buf_add(out, b.ptr, b.len) : AV_ECORRUPT;
	buf_release(&b);
	return rc;
}

int xml_parse_initiate(const char *doc, size_t n, struct buf *upload_id)
{
	xmlDoc *d = doc_read(doc, n, "InitiateMultipartUploadResult");
	int rc;

	if (!d)
		return AV_ECORRUPT;
	rc = child_text(xmlDocGetRootElement(d), "UploadId", upload_id);
	xmlFreeDoc(d);
	return rc;
}

int xml_parse_complete(const char *doc, size_t n, struct buf *etag,
		       struct xml_error *err)
{
	xmlDoc *d;
	int rc;

	/* Some S3 implementations name the root ...Response, and botocore
	 * accepts that: what matters is telling it from <Error>. */
	if ((d = doc_read(doc, n, "CompleteMultipartUploadResult")) != NULL ||
	    (d = doc_read(doc, n, "CompleteMultipartUploadResponse")) != NULL) {
		rc = child_text(xmlDocGetRootElement(d), "ETag", etag);
	} else if ((d = doc_read(doc, n, "Error")) != NULL) {
		rc = error_from(xmlDocGetRootElement(d), err);
		rc = rc ? rc : AV_ES3;
	} else {
		return AV_ECORRUPT;
	}
	xmlFreeDoc(d);
	return rc;
}

void xml_uploads_page_init(struct xml_uploads_page *p)
{
	p->truncated = 0;
	buf_init(&p->next_key_marker, 64 << 10);
	buf_init(&p->next_upload_id_marker, 64 << 10);
}

void xml_uploads_page_release(struct xml_uploads_page *p)
{
	buf_release(&p->next_key_marker);
	buf_release(&p->next_upload_id_marker);
}

static int upload_entry(const xmlNode *u, int encoded, s3_upload_fn fn, void *ctx)
{
	struct buf key = BUF_INIT, id = BUF_INIT, tmp = BUF_INIT;
	struct s3_upload up = { NULL, NULL, 0 };
	const xmlNode *f;
	int rc = 0;

	for (f = u->children; f && !rc; f = f->next) {
		if (is(f, "Key"))
			rc = key_text(f, encoded, &tmp, &key);
		else if (is(f, "UploadId"))
			rc = text(f, &id);
		else if (is(f, "Initiated") && !(rc = text(f, &tmp)))
			rc = xml_parse_time(tmp.ptr, &up.initiated) ? AV_ECORRUPT : 0;
	}
	if (!rc && (!key.len || !id.len))
		rc = AV_ECORRUPT;
	if (!rc) {
		up.key = key.ptr;
		up.upload_id = id.ptr;
		rc = fn(ctx, &up);
	}
	buf_release(&key);
	buf_release(&id);
	buf_release(&tmp);
	return rc;
}

static int uploads_head(const xmlNode *root, struct xml_uploads_page *p, int *encoded)
{
	struct buf tmp = BUF_INIT;
	const xmlNode *c;
	int rc = 0;

	*encoded = 0;
	for (c = root->children; c && !rc; c = c->next) {
		if (is(c, "IsTruncated"))
			rc = text_bool(c, &p->truncated);
		else if (is(c, "NextUploadIdMarker"))
			rc = text(c, &p->next_upload_id_marker);
		else if (is(c, "EncodingType") && !(rc = text(c, &tmp)))
			*encoded = strcmp(tmp.ptr, "url") == 0;
	}
	/* NextKeyMarker is encoded like the keys: decode after the pass. */
	for (c = root->children; c && !rc; c = c->next)
		if (is(c, "NextKeyMarker"))
			rc = key_text(c, *encoded, &tmp, &p->next_key_marker);
	buf_release(&tmp);
	return rc;
}

int xml_parse_uploads(const char *doc, size_t n, s3_upload_fn fn, void *ctx,
		      struct xml_uploads_page *page)
{
	xmlDoc *d = doc_read(doc, n, "ListMultipartUploadsResult");
	const xmlNode *c;
	int rc, encoded;

	if (!d)
		return AV_ECORRUPT;
	buf_reset(&page->next_key_marker);
	buf_reset(&page->next_upload_id_marker);
	rc = uploads_head(xmlDocGetRootElement(d), page, &encoded);
	for (c = xmlDocGetRootElement(d)->children; c && !rc; c = c->next)
		if (is(c, "Upload"))
			rc = upload_entry(c, encoded, fn, ctx);
	xmlFreeDoc(d);
	return rc;
}

/* ETags carry quotes: escape what XML needs escaped. */
static int add_escaped(struct buf *out, const char *s)
{
	int rc = 0;

	for (; *s && !rc; s++) {
		switch (*s) {
		case '&': rc = buf_adds(out, "&amp;"); break;
		case '<': rc = buf_adds(out, "&lt;"); break;
		case '>': rc = buf_adds(out, "&gt;"); break;
		case '"': rc = buf_adds(out, "&quot;"); break;
		default: rc = buf_addc(out, *s);
		}
	}
	return rc;
}

int xml_build_complete(struct buf *out, const struct xml_part *parts, size_t n)
{
	size_t i;
	int rc;

	rc = buf_adds(out, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
	for (i = 0; i < n && !rc; i++) {
		rc = buf_addf(out, "<Part><PartNumber>%u</PartNumber><ETag>", parts[i].number);
		rc = rc ? rc : add_escaped(out, parts[i].etag);
		rc = rc ? rc : buf_adds(out, "</ETag>");
		if (!rc && parts[i].checksum_sha256)
			rc = buf_addf(out, "<ChecksumSHA256>%s</ChecksumSHA256>",
				      parts[i].checksum_sha256);
		rc = rc ? rc : buf_adds(out, "</Part>");
	}
	return rc ? rc : buf_adds(out, "</CompleteMultipartUpload>");
}

void xml_sts_creds_init(struct xml_sts_creds *c)
{
	buf_init(&c->access_key, 1024);
	buf_init(&c->secret_key, 1024);
	buf_init(&c->session_token, 64 << 10);
	c->expiration = 0;
}

void xml_sts_creds_release(struct xml_sts_creds *c)
{
	buf_release(&c->access_key);
	buf_wipe(&c->secret_key);
	buf_wipe(&c->session_token);
	c->expiration = 0;
}

/* The first child element called name, or NULL. */
static const xmlNode *child(const xmlNode *parent, const char *name)
{
	const xmlNode *c;

	for (c = parent ? parent->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* Like child_text, for a secret: libxml2's copy is wiped too. */
static int secret_text(const xmlNode *parent, const char *name,
		       struct buf *out)
{
	const xmlNode *c = child(parent, name);
	xmlChar *s;
	size_t n;
	int rc;

	if (!c)
		return AV_ECORRUPT;
	if (!(s = xmlNodeGetContent(c)))
		return AV_ENOMEM;
	n = strlen((const char *)s);
	rc = n ? buf_add(out, s, n) : AV_ECORRUPT;
	explicit_bzero(s, n);
	xmlFree(s);
	return rc;
}

int xml_parse_sts(const char *doc, size_t n, const char *action,
		  struct xml_sts_creds *c)
{
	struct buf root = BUF_INIT, result = BUF_INIT, when = BUF_INIT;
	const xmlNode *cr;
	xmlDoc *d = NULL;
	int rc;

	if ((rc = buf_addf(&root, "%sResponse", action)) ||
	    (rc = buf_addf(&result, "%sResult", action)))
		goto out;
	rc = AV_ECORRUPT;
	if (!(d = doc_read(doc, n, root.ptr)))
		goto out;
	cr = child(child(xmlDocGetRootElement(d), result.ptr), "Credentials");
	if (!cr)
		goto out;
	if ((rc = secret_text(cr, "AccessKeyId", &c->access_key)) ||
	    (rc = secret_text(cr, "SecretAccessKey", &c->secret_key)) ||
	    (rc = secret_text(cr, "SessionToken", &c->session_token)) ||
	    (rc = child_text(cr, "Expiration", &when)))
		goto out;
	if (xml_parse_time(when.ptr, &c->expiration))
		rc = AV_ECORRUPT;
out:
	if (d)
		xmlFreeDoc(d);
	buf_release(&root);
	buf_release(&result);
	buf_release(&when);
	return rc;
}

int xml_parse_sts_error(const char *doc, size_t n, struct xml_error *e)
{
	xmlDoc *d = doc_read(doc, n, "ErrorResponse");
	const xmlNode *r, *err;
	int rc = AV_ECORRUPT;

	if (!d)
		return rc;
	r = xmlDocGetRootElement(d);
	if ((err = child(r, "Error"))) {
		rc = error_from(err, e);
		if (!rc && child(r, "RequestId"))
			rc = error_field(child(r, "RequestId"), &e->request_id);
	}
	xmlFreeDoc(d);
	return rc;
}
