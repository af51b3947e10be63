/* manifest: the stack-to-target map and every new-scheme artifact of a
 * bucket, as JSON or as the buildpack inventory (TOML). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "archivist/cli.h"
#include "archivist/cmdutil.h"
#include "archivist/commands.h"
#include "archivist/config.h"
#include "archivist/error.h"
#include "archivist/jsonout.h"
#include "archivist/manifest.h"
#include "archivist/msg.h"
#include "archivist/s3.h"
#include "archivist/s3uri.h"
#include "archivist/scan.h"

#define HEAD_JOBS_DEFAULT 8	/* HEADs are latency-bound, not CPU-bound */

struct mf_args {
	const char *uri;
	int toml;
	const char *output;	/* -o; NULL: stdout (unless --upload) */
	const char *upload;	/* --upload KEY or s3://BUCKET/KEY */
	const char *base_url;	/* --base-url; NULL: the config's */
	const char *version_glob;
	int compute_missing;
};

/* What the command works on, released once at the end. */
struct mf_run {
	const struct globals *g;
	struct mf_args a;
	struct config *cfg;
	struct s3_client *c;
	struct s3uri src;		/* the bucket and prefix scanned */
	struct s3uri dst;		/* the --upload destination */
	struct buf prefix;		/* src.key, ending in '/' unless empty */
	struct s3_head before;		/* the destination as first seen */
	struct scan_result scan;
	struct buf text;		/* the manifest */
	time_t now;
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
	      "  --compute-missing   download and hash objects that record no sha256\n"
	      "                      (else they fail the run)\n"
	      "  --base-url URL      public base URL of artifact URLs (default: the\n"
	      "                      configuration's base_url)\n"
	      "  --version GLOB      only versions matching the shell glob (3.12.*)\n\n"
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

/* The --upload destination: a key in the scanned bucket, or a URI. */
static int parse_upload(struct mf_run *r)
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

/* Everything that can be refused before a request is sent. */
static int prepare(struct mf_run *r)
{
	struct buf err = BUF_INIT;
	int rc;

	if ((rc = config_load(r->g->config, &r->cfg, &err)) != 0) {
		msg_error("%s", err.ptr);
		rc = rc == AV_ENOMEM ? rc : AV_ECONFIG;
		goto out;
	}
	if ((rc = s3uri_parse(r->a.uri, &r->src)) != 0)
		goto out;
	if ((rc = buf_adds(&r->prefix, r->src.key)) != 0 ||
	    (r->prefix.len && r->prefix.ptr[r->prefix.len - 1] != '/' &&
	     (rc = buf_addc(&r->prefix, '/')) != 0))
		goto out;
	if (r->a.upload && (rc = parse_upload(r)) != 0)
		goto out;
	if ((rc = manifest_time(&r->now, &err)) != 0) {
		msg_error("manifest: %s", err.ptr);
		rc = AV_EUSAGE;
	}
out:
	buf_release(&err);
	return rc;
}

/* Reports the artifacts that keep the manifest from being written. */
static int check_items(const struct mf_run *r, size_t *kept)
{
	const struct scan_item *it;
	size_t i, failed = 0;

	*kept = 0;
	for (i = 0; i < r->scan.n; i++) {
		it = &r->scan.items[i];
		if (it->state == SCAN_NO_SHA256)
			msg_error("'s3://%s/%s' records no sha256 (x-amz-checksum-sha256 or "
				  "x-amz-meta-sha256): --compute-missing reads and hashes it",
				  r->src.bucket, it->key);
		failed += it->state == SCAN_NO_SHA256 || it->state == SCAN_FAILED;
		*kept += it->state == SCAN_OK;
	}
	if (!failed)
		return 0;
	msg_error("manifest: %zu of %zu artifacts failed: nothing written", failed,
		  r->scan.n);
	return AV_EIO;
}

/* The manifest's view of one scanned item (strings borrowed from it). */
static void to_artifact(const struct mf_run *r, const struct scan_item *it,
			const char **stacks, const char *url,
			struct manifest_artifact *a)
{
	const struct naming_artifact *n = &it->name;
	size_t i;

