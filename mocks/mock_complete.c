/* mock_complete: CompleteMultipartUpload (see mock_ops.h and the upload
 * layout in mock_upload.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "mock_ops.h"
#include "mock_server.h"
#include "mock_store.h"
#include "mock_upload.h"
#include "mock_xml.h"

/* One <Part> of a CompleteMultipartUpload body. */
struct cpart {
	long number;
	char *etag;
	char *checksum;		/* Checksum<ALGO> of the upload's algorithm */
};

static void cparts_free(struct cpart *p, size_t n)
{
	size_t i;

	for (i = 0; p && i < n; i++) {
		free(p[i].etag);
		free(p[i].checksum);
	}
	free(p);
}

static int cpart_fill(struct cpart *p, xmlNode *part, const char *sum_name)
{
	xmlNode *c;
	xmlChar *t;
	char *end;

	p->number = -1;
	for (c = part->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		t = xmlNodeGetContent(c);
		if (!t)
			return AV_ENOMEM;
		if (!strcmp((const char *)c->name, "PartNumber")) {
			p->number = strtol((const char *)t, &end, 10);
			if (*end || end == (char *)t)
				p->number = -1;
		} else if (!strcmp((const char *)c->name, "ETag")) {
			free(p->etag);
			p->etag = strdup((const char *)t);
		} else if (sum_name && !strcmp((const char *)c->name, sum_name)) {
			free(p->checksum);
			p->checksum = strdup((const char *)t);
		}
		xmlFree(t);
	}
	return p->number < 1 || !p->etag ? AV_EINVAL : 0;
}

/* Parses the body: no network, no entity substitution, no DTD. */
static int parse_complete(const struct buf *body, const char *sum_name,
			  struct cpart **out, size_t *n)
{
	xmlDoc *doc = xmlReadMemory(body->ptr, (int)body->len, NULL, NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR |
					    XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL, *c;
	size_t cap = 0;
	int rc = root && !strcmp((const char *)root->name,
				 "CompleteMultipartUpload") ? 0 : AV_EINVAL;

	*out = NULL;
	*n = 0;
	for (c = root ? root->children : NULL; c && !rc; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)c->name, "Part") || *n == MAX_PARTS) {
			rc = AV_EINVAL;
			break;
		}
		if (*n == cap) {
			struct cpart *p = realloc(*out, (cap + 64) * sizeof(*p));

			if (!p) {
				rc = AV_ENOMEM;
				break;
			}
			*out = p;
			cap += 64;
		}
		memset(&(*out)[*n], 0, sizeof(**out));
		rc = cpart_fill(&(*out)[(*n)++], c, sum_name);
	}
	xmlFreeDoc(doc);
	return !rc && *n == 0 ? AV_EINVAL : rc;
}

static int etag_same(const char *stored, const char *given)
{
	size_t n = strlen(given);

	if (n >= 2 && given[0] == '"' && given[n - 1] == '"')
		return strlen(stored) == n - 2 &&
		       !strncmp(stored, given + 1, n - 2);
	return !strcmp(stored, given);
}

/* The stored JSON of each listed part, in order; 1 with out filled if a
 * part is missing, out of order, wrong or too small. */
static int check_parts(struct mock_req *r, struct mock_reply *out,
		       const struct upload *u, const struct cpart *p, size_t n,
		       json_t **meta)
{
	struct buf path = BUF_INIT;
	const char *why = NULL, *code = "InvalidPart", *sum;
	size_t i;

	for (i = 1; i < n && !why; i++) {
		if (p[i].number <= p[i - 1].number) {
			code = "InvalidPartOrder";
			why = "The list of parts was not in ascending order.";
		}
	}
	for (i = 0; i < n && !why; i++) {
		upload_part_path(&path, u, p[i].number, ".json");
		meta[i] = json_load_file(path.ptr, 0, NULL);
		sum = json_string_value(json_object_get(
			json_object_get(meta[i], "checksums"),
			upload_str(u->info, "checksum_algorithm")));
		if (!meta[i] ||
		    !etag_same(upload_str(meta[i], "etag"), p[i].etag) ||
		    (p[i].checksum && (!sum || strcmp(sum, p[i].checksum))))
			why = "One or more of the specified parts could not be "
			      "found or did not match.";
		else if (i + 1 < n &&
			 (uint64_t)json_integer_value(json_object_get(
				 meta[i], "size")) < r->srv->cfg->min_part_size) {
			code = "EntityTooSmall";
			why = "Your proposed upload is smaller than the minimum "
			      "allowed object size.";
		}
	}
	buf_release(&path);
	if (why)
		reply_error(r, out, 400, code, why);
	return why != NULL;
}

