/* mock_bucket: bucket operations and object listings (see mock_ops.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "archivist/error.h"
#include "mock_listcache.h"
#include "mock_ops.h"
#include "mock_server.h"
#include "mock_store.h"
#include "mock_xml.h"

#define MAX_KEYS 1000
#define LONG_KEY_LEN 2000

/* What a listing asked for. */
struct list_query {
	int v2;
	const char *prefix, *delimiter, *after, *token;
	int url;		/* encoding-type=url */
	long max;
	char *resume;		/* decoded token: 'K' or 'P' + key/prefix */
};

/* One entry of a page: a key or a common prefix. */
struct list_page {
	struct strv keys, prefixes;
	int truncated;
	char *next;		/* last entry, 'K'/'P' + value, if truncated */
};

static int valid_bucket_name(const char *b)
{
	size_t n = strlen(b), i;

	if (n < 3 || n > 63 || b[0] == '.' || b[0] == '-' ||
	    b[n - 1] == '.' || b[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') ||
		      (b[i] >= '0' && b[i] <= '9') || b[i] == '.' ||
		      b[i] == '-'))
			return 0;
	return strstr(b, "..") == NULL;
}

void op_create_bucket(struct mock_req *r, struct mock_reply *out)
{
	int rc;

	if (!valid_bucket_name(r->bucket)) {
		reply_error(r, out, 400, "InvalidBucketName",
			    "The specified bucket is not valid.");
		return;
	}
	rc = store_bucket_create(r->srv->store, r->bucket);
	if (rc == AV_EEXIST)
		reply_error(r, out, 409, "BucketAlreadyOwnedByYou",
			    "Your previous request to create the named "
			    "bucket succeeded and you already own it.");
	else if (rc)
		reply_av_error(r, out, rc, "The bucket could not be created.");
	else
		reply_headerf(out, "Location", "/%s", r->bucket);
}

void op_head_bucket(struct mock_req *r, struct mock_reply *out)
{
	const char *region = r->srv->cfg->region;

	reply_header(out, "x-amz-bucket-region", region ? region : "us-east-1");
}

void op_delete_bucket(struct mock_req *r, struct mock_reply *out)
{
	int rc = store_bucket_delete(r->srv->store, r->bucket);

	if (rc == AV_ECONFLICT)
		reply_error(r, out, 409, "BucketNotEmpty",
			    "The bucket you tried to delete is not empty");
	else if (rc == AV_ENOTFOUND)
		reply_error(r, out, 404, "NoSuchBucket",
			    "The specified bucket does not exist");
	else if (rc)
		reply_av_error(r, out, rc, "The bucket could not be deleted.");
	else
		out->status = 204;
}

void op_bucket_location(struct mock_req *r, struct mock_reply *out)
{
	struct buf doc = BUF_INIT;

	(void)r;
	if (buf_adds(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<LocationConstraint xmlns=\"" XML_S3_NS "\"/>\n") == 0)
		reply_xml(out, &doc);
	buf_release(&doc);
}

void op_list_buckets(struct mock_req *r, struct mock_reply *out)
{
	struct strv names = STRV_INIT;
	struct buf doc = BUF_INIT;
	char when[32];
	time_t created = 0;
	size_t i;
	int rc;

	rc = store_bucket_names(r->srv->store, &names);
	if (!rc)
		rc = xml_begin(&doc, "ListAllMyBucketsResult") ||
		     buf_adds(&doc, "<Owner><ID>minio</ID><DisplayName>minio"
			      "</DisplayName></Owner><Buckets>");
	for (i = 0; !rc && i < names.n; i++) {
		store_bucket_exists(r->srv->store, names.v[i], &created);
		xml_time_iso(when, created);
		rc = buf_adds(&doc, "<Bucket>") ||
		     xml_elem(&doc, "Name", names.v[i]) ||
		     xml_elem(&doc, "CreationDate", when) ||
		     buf_adds(&doc, "</Bucket>");
	}
	if (!rc)
		rc = buf_adds(&doc, "</Buckets></ListAllMyBucketsResult>\n");
	if (rc)
		reply_av_error(r, out, AV_EIO, "The buckets could not be listed.");
	else
		reply_xml(out, &doc);
	buf_release(&doc);
	strv_release(&names);
}

/* ---- ListObjects / ListObjectsV2 ---- */

