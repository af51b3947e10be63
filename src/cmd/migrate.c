/*
 * migrate: legacy keys -> new keys, once.  List, plan, HEAD, then convert
 * each missing archive (convert.h) on a pool of workers.  Legacy keys are
 * only read; the only writes are conditional PUTs of new keys (and the
 * aborts of this tool's own abandoned multipart uploads on those keys).
 */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archivist/cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "archivist/error.h"
#include "archivist/migration.h"
#include "archivist/msg.h"
#include "archivist/s3uri.h"
#include "archivist/session.h"

#define MAX_STACKS 32

static void migrate_usage(FILE *f)
{
	command_usage(f, "migrate");
	fputs("\nLists the legacy keys under --from, maps each to its new key(s) through\n"
	      "the configuration, and for each new key missing under --to: downloads\n"
	      "the legacy archive, gunzips it, normalises its pycs, recompresses it\n"
	      "with zstd (level 22, long mode), uploads it with If-None-Match: * and\n"
	      "verifies it.  Legacy keys are never written or deleted.  A rerun skips\n"
	      "what is done (the new object records its source and settings).\n\n"
	      "  --stack S          only this stack (repeatable); stacks retired in the\n"
	      "                     configuration are migrated only when named\n"
	      "  --version GLOB     only versions matching the shell glob ('3.12.*')\n"
	      "  --dry-run          print the plan (create, skip, conflict, invalid)\n"
	      "                     and totals; sends only GET, HEAD and list requests\n"
	      "  --shard I/N        only shard I of N, for a CI matrix: the listing in\n"
	      "                     hash order of new keys, cut into N runs of equal size\n"
	      "  --pyc MODE         unchecked-hash (default), checked-hash or keep\n"
	      "  --keep-opt-pyc     keep .opt-1.pyc/.opt-2.pyc (dropped by default)\n"
	      "  --level N          zstd level 1..22 (default 22; long mode always)\n"
	      "  --manifest FILE    write the manifest of --to when done (TOML if\n"
	      "                     FILE ends in .toml, else JSON; see 'manifest')\n"
	      "  --tmpdir DIR       where archives are spooled (default $TMPDIR, /tmp)\n\n"
	      "Parallelism (-j): by default one archive per core, at most one per\n"
	      "0.8 GB of available memory at level 20+ (0.4 GB at 16-19), never more\n"
	      "than there are archives.  Each archive is one zstd job while others\n"
	      "can use the cores; one that would leave a core idle (a single\n"
	      "archive, the last of a batch) is cut into two jobs on two cores.\n\n"
	      "Exit status: 0 all done or already done, 1 an archive failed or is\n"
	      "invalid, 2 usage or configuration error, 3 a conflict (and none failed).\n", f);
}

struct migrate_args {
	struct s3uri from, to;
	const char *stacks[MAX_STACKS];
	struct plan_filter filter;
	struct pipeline_settings set;
	int dry_run;
	const char *manifest;
	const char *tmpdir;
};

static int migrate_option(struct migrate_args *a, int c, const char *arg)
{
	struct buf why = BUF_INIT;
	int rc = 0;

	switch (c) {
	case 'f': rc = s3uri_parse(arg, &a->from); break;
	case 't': rc = s3uri_parse(arg, &a->to); break;
	case 's':
		if (a->filter.nstacks == MAX_STACKS) {
			msg_error("too many --stack options");
			return AV_EUSAGE;
		}
		a->stacks[a->filter.nstacks++] = arg;
		break;
	case 'V': a->filter.version_glob = arg; break;
	case 'n': a->dry_run = 1; break;
	case 'S':
		if ((rc = plan_parse_shard(arg, &a->filter.shard,
					   &a->filter.nshards, &why)))
			msg_error("%s", why.ptr);
		break;
	case 'p': rc = cmd_parse_pyc(arg, &a->set.pyc); break;
	case 'k': a->set.keep_opt_pyc = 1; break;
	case 'l': rc = cmd_parse_level(arg, &a->set.level); break;
	case 'm': a->manifest = arg; break;
	case 'T': a->tmpdir = arg; break;
	default: rc = AV_EUSAGE;
	}
	buf_release(&why);
	return rc ? AV_EUSAGE : 0;
}

/* 0, 1 for --help (done), or AV_EUSAGE (reported). */
static int migrate_options(int argc, char **argv, struct migrate_args *a)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "stack", required_argument, NULL, 's' },
		{ "version", required_argument, NULL, 'V' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "shard", required_argument, NULL, 'S' },
		{ "pyc", required_argument, NULL, 'p' },
		{ "keep-opt-pyc", no_argument, NULL, 'k' },
		{ "level", required_argument, NULL, 'l' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "tmpdir", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	a->filter.stacks = a->stacks;
	pipeline_settings_init(&a->set);
	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			migrate_usage(stdout);
			return 1;
		}
		if (c == '?' || migrate_option(a, c, optarg))
			return AV_EUSAGE;
	}
	if (optind < argc) {
		msg_error("migrate: unexpected argument '%s'", argv[optind]);
		return AV_EUSAGE;
	}
	if (!a->from.bucket || !a->to.bucket) {
		msg_error("migrate needs --from s3://BUCKET[/PREFIX] and --to s3://BUCKET[/PREFIX]");
		return AV_EUSAGE;
	}
	return s3uri_as_prefix(&a->from) || s3uri_as_prefix(&a->to) ? AV_ENOMEM : 0;
}

static int run(const struct migrate_args *a, const struct globals *g)
{
	struct migration_opts o = { 0 };
	enum flow_result res = FLOW_DONE;
	struct session s;
	int rc;

	o.src_bucket = a->from.bucket;
	o.src_prefix = a->from.key;
	o.dst_bucket = a->to.bucket;
	o.dst_prefix = a->to.key;
	o.filter = &a->filter;
	o.settings = a->set;
	o.dry_run = a->dry_run;
	o.manifest = a->manifest;
	o.tmpdir = a->tmpdir;
	session_init(&s, g);
	if (!(rc = session_load_config(&s, g)) && !(rc = session_open_client(&s, g)))
		rc = migration_run(&s, &o, &res);
	session_release(&s);
	return cmd_flow_status(rc, res);
}

int cmd_migrate(int argc, char **argv, const struct globals *g)
{
	struct migrate_args a = { 0 };
	int rc;

	if ((rc = migrate_options(argc, argv, &a)) == 0)
		rc = run(&a, g);
	else
		rc = rc == 1 ? EXIT_DONE : EXIT_USAGE;
	s3uri_release(&a.from);
	s3uri_release(&a.to);
	return rc;
}
