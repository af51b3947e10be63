/* stat: what HEAD says about one object. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

static void stat_usage(FILE *f)
{
	command_usage(f, "stat");
	fputs("\nShows an object's size, last-modified date (UTC), ETag, content\n"
	      "type, sha256 (from x-amz-checksum-sha256, else x-amz-meta-sha256)\n"
	      "and user metadata, from one HEAD request.\n\n"
	      "  --json   one object: {\"url\", \"size\", \"last_modified\", \"etag\",\n"
	      "           \"content_type\", \"checksum_sha256\", \"sha256\", \"metadata\"}\n\n"
	      "Exit status: 0 the object exists, 1 it does not (404; or 403, which\n"
	      "S3 answers when the credentials may not list the bucket) or the\n"
	      "request failed, 2 usage or configuration error.\n", f);
}

static int stat_json(const struct s3uri *u, const struct s3_head *h)
{
	json_t *meta = json_object(), *o;
	char when[21], sha[65] = "";
	size_t i;

	if (!meta)
		return AV_ENOMEM;
	for (i = 0; i < h->nmeta; i++)
		json_object_set_new(meta, h->meta[i].name, json_string(h->meta[i].value));
	cmd_time_iso(h->mtime, when);
	s3_head_sha256(h, sha);
	o = json_pack("{s:s+++, s:I, s:s, s:s, s:s, s:s?, s:s?, s:o}",
		      "url", "s3://", u->bucket, "/", u->key, "size", (json_int_t)h->size,
		      "last_modified", when, "etag", h->etag, "content_type",
		      h->content_type, "checksum_sha256",
		      *h->checksum_sha256 ? h->checksum_sha256 : NULL,
		      "sha256", *sha ? sha : NULL, "metadata", meta);
	return jsonout_line(o);
}

static void stat_text(const struct s3uri *u, const struct s3_head *h)
{
	char when[21], sha[65], human[16];
	size_t i;

	cmd_time_iso(h->mtime, when);
	progress_human(human, h->size);
	printf("s3://%s/%s\n", u->bucket, u->key);
	printf("  size:             %" PRIu64 " (%s)\n", h->size, human);
	printf("  last-modified:    %s\n", when);
	printf("  etag:             %s\n", h->etag);
	printf("  content-type:     %s\n", h->content_type);
	if (*h->checksum_sha256)
		printf("  checksum-sha256:  %s\n", h->checksum_sha256);
	if (s3_head_sha256(h, sha))
		printf("  sha256:           %s\n", sha);
	if (h->nmeta)
		printf("  metadata:\n");
	for (i = 0; i < h->nmeta; i++)
		printf("    %s: %s\n", h->meta[i].name, h->meta[i].value);
}

int cmd_stat(int argc, char **argv, const struct globals *g)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct s3_client *c = NULL;
	struct s3uri u = { NULL, NULL };
	struct s3_head h;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch != 'h') {
			stat_usage(stderr);
			return EXIT_USAGE;
		}
		stat_usage(stdout);
		return EXIT_DONE;
	}
	if (argc - optind != 1) {
		stat_usage(stderr);
		return EXIT_USAGE;
	}
	s3_head_init(&h);
	if ((rc = s3uri_parse(argv[optind], &u)))
		goto out;
	if (!*u.key) {
		msg_error("stat: '%s' names no object (s3://BUCKET/KEY)", argv[optind]);
		rc = AV_EUSAGE;
		goto out;
	}
	if ((rc = cmd_client_open(g, &c)) || (rc = s3_head(c, u.bucket, u.key, &h)))
		goto out;
	if (!h.exists) {
		msg_error("stat 's3://%s/%s': no such object (%d%s)", u.bucket, u.key,
			  h.absent_status, h.absent_status == 403 ? ": absent, or these "
			  "credentials may not read it or list the bucket" : "");
		rc = AV_ENOTFOUND;
	} else if (g->json) {
		rc = stat_json(&u, &h);
	} else {
		stat_text(&u, &h);
	}
out:
	s3_head_release(&h);
	s3_client_free(c);
	s3uri_release(&u);
	return cmd_exit_status(rc);
}
