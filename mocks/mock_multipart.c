/* mock_multipart: CreateMultipartUpload, UploadPart, AbortMultipartUpload,
 * ListMultipartUploads, ListParts (see mock_ops.h; the on-disk layout is in
 * mock_upload.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "mock_ops.h"
#include "mock_server.h"
#include "mock_store.h"
#include "mock_upload.h"
#include "mock_xml.h"


const char *upload_str(json_t *info, const char *name)
{
	const char *s = json_string_value(json_object_get(info, name));

	return s ? s : "";
}

static int id_valid(const char *id)
{
	return id && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32;
}

static void no_such_upload(const struct mock_req *r, struct mock_reply *out)
{
	reply_error(r, out, 404, "NoSuchUpload",
		    "The specified upload does not exist. The upload ID may "
		    "be invalid, or the upload may have been aborted or "
		    "completed.");
}

void upload_close(struct mock_req *r, struct upload *u)
{
	if (u->lock >= 0)
		store_unlock(r->srv->store, u->lock);
	u->lock = -1;
	json_decref(u->info);
	u->info = NULL;
	buf_release(&u->dir);
}

int upload_open(struct mock_req *r, struct mock_reply *out,
		       struct upload *u, int exclusive)
{
	struct buf p = BUF_INIT;

	memset(u, 0, sizeof(*u));
	u->lock = -1;
	buf_init(&u->dir, 0);
	u->id = req_query(r, "uploadId");
	if (!id_valid(u->id)) {
		no_such_upload(r, out);
		return 1;
	}
	u->lock = store_lock(r->srv->store, LOCK_UPLOAD, "", u->id,
			     exclusive);
	if (!store_reserved_path(r->srv->store, &u->dir, "uploads", u->id) &&
	    !buf_addf(&p, "%s/upload.json", u->dir.ptr))
		u->info = json_load_file(p.ptr, 0, NULL);
	buf_release(&p);
	if (!u->info || strcmp(upload_str(u->info, "bucket"), r->bucket) ||
	    strcmp(upload_str(u->info, "key"), r->key)) {
		upload_close(r, u);
		no_such_upload(r, out);
		return 1;
	}
	return 0;
}

int upload_part_path(struct buf *out, const struct upload *u, long n,
		     const char *suffix)
{
	buf_reset(out);
	return buf_addf(out, "%s/part.%05ld%s", u->dir.ptr, n, suffix);
}

/* Writes JSON to path through a temporary file. */
static int json_save(struct mock_req *r, json_t *j, const char *path)
{
	struct buf tmp = BUF_INIT;
	int fd = -1, rc;

	if ((rc = store_tmp_file(r->srv->store, &tmp, &fd)))
		return rc;
	if (json_dumpfd(j, fd, JSON_COMPACT) | close(fd) ||
	    rename(tmp.ptr, path)) {
		msg_error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp.ptr);
		rc = AV_EIO;
	}
	buf_release(&tmp);
	return rc;
}

/* ---- CreateMultipartUpload ---- */

/* x-amz-checksum-algorithm / -type; 1 with out filled if invalid. */
static int upload_checksum(struct mock_req *r, struct mock_reply *out,
			   json_t *info)
{
	const char *alg = req_header(r, "x-amz-checksum-algorithm");
	const char *type = req_header(r, "x-amz-checksum-type");
	const struct checksum_algo *a = checksum_by_name(alg);
	int full = type && !strcasecmp(type, "FULL_OBJECT");

	if ((alg && !a) || (type && !full && strcasecmp(type, "COMPOSITE")) ||
	    (type && !a)) {
		reply_error(r, out, 400, "InvalidRequest",
			    "Invalid checksum algorithm or type.");
		return 1;
	}
	if (a && full && (a->bit == DG_SHA1 || a->bit == DG_SHA256)) {
		reply_error(r, out, 400, "InvalidRequest",
			    "The FULL_OBJECT checksum type is not supported "
			    "with SHA1 or SHA256.");
		return 1;
	}
	if (!a && !type)
		return 0;
	json_object_set_new(info, "checksum_algorithm", json_string(a->name));
	json_object_set_new(info, "checksum_type",
			    json_string(full || a->bit == DG_CRC64NVME ?
						"FULL_OBJECT" : "COMPOSITE"));
	return 0;
}

