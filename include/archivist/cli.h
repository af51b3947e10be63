/*
 * cli: global options, exit codes and the command table.
 *
 * main.c fills a struct globals from the command line and environment and
 * calls one command.  Each command lives in src/cmd/NAME.c, parses its own
 * options, and returns an exit status from enum exit_status.
 */
#ifndef ARCHIVIST_CLI_H
#define ARCHIVIST_CLI_H

#define ARCHIVIST_VERSION "0.1.0"

enum exit_status {
	EXIT_DONE = 0,		/* everything done or already done */
	EXIT_FAILED = 1,	/* at least one item failed */
	EXIT_USAGE = 2,		/* usage or configuration error */
	EXIT_CONFLICT = 3	/* destination exists with other content */
};

enum addressing {
	ADDR_AUTO = 0,	/* path-style for custom endpoints, else virtual */
	ADDR_PATH,
	ADDR_VIRTUAL
};

/* Global options as given; NULL / 0 means "not given, use the default". */
struct globals {
	const char *endpoint;	/* --endpoint */
	const char *region;	/* --region */
	const char *profile;	/* --profile */
	const char *config;	/* --config */
	const char *ca_bundle;	/* --ca-bundle */
	enum addressing addressing;
	int no_sign;		/* --no-sign-request */
	int jobs;		/* -j N; 0 = automatic */
	int json;		/* --json */
	int progress;		/* progress wanted: stderr is a tty and no --no-progress */
};

typedef int (*command_fn)(int argc, char **argv, const struct globals *g);

struct command {
	const char *name;
	command_fn run;		/* argv[0] is the command name */
	const char *synopsis;	/* one line, for --help */
};

/* The table, NULL-name terminated (src/cmd/commands.c). */
extern const struct command commands[];

#endif
