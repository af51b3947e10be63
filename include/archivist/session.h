/*
 * session: what a flow works with, built once by the command that runs it
 * (src/cmd/session.c): the configuration, the S3 client and how output is
 * wanted.  A flow borrows the session and never builds one of its own.
 *
 *   struct session s;
 *   session_init(&s, g);
 *   if (!(rc = session_load_config(&s, g)) && !(rc = session_open_client(&s, g)))
 *       rc = some_flow_run(&s, &opts, &result);
 *   session_release(&s);
 *   return cmd_exit_status_of(rc, result);
 */
#ifndef ARCHIVIST_SESSION_H
#define ARCHIVIST_SESSION_H

#include "archivist/config.h"
#include "archivist/s3.h"

struct session {
	struct config *config;		/* owned; NULL until loaded */
	struct s3_client *client;	/* owned; NULL until opened */
	int json;			/* one JSON object per line on stdout */
	int progress;			/* progress displays on stderr */
	int jobs;			/* -j N; 0 = automatic */
};

/*
 * What a whole flow came to, besides an error that stopped it: items may
 * have failed or met other content while the flow itself ran to its end.
 * The command turns it into an exit status (cmdutil.h).
 */
enum flow_result {
	FLOW_DONE = 0,		/* every item done or already done */
	FLOW_FAILED,		/* at least one item failed */
	FLOW_CONFLICT		/* no item failed, one met other content */
};

struct globals;

/* Empty, with the output options of g. */
void session_init(struct session *s, const struct globals *g);

/* Loads the configuration g names (--config, ARCHIVIST_CONFIG, else the
 * built-in one).  0, AV_ECONFIG or AV_ENOMEM (reported). */
int session_load_config(struct session *s, const struct globals *g);

/* Opens the client (cmd_client_open).  0 or its error (reported). */
int session_open_client(struct session *s, const struct globals *g);

void session_release(struct session *s);

/*
 * The client the command line describes: g's S3 options and the
 * ARCHIVIST_* tunables of the environment (ARCHIVIST_PART_SIZE 5M..5G,
 * ARCHIVIST_PART_JOBS, ARCHIVIST_MAX_ATTEMPTS, ARCHIVIST_CONNECT_TIMEOUT,
 * ARCHIVIST_LOW_SPEED_TIME in seconds).  0 and *out, AV_ECONFIG (a bad
 * tunable, or s3_client_open's), or s3_client_open's error; reported.
 */
int cmd_client_open(const struct globals *g, struct s3_client **out);

#endif
