/* list: ListObjectsV2, ListMultipartUploads and AbortMultipartUpload. */
#include <stdio.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/s3.h"
#include "s3req.h"

/* Reports a reply we could not read. */
static void report_unreadable(const struct s3_req *r, int rc)
{
	msg_error("%s 's3://%s/%s': the server's reply is not a valid listing (%s)",
		  r->op, r->bucket, r->key ? r->key : "", error_message(rc));
}

/* GET one page; 0 with the XML in rep, else reported. */
static int page_get(struct s3_client *c, struct s3_req *r, struct s3_reply *rep)
{
	int rc = s3req_send(c, r, rep);

	if (rc)
		s3req_report(c, r, rep, rc);
	return rc;
}

int s3_list(struct s3_client *c, const char *bucket,
	    const struct s3_list_opts *o, s3_object_fn on_object, void *ctx)
{
	static const struct s3_list_opts none = { NULL, NULL, 0, NULL };
	struct xml_list_page page;
	struct sigv4_kv q[6];
	struct s3_reply rep;
	struct s3_req r;
	char maxkeys[16];
	size_t nq;
	int rc;

	o = o ? o : &none;
	snprintf(maxkeys, sizeof(maxkeys), "%d",
		 o->max_keys > 0 && o->max_keys <= 1000 ? o->max_keys : 1000);
	xml_list_page_init(&page);
	s3_reply_init(&rep);
	s3req_init(&r, "list", "GET", bucket, NULL);
	r.query = q;
	do {
		nq = 0;
		q[nq++] = (struct sigv4_kv){ "list-type", "2" };
		q[nq++] = (struct sigv4_kv){ "encoding-type", "url" };
		q[nq++] = (struct sigv4_kv){ "max-keys", maxkeys };
		if (o->prefix && *o->prefix)
			q[nq++] = (struct sigv4_kv){ "prefix", o->prefix };
		if (o->delimiter && *o->delimiter)
			q[nq++] = (struct sigv4_kv){ "delimiter", o->delimiter };
		if (page.next_token.len)
			q[nq++] = (struct sigv4_kv){ "continuation-token", page.next_token.ptr };
		r.nquery = nq;
		if ((rc = page_get(c, &r, &rep)))
			break;
		rc = xml_parse_list(rep.http.body.ptr, rep.http.body.len, on_object,
				    o->on_prefix, ctx, &page);
		if (rc == AV_ECORRUPT || rc == AV_ENOMEM)
			report_unreadable(&r, rc);
		if (!rc && page.truncated && !page.next_token.len) {
			report_unreadable(&r, AV_ECORRUPT);
			rc = AV_ECORRUPT;
		}
	} while (!rc && page.truncated);
	s3_reply_release(&rep);
	xml_list_page_release(&page);
	return rc;
}

int s3_list_uploads(struct s3_client *c, const char *bucket,
		    const char *prefix, s3_upload_fn fn, void *ctx)
{
	struct xml_uploads_page page;
	struct sigv4_kv q[5];
	struct s3_reply rep;
	struct s3_req r;
	size_t nq;
	int rc;

	xml_uploads_page_init(&page);
	s3_reply_init(&rep);
	s3req_init(&r, "list uploads", "GET", bucket, NULL);
	r.query = q;
	do {
		nq = 0;
		q[nq++] = (struct sigv4_kv){ "uploads", "" };
		q[nq++] = (struct sigv4_kv){ "encoding-type", "url" };
		if (prefix && *prefix)
			q[nq++] = (struct sigv4_kv){ "prefix", prefix };
		if (page.next_key_marker.len)
			q[nq++] = (struct sigv4_kv){ "key-marker", page.next_key_marker.ptr };
		if (page.next_upload_id_marker.len)
			q[nq++] = (struct sigv4_kv){ "upload-id-marker",
				page.next_upload_id_marker.ptr };
		r.nquery = nq;
		if ((rc = page_get(c, &r, &rep)))
			break;
		rc = xml_parse_uploads(rep.http.body.ptr, rep.http.body.len, fn, ctx, &page);
		if (rc == AV_ECORRUPT || rc == AV_ENOMEM)
			report_unreadable(&r, rc);
		if (!rc && page.truncated && !page.next_key_marker.len) {
			report_unreadable(&r, AV_ECORRUPT);
			rc = AV_ECORRUPT;
		}
	} while (!rc && page.truncated);
	s3_reply_release(&rep);
	xml_uploads_page_release(&page);
	return rc;
}

int s3_abort_upload(struct s3_client *c, const char *bucket, const char *key,
		    const char *upload_id)
{
	struct sigv4_kv q[1] = { { "uploadId", upload_id } };
	struct s3_reply rep;
	struct s3_req r;
	int rc;

	s3req_init(&r, "abort upload", "DELETE", bucket, key);
	r.query = q;
	r.nquery = 1;
	s3_reply_init(&rep);
	rc = s3req_send(c, &r, &rep);
	if (rc == AV_ENOTFOUND)
		rc = 0;
	if (rc)
		s3req_report(c, &r, &rep, rc);
	s3_reply_release(&rep);
	return rc;
}