static int new_upload_id(char id[33])
{
	unsigned char raw[16];
	int i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return AV_EIO;
	for (i = 0; i < 16; i++)
		sprintf(id + 2 * i, "%02x", raw[i]);
	return 0;
}

static void create_result(struct mock_req *r, struct mock_reply *out,
			  const char *id, json_t *info)
{
	struct buf doc = BUF_INIT;

	if (xml_begin(&doc, "InitiateMultipartUploadResult") ||
	    xml_elem(&doc, "Bucket", r->bucket) ||
	    xml_elem(&doc, "Key", r->key) || xml_elem(&doc, "UploadId", id) ||
	    buf_adds(&doc, "</InitiateMultipartUploadResult>\n")) {
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
	} else {
		reply_xml(out, &doc);
		if (json_object_get(info, "checksum_algorithm")) {
			reply_header(out, "x-amz-checksum-algorithm",
				     upload_str(info, "checksum_algorithm"));
			reply_header(out, "x-amz-checksum-type",
				     upload_str(info, "checksum_type"));
		}
	}
	buf_release(&doc);
}

void op_create_upload(struct mock_req *r, struct mock_reply *out)
{
	struct buf dir = BUF_INIT;
	json_t *info = json_pack("{s:s, s:s, s:I}", "bucket", r->bucket,
				 "key", r->key, "initiated",
				 (json_int_t)time(NULL));
	char id[33];
	int rc = AV_ENOMEM;

	if (!info || object_request_meta(r, info))
		goto fail;
	if (upload_checksum(r, out, info))
		goto out;
	if ((rc = new_upload_id(id)) ||
	    (rc = store_reserved_path(r->srv->store, &dir, "uploads", id)))
		goto fail;
	if (mkdir(dir.ptr, 0755) || buf_adds(&dir, "/upload.json") ||
	    json_save(r, info, dir.ptr)) {
		rc = AV_EIO;
		goto fail;
	}
	create_result(r, out, id, info);
	goto out;
fail:
	reply_av_error(r, out, rc, "The upload could not be created.");
out:
	json_decref(info);
	buf_release(&dir);
}

/* ---- UploadPart ---- */

static int part_number(const struct mock_req *r, long *n)
{
	const char *s = req_query(r, "partNumber");
	char *end;

	if (!s || !*s)
		return -1;
	*n = strtol(s, &end, 10);
	return *end || *n < 1 || *n > MAX_PARTS ? -1 : 0;
}

/* The part must carry the upload's checksum, if it has one. */
static int part_checksum_missing(struct mock_req *r, struct mock_reply *out,
				 json_t *info)
{
	const struct checksum_algo *a =
		checksum_by_name(upload_str(info, "checksum_algorithm"));

	if (!a || req_header(r, a->header))
		return 0;
	reply_error(r, out, 400, "InvalidRequest",
		    "The upload was created with a checksum algorithm: "
		    "each part must carry its checksum header.");
	return 1;
}

static int store_part(struct mock_req *r, struct upload *u, long n,
		      json_t *meta)
{
	struct buf data = BUF_INIT, side = BUF_INIT;
	int rc;

	if ((rc = upload_part_path(&data, u, n, "")) ||
	    (rc = upload_part_path(&side, u, n, ".json")))
		goto out;
	if ((rc = json_save(r, meta, side.ptr)))
		goto out;
	if (rename(r->body_path.ptr, data.ptr)) {
		msg_error("cannot store part '%s': %s", data.ptr,
			  strerror(errno));
		rc = AV_EIO;
		goto out;
	}
	buf_reset(&r->body_path);
out:
	buf_release(&data);
	buf_release(&side);
	return rc;
}

void op_upload_part(struct mock_req *r, struct mock_reply *out)
{
	struct upload u;
	json_t *meta = NULL;
	char md5[33];
	long n;
	int rc;

	if (part_number(r, &n)) {
		reply_error(r, out, 400, "InvalidArgument",
			    "Part number must be an integer between 1 and "
			    "10000, inclusive");
		return;
	}
	if (upload_open(r, out, &u, 1))
		return;
	object_etag_hex(r, md5);
	meta = json_pack("{s:s, s:I, s:I}", "etag", md5, "size",
			 (json_int_t)r->body_sum.bytes, "mtime",
			 (json_int_t)time(NULL));
	if (!meta) {
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
		goto out;
	}
	if (part_checksum_missing(r, out, u.info) ||
	    object_checksums(r, out, meta))
		goto out;
	if ((rc = store_part(r, &u, n, meta))) {
		reply_av_error(r, out, rc, "The part could not be stored.");
		goto out;
	}
	object_write_reply(out, meta);
out:
	json_decref(meta);
	upload_close(r, &u);
}


