/* put: upload a file, never replacing an object with other content. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archivist/cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/jsonout.h"
#include "archivist/msg.h"
#include "archivist/progress.h"
#include "archivist/s3.h"
#include "archivist/s3uri.h"
#include "archivist/session.h"

#define MAX_META 32

static void put_usage(FILE *f)
{
	command_usage(f, "put");
	fputs("\nUploads FILE to KEY (to PREFIX/FILE's name when the URI ends in '/').\n"
	      "Never replaces an object: the PUT (or CompleteMultipartUpload)\n"
	      "carries If-None-Match: *.  If KEY exists, its sha256 is compared\n"
	      "(x-amz-checksum-sha256 or x-amz-meta-sha256, else by reading it):\n"
	      "the same content counts as done, other content is a conflict and\n"
	      "the object is left untouched.  Every upload carries\n"
	      "x-amz-checksum-sha256 (S3 verifies it) and x-amz-meta-sha256 (hex).\n"
	      "Files larger than the part size go up in parallel multipart parts\n"
	      "(4 at once, each with its own checksum); a failed upload is aborted.\n\n"
	      "  --content-type T    Content-Type (default from the name: .zst\n"
	      "                      application/zstd, .gz application/gzip, .json,\n"
	      "                      .toml, .txt; else application/octet-stream)\n"
	      "  --meta NAME=VALUE   extra x-amz-meta-NAME (repeatable; NAME in\n"
	      "                      a-z 0-9 -, not sha256)\n"
	      "  --part-size SIZE    multipart part size and threshold, 5M..5G\n"
	      "                      (default 64M, or ARCHIVIST_PART_SIZE)\n"
	      "  --json              one object: {\"url\", \"file\", \"size\", \"sha256\",\n"
	      "                      \"result\": created|identical|conflict, \"parts\",\n"
	      "                      \"etag\"}\n\n"
	      "Exit status: 0 uploaded or identical object already there, 1 failed,\n"
	      "2 usage or configuration error, 3 a different object is at KEY.\n", f);
}

static const char *guess_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} t[] = {
		{ ".zst", "application/zstd" }, { ".gz", "application/gzip" },
		{ ".tgz", "application/gzip" }, { ".json", "application/json" },
		{ ".toml", "application/toml" }, { ".txt", "text/plain; charset=utf-8" },
		{ ".tar", "application/x-tar" },
	};
	size_t i, n = strlen(path), e;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e = strlen(t[i].ext);
		if (n > e && strcmp(path + n - e, t[i].ext) == 0)
			return t[i].type;
	}
	return "application/octet-stream";
}

/* NAME=VALUE with NAME a lower-case token, not one archivist sets. */
static int parse_meta(char *arg, struct s3_meta *m)
{
	char *eq = strchr(arg, '='), *p;

	if (!eq || eq == arg)
		goto bad;
	*eq = '\0';
	for (p = arg; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			goto bad;
	if (strcmp(arg, "sha256") == 0 || strcmp(arg, "archivist-upload") == 0) {
		msg_error("put: --meta %s is set by archivist itself", arg);
		return AV_EUSAGE;
	}
	m->name = arg;
	m->value = eq + 1;
	return 0;
bad:
	msg_error("put: --meta wants NAME=VALUE with NAME in a-z, 0-9 and '-'");
	return AV_EUSAGE;
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)total;
	progress_update(ctx, done, 0);
}

static int put_report(const struct globals *g, const char *file, const struct s3uri *u,
		      uint64_t size, const struct s3_put_result *r, int rc)
{
	const char *what = rc == AV_ECONFLICT ? "conflict" : r->created ? "created" : "identical";
	char sha[65], human[16], parts[32] = "";

	hex_encode(r->sha256, 32, sha);
	if (g->json && (rc == 0 || rc == AV_ECONFLICT))
		return jsonout_line(json_pack("{s:s+++, s:s, s:I, s:s, s:s, s:i, s:s}",
			"url", "s3://", u->bucket, "/", u->key, "file", file,
			"size", (json_int_t)size, "sha256", sha, "result", what,
			"parts", (int)r->parts, "etag", r->etag));
	progress_human(human, size);
	if (r->multipart)
		snprintf(parts, sizeof(parts), ", %u parts", r->parts);
	if (rc == 0 && r->created)
		msg_info("uploaded '%s' to 's3://%s/%s' (%s%s, sha256 %s)", file,
			 u->bucket, u->key, human, parts, sha);
	else if (rc == 0)
		msg_info("'s3://%s/%s' is already there with the same content (sha256 %s)",
			 u->bucket, u->key, sha);
	return 0;
}

