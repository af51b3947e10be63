/* manifest: the stack-to-target map and every new-scheme artifact of a
 * bucket, as JSON or as the buildpack inventory (TOML). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/bucket_manifest.h"
#include "archivist/cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "archivist/error.h"
#include "archivist/manifest.h"
#include "archivist/manifest_reuse.h"
#include "archivist/msg.h"
#include "archivist/s3uri.h"
#include "archivist/session.h"


struct mf_args {
	const char *uri;
	int toml;
	const char *output;	/* -o; NULL: stdout (unless --upload) */
	const char *upload;	/* --upload KEY or s3://BUCKET/KEY */
	const char *base_url;	/* --base-url; NULL: the config's */
	const char *version_glob;
	int compute_missing;
	int include_retired;
	int final_only;
	const char *reuse;	/* --reuse FILE: an earlier JSON manifest */
};

static void manifest_usage(FILE *f)
{
	command_usage(f, "manifest");
	fputs("\nLists the new-scheme artifacts under PREFIX (keys that the configuration's\n"
	      "new template parses) with URL, size and sha256 checksum, and the stacks\n"
	      "each serves.  Other keys are ignored.\n\n"
	      "  --format json|toml  json (default): the stack-to-target map and every\n"
	      "                      artifact, with its legacy source when recorded;\n"
	      "                      toml: the [[artifacts]] inventory of Heroku's\n"
	      "                      buildpack tooling\n"
	      "  -o, --output FILE   write FILE atomically (temporary file, then rename)\n"
	      "                      instead of stdout\n"
	      "  --upload KEY        store the manifest at s3://BUCKET/KEY (or a full\n"
	      "                      s3:// URI), replacing only the version read at the\n"
	      "                      start (If-Match on its ETag; If-None-Match: * when\n"
	      "                      there was none)\n"
	      "  --reuse FILE        take the sha256 of an object whose key, size and\n"
	      "                      ETag are unchanged from FILE, an earlier JSON\n"
	      "                      manifest (so a nightly run reads only what is new)\n"
	      "  --compute-missing   download and hash objects whose sha256 is known\n"
	      "                      from none of the sources (else they fail the run)\n"
	      "  --base-url URL      public base URL of artifact URLs (default: the\n"
	      "                      configuration's base_url)\n"
	      "  --version GLOB      only versions matching the shell glob (3.12.*)\n"
	      "  --final-only        only final releases (X.Y.Z, no a/b/rc): the versions\n"
	      "                      Heroku's buildpacks accept\n"
	      "  --include-retired   list the stacks marked retired in the configuration\n"
	      "                      and the artifacts that serve only them (left out\n"
	      "                      by default)\n\n"
	      "Each sha256 comes from the first of: the object's x-amz-meta-sha256, its\n"
	      "x-amz-checksum-sha256 when S3 says FULL_OBJECT (never a multipart\n"
	      "object's composite checksum), --reuse, --compute-missing.  The JSON\n"
	      "says which for each artifact (checksum_source), and so does -v.\n\n"
	      "-j N sets how many HEAD requests run at once (default 8).  Nothing is\n"
	      "written when an artifact fails.  SOURCE_DATE_EPOCH fixes the JSON's\n"
	      "generated_at.  Exit status: 0 written, 1 an artifact or request failed,\n"
	      "2 usage or configuration error, 3 the --upload key changed meanwhile.\n", f);
}

/* Returns -1 to go on, else the exit status (--help, usage errors). */
static int parse_args(int argc, char **argv, struct mf_args *a)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "upload", required_argument, NULL, 'u' },
		{ "compute-missing", no_argument, NULL, 'c' },
		{ "base-url", required_argument, NULL, 'b' },
		{ "version", required_argument, NULL, 'V' },
		{ "include-retired", no_argument, NULL, 'R' },
		{ "final-only", no_argument, NULL, 'F' },
		{ "reuse", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "toml")) {
				msg_error("manifest: --format takes json or toml, not '%s'", optarg);
				return EXIT_USAGE;
			}
			a->toml = strcmp(optarg, "toml") == 0;
			break;
		case 'o': a->output = optarg; break;
		case 'u': a->upload = optarg; break;
		case 'c': a->compute_missing = 1; break;
		case 'b': a->base_url = optarg; break;
		case 'V': a->version_glob = optarg; break;
		case 'R': a->include_retired = 1; break;
		case 'F': a->final_only = 1; break;
		case 'r': a->reuse = optarg; break;
		case 'h': manifest_usage(stdout); return EXIT_DONE;
		default: manifest_usage(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		manifest_usage(stderr);
		return EXIT_USAGE;
	}
	a->uri = argv[optind];
	return -1;
}