/* Concatenates the parts into a new temporary file (r->body_path),
 * hashing them into full when a full-object checksum is asked for. */
static int assemble(struct mock_req *r, const struct upload *u,
		    const struct cpart *p, size_t n, struct digest *full)
{
	struct buf path = BUF_INIT;
	int out = -1, in, rc;
	size_t i;

	if ((rc = store_tmp_file(r->srv->store, &r->body_path, &out)))
		return rc;
	for (i = 0; i < n && !rc; i++) {
		upload_part_path(&path, u, p[i].number, "");
		if ((in = open(path.ptr, O_RDONLY | O_CLOEXEC)) < 0) {
			rc = AV_EIO;
			break;
		}
		rc = store_copy(in, out, full);
		close(in);
	}
	if (close(out) && !rc)
		rc = AV_EIO;
	if (rc)
		msg_error("cannot assemble '%s/%s' from '%s': %s", r->bucket,
			  r->key, path.ptr, strerror(errno));
	buf_release(&path);
	return rc;
}

/* The multipart ETag: MD5 of the parts' binary MD5s, then "-N". */
static int multipart_etag(json_t **pm, size_t n, json_t *meta)
{
	unsigned char raw[16];
	struct digest d;
	struct digest_out o;
	struct buf etag = BUF_INIT;
	const char *hex;
	size_t i;
	int rc, k;

	if ((rc = digest_init(&d, DG_MD5)))
		return rc;
	for (i = 0; i < n; i++) {
		hex = upload_str(pm[i], "etag");
		for (k = 0; k < 16 && sscanf(hex + 2 * k, "%2hhx", &raw[k]) == 1;)
			k++;
		digest_update(&d, raw, sizeof(raw));
	}
	if (!(rc = digest_final(&d, &o)) && !(rc = buf_addhex(&etag, o.md5, 16)) &&
	    !(rc = buf_addf(&etag, "-%zu", n)))
		rc = json_object_set_new(meta, "etag", json_string(etag.ptr)) ?
			     AV_ENOMEM : 0;
	buf_release(&etag);
	return rc;
}

/* The object checksum: a hash of the parts' checksums ("...-N") for
 * COMPOSITE, the whole data's (already in full) for FULL_OBJECT. */
static int multipart_checksum(const struct upload *u, json_t **pm, size_t n,
			      struct digest *full, json_t *meta)
{
	const struct checksum_algo *a =
		checksum_by_name(upload_str(u->info, "checksum_algorithm"));
	int composite = strcmp(upload_str(u->info, "checksum_type"), "COMPOSITE") == 0;
	unsigned char raw[32];
	struct digest d;
	struct digest_out o;
	struct buf v = BUF_INIT;
	size_t i;
	int rc;

	if (!a)
		return 0;
	if (composite && (rc = digest_init(&d, a->bit)))
		return rc;
	for (i = 0; composite && i < n; i++) {
		digest_unb64(json_string_value(json_object_get(
				     json_object_get(pm[i], "checksums"), a->name)),
			     raw, sizeof(raw));
		digest_update(&d, raw, a->raw_len);
	}
	rc = digest_final(composite ? &d : full, &o);
	if (!rc)
		rc = digest_b64(&v, checksum_raw(&o, a), a->raw_len);
	if (!rc && composite)
		rc = buf_addf(&v, "-%zu", n);
	if (!rc && (json_object_set_new(meta, "checksums",
					json_pack("{s:s}", a->name, v.ptr)) ||
		    json_object_set(meta, "checksum_type",
				    json_object_get(u->info, "checksum_type"))))
		rc = AV_ENOMEM;
	buf_release(&v);
	return rc;
}