/* KEY, or PREFIX/ + the file's name. */
static int dest_key(struct s3uri *u, const char *file)
{
	const char *base = strrchr(file, '/');
	size_t n = strlen(u->key);
	char *k;

	if (n && u->key[n - 1] != '/')
		return 0;
	base = base ? base + 1 : file;
	if (asprintf(&k, "%s%s", u->key, base) < 0)
		return AV_ENOMEM;
	free(u->key);
	u->key = k;
	return 0;
}

struct put_args {
	const char *file;
	const char *uri;
	struct s3_put_opts o;
	struct s3_meta meta[MAX_META];
};

static int put_options(int argc, char **argv, struct put_args *a)
{
	static const struct option opts[] = {
		{ "content-type", required_argument, NULL, 'c' },
		{ "meta", required_argument, NULL, 'm' },
		{ "part-size", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': a->o.content_type = optarg; break;
		case 'm':
			if (a->o.nmeta == MAX_META) {
				msg_error("put: at most %d --meta", MAX_META);
				return AV_EUSAGE;
			}
			if ((rc = parse_meta(optarg, &a->meta[a->o.nmeta++])))
				return rc;
			break;
		case 'p':
			if (cmd_parse_size(optarg, &a->o.part_size) ||
			    a->o.part_size < S3_PART_SIZE_MIN || a->o.part_size > S3_PART_SIZE_MAX) {
				msg_error("put: --part-size takes 5M to 5G, not '%s'", optarg);
				return AV_EUSAGE;
			}
			break;
		case 'h': put_usage(stdout); return -1;
		default: put_usage(stderr); return AV_EUSAGE;
		}
	}
	if (argc - optind != 2) {
		put_usage(stderr);
		return AV_EUSAGE;
	}
	a->file = argv[optind];
	a->uri = argv[optind + 1];
	a->o.meta = a->meta;
	return 0;
}

/*
 * FILE must be a regular file we can read, checked before anything is
 * sent: AV_EUSAGE (exit 2), reported with the reason, or 0 and *st.
 */
static int check_input(const char *file, struct stat *st)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, st) != 0) {
		msg_error("put: cannot read '%s': %s", file, strerror(errno));
	} else if (!S_ISREG(st->st_mode)) {
		msg_error("put: '%s' is not a regular file%s", file,
			  S_ISDIR(st->st_mode) ? " (a directory)" : "");
	} else {
		close(fd);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	return AV_EUSAGE;
}

int cmd_put(int argc, char **argv, const struct globals *g)
{
	struct put_args a;
	struct s3_put_result res;
	struct s3_client *c = NULL;
	struct s3uri u = { NULL, NULL };
	struct stat st;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&res, 0, sizeof(res));
	if ((rc = put_options(argc, argv, &a)) == -1)
		return EXIT_DONE;
	if (rc || (rc = s3uri_parse(a.uri, &u)) || (rc = dest_key(&u, a.file)))
		goto out;
	if ((rc = check_input(a.file, &st)))
		goto out;
	if (!a.o.content_type)
		a.o.content_type = guess_type(a.file);
	if ((rc = cmd_client_open(g, &c)))
		goto out;
	a.o.progress_ctx = g->progress ? progress_new(STDERR_FILENO, a.file) : NULL;
	a.o.progress = a.o.progress_ctx ? on_progress : NULL;
	progress_start(a.o.progress_ctx, "uploading", (uint64_t)st.st_size);
	rc = s3_put_file(c, u.bucket, u.key, a.file, &a.o, &res);
	progress_free(a.o.progress_ctx);
	if (rc == 0 || rc == AV_ECONFLICT) {
		int wr = put_report(g, a.file, &u, (uint64_t)st.st_size, &res, rc);

		rc = rc ? rc : wr;
	}
out:
	s3_client_free(c);
	s3uri_release(&u);
	return cmd_exit_status(rc);
}
