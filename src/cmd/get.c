/* get: download an object to a file (atomically) or to stdout. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archivist/atomicfile.h"
#include "archivist/cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "archivist/error.h"
#include "archivist/jsonout.h"
#include "archivist/msg.h"
#include "archivist/progress.h"
#include "archivist/s3.h"
#include "archivist/s3uri.h"
#include "archivist/session.h"
#include "archivist/sink.h"

static void get_usage(FILE *f)
{
	command_usage(f, "get");
	fputs("\nDownloads an object to FILE (default: the key's last component, in\n"
	      "the current directory; into FILE/ when FILE is a directory), or to\n"
	      "stdout with '-'.  The file is written under a temporary name next\n"
	      "to it and renamed when complete, so FILE is never half-written\n"
	      "(an existing FILE is replaced only then).  A connection broken\n"
	      "mid-way is resumed with a Range request from the byte reached,\n"
	      "with If-Match on the ETag so a replaced object is never spliced.\n"
	      "When the object records a sha256 (x-amz-checksum-sha256 or\n"
	      "x-amz-meta-sha256) the download is checked against it.\n\n"
	      "  --json   one object: {\"url\", \"file\", \"size\", \"etag\"}\n\n"
	      "Exit status: 0 downloaded, 1 failed (nothing left behind), 2 usage\n"
	      "or configuration error.\n", f);
}

struct get_progress {
	struct progress *pr;
	int started;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct get_progress *gp = ctx;

	if (!gp->started) {
		progress_start(gp->pr, "downloading", total);
		gp->started = 1;
	}
	progress_update(gp->pr, done, 0);
}

/* The local name: FILE, FILE/BASENAME for a directory, or BASENAME. */
static int dest_name(const char *arg, const char *key, struct buf *out)
{
	const char *base = strrchr(key, '/');
	struct stat st;

	base = base ? base + 1 : key;
	if (arg && !(stat(arg, &st) == 0 && S_ISDIR(st.st_mode)))
		return buf_sets(out, arg);
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		msg_error("get: the key 's3://.../%s' has no file name: name the file", key);
		return AV_EUSAGE;
	}
	return arg ? buf_addf(out, "%s/%s", arg, base) : buf_sets(out, base);
}

/* Downloads into dest atomically (atomicfile.h). */
static int get_to_file(struct s3_client *c, const struct s3uri *u, const char *dest,
		       const struct s3_get_opts *go, struct s3_head *h)
{
	struct atomic_file f;
	struct sink_fd sf;
	struct sink s = { sink_fd_write, &sf };
	int rc;

	if ((rc = atomic_file_open(&f, dest)) != 0)
		return rc;
	sf = (struct sink_fd){ f.fd, dest };
	if ((rc = s3_get(c, u->bucket, u->key, go, &s, h)) != 0) {
		atomic_file_abort(&f);
		return rc;
	}
	return atomic_file_commit(&f);
}

static int get_report(const struct globals *g, const struct s3uri *u, const char *dest,
		      const struct s3_head *h)
{
	char human[16];

	if (g->json)
		return jsonout_line(json_pack("{s:s+++, s:s, s:I, s:s}", "url", "s3://",
					      u->bucket, "/", u->key, "file", dest,
					      "size", (json_int_t)h->size, "etag", h->etag));
	progress_human(human, h->size);
	if (strcmp(dest, "-") != 0)
		msg_info("downloaded 's3://%s/%s' to '%s' (%s)", u->bucket, u->key, dest, human);
	return 0;
}

int cmd_get(int argc, char **argv, const struct globals *g)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct get_progress gp = { NULL, 0 };
	struct s3_get_opts go = { 0, NULL, on_progress, &gp };
	struct s3_client *c = NULL;
	struct s3uri u = { NULL, NULL };
	struct buf dest = BUF_INIT;
	struct sink_fd out = { STDOUT_FILENO, "stdout" };
	struct sink so = { sink_fd_write, &out };
	struct s3_head h;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch != 'h') {
			get_usage(stderr);
			return EXIT_USAGE;
		}
		get_usage(stdout);
		return EXIT_DONE;
	}
	if (argc - optind < 1 || argc - optind > 2) {
		get_usage(stderr);
		return EXIT_USAGE;
	}
	s3_head_init(&h);
	if ((rc = s3uri_parse(argv[optind], &u)))
		goto out;
	if (!*u.key) {
		msg_error("get: '%s' names no object (s3://BUCKET/KEY)", argv[optind]);
		rc = AV_EUSAGE;
		goto out;
	}
	if ((rc = dest_name(argv[optind + 1], u.key, &dest)) || (rc = cmd_client_open(g, &c)))
		goto out;
	gp.pr = g->progress ? progress_new(STDERR_FILENO, u.key) : NULL;
	if (strcmp(dest.ptr, "-") == 0)
		rc = s3_get(c, u.bucket, u.key, &go, &so, &h);
	else
		rc = get_to_file(c, &u, dest.ptr, &go, &h);
	progress_free(gp.pr);
	if (!rc)
		rc = get_report(g, &u, dest.ptr, &h);
out:
	s3_head_release(&h);
	buf_release(&dest);
	s3_client_free(c);
	s3uri_release(&u);
	return cmd_exit_status(rc);
}