/* What the command resolves from its arguments before any request. */
struct mf_cmd {
	struct mf_args a;
	struct s3uri src;		/* the bucket and prefix scanned */
	struct s3uri dst;		/* the --upload destination */
	struct buf prefix;		/* src.key, ending in '/' unless empty */
	struct manifest_reuse reuse;	/* --reuse, loaded */
};

/* The --upload destination: a key in the scanned bucket, or a URI. */
static int parse_upload(struct mf_cmd *r)
{
	int rc;

	if (strncmp(r->a.upload, "s3://", 5) == 0)
		rc = s3uri_parse(r->a.upload, &r->dst);
	else if (!(r->dst.bucket = strdup(r->src.bucket)) ||
		 !(r->dst.key = strdup(r->a.upload)))
		rc = AV_ENOMEM;
	else
		rc = 0;
	if (rc == 0 && !*r->dst.key) {
		msg_error("manifest: --upload needs a key, not '%s'", r->a.upload);
		rc = AV_EUSAGE;
	}
	return rc;
}

#define REUSE_MAX ((size_t)256 << 20)

/* --reuse FILE: an earlier manifest that cannot be read is a usage error. */
static int load_reuse(struct mf_cmd *r)
{
	struct buf data, why = BUF_INIT;
	char chunk[65536];
	FILE *f = fopen(r->a.reuse, "rb");
	size_t n;
	int rc = 0;

	if (!f) {
		msg_error("manifest: --reuse '%s': %s", r->a.reuse, strerror(errno));
		return AV_EUSAGE;
	}
	buf_init(&data, REUSE_MAX);
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_add(&data, chunk, n);
	if (rc == 0 && ferror(f))
		rc = AV_EIO;
	fclose(f);
	if (rc == 0)
		rc = manifest_reuse_load(&r->reuse, data.ptr, data.len, r->a.reuse, &why);
	if (rc != 0 && rc != AV_ENOMEM) {
		msg_error("manifest: --reuse: %s", why.len ? why.ptr : error_message(rc));
		rc = AV_EUSAGE;
	}
	if (rc == 0)
		msg_verbose("manifest: --reuse '%s': %zu checksums (%zu entries without "
			    "an ETag not reusable)", r->a.reuse, r->reuse.n, r->reuse.skipped);
	buf_release(&data);
	buf_release(&why);
	return rc;
}

/* Everything that can be refused before a request is sent, into o. */
static int prepare(struct mf_cmd *r, struct bucket_manifest_opts *o)
{
	struct buf err = BUF_INIT;
	int rc;

	if ((rc = s3uri_parse(r->a.uri, &r->src)) != 0)
		goto out;
	if ((rc = buf_adds(&r->prefix, r->src.key)) != 0 ||
	    (r->prefix.len && r->prefix.ptr[r->prefix.len - 1] != '/' &&
	     (rc = buf_addc(&r->prefix, '/')) != 0))
		goto out;
	if (r->a.upload && (rc = parse_upload(r)) != 0)
		goto out;
	if (r->a.reuse && (rc = load_reuse(r)) != 0)
		goto out;
	if ((rc = manifest_time(&o->now, &err)) != 0) {
		msg_error("manifest: %s", err.ptr);
		rc = AV_EUSAGE;
	}
	o->bucket = r->src.bucket;
	o->prefix = r->prefix.ptr;
	o->toml = r->a.toml;
	o->output = r->a.output;
	o->upload_bucket = r->dst.bucket;
	o->upload_key = r->dst.key;
	o->upload = r->a.upload;
	o->base_url = r->a.base_url;
	o->version_glob = r->a.version_glob;
	o->compute_missing = r->a.compute_missing;
	o->include_retired = r->a.include_retired;
	o->final_only = r->a.final_only;
	o->reuse = r->a.reuse ? &r->reuse : NULL;
out:
	buf_release(&err);
	return rc;
}

int cmd_manifest(int argc, char **argv, const struct globals *g)
{
	struct bucket_manifest_opts o = { 0 };
	struct session s;
	struct mf_cmd r;
	int rc;

	memset(&r, 0, sizeof(r));
	buf_init(&r.prefix, 0);
	if ((rc = parse_args(argc, argv, &r.a)) >= 0)
		return rc;
	session_init(&s, g);
	o.jobs = g->jobs;
	if (!(rc = session_load_config(&s, g)) && !(rc = prepare(&r, &o)) &&
	    !(rc = session_open_client(&s, g)))
		rc = bucket_manifest_run(&s, &o);
	session_release(&s);
	s3uri_release(&r.src);
	s3uri_release(&r.dst);
	buf_release(&r.prefix);
	manifest_reuse_release(&r.reuse);
	return cmd_exit_status(rc);
}
