/*
 * mock_ops: the S3 operations of the mock.  Each handler is called by
 * mock_route once the request is authorised, its body complete and
 * checked against x-amz-content-sha256, and (where the table says so) its
 * bucket known to exist; it fills out.  Handlers report server-side
 * failures themselves (msg_error) and answer 500 InternalError.
 */
#ifndef MOCK_OPS_H
#define MOCK_OPS_H

#include <jansson.h>

#include "mock_http.h"

/* mock_bucket.c */
void op_list_buckets(struct mock_req *r, struct mock_reply *out);
void op_create_bucket(struct mock_req *r, struct mock_reply *out);
void op_head_bucket(struct mock_req *r, struct mock_reply *out);
void op_delete_bucket(struct mock_req *r, struct mock_reply *out);
void op_bucket_location(struct mock_req *r, struct mock_reply *out);
/* ListObjects (v1) and ListObjectsV2, by r->op. */
void op_list_objects(struct mock_req *r, struct mock_reply *out);

/* mock_object.c */
/* GetObject and HeadObject, by r->method. */
void op_get_object(struct mock_req *r, struct mock_reply *out);
void op_put_object(struct mock_req *r, struct mock_reply *out);
void op_copy_object(struct mock_req *r, struct mock_reply *out);
void op_delete_object(struct mock_req *r, struct mock_reply *out);
/*
 * Checks the request's x-amz-checksum-* headers and Content-MD5 against
 * the body's digests and records the checksums in meta ("checksums":
 * {"SHA256": base64, ...}).  Returns 0, or 1 with out filled (400
 * BadDigest, InvalidDigest, InvalidRequest).
 */
int object_checksums(struct mock_req *r, struct mock_reply *out,
		     json_t *meta);
/* The DG_* digests a PutObject/UploadPart body needs (MD5 for the ETag
 * plus each x-amz-checksum-* sent). */
unsigned object_digests(const struct mock_req *r);
/* The body's ETag in lower-case hex (33 bytes): its MD5 or, with
 * --etag-sha256, the first half of its sha256. */
void object_etag_hex(const struct mock_req *r, char out[33]);
/* Copies Content-Type, the other content headers and x-amz-meta-* of the
 * request into meta.  0 or AV_ENOMEM. */
int object_request_meta(const struct mock_req *r, json_t *meta);
/* The store conditions of a write from If-None-Match (only '*') and
 * If-Match; 1 with out filled (501) for an unsupported form. */
struct store_cond;
int object_write_conditions(const struct mock_req *r, struct mock_reply *out,
			    struct store_cond *c);
/* Sets the ETag and x-amz-checksum-* headers of a completed write from
 * its metadata. */
void object_write_reply(struct mock_reply *out, json_t *meta);
/* Maps a store_obj_commit() result to a reply (412, 404, 500); 0 for
 * success. */
int object_commit_error(const struct mock_req *r, struct mock_reply *out,
			int rc);

/* mock_delete.c: DeleteObjects (POST /BUCKET?delete). */
void op_delete_objects(struct mock_req *r, struct mock_reply *out);

/* mock_multipart.c */
void op_create_upload(struct mock_req *r, struct mock_reply *out);
void op_upload_part(struct mock_req *r, struct mock_reply *out);
void op_complete_upload(struct mock_req *r, struct mock_reply *out);
void op_abort_upload(struct mock_req *r, struct mock_reply *out);
void op_list_uploads(struct mock_req *r, struct mock_reply *out);
void op_list_parts(struct mock_req *r, struct mock_reply *out);

/* mock_admin.c: /_mock/faults (GET, POST, PUT, DELETE), /_mock/ping. */
void op_admin(struct mock_req *r, struct mock_reply *out);

#endif
