/*
 * cli: global options, exit codes and the command table.
 *
 * main.c fills a struct globals from the command line and environment and
 * calls one command.  Each command lives in src/cmd/NAME.c, parses its own
 * options, and returns an exit status from enum exit_status.
 */
#ifndef ARCHIVIST_CLI_H
#define ARCHIVIST_CLI_H

#include <stdio.h>

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
	const char *synopsis;	/* "NAME ARGS...": the one copy, printed by
				 * --help and by the command's usage; '\n'
				 * breaks a long one into lines */
	const char *summary;	/* what it does, a few words */
};

/* The table, NULL-name terminated (src/cmd/commands.c). */
extern const struct command commands[];

/* The command called name, or NULL. */
const struct command *command_find(const char *name);

/* Prints lead and c's synopsis, its further lines aligned under the
 * first argument, and a newline. */
void command_synopsis_print(FILE *f, const char *lead,
			    const struct command *c);

/* The first line of a command's usage: "usage: archivist SYNOPSIS". */
void command_usage(FILE *f, const char *name);

#endif
