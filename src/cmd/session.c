/* session: configuration and client, resolved once from the command line
 * (see session.h). */
#include <stdlib.h>
#include <string.h>

#include "archivist/cli.h"
#include "cmdutil.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/session.h"

/* A positive number from the environment, or 0 (a bad one is reported). */
static int env_size(const char *name, uint64_t *out)
{
	const char *v = getenv(name);

	*out = 0;
	if (!v || !*v)
		return 0;
	if (cmd_parse_size(v, out) || *out == 0) {
		msg_error("%s='%s' is not a size (like 5M or 67108864)", name, v);
		return AV_ECONFIG;
	}
	return 0;
}

/* The tunables tests and slow links need, from ARCHIVIST_* variables. */
static int env_tunables(struct s3_options *o)
{
	uint64_t v;
	int rc;

	if ((rc = env_size("ARCHIVIST_PART_SIZE", &o->part_size)))
		return rc;
	if (o->part_size && (o->part_size < S3_PART_SIZE_MIN ||
			     o->part_size > S3_PART_SIZE_MAX)) {
		msg_error("ARCHIVIST_PART_SIZE must be 5M to 5G (S3's part limits)");
		return AV_ECONFIG;
	}
	if ((rc = env_size("ARCHIVIST_PART_JOBS", &v)))
		return rc;
	o->part_jobs = v > 64 ? 64 : (int)v;
	if ((rc = env_size("ARCHIVIST_MAX_ATTEMPTS", &v)))
		return rc;
	o->max_attempts = v > 100 ? 100 : (int)v;
	if ((rc = env_size("ARCHIVIST_CONNECT_TIMEOUT", &v)))
		return rc;
	o->connect_timeout = (long)(v > 3600 ? 3600 : v);
	if ((rc = env_size("ARCHIVIST_LOW_SPEED_TIME", &v)))
		return rc;
	o->low_speed_time = (long)(v > 3600 ? 3600 : v);
	return 0;
}

int cmd_client_open(const struct globals *g, struct s3_client **out)
{
	struct s3_options o = g->s3;
	int rc;

	*out = NULL;
	if ((rc = env_tunables(&o)) != 0)
		return rc;
	return s3_client_open(&o, out);
}

void session_init(struct session *s, const struct globals *g)
{
	memset(s, 0, sizeof(*s));
	s->json = g->json;
	s->progress = g->progress;
	s->jobs = g->jobs;
}

int session_load_config(struct session *s, const struct globals *g)
{
	struct buf err = BUF_INIT;
	int rc;

	if ((rc = config_load(g->config, &s->config, &err)) != 0)
		msg_error("%s", err.ptr);
	buf_release(&err);
	return rc;
}

int session_open_client(struct session *s, const struct globals *g)
{
	return cmd_client_open(g, &s->client);
}

void session_release(struct session *s)
{
	s3_client_free(s->client);
	config_free(s->config);
	s->client = NULL;
	s->config = NULL;
}
