/*
 * publish: freshly built runtime archives -> new-scheme keys, from CI.
 *
 * Each FILE goes through the archive pipeline (so pycs are normalised and
 * the bytes are the canonical level-N long-mode zstd of its tar) into a
 * temporary file, then deliver.h uploads it without ever replacing an
 * object and verifies it.  Publishing the same input again gives the same
 * bytes, which count as done.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archivist/cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "archivist/deliver.h"
#include "archivist/error.h"
#include "archivist/jsonout.h"
#include "archivist/manifest.h"
#include "archivist/msg.h"
#include "archivist/pipeline.h"
#include "archivist/publishing.h"
#include "archivist/s3uri.h"

static void publish_usage(FILE *f)
{
	command_usage(f, "publish");
	fputs("\nUploads runtime archives (.tar, .tar.gz or .tar.zst, told apart by\n"
	      "content) under their new-scheme names, never replacing an object.\n"
	      "The target comes from --target (ubuntu-24.04-arm64), from --stack\n"
	      "(with --arch when the stack has several), or from a FILE already named\n"
	      "in the new scheme; the version from --version or the file name\n"
	      "(python-3.12.3.tar.gz).  Every input is rewritten by the archive\n"
	      "pipeline (pycs normalised, zstd level 22 long mode), since a zstd\n"
	      "frame does not record its level; --as-is uploads a .tar.zst unchanged.\n\n"
	      "  --dry-run             print what would be done; sends only HEAD\n"
	      "  --on-conflict skip    a different object at the key is reported but\n"
	      "                        does not fail the run (default: fail, exit 3)\n"
	      "  --pyc MODE            unchecked-hash (default), checked-hash or keep\n"
	      "  --keep-opt-pyc        keep .opt-1/.opt-2 pycs (dropped by default)\n"
	      "  --level N             zstd level 1..22 (default 22)\n"
	      "  --as-is               upload a .tar.zst input as it is\n"
	      "  --replace             replace the object at the key, if there is one:\n"
	      "                        HEAD for its ETag, then upload with If-Match on\n"
	      "                        it (a write by someone else in between: exit 3,\n"
	      "                        nothing changed)\n"
	      "  --if-match ETAG       replace only that version of the object\n"
	      "  --tmpdir DIR          where archives are spooled\n\n"
	      "Prints the public URL, size and sha256 of each artifact (--json: one\n"
	      "object per file).  An object at the key made from the same input with\n"
	      "the same settings (its recorded sha256, pyc mode, opt pycs and level)\n"
	      "counts as identical without being made again.  A replacement reports\n"
	      "the replaced object's ETag and sha256.  A key in a legacy stack's\n"
	      "folder is never replaced.  Exit status: 0 published, replaced or\n"
	      "identical already there, 1 a file failed, 2 usage or configuration\n"
	      "error, 3 conflict (or, replacing, the object changed meanwhile).\n", f);
}

static int publish_option(struct publish_args *a, int c, const char *arg)
{
	switch (c) {
	case 't': return s3uri_parse(arg, &a->to) ? AV_EUSAGE : 0;
	case 'T': a->target = arg; return 0;
	case 's': a->stack = arg; return 0;
	case 'a': a->arch = arg; return 0;
	case 'V': a->version = arg; return 0;
	case 'n': a->dry_run = 1; return 0;
	case 'c':
		if (strcmp(arg, "fail") && strcmp(arg, "skip")) {
			msg_error("--on-conflict takes fail or skip, not '%s'", arg);
			return AV_EUSAGE;
		}
		a->conflict_skip = strcmp(arg, "skip") == 0;
		return 0;
	case 'p': return cmd_parse_pyc(arg, &a->set.pyc);
	case 'k': a->set.keep_opt_pyc = 1; return 0;
	case 'l': return cmd_parse_level(arg, &a->set.level);
	case 'A': a->as_is = 1; return 0;
	case 'D': a->tmpdir = arg; return 0;
	case 'R': a->replace = 1; return 0;
	case 'M': a->if_match = arg; return 0;
	}
	return AV_EUSAGE;
}

/* 0, 1 for --help, or AV_EUSAGE (reported). */
static int publish_options(int argc, char **argv, struct publish_args *a)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "target", required_argument, NULL, 'T' },
		{ "stack", required_argument, NULL, 's' },
		{ "arch", required_argument, NULL, 'a' },
		{ "version", required_argument, NULL, 'V' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "on-conflict", required_argument, NULL, 'c' },
		{ "pyc", required_argument, NULL, 'p' },
		{ "keep-opt-pyc", no_argument, NULL, 'k' },
		{ "level", required_argument, NULL, 'l' },
		{ "as-is", no_argument, NULL, 'A' },
		{ "tmpdir", required_argument, NULL, 'D' },
		{ "replace", no_argument, NULL, 'R' },
		{ "if-match", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	pipeline_settings_init(&a->set);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			publish_usage(stdout);
			return 1;
		}
		if (c == '?' || publish_option(a, c, optarg))
			return AV_EUSAGE;
	}
	a->files = argv + optind;
	a->nfiles = (size_t)(argc - optind);
	if (!a->nfiles || !a->to.bucket) {
		msg_error("publish needs FILE... and --to s3://BUCKET[/PREFIX]");
		return AV_EUSAGE;
	}
	if (a->target && (a->stack || a->arch)) {
		msg_error("publish: --target and --stack/--arch exclude each other");
		return AV_EUSAGE;
	}
	if (a->arch && !a->stack) {
		msg_error("publish: --arch goes with --stack");
		return AV_EUSAGE;
	}
	if ((a->replace || a->if_match) && a->conflict_skip) {
		msg_error("publish: --replace/--if-match and --on-conflict skip exclude "
			  "each other");
		return AV_EUSAGE;
	}
	if (a->if_match && (!*a->if_match || a->nfiles != 1)) {
		msg_error("publish: --if-match names the version of one object: one FILE "
			  "and a non-empty ETag");
		return AV_EUSAGE;
	}
	if (a->as_is && (a->set.level != 22 || a->set.pyc != PYC_UNCHECKED_HASH ||
			  a->set.keep_opt_pyc)) {
		msg_error("publish: --as-is uploads the file unchanged: no --level, --pyc or --keep-opt-pyc");
		return AV_EUSAGE;
	}
	return 0;
}

/* Names every file before the client is opened: a usage error is told
 * first, and nothing is sent. */
static int run(struct publish_args *a, const struct globals *g)
{
	enum flow_result res = FLOW_DONE;
	struct publish_names names = { NULL, 0 };
	struct session s;
	int rc;

	session_init(&s, g);
	if (!(rc = s3uri_as_prefix(&a->to)) && !(rc = session_load_config(&s, g)) &&
	    !(rc = publish_name(&s, a, &names)) && !(rc = session_open_client(&s, g)))
		rc = publish_run(&s, a, &names, &res);
	publish_names_release(&names);
	session_release(&s);
	return cmd_flow_status(rc, res);
}

int cmd_publish(int argc, char **argv, const struct globals *g)
{
	struct publish_args a = { 0 };
	int rc;

	rc = publish_options(argc, argv, &a);
	if (rc == 0)
		rc = run(&a, g);
	else
		rc = rc == 1 ? EXIT_DONE : EXIT_USAGE;
	s3uri_release(&a.to);
	return rc;
}