static char *token_decode(const char *t)
{
	size_t n = strlen(t), i;
	char *out;
	unsigned v;

	if (n < 2 || n % 2 || !(out = malloc(n / 2 + 1)))
		return NULL;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(t + 2 * i, "%2x", &v) != 1 || v == 0) {
			free(out);
			return NULL;
		}
		out[i] = (char)v;
	}
	out[n / 2] = '\0';
	if (out[0] != 'K' && out[0] != 'P') {
		free(out);
		return NULL;
	}
	return out;
}

static int parse_list_query(struct mock_req *r, struct list_query *q)
{
	const char *mk = req_query(r, "max-keys"), *enc;
	char *end;

	memset(q, 0, sizeof(*q));
	q->v2 = r->op == OP_LIST_OBJECTS_V2;
	q->prefix = req_query(r, "prefix") ? req_query(r, "prefix") : "";
	q->delimiter = req_query(r, "delimiter");
	if (q->delimiter && !q->delimiter[0])
		q->delimiter = NULL;
	q->after = req_query(r, q->v2 ? "start-after" : "marker");
	q->token = q->v2 ? req_query(r, "continuation-token") : NULL;
	enc = req_query(r, "encoding-type");
	q->url = enc && !strcmp(enc, "url");
	q->max = MAX_KEYS;
	if (mk) {
		errno = 0;
		q->max = strtol(mk, &end, 10);
		if (errno || *end || !*mk || q->max < 0)
			return AV_EINVAL;
		if (q->max > MAX_KEYS)
			q->max = MAX_KEYS;
	}
	if (q->token && !(q->resume = token_decode(q->token)))
		return AV_EINVAL;
	return 0;
}

/* Is key at or before the point the listing resumes from? */
static int before_start(const struct list_query *q, const char *key)
{
	const char *r = q->resume;

	if (r && r[0] == 'P' && !strncmp(key, r + 1, strlen(r + 1)))
		return 1;
	if (r)
		return strcmp(key, r + 1) <= 0;
	return q->after && strcmp(key, q->after) <= 0;
}

/* The common prefix of key under the delimiter (malloc'd), or NULL. */
static char *common_prefix(const struct list_query *q, const char *key)
{
	const char *d;

	if (!q->delimiter)
		return NULL;
	d = strstr(key + strlen(q->prefix), q->delimiter);
	return d ? strndup(key, (size_t)(d - key) + strlen(q->delimiter)) :
		   NULL;
}

static int page_next(struct list_page *p, char kind, const char *v)
{
	free(p->next);
	if (!(p->next = malloc(strlen(v) + 2)))
		return AV_ENOMEM;
	p->next[0] = kind;
	strcpy(p->next + 1, v);
	return 0;
}

static int build_page(const struct list_query *q, const struct strv *keys,
		      struct list_page *p)
{
	const char *last_cp = NULL;
	size_t i, n = 0;
	char *cp;
	int rc = 0;

	if (q->max == 0)	/* nothing asked, nothing to continue */
		return 0;
	for (i = 0; i < keys->n && !rc; i++) {
		if (before_start(q, keys->v[i]))
			continue;
		cp = common_prefix(q, keys->v[i]);
		if (cp && last_cp && !strcmp(cp, last_cp)) {
			free(cp);
			continue;
		}
		if ((long)n == q->max) {
			p->truncated = 1;
			free(cp);
			break;
		}
		n++;
		if (cp) {
			rc = strv_push(&p->prefixes, cp) ||
			     page_next(p, 'P', cp);
			last_cp = p->prefixes.v[p->prefixes.n - 1];
			free(cp);
		} else {
			rc = strv_push(&p->keys, keys->v[i]) ||
			     page_next(p, 'K', keys->v[i]);
		}
	}
	return rc ? AV_ENOMEM : 0;
}

static void page_release(struct list_page *p)
{
	strv_release(&p->keys);
	strv_release(&p->prefixes);
	free(p->next);
}

static int add_value(struct buf *doc, const struct list_query *q,
		     const char *name, const char *v)
{
	int rc;

	if (!q->url)
		return xml_elem(doc, name, v);
	if ((rc = buf_addf(doc, "<%s>", name)) || (rc = xml_url_encode(doc, v)))
		return rc;
	return buf_addf(doc, "</%s>", name);
}

static int add_contents(struct buf *doc, const struct list_query *q,
			const char *key, json_t *meta, time_t mtime)
{
	char when[32];

	xml_time_iso(when, mtime);
	return buf_adds(doc, "<Contents>") || add_value(doc, q, "Key", key) ||
	       xml_elem(doc, "LastModified", when) ||
	       buf_addf(doc, "<ETag>&quot;%s&quot;</ETag>",
			json_string_value(json_object_get(meta, "etag"))) ||
	       xml_elem_u64(doc, "Size", (unsigned long long)json_integer_value(
						 json_object_get(meta, "size"))) ||
	       buf_adds(doc, "<StorageClass>STANDARD</StorageClass></Contents>");
}