/* ---- Abort, ListMultipartUploads, ListParts ---- */

void upload_remove(struct upload *u)
{
	store_clear_dir(u->dir.ptr);
	rmdir(u->dir.ptr);
}

void op_abort_upload(struct mock_req *r, struct mock_reply *out)
{
	struct upload u;

	if (upload_open(r, out, &u, 1))
		return;
	upload_remove(&u);
	upload_close(r, &u);
	out->status = 204;
}

/* A sortable line per upload of the bucket: "KEY\nINITIATED\nID". */
static int upload_lines(struct mock_req *r, const char *prefix,
			struct strv *out)
{
	struct buf p = BUF_INIT, line = BUF_INIT;
	struct dirent *e;
	json_t *info;
	DIR *d;
	int rc = 0;

	if ((rc = store_reserved_path(r->srv->store, &p, "uploads", NULL)) ||
	    !(d = opendir(p.ptr))) {
		buf_release(&p);
		return rc ? rc : AV_EIO;
	}
	while (!rc && (e = readdir(d)) != NULL) {
		if (!id_valid(e->d_name))
			continue;
		buf_reset(&p);
		rc = store_reserved_path(r->srv->store, &p, "uploads", e->d_name) ||
		     buf_adds(&p, "/upload.json");
		info = rc ? NULL : json_load_file(p.ptr, 0, NULL);
		if (info && !strcmp(upload_str(info, "bucket"), r->bucket) &&
		    !strncmp(upload_str(info, "key"), prefix, strlen(prefix))) {
			buf_reset(&line);
			rc = buf_addf(&line, "%s\n%012lld\n%s",
				      upload_str(info, "key"),
				      (long long)json_integer_value(json_object_get(
					      info, "initiated")),
				      e->d_name) ||
			     strv_push(out, line.ptr);
		}
		json_decref(info);
	}
	closedir(d);
	buf_release(&p);
	buf_release(&line);
	strv_sort_unique(out);
	return rc ? AV_ENOMEM : 0;
}

static int upload_entry(struct buf *doc, char *line)
{
	char *t = strchr(line, '\n'), *id = t ? strchr(t + 1, '\n') : NULL;
	char when[32];

	if (!id)
		return 0;
	*t++ = '\0';
	*id++ = '\0';
	xml_time_iso(when, (time_t)strtoll(t, NULL, 10));
	return buf_adds(doc, "<Upload>") || xml_elem(doc, "Key", line) ||
	       xml_elem(doc, "UploadId", id) ||
	       buf_adds(doc, "<Initiator><ID>minio</ID></Initiator><Owner>"
			"<ID>minio</ID></Owner><StorageClass>STANDARD"
			"</StorageClass>") ||
	       xml_elem(doc, "Initiated", when) || buf_adds(doc, "</Upload>");
}

void op_list_uploads(struct mock_req *r, struct mock_reply *out)
{
	const char *prefix = req_query(r, "prefix");
	struct strv lines = STRV_INIT;
	struct buf doc = BUF_INIT;
	size_t i, n;
	int rc;

	prefix = prefix ? prefix : "";
	rc = upload_lines(r, prefix, &lines);
	n = lines.n < 1000 ? lines.n : 1000;
	rc = rc || xml_begin(&doc, "ListMultipartUploadsResult") ||
	     xml_elem(&doc, "Bucket", r->bucket) ||
	     buf_adds(&doc, "<KeyMarker></KeyMarker><UploadIdMarker>"
		      "</UploadIdMarker>") ||
	     xml_elem(&doc, "Prefix", prefix) ||
	     buf_addf(&doc, "<MaxUploads>1000</MaxUploads><IsTruncated>%s"
		      "</IsTruncated>", lines.n > n ? "true" : "false");
	for (i = 0; !rc && i < n; i++)
		rc = upload_entry(&doc, lines.v[i]);
	if (rc || buf_adds(&doc, "</ListMultipartUploadsResult>\n"))
		reply_av_error(r, out, AV_EIO, "The uploads could not be listed.");
	else
		reply_xml(out, &doc);
	strv_release(&lines);
	buf_release(&doc);
}

