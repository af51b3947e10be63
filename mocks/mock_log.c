/* mock_log: JSON-lines request log (see mock_log.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <jansson.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "mock_log.h"

struct reqlog {
	FILE *f;
	pthread_mutex_t mu;
};

int reqlog_open(struct reqlog **out, const char *path)
{
	struct reqlog *log = calloc(1, sizeof(*log));

	if (!log)
		return AV_ENOMEM;
	pthread_mutex_init(&log->mu, NULL);
	if (path && !(log->f = fopen(path, "ae"))) {
		msg_error("cannot open the request log '%s': %s", path,
			  strerror(errno));
		reqlog_close(log);
		return AV_EIO;
	}
	*out = log;
	return 0;
}

void reqlog_close(struct reqlog *log)
{
	if (!log)
		return;
	if (log->f)
		fclose(log->f);
	pthread_mutex_destroy(&log->mu);
	free(log);
}

static void now_iso(char out[32])
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static json_t *line_of(const struct mock_req *r, int complete)
{
	const char *q = strchr(r->uri, '?');
	char when[32];

	now_iso(when);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:f,"
			 " s:b, s:s?, s:s?, s:s?}",
			 "time", when, "id", r->id, "method", r->method,
			 "path", r->path ? r->path : r->uri,
			 "query", q ? q + 1 : "", "op", op_name(r->op),
			 "status", (int)r->status,
			 "bytes_in", (json_int_t)r->bytes_in,
			 "bytes_out", (json_int_t)r->bytes_out,
			 "ms", elapsed_ms(&r->start), "complete", complete,
			 "fault", r->fault_applied ? r->fault.text : NULL,
			 "error", r->error_code,
			 "access_key", r->access_key[0] ? r->access_key : NULL);
}

void reqlog_write(struct reqlog *log, const struct mock_req *r, int complete)
{
	json_t *line;
	char *s;

	if (!log->f || r->op == OP_ADMIN)
		return;
	line = line_of(r, complete);
	s = line ? json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(line);
	if (!s)
		return;
	pthread_mutex_lock(&log->mu);
	fprintf(log->f, "%s\n", s);
	fflush(log->f);
	pthread_mutex_unlock(&log->mu);
	free(s);
}
