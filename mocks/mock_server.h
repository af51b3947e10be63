/*
 * mock_server: the HTTP side of the mock (libmicrohttpd): one thread per
 * connection, keep-alive, request bodies streamed to their sink as they
 * arrive, replies sent from memory or straight from the object's file,
 * with the response-side faults (stall, reset, truncate, overlong).
 */
#ifndef MOCK_SERVER_H
#define MOCK_SERVER_H

#include <stdatomic.h>
#include <stdint.h>

struct store;
struct faults;
struct reqlog;
struct MHD_Daemon;

/* The command line, borrowed for the server's lifetime. */
struct mock_config {
	const char *data_dir;
	unsigned port;		/* 0: any free port */
	const char *port_file;	/* written with the port once listening */
	const char *access_key;
	const char *secret_key;
	const char *keys_file;	/* more keys, "AK SK [TOKEN|- [NOT_AFTER]]"
				   per line, read for every request */
	const char *region;	/* required signing region, NULL for any */
	int no_auth;		/* accept every request unsigned */
	int anonymous_read;	/* unsigned GET/HEAD/list allowed */
	uint64_t min_part_size;	/* EntityTooSmall below this (not last) */
	int etag_sha256;	/* ETags from sha256, not MD5 (benchmarks) */
	const char *log_path;	/* request log, NULL for none */
	uint64_t seed;
	int verbose;
};

struct mock_server {
	const struct mock_config *cfg;
	struct store *store;
	struct faults *faults;
	struct reqlog *log;
	struct list_cache *lists;	/* the last listing's keys */
	struct MHD_Daemon *daemon;
	unsigned port;		/* the bound port */
	atomic_int stopping;
	atomic_ulong next_id;
};

/* Opens the store and the log, starts listening on 127.0.0.1.  Reports
 * errors itself; on failure everything is released. */
int server_start(struct mock_server *s, const struct mock_config *cfg,
		 struct faults *faults);
/* Stops accepting, waits for the connections, frees everything but the
 * faults (owned by the caller). */
void server_stop(struct mock_server *s);
/* Sleeps ms milliseconds, or less if the server is stopping. */
void server_sleep(struct mock_server *s, uint64_t ms);

#endif
