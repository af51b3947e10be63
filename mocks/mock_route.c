/* mock_route: classify, authorise, check bodies, dispatch (see
 * mock_route.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "archivist/error.h"
#include "mock_auth.h"
#include "mock_ops.h"
#include "mock_route.h"
#include "mock_server.h"
#include "mock_store.h"

#define KEY_MAX 1024
#define XML_BODY_MAX ((size_t)8 << 20)

struct op_def {
	enum mock_op op;
	enum body_sink sink;
	int read_only;		/* may be anonymous with --anonymous-read */
	int needs_bucket;	/* 404 NoSuchBucket unless it exists */
	void (*run)(struct mock_req *r, struct mock_reply *out);
};

static const struct op_def ops[] = {
	{ OP_ADMIN, BODY_MEM, 0, 0, op_admin },
	{ OP_LIST_BUCKETS, BODY_NONE, 0, 0, op_list_buckets },
	{ OP_CREATE_BUCKET, BODY_MEM, 0, 0, op_create_bucket },
	{ OP_HEAD_BUCKET, BODY_NONE, 1, 1, op_head_bucket },
	{ OP_DELETE_BUCKET, BODY_NONE, 0, 1, op_delete_bucket },
	{ OP_GET_BUCKET_LOCATION, BODY_NONE, 1, 1, op_bucket_location },
	{ OP_LIST_OBJECTS, BODY_NONE, 1, 1, op_list_objects },
	{ OP_LIST_OBJECTS_V2, BODY_NONE, 1, 1, op_list_objects },
	{ OP_LIST_UPLOADS, BODY_NONE, 0, 1, op_list_uploads },
	{ OP_HEAD_OBJECT, BODY_NONE, 1, 1, op_get_object },
	{ OP_GET_OBJECT, BODY_NONE, 1, 1, op_get_object },
	{ OP_PUT_OBJECT, BODY_FILE, 0, 1, op_put_object },
	{ OP_COPY_OBJECT, BODY_NONE, 0, 1, op_copy_object },
	{ OP_DELETE_OBJECT, BODY_NONE, 0, 1, op_delete_object },
	{ OP_DELETE_OBJECTS, BODY_MEM, 0, 1, op_delete_objects },
	{ OP_CREATE_UPLOAD, BODY_NONE, 0, 1, op_create_upload },
	{ OP_UPLOAD_PART, BODY_FILE, 0, 1, op_upload_part },
	{ OP_COMPLETE_UPLOAD, BODY_MEM, 0, 1, op_complete_upload },
	{ OP_ABORT_UPLOAD, BODY_NONE, 0, 1, op_abort_upload },
	{ OP_LIST_PARTS, BODY_NONE, 0, 1, op_list_parts },
};

static const struct op_def *op_def_of(enum mock_op op)
{
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == op)
			return &ops[i];
	return NULL;
}

/* S3 sub-resources the mock does not implement: 501, not a wrong guess. */
static int unsupported_subresource(const struct mock_req *r)
{
	static const char *const names[] = {
		"acl", "tagging", "versioning", "policy", "lifecycle", "cors",
		"website", "logging", "notification", "replication",
		"encryption", "object-lock", "retention", "legal-hold",
		"torrent", "restore", "select", "versions", "accelerate",
		"analytics", "inventory", "metrics", "ownershipControls",
		"publicAccessBlock", "requestPayment", "intelligent-tiering",
		"attributes", "versionId", "policyStatus", NULL
	};
	size_t i;

	for (i = 0; names[i]; i++)
		if (req_query(r, names[i]))
			return 1;
	return 0;
}

static enum mock_op classify_bucket(const struct mock_req *r)
{
	const char *m = r->method;

	if (!strcmp(m, "GET")) {
		if (req_query(r, "uploads"))
			return OP_LIST_UPLOADS;
		if (req_query(r, "location"))
			return OP_GET_BUCKET_LOCATION;
		if (req_query(r, "list-type"))
			return OP_LIST_OBJECTS_V2;
		return OP_LIST_OBJECTS;
	}
	if (!strcmp(m, "HEAD"))
		return OP_HEAD_BUCKET;
	if (!strcmp(m, "PUT"))
		return OP_CREATE_BUCKET;
	if (!strcmp(m, "DELETE"))
		return OP_DELETE_BUCKET;
	if (!strcmp(m, "POST") && req_query(r, "delete"))
		return OP_DELETE_OBJECTS;
	return OP_UNKNOWN;
}

static enum mock_op classify_object(const struct mock_req *r)
{
	const char *m = r->method;
	int upload = req_query(r, "uploadId") != NULL;

	if (!strcmp(m, "GET"))
		return upload ? OP_LIST_PARTS : OP_GET_OBJECT;
	if (!strcmp(m, "HEAD"))
		return OP_HEAD_OBJECT;
	if (!strcmp(m, "PUT")) {
		if (upload || req_query(r, "partNumber"))
			return req_header(r, "x-amz-copy-source") ?
				       OP_NOT_IMPLEMENTED : OP_UPLOAD_PART;
		return req_header(r, "x-amz-copy-source") ? OP_COPY_OBJECT :
							    OP_PUT_OBJECT;
	}
	if (!strcmp(m, "POST")) {
		if (req_query(r, "uploads"))
			return OP_CREATE_UPLOAD;
		return upload ? OP_COMPLETE_UPLOAD : OP_UNKNOWN;
	}
	if (!strcmp(m, "DELETE"))
		return upload ? OP_ABORT_UPLOAD : OP_DELETE_OBJECT;
	return OP_UNKNOWN;
}

