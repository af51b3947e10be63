/* s3open: a client from the global options, environment and AWS files. */
#include <stdlib.h>
#include <string.h>

#include "archivist/awsprofile.h"
#include "archivist/cmdutil.h"
#include "archivist/credcache.h"
#include "archivist/creds.h"
#include "archivist/endpoint.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/s3.h"

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
static int env_tunables(struct s3_config *cfg)
{
	uint64_t v;
	int rc;

	if ((rc = env_size("ARCHIVIST_PART_SIZE", &cfg->part_size)))
		return rc;
	if (cfg->part_size && (cfg->part_size < S3_PART_SIZE_MIN ||
			       cfg->part_size > S3_PART_SIZE_MAX)) {
		msg_error("ARCHIVIST_PART_SIZE must be 5M to 5G (S3's part limits)");
		return AV_ECONFIG;
	}
	if ((rc = env_size("ARCHIVIST_PART_JOBS", &v)))
		return rc;
	cfg->part_jobs = v > 64 ? 64 : (int)v;
	if ((rc = env_size("ARCHIVIST_MAX_ATTEMPTS", &v)))
		return rc;
	cfg->max_attempts = v > 100 ? 100 : (int)v;
	if ((rc = env_size("ARCHIVIST_CONNECT_TIMEOUT", &v)))
		return rc;
	cfg->connect_timeout = (long)(v > 3600 ? 3600 : v);
	if ((rc = env_size("ARCHIVIST_LOW_SPEED_TIME", &v)))
		return rc;
	cfg->low_speed_time = (long)(v > 3600 ? 3600 : v);
	return 0;
}

int s3_client_open(const struct globals *g, struct s3_client **out)
{
	struct aws_env env;
	struct aws_profile prof;
	struct creds cr;
	struct endpoint ep;
	struct s3_config cfg;
	int rc;

	memset(&ep, 0, sizeof(ep));
	memset(&cfg, 0, sizeof(cfg));
	creds_init(&cr);
	aws_env_from_environ(&env);
	rc = aws_profile_load(&env, g->profile, &prof);
	if (!rc && !(rc = endpoint_resolve(g, &env, &prof, &ep)))
		rc = creds_resolve(g, &env, &prof, ep.region, &cr);
	if (!rc)
		rc = env_tunables(&cfg);
	if (!rc && !cr.anonymous)
		rc = credcache_new(&cr, &cfg.creds_cache);
	if (rc)
		goto out;
	cfg.endpoint = ep.url;
	cfg.region = ep.region;
	cfg.virtual_hosted = ep.virtual_hosted;
	cfg.ca_bundle = g->ca_bundle;
	if ((rc = s3_client_new(&cfg, out)) == AV_EINVAL)
		rc = AV_ECONFIG;
out:
	endpoint_release(&ep);
	creds_release(&cr);
	aws_profile_release(&prof);
	/* A provider that failed (STS, the container or instance endpoint,
	 * credential_process) is not a configuration error: exit 1. */
	return rc == AV_ENOMEM || rc == AV_ECREDS ? rc : rc ? AV_ECONFIG : 0;
}