static int list_head(struct buf *doc, const struct mock_req *r,
		     const struct list_query *q, const struct list_page *p,
		     size_t count)
{
	struct buf tok = BUF_INIT;
	int rc;

	rc = xml_begin(doc, "ListBucketResult") ||
	     xml_elem(doc, "Name", r->bucket) ||
	     add_value(doc, q, "Prefix", q->prefix) ||
	     (q->delimiter && add_value(doc, q, "Delimiter", q->delimiter)) ||
	     xml_elem_u64(doc, "MaxKeys", (unsigned long long)q->max) ||
	     (q->url && xml_elem(doc, "EncodingType", "url"));
	if (!rc && q->v2)
		rc = xml_elem_u64(doc, "KeyCount", count) ||
		     (q->token && xml_elem(doc, "ContinuationToken", q->token)) ||
		     (q->after && add_value(doc, q, "StartAfter", q->after));
	if (!rc && !q->v2)
		rc = add_value(doc, q, "Marker", q->after ? q->after : "");
	if (!rc)
		rc = xml_elem(doc, "IsTruncated", p->truncated ? "true" : "false");
	if (!rc && p->truncated && q->v2)
		rc = buf_addhex(&tok, (const unsigned char *)p->next,
				strlen(p->next)) ||
		     xml_elem(doc, "NextContinuationToken", tok.ptr);
	if (!rc && p->truncated && !q->v2)
		rc = add_value(doc, q, "NextMarker", p->next + 1);
	buf_release(&tok);
	return rc ? AV_ENOMEM : 0;
}

/* The extra entry of the "list longkey" fault. */
static int add_long_key(struct buf *doc, const struct list_query *q)
{
	char *key = malloc(LONG_KEY_LEN + 1);
	json_t *meta;
	int rc;

	if (!key)
		return AV_ENOMEM;
	memset(key, 'k', LONG_KEY_LEN);
	memcpy(key, "long/", 5);
	key[LONG_KEY_LEN] = '\0';
	meta = json_pack("{s:s, s:i}", "etag",
			 "d41d8cd98f00b204e9800998ecf8427e", "size", 0);
	rc = meta ? add_contents(doc, q, key, meta, time(NULL)) : AV_ENOMEM;
	json_decref(meta);
	free(key);
	return rc ? AV_ENOMEM : 0;
}

static int list_body(struct mock_req *r, const struct list_query *q,
		     const struct list_page *p, struct buf *doc)
{
	int longkey = r->fault.kind == FAULT_LIST &&
		      r->fault.variant == FAULT_LIST_LONGKEY;
	struct store_obj o;
	size_t i;
	int rc;

	rc = list_head(doc, r, q, p, p->keys.n + p->prefixes.n + !!longkey);
	if (!rc && longkey)
		rc = add_long_key(doc, q);
	for (i = 0; !rc && i < p->keys.n; i++) {
		rc = store_obj_open(r->srv->store, r->bucket, p->keys.v[i], &o);
		if (rc == AV_ENOTFOUND) {	/* deleted meanwhile */
			rc = 0;
			continue;
		}
		if (!rc)
			rc = add_contents(doc, q, p->keys.v[i], o.meta,
					  o.st.st_mtime) ? AV_ENOMEM : 0;
		store_obj_release(&o);
	}
	for (i = 0; !rc && i < p->prefixes.n; i++)
		rc = buf_adds(doc, "<CommonPrefixes>") ||
		     add_value(doc, q, "Prefix", p->prefixes.v[i]) ||
		     buf_adds(doc, "</CommonPrefixes>") ? AV_ENOMEM : 0;
	if (!rc)
		rc = buf_adds(doc, "</ListBucketResult>\n");
	return rc;
}

/* ---- the "list" faults: replies a careful client must refuse ---- */

struct huge_gen {
	struct buf head;
	const char *unit;
	size_t unit_len;
	uint64_t units;
	const char *tail;
};

