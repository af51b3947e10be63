/*
 * util_http: a scripted HTTP server for unit tests, on 127.0.0.1 in a
 * thread of the test process.  It answers the n-th request it reads with
 * replies[n], written as is, and records each request's line and headers.
 *
 *   "CLOSE"         close the connection instead of answering
 *   "!" + REPLY     write REPLY, then close (a reply cut short)
 */
#ifndef UTIL_HTTP_H
#define UTIL_HTTP_H

#include <pthread.h>
#include <stddef.h>

#define SCRIPT_MAX 16

struct script {
	const char *replies[SCRIPT_MAX];
	int nreplies;
	char requests[SCRIPT_MAX][8192];	/* request line + headers */
	int nrequests;
	int lfd;
	int port;
	pthread_t thread;
};

/* Listens on a free port and serves in a thread.  0, or -1. */
int script_start(struct script *s);
/* Stops serving (waits for the thread). */
void script_stop(struct script *s);
/* "HTTP/1.1 STATUS\r\n" + headers ("Name: v\r\n"...) + Content-Length of
 * body + body, into out (max bytes); returns out. */
const char *script_reply(char *out, size_t max, const char *status,
			 const char *headers, const char *body);

#endif
