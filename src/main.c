/*
 * archivist: global options and dispatch, nothing more.
 *
 * Global options may stand before the command or after it; after it they
 * are taken out of argv before the command sees it (except --help and
 * --version, which then belong to the command).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archivist/cli.h"
#include "archivist/msg.h"

enum gopt { G_ENDPOINT, G_REGION, G_PROFILE, G_CONFIG, G_CA, G_PATH, G_VIRT,
	G_NOSIGN, G_JOBS, G_JSON, G_QUIET, G_VERBOSE, G_NOPROG, G_HELP,
	G_VERSION };

static const struct {
	const char *lng;
	char shrt;
	int arg;
	enum gopt id;
} gopts[] = {
	{ "endpoint", 0, 1, G_ENDPOINT },
	{ "region", 0, 1, G_REGION },
	{ "profile", 0, 1, G_PROFILE },
	{ "config", 0, 1, G_CONFIG },
	{ "ca-bundle", 0, 1, G_CA },
	{ "path-style", 0, 0, G_PATH },
	{ "virtual-hosted", 0, 0, G_VIRT },
	{ "no-sign-request", 0, 0, G_NOSIGN },
	{ "jobs", 'j', 1, G_JOBS },
	{ "json", 0, 0, G_JSON },
	{ "quiet", 'q', 0, G_QUIET },
	{ "verbose", 'v', 0, G_VERBOSE },
	{ "no-progress", 0, 0, G_NOPROG },
	{ "help", 'h', 0, G_HELP },
	{ "version", 0, 0, G_VERSION },
};
#define NGOPTS (sizeof(gopts) / sizeof(gopts[0]))

static void usage(FILE *f)
{
	const struct command *c;

	fputs("usage: archivist [global options] COMMAND [options] [ARGS]\n\n"
	      "Publishes and migrates language-runtime archives on S3.\n\n"
	      "commands:\n", f);
	for (c = commands; c->name; c++) {
		command_synopsis_print(f, "  ", c);
		fprintf(f, "    %s\n", c->summary);
	}
	fputs("  help [COMMAND]\n"
	      "    this, or what 'archivist COMMAND --help' says\n", f);
	fputs("\nglobal options (before or after the command):\n"
	      "  --endpoint URL      S3 endpoint (default: AWS_ENDPOINT_URL_S3,\n"
	      "                      AWS_ENDPOINT_URL, profile endpoint_url, AWS)\n"
	      "  --region R          signing region (default: AWS_REGION,\n"
	      "                      AWS_DEFAULT_REGION, profile region, us-east-1)\n"
	      "  --profile P         credentials/config profile (AWS_PROFILE, default)\n"
	      "  --path-style        path-style addressing (default for custom endpoints)\n"
	      "  --virtual-hosted    virtual-hosted addressing (default for AWS)\n"
	      "  --no-sign-request   anonymous requests\n"
	      "  --ca-bundle FILE    trust these CA certificates for TLS\n"
	      "  --config FILE       naming and stack configuration\n"
	      "                      (ARCHIVIST_CONFIG, else built-in heroku-python)\n"
	      "  -j, --jobs N        archives processed at once (default: from cores\n"
	      "                      and memory, ~0.8 GB per level-22 job)\n"
	      "  --json              one JSON object per line on stdout\n"
	      "  -q, --quiet         errors only on stderr\n"
	      "  -v, --verbose       what is being done on stderr (-vv: requests)\n"
	      "  --no-progress       no progress display (shown only on a terminal)\n"
	      "  --help, --version\n\n"
	      "exit status: 0 done, 1 some item failed, 2 usage or configuration\n"
	      "error, 3 conflict (destination exists with other content)\n"
	      "'archivist COMMAND --help' describes a command; man archivist\n"
	      "describes them all.\n", f);
}

/* help [COMMAND]: the same text and status as "COMMAND --help". */
static int help(int argc, char **argv, const struct globals *g)
{
	const struct command *c;
	char opt[] = "--help";
	char *hargv[] = { NULL, opt, NULL };

	if (argc < 2 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_DONE;
	}
	if (argc > 2 || !(c = command_find(argv[1]))) {
		msg_error("help: %s '%s' (see 'archivist --help')",
			  argc > 2 ? "unexpected argument" : "unknown command",
			  argv[argc > 2 ? 2 : 1]);
		return EXIT_USAGE;
	}
	hargv[0] = argv[1];
	return c->run(2, hargv, g);
}