static ssize_t huge_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct huge_gen *g = cls;
	uint64_t body = g->units * g->unit_len, off;
	size_t done = 0, n;
	const char *src;

	while (done < max) {
		if (pos < g->head.len) {
			src = g->head.ptr + pos;
			n = g->head.len - (size_t)pos;
		} else if ((off = pos - g->head.len) < body) {
			src = g->unit + off % g->unit_len;
			n = g->unit_len - (size_t)(off % g->unit_len);
		} else if ((off = pos - g->head.len - body) < strlen(g->tail)) {
			src = g->tail + off;
			n = strlen(g->tail) - (size_t)off;
		} else {
			break;
		}
		n = n < max - done ? n : max - done;
		memcpy(out + done, src, n);
		done += n;
		pos += n;
	}
	return done ? (ssize_t)done : -1;
}

static void huge_free(void *cls)
{
	struct huge_gen *g = cls;

	buf_release(&g->head);
	free(g);
}

static void huge_reply(struct mock_req *r, struct mock_reply *out)
{
	static const char unit[] =
		"<Contents><Key>huge/0000000000</Key><LastModified>"
		"2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;"
		"d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size>"
		"<StorageClass>STANDARD</StorageClass></Contents>";
	struct huge_gen *g = calloc(1, sizeof(*g));

	if (g)
		buf_init(&g->head, 0);
	if (!g || xml_begin(&g->head, "ListBucketResult") ||
	    buf_addf(&g->head, "<Name>%s</Name><KeyCount>1000</KeyCount>"
		     "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>",
		     "huge")) {
		if (g)
			huge_free(g);
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
		return;
	}
	g->unit = unit;
	g->unit_len = sizeof(unit) - 1;
	g->units = r->fault.n / g->unit_len + 1;
	g->tail = "</ListBucketResult>\n";
	out->gen = huge_read;
	out->gen_free = huge_free;
	out->gen_cls = g;
	out->len = g->head.len + g->units * g->unit_len + strlen(g->tail);
	reply_header(out, "Content-Type", "application/xml");
}

/* Malformed, DOCTYPE and huge listings; 0 if the fault is another one. */
static int bad_listing(struct mock_req *r, struct mock_reply *out)
{
	struct buf doc = BUF_INIT;
	const char *s = NULL;

	if (r->fault.kind != FAULT_LIST)
		return 0;
	r->fault_applied = 1;
	if (r->fault.variant == FAULT_LIST_HUGE) {
		huge_reply(r, out);
		return 1;
	}
	if (r->fault.variant == FAULT_LIST_MALFORMED)
		s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<ListBucketResult xmlns=\"" XML_S3_NS "\"><Name>b</Name>"
		    "<KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>"
		    "<Contents><Key>broken</Ke";
	if (r->fault.variant == FAULT_LIST_DOCTYPE)
		s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<!DOCTYPE ListBucketResult [<!ENTITY xxe SYSTEM "
		    "\"file:///etc/passwd\">]>\n"
		    "<ListBucketResult xmlns=\"" XML_S3_NS "\"><Name>b</Name>"
		    "<Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000"
		    "</MaxKeys><IsTruncated>false</IsTruncated><Contents>"
		    "<Key>&xxe;</Key><LastModified>2024-01-01T00:00:00.000Z"
		    "</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e"
		    "&quot;</ETag><Size>0</Size><StorageClass>STANDARD"
		    "</StorageClass></Contents></ListBucketResult>\n";
	if (!s)
		return 0;	/* longkey: a real listing, plus one */
	if (buf_adds(&doc, s) == 0)
		reply_xml(out, &doc);
	buf_release(&doc);
	return 1;
}

void op_list_objects(struct mock_req *r, struct mock_reply *out)
{
	struct keylist *keys = NULL;
	struct list_page page;
	struct list_query q;
	struct buf doc = BUF_INIT;
	int rc;

	memset(&page, 0, sizeof(page));
	if (bad_listing(r, out))
		return;
	if (parse_list_query(r, &q)) {
		reply_error(r, out, 400, "InvalidArgument",
			    "max-keys or the continuation token is invalid.");
		goto out;
	}
	/* a first page walks the tree; the next ones may share that walk */
	if ((rc = listcache_get(r->srv->lists, r->srv->store, r->bucket, q.prefix,
				!q.token && !q.after, &keys)) ||
	    (rc = build_page(&q, &keys->keys, &page)) ||
	    (rc = list_body(r, &q, &page, &doc)))
		reply_av_error(r, out, rc, "The bucket could not be listed.");
	else
		reply_xml(out, &doc);
out:
	free(q.resume);
	page_release(&page);
	if (keys)
		listcache_put(r->srv->lists, keys);
	buf_release(&doc);
}