static enum mock_op classify(const struct mock_req *r)
{
	if (!strncmp(r->path, "/_mock/", 7))
		return OP_ADMIN;
	if (unsupported_subresource(r))
		return OP_NOT_IMPLEMENTED;
	if (!r->bucket[0])
		return !strcmp(r->method, "GET") ? OP_LIST_BUCKETS : OP_UNKNOWN;
	return r->key ? classify_object(r) : classify_bucket(r);
}

/* The admin endpoint answers loopback clients only. */
static int from_loopback(const struct mock_req *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr_in *sa;

	if (!ci || !ci->client_addr || ci->client_addr->sa_family != AF_INET)
		return 0;
	sa = (const struct sockaddr_in *)(const void *)ci->client_addr;
	return sa->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
}

/* What to hash while the body arrives. */
static unsigned body_digests(const struct mock_req *r)
{
	const char *h = req_header(r, "x-amz-content-sha256");
	unsigned d = 0;

	if (h && strcmp(h, "UNSIGNED-PAYLOAD") != 0)
		d |= DG_SHA256;
	if (r->op == OP_PUT_OBJECT || r->op == OP_UPLOAD_PART)
		d |= object_digests(r);
	return d;
}

static int is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* Header checks that need no body: unsupported encodings, key size. */
static int check_headers(struct mock_req *r, struct mock_reply *out)
{
	const char *h = req_header(r, "x-amz-content-sha256");

	if (h && !strncmp(h, "STREAMING-", 10)) {
		reply_error(r, out, 501, "NotImplemented",
			    "aws-chunked (streaming) payloads are not "
			    "supported by this server.");
		return 1;
	}
	if (h && strcmp(h, "UNSIGNED-PAYLOAD") && !is_hex64(h)) {
		reply_error(r, out, 400, "InvalidArgument",
			    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD "
			    "or a valid sha256 value.");
		return 1;
	}
	if (r->key && strlen(r->key) > KEY_MAX) {
		reply_error(r, out, 400, "KeyTooLongError",
			    "Your key is too long");
		return 1;
	}
	return 0;
}

static int begin_fault(struct mock_req *r, struct mock_reply *out)
{
	const char *cl = req_header(r, "Content-Length");
	int has_body = (cl && strcmp(cl, "0")) ||
		       req_header(r, "Transfer-Encoding");

	if (!faults_pick(r->srv->faults, r->method, op_name(r->op), r->key,
			 has_body, &r->fault))
		return 0;
	if (r->fault.kind != FAULT_ERROR)
		return 0;
	r->fault_applied = 1;
	reply_error(r, out, r->fault.status, r->fault.code,
		    "injected fault");
	if (r->fault.status == 503)
		reply_header(out, "Retry-After", "1");
	return 1;
}

int route_begin(struct mock_req *r, struct mock_reply *out)
{
	const struct op_def *def;

	if (req_parse_target(r)) {
		reply_error(r, out, 400, "InvalidURI",
			    "Couldn't parse the specified URI.");
		return 1;
	}
	r->op = classify(r);
	if (r->op == OP_ADMIN && !from_loopback(r)) {
		reply_error(r, out, 403, "AccessDenied", "loopback only");
		return 1;
	}
	if (r->op == OP_NOT_IMPLEMENTED) {
		reply_error(r, out, 501, "NotImplemented",
			    "This operation is not implemented by the mock.");
		return 1;
	}
	if (!(def = op_def_of(r->op))) {
		reply_error(r, out, 405, "MethodNotAllowed",
			    "The specified method is not allowed against "
			    "this resource.");
		return 1;
	}
	/* Faults go to requests that would otherwise be served. */
	if (r->op != OP_ADMIN &&
	    (auth_check(r, out, def->read_only) || check_headers(r, out) ||
	     begin_fault(r, out)))
		return 1;
	r->sink = def->sink;
	r->body_digests = body_digests(r);
	r->body_mem.max = XML_BODY_MAX;
	return 0;
}

static int check_body(struct mock_req *r, struct mock_reply *out)
{
	const char *h = req_header(r, "x-amz-content-sha256");
	struct buf hex = BUF_INIT;
	int bad;

	if (r->body_error == AV_ETOOBIG) {
		reply_error(r, out, 400, "MaxMessageLengthExceeded",
			    "Your request was too big.");
		return 1;
	}
	if (r->body_error) {
		reply_error(r, out, 500, "InternalError",
			    "The request body could not be stored.");
		return 1;
	}
	if ((r->sink != BODY_FILE && r->sink != BODY_MEM) || !h ||
	    !strcmp(h, "UNSIGNED-PAYLOAD"))
		return 0;
	buf_addhex(&hex, r->body_sum.sha256, 32);
	bad = strcmp(hex.ptr, h) != 0;
	buf_release(&hex);
	if (bad)
		reply_error(r, out, 400, "XAmzContentSHA256Mismatch",
			    "The provided 'x-amz-content-sha256' header does "
			    "not match what was computed.");
	return bad;
}

void route_finish(struct mock_req *r, struct mock_reply *out)
{
	const struct op_def *def = op_def_of(r->op);

	if (!def || check_body(r, out))
		return;
	if (def->needs_bucket &&
	    !store_bucket_exists(r->srv->store, r->bucket, NULL)) {
		reply_error(r, out, 404, "NoSuchBucket",
			    "The specified bucket does not exist");
		return;
	}
	def->run(r, out);
}