/* Returns the index in gopts matching arg, or -1.  *val gets "--x=VAL". */
static int match(const char *arg, const char **val, int after_cmd)
{
	size_t i, n;

	*val = NULL;
	for (i = 0; i < NGOPTS; i++) {
		if (after_cmd && (gopts[i].id == G_HELP || gopts[i].id == G_VERSION))
			continue;
		if (arg[0] == '-' && arg[1] == gopts[i].shrt && gopts[i].shrt) {
			if (arg[2] && !gopts[i].arg)
				continue;
			if (arg[2])
				*val = arg + 2;
			return (int)i;
		}
		if (strncmp(arg, "--", 2) != 0)
			continue;
		n = strlen(gopts[i].lng);
		if (strncmp(arg + 2, gopts[i].lng, n) != 0)
			continue;
		if (arg[2 + n] == '\0')
			return (int)i;
		if (arg[2 + n] == '=' && gopts[i].arg) {
			*val = arg + 3 + n;
			return (int)i;
		}
	}
	return -1;
}

static int parse_jobs(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 256)
		return -1;
	*out = (int)v;
	return 0;
}

/* Applies option i with value val.  Returns -1 on a bad value. */
static int apply(struct globals *g, int i, const char *val, int *verbosity)
{
	switch (gopts[i].id) {
	case G_ENDPOINT: g->endpoint = val; break;
	case G_REGION: g->region = val; break;
	case G_PROFILE: g->profile = val; break;
	case G_CONFIG: g->config = val; break;
	case G_CA: g->ca_bundle = val; break;
	case G_PATH: g->addressing = ADDR_PATH; break;
	case G_VIRT: g->addressing = ADDR_VIRTUAL; break;
	case G_NOSIGN: g->no_sign = 1; break;
	case G_JOBS:
		if (parse_jobs(val, &g->jobs) != 0) {
			msg_error("-j/--jobs takes a number from 1 to 256, not '%s'", val);
			return -1;
		}
		break;
	case G_JSON: g->json = 1; break;
	case G_QUIET: *verbosity = MSG_QUIET; break;
	case G_VERBOSE: (*verbosity)++; break;
	case G_NOPROG: g->progress = 0; break;
	case G_HELP: usage(stdout); exit(EXIT_DONE);
	case G_VERSION: printf("archivist %s\n", ARCHIVIST_VERSION); exit(EXIT_DONE);
	}
	return 0;
}

/*
 * Takes global options out of argv[from..argc), compacting the rest.
 * Returns the new argc, or -1 on error.  Stops at "--".
 */
static int take_globals(int argc, char **argv, int from, int after_cmd,
			struct globals *g, int *verbosity)
{
	int r, w = from, i;
	const char *val;

	for (r = from; r < argc; r++) {
		if (strcmp(argv[r], "--") == 0) {
			while (r < argc)
				argv[w++] = argv[r++];
			break;
		}
		if (!after_cmd && argv[r][0] != '-')
			break;
		if (argv[r][0] == '-' && argv[r][1] == 'v' &&
		    !argv[r][strspn(argv[r] + 1, "v") + 1]) {
			*verbosity += (int)strlen(argv[r] + 1);	/* -vv: debug */
			continue;
		}
		if ((i = match(argv[r], &val, after_cmd)) < 0) {
			if (!after_cmd) {
				msg_error("unknown global option '%s' (see 'archivist --help')",
					  argv[r]);
				return -1;
			}
			argv[w++] = argv[r];
			continue;
		}
		if (gopts[i].arg && !val) {
			if (r + 1 >= argc) {
				msg_error("option '%s' needs a value", argv[r]);
				return -1;
			}
			val = argv[++r];
		}
		if (apply(g, i, val, verbosity) != 0)
			return -1;
	}
	while (r < argc)
		argv[w++] = argv[r++];
	argv[w] = NULL;
	return w;
}

int main(int argc, char **argv)
{
	struct globals g = { 0 };
	const struct command *c;
	int verbosity = MSG_NORMAL, cmd_at, n;

	g.progress = isatty(STDERR_FILENO);
	n = take_globals(argc, argv, 1, 0, &g, &verbosity);
	if (n < 0)
		return EXIT_USAGE;
	for (cmd_at = 1; cmd_at < n && argv[cmd_at][0] == '-'; cmd_at++)
		;
	if (cmd_at >= n) {
		usage(stderr);
		return EXIT_USAGE;
	}
	n = take_globals(n, argv, cmd_at + 1, 1, &g, &verbosity);
	if (n < 0)
		return EXIT_USAGE;
	msg_set_level(verbosity);
	if (strcmp(argv[cmd_at], "help") == 0)
		return help(n - cmd_at, argv + cmd_at, &g);
	if ((c = command_find(argv[cmd_at])) != NULL)
		return c->run(n - cmd_at, argv + cmd_at, &g);
	msg_error("unknown command '%s' (see 'archivist --help')", argv[cmd_at]);
	return EXIT_USAGE;
}
