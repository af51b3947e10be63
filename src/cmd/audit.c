/* audit: check a bucket's state (see audit.h for what is checked). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/audit.h"
#include "archivist/cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "archivist/msg.h"
#include "archivist/s3uri.h"

#define MAX_IGNORE 32

static void audit_usage(FILE *f)
{
	command_usage(f, "audit");
	fputs("\nLists every key under PREFIX and reports, one line each:\n"
	      "  not-migrated    a legacy key whose new key is missing (per target)\n"
	      "  no-checksum     a new key that records no sha256\n"
	      "  unrecognised    a key matching no template of the configuration\n"
	      "  unknown-stack   a legacy key of a stack the configuration lacks\n"
	      "  invalid-name    a key that matches a template but does not parse\n"
	      "With --deep, every new archive is downloaded and checked:\n"
	      "  checksum        its sha256 differs from the one it records\n"
	      "  bad-frame       no content checksum, or a window over 128 MiB\n"
	      "  bad-archive     it does not decode to a well-formed tar\n"
	      "  content         it is not its legacy source after the recorded\n"
	      "                  transform (the source is re-read and rewritten)\n"
	      "  source-changed  its legacy source changed since it was made\n\n"
	      "  --ignore GLOB   accept keys matching GLOB (relative to PREFIX;\n"
	      "                  repeatable), e.g. --ignore 'manifest.*'\n"
	      "  --tmpdir DIR    where --deep spools legacy archives\n\n"
	      "Nothing is written.  Exit status: 0 no problem, 1 problems found (or\n"
	      "a failure), 2 usage or configuration error.\n", f);
}

static int run(const struct globals *g, const struct audit_opts *o)
{
	enum flow_result res = FLOW_DONE;
	struct session s;
	int rc;

	session_init(&s, g);
	if (!(rc = session_load_config(&s, g)) && !(rc = session_open_client(&s, g)))
		rc = audit_run(&s, o, &res);
	session_release(&s);
	return cmd_flow_status(rc, res);
}

int cmd_audit(int argc, char **argv, const struct globals *g)
{
	static const struct option opts[] = {
		{ "deep", no_argument, NULL, 'd' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "tmpdir", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *ignore[MAX_IGNORE];
	struct audit_opts o = { 0 };
	struct s3uri u = { 0 };
	int c, rc = EXIT_USAGE;

	o.ignore = ignore;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			audit_usage(stdout);
			return EXIT_DONE;
		} else if (c == 'd') {
			o.deep = 1;
		} else if (c == 'i' && o.nignore < MAX_IGNORE) {
			ignore[o.nignore++] = optarg;
		} else if (c == 't') {
			o.tmpdir = optarg;
		} else {
			msg_error("audit: bad option (see 'archivist audit --help')");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		msg_error("audit takes one s3://BUCKET[/PREFIX]");
		return EXIT_USAGE;
	}
	if (s3uri_parse(argv[optind], &u) != 0)
		return EXIT_USAGE;
	if (s3uri_as_prefix(&u) == 0) {
		o.bucket = u.bucket;
		o.prefix = u.key;
		rc = run(g, &o);
	}
	s3uri_release(&u);
	return rc;
}