static int part_entry(struct buf *doc, long n, json_t *meta)
{
	json_t *sums = json_object_get(meta, "checksums"), *v;
	const char *name;
	char when[32];
	int rc;

	xml_time_iso(when, (time_t)json_integer_value(
				   json_object_get(meta, "mtime")));
	rc = buf_addf(doc, "<Part><PartNumber>%ld</PartNumber>", n) ||
	     xml_elem(doc, "LastModified", when) ||
	     buf_addf(doc, "<ETag>&quot;%s&quot;</ETag>",
		      upload_str(meta, "etag")) ||
	     xml_elem_u64(doc, "Size", (unsigned long long)json_integer_value(
					       json_object_get(meta, "size")));
	json_object_foreach(sums, name, v)
		rc = rc || buf_addf(doc, "<Checksum%s>%s</Checksum%s>", name,
				    json_string_value(v), name);
	return rc || buf_adds(doc, "</Part>");
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* The numbers of the upload's parts, sorted; *n of them. */
static int part_numbers(const struct upload *u, long **out, size_t *n)
{
	struct dirent *e;
	DIR *d = opendir(u->dir.ptr);
	long num, *v;
	int len = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return AV_EIO;
	while ((e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "part.%5ld.json%n", &num, &len) != 1 ||
		    e->d_name[len] || !(v = realloc(*out, (*n + 1) * sizeof(*v))))
			continue;
		*out = v;
		v[(*n)++] = num;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_long);
	return 0;
}

/* <Part> entries after marker, at most max; *next gets the last one. */
static int list_part_entries(struct buf *doc, const struct upload *u,
			     long marker, long max, long *next, int *truncated)
{
	struct buf p = BUF_INIT;
	json_t *meta;
	long *nums, count = 0;
	size_t n, i;
	int rc = part_numbers(u, &nums, &n);

	*truncated = 0;
	for (i = 0; i < n && !rc; i++) {
		if (nums[i] <= marker)
			continue;
		if (count == max) {
			*truncated = 1;
			break;
		}
		upload_part_path(&p, u, nums[i], ".json");
		if (!(meta = json_load_file(p.ptr, 0, NULL)))
			continue;
		rc = part_entry(doc, nums[i], meta);
		json_decref(meta);
		*next = nums[i];
		count++;
	}
	free(nums);
	buf_release(&p);
	return rc;
}

void op_list_parts(struct mock_req *r, struct mock_reply *out)
{
	const char *m = req_query(r, "part-number-marker");
	const char *mp = req_query(r, "max-parts");
	long marker = m ? strtol(m, NULL, 10) : 0;
	long max = mp ? strtol(mp, NULL, 10) : 1000, next = 0;
	struct buf doc = BUF_INIT;
	struct upload u;
	int rc, truncated = 0;

	max = max < 0 || max > 1000 ? 1000 : max;
	if (upload_open(r, out, &u, 0))
		return;
	rc = xml_begin(&doc, "ListPartsResult") ||
	     xml_elem(&doc, "Bucket", r->bucket) ||
	     xml_elem(&doc, "Key", r->key) ||
	     xml_elem(&doc, "UploadId", u.id) ||
	     buf_addf(&doc, "<PartNumberMarker>%ld</PartNumberMarker>"
		      "<MaxParts>%ld</MaxParts>", marker, max);
	rc = rc || list_part_entries(&doc, &u, marker, max, &next, &truncated);
	rc = rc || buf_addf(&doc, "<NextPartNumberMarker>%ld"
			    "</NextPartNumberMarker><IsTruncated>%s"
			    "</IsTruncated></ListPartsResult>\n",
			    next, truncated ? "true" : "false");
	if (rc)
		reply_av_error(r, out, AV_ENOMEM, "out of memory");
	else
		reply_xml(out, &doc);
	buf_release(&doc);
	upload_close(r, &u);
}