	for (i = 0; i < n->target.nstacks; i++)
		stacks[i] = n->target.stacks[i]->name;
	memset(a, 0, sizeof(*a));
	a->name = r->cfg->name;
	a->version = n->version;
	a->os = n->target.os;
	a->arch = n->target.arch;
	a->distro_name = n->target.distro_name;
	a->distro_version = n->target.distro_version;
	a->stacks = stacks;
	a->nstacks = n->target.nstacks;
	a->key = it->key;
	a->url = url;
	a->size = (int64_t)it->size;
	a->sha256 = it->sha256;
	a->legacy_key = it->legacy_key;
	a->legacy_size = it->legacy_size;
	a->legacy_sha256 = *it->legacy_sha256 ? it->legacy_sha256 : NULL;
}

/* Renders the scanned artifacts into r->text. */
static int render(struct mf_run *r, size_t kept)
{
	struct manifest m = { r->cfg, r->src.bucket, r->prefix.ptr,
			      r->a.base_url ? r->a.base_url : r->cfg->base_url,
			      r->now, NULL, 0 };
	struct manifest_artifact *arts = calloc(kept + 1, sizeof(*arts));
	const char **stacks = calloc(kept * CONFIG_MAX_STACKS + 1, sizeof(*stacks));
	char **urls = calloc(kept + 1, sizeof(*urls));
	struct buf url = BUF_INIT, why = BUF_INIT;
	size_t i, k = 0;
	int rc = 0;

	if (!arts || !stacks || !urls)
		rc = AV_ENOMEM;
	for (i = 0; rc == 0 && i < r->scan.n; i++) {
		if (r->scan.items[i].state != SCAN_OK)
			continue;
		if ((rc = manifest_url(m.base_url, r->scan.items[i].key, &url)) == 0 &&
		    !(urls[k] = buf_detach(&url, NULL)))
			rc = AV_ENOMEM;
		if (rc == 0)
			to_artifact(r, &r->scan.items[i], stacks + k * CONFIG_MAX_STACKS,
				    urls[k], &arts[k]);
		k++;
	}
	m.artifacts = arts;
	m.nartifacts = k;
	if (rc == 0)
		rc = r->a.toml ? manifest_toml(&m, &r->text, &why) :
			manifest_json(&m, &r->text, &why);
	if (rc != 0)
		msg_error("manifest: %s", why.len ? why.ptr : error_message(rc));
	for (i = 0; urls && i < k; i++)
		free(urls[i]);
	free(urls);
	free(stacks);
	free(arts);
	buf_release(&url);
	buf_release(&why);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes path atomically: a temporary file beside it, then rename(2), so
 * readers see the old manifest or the new one, never a part. */
static int write_file(const char *path, const struct buf *text)
{
	struct buf tmp = BUF_INIT;
	mode_t mask = umask(0);
	int fd = -1, rc = AV_EIO;

	umask(mask);
	if (buf_addf(&tmp, "%s.XXXXXX", path) != 0) {
		rc = AV_ENOMEM;
		goto out;
	}
	if ((fd = mkstemp(tmp.ptr)) < 0) {
		msg_error("manifest: cannot create a file beside '%s': %s", path,
			  strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0666 & ~mask) != 0 || write_all(fd, text->ptr, text->len) != 0 ||
	    fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		msg_error("manifest: cannot write '%s': %s", tmp.ptr, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.ptr, path) != 0) {
		msg_error("manifest: cannot rename '%s' to '%s': %s", tmp.ptr, path,
			  strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0 && tmp.len)
		unlink(tmp.ptr);
	buf_release(&tmp);
	return rc;
}

static int write_output(const struct mf_run *r)
{
	if (r->a.output && strcmp(r->a.output, "-") != 0)
		return write_file(r->a.output, &r->text);
	if (r->a.upload && !r->a.output)
		return 0;
	if (fwrite(r->text.ptr, 1, r->text.len, stdout) != r->text.len ||
	    fflush(stdout) != 0) {
		msg_error("manifest: cannot write to stdout: %s", strerror(errno));
		return AV_EIO;
	}
	return 0;
}

static void sha256_hex(const struct buf *b, char hex[65])
{
	unsigned char sha[32];

	EVP_Digest(b->ptr, b->len, sha, NULL, EVP_sha256(), NULL);
	s3_sha256_hex(sha, hex);
}

/*
 * Stores the manifest at --upload, replacing only what was there at the
 * start: If-Match on the ETag read then, or If-None-Match: * if it was
 * absent.  Someone else's write in between is a conflict (AV_ECONFLICT).
 */
static int upload(struct mf_run *r, int *created)
{
	struct s3_put_opts po = { 0 };
	char ours[65], theirs[65];
	int rc;

	*created = 0;
	sha256_hex(&r->text, ours);
	if (r->before.exists && s3_head_sha256(&r->before, theirs) &&
	    strcmp(ours, theirs) == 0) {
		msg_verbose("manifest: 's3://%s/%s' is already this manifest",
			    r->dst.bucket, r->dst.key);
		return 0;
	}
	po.content_type = r->a.toml ? "application/toml" : "application/json";
	po.if_exists = S3_EXISTS_FAIL;
	po.if_match = r->before.exists ? r->before.etag : NULL;
	rc = s3_put_mem(r->c, r->dst.bucket, r->dst.key, r->text.ptr, r->text.len,
			&po, NULL);
	if (rc == AV_EEXIST || rc == AV_ECONFLICT) {
		msg_error("manifest: 's3://%s/%s' changed since it was read (%s): "
			  "left untouched; run again", r->dst.bucket, r->dst.key,
			  r->before.exists ? r->before.etag : "it was absent");
		return AV_ECONFLICT;
	}
	if (rc == 0)
		msg_info("manifest: stored at 's3://%s/%s'", r->dst.bucket, r->dst.key);
	*created = rc == 0;
	return rc;
}

static int report(const struct mf_run *r, size_t kept, int uploaded)
{
	size_t computed = 0, i;

	for (i = 0; i < r->scan.n; i++)
		computed += r->scan.items[i].computed;
	msg_verbose("manifest: 's3://%s/%s': %zu keys listed, %zu artifacts (%zu "
		    "hashed here), %zu legacy, %zu invalid, %zu other, %zu filtered out",
		    r->src.bucket, r->prefix.ptr, r->scan.listed, kept, computed,
		    r->scan.legacy, r->scan.invalid, r->scan.ignored, r->scan.filtered);
	if (!r->g->json || (!r->a.output && !r->a.upload))
		return 0;
	return jsonout_line(json_pack("{s:s, s:s, s:I, s:I, s:s?, s:s?, s:b}",
				      "bucket", r->src.bucket, "prefix", r->prefix.ptr,
				      "artifacts", (json_int_t)kept,
				      "hashed", (json_int_t)computed,
				      "output", r->a.output, "upload", r->a.upload,
				      "uploaded", uploaded));
}

/* The requests, once everything local is known to be right. */
static int run(struct mf_run *r)
{
	struct scan_opts so = { r->src.bucket, r->prefix.ptr, r->a.version_glob,
				r->g->jobs ? r->g->jobs : HEAD_JOBS_DEFAULT,
				r->a.compute_missing };
	size_t kept;
	int rc, uploaded = 0;

	if ((rc = s3_client_open(r->g, &r->c)) != 0)
		return rc;
	if (r->a.upload && (rc = s3_head(r->c, r->dst.bucket, r->dst.key, &r->before)) != 0)
		return rc;
	if ((rc = scan_run(r->c, r->cfg, &so, &r->scan)) != 0 ||
	    (rc = check_items(r, &kept)) != 0 || (rc = render(r, kept)) != 0 ||
	    (rc = write_output(r)) != 0)
		return rc;
	if (r->a.upload && (rc = upload(r, &uploaded)) != 0)
		return rc;
	return report(r, kept, uploaded);
}

int cmd_manifest(int argc, char **argv, const struct globals *g)
{
	struct mf_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.g = g;
	buf_init(&r.prefix, 0);
	buf_init(&r.text, 0);
	s3_head_init(&r.before);
	if ((rc = parse_args(argc, argv, &r.a)) >= 0)
		return rc;
	if ((rc = prepare(&r)) == 0)
		rc = run(&r);
	s3_client_free(r.c);
	config_free(r.cfg);
	s3uri_release(&r.src);
	s3uri_release(&r.dst);
	s3_head_release(&r.before);
	scan_result_release(&r.scan);
	buf_release(&r.prefix);
	buf_release(&r.text);
	return cmd_exit_status(rc);
}
