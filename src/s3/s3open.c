/* s3open: a client from the caller's options, the environment and the AWS
 * files (see s3.h). */
#include <stdlib.h>
#include <string.h>

#include "awsprofile.h"
#include "credcache.h"
#include "creds.h"
#include "endpoint.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/s3.h"

int s3_client_open(const struct s3_options *o, struct s3_client **out)
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
	/* the AWS files are configuration, whatever went wrong reading them */
	if ((rc = aws_profile_load(&env, o->profile, &prof)) && rc != AV_ENOMEM)
		rc = AV_ECONFIG;
	if (!rc && !(rc = endpoint_resolve(o, &env, &prof, &ep)))
		rc = creds_resolve(o, &env, &prof, ep.region, &cr);
	if (!rc && !cr.anonymous)
		rc = credcache_new(&cr, &cfg.creds_cache);
	if (rc)
		goto out;
	cfg.endpoint = ep.url;
	cfg.region = ep.region;
	cfg.virtual_hosted = ep.virtual_hosted;
	cfg.ca_bundle = o->ca_bundle;
	cfg.part_size = o->part_size;
	cfg.part_jobs = o->part_jobs;
	cfg.max_attempts = o->max_attempts;
	cfg.connect_timeout = o->connect_timeout;
	cfg.low_speed_time = o->low_speed_time;
	if ((rc = s3_client_new(&cfg, out)) == AV_EINVAL)
		rc = AV_ECONFIG;
out:
	endpoint_release(&ep);
	creds_release(&cr);
	aws_profile_release(&prof);
	return rc;
}