static void complete_result(struct mock_req *r, struct mock_reply *out,
			    json_t *meta)
{
	json_t *sums = json_object_get(meta, "checksums"), *v;
	struct buf doc = BUF_INIT;
	const char *name, *host = req_header(r, "Host");
	int rc;

	rc = xml_begin(&doc, "CompleteMultipartUploadResult") ||
	     buf_addf(&doc, "<Location>http://%s", host ? host : "") ||
	     xml_url_encode(&doc, r->path) || buf_adds(&doc, "</Location>") ||
	     xml_elem(&doc, "Bucket", r->bucket) ||
	     xml_elem(&doc, "Key", r->key) ||
	     buf_addf(&doc, "<ETag>&quot;%s&quot;</ETag>",
		      upload_str(meta, "etag"));
	json_object_foreach(sums, name, v) {
		rc = rc || buf_addf(&doc, "<Checksum%s>%s</Checksum%s>", name,
				    json_string_value(v), name) ||
		     xml_elem(&doc, "ChecksumType",
			      upload_str(meta, "checksum_type"));
	}
	if (rc || buf_adds(&doc, "</CompleteMultipartUploadResult>\n"))
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
	else
		reply_xml(out, &doc);
	buf_release(&doc);
}

/* 200 with an <Error> body, as S3 may answer a Complete. */
static int complete_fault(struct mock_req *r, struct mock_reply *out)
{
	if (r->fault.kind != FAULT_COMPLETE_ERROR)
		return 0;
	r->fault_applied = 1;
	reply_error(r, out, 200, "InternalError",
		    "We encountered an internal error. Please try again.");
	out->error_code = NULL;
	return 1;
}

/* Builds and commits the object; fills out either way. */
static void complete_commit(struct mock_req *r, struct mock_reply *out,
			    struct upload *u, const struct cpart *p, size_t n,
			    json_t **pm)
{
	struct store_cond cond;
	struct digest full;
	const struct checksum_algo *a =
		checksum_by_name(upload_str(u->info, "checksum_algorithm"));
	int use_full = a && !strcmp(upload_str(u->info, "checksum_type"),
				    "FULL_OBJECT");
	json_t *meta = json_pack("{s:O*, s:O*, s:O*, s:I}", "content_type",
				 json_object_get(u->info, "content_type"),
				 "meta", json_object_get(u->info, "meta"),
				 "headers", json_object_get(u->info, "headers"),
				 "parts", (json_int_t)n);
	int rc = AV_ENOMEM;

	memset(&full, 0, sizeof(full));
	if (object_write_conditions(r, out, &cond))
		goto out;
	if (!meta || (use_full && (rc = digest_init(&full, a->bit))) ||
	    (rc = assemble(r, u, p, n, use_full ? &full : NULL)) ||
	    (rc = multipart_etag(pm, n, meta)) ||
	    (rc = multipart_checksum(u, pm, n, &full, meta)) ||
	    (rc = store_obj_commit(r->srv->store, r->bucket, r->key,
				   r->body_path.ptr, meta, &cond))) {
		object_commit_error(r, out, rc);
		goto out;
	}
	buf_reset(&r->body_path);
	upload_remove(u);
	complete_result(r, out, meta);
out:
	digest_release(&full);
	json_decref(meta);
}

void op_complete_upload(struct mock_req *r, struct mock_reply *out)
{
	struct cpart *parts = NULL;
	json_t **pm = NULL;
	struct buf sum = BUF_INIT;
	struct upload u;
	size_t n = 0, i;
	const char *alg;

	if (complete_fault(r, out) || upload_open(r, out, &u, 1))
		return;
	alg = json_string_value(json_object_get(u.info, "checksum_algorithm"));
	if (alg)
		buf_addf(&sum, "Checksum%s", alg);
	if (parse_complete(&r->body_mem, alg ? sum.ptr : NULL, &parts, &n)) {
		reply_error(r, out, 400, "MalformedXML",
			    "The XML you provided was not well-formed or did "
			    "not validate against our published schema.");
		goto out;
	}
	if (!(pm = calloc(n, sizeof(*pm)))) {
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
		goto out;
	}
	if (!check_parts(r, out, &u, parts, n, pm))
		complete_commit(r, out, &u, parts, n, pm);
out:
	for (i = 0; pm && i < n; i++)
		json_decref(pm[i]);
	free(pm);
	cparts_free(parts, n);
	buf_release(&sum);
	upload_close(r, &u);
}
