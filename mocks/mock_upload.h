/*
 * mock_upload: multipart uploads on disk, shared by mock_multipart.c and
 * mock_complete.c.
 *
 * An upload is a directory DIR/.mock-uploads/ID (ID: 32 hex digits) with
 * upload.json (bucket, key, initiation time, the object's future metadata,
 * checksum algorithm and type) and, per part, part.NNNNN (the data) and
 * part.NNNNN.json (ETag, size, checksums).  The upload's lock, exclusive
 * to change it and shared to read it, keeps a part's data and JSON
 * together.
 */
#ifndef MOCK_UPLOAD_H
#define MOCK_UPLOAD_H

#include <jansson.h>

#include "archivist/buf.h"
#include "mock_http.h"

#define MAX_PARTS 10000

struct upload {
	struct buf dir;		/* DIR/.mock-uploads/ID */
	const char *id;		/* borrowed from the request */
	json_t *info;		/* upload.json */
	int lock;		/* store_lock handle, -1 if none */
};

/* Opens and locks the upload named by the request's uploadId; returns 1
 * with out filled (404 NoSuchUpload) if it is not an upload of this
 * bucket and key. */
int upload_open(struct mock_req *r, struct mock_reply *out, struct upload *u,
		int exclusive);
/* Unlocks and releases u (safe after a failed open). */
void upload_close(struct mock_req *r, struct upload *u);
/* DIR/.mock-uploads/ID/part.NNNNN + suffix into out (replaced). */
int upload_part_path(struct buf *out, const struct upload *u, long n,
		     const char *suffix);
/* Deletes the upload's files and directory (completed or aborted). */
void upload_remove(struct upload *u);
/* A string member of a JSON object, "" if absent. */
const char *upload_str(json_t *info, const char *name);

#endif
