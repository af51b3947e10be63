/*
 * creds_chain: creds_resolve, the providers tried in botocore's order
 * (see creds.h), and the messages that say which one was used or why
 * none could be.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "creds.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "creds_int.h"

#define NOT_SET (-1)
/* source_profile chains longer than this are refused. */
#define MAX_CHAIN 8

#define IMDS_ENDPOINT "http://169.254.169.254"
#define IMDS_ENDPOINT_V6 "http://[fd00:ec2::254]"
#define CONTAINER_HOST "http://169.254.170.2"

/* What the whole resolution looks at. */
struct chain {
	const struct s3_options *g;
	const struct aws_env *env;
	const struct aws_profile *top;	/* the profile in use */
	const char *region;
	const char *visited[MAX_CHAIN];
	int nvisited;
};

static int is_true(const char *s)
{
	return s && !strcasecmp(s, "true");
}

/*
 * Takes a key pair found in where ("environment", a file): both or
 * neither must be set.  Returns 0 with c filled, NOT_SET,
 * or AV_ECONFIG / AV_ENOMEM.
 */
static int take(struct creds *c, const char *provider, const char *ak,
		const char *sk, const char *token, const char *ak_name,
		const char *sk_name, const char *where)
{
	struct buf why = BUF_INIT;
	int rc;

	if (!aws_env_set(ak) && !aws_env_set(sk))
		return NOT_SET;
	if (!aws_env_set(ak) || !aws_env_set(sk)) {
		msg_error("%s sets %s but not %s", where,
			  aws_env_set(ak) ? ak_name : sk_name,
			  aws_env_set(ak) ? sk_name : ak_name);
		return AV_ECONFIG;
	}
	rc = creds_set(c, provider, ak, sk, token, 0, &why);
	if (rc == AV_ECORRUPT) {
		msg_error("%s: %s", where, why.ptr);
		rc = AV_ECONFIG;
	}
	buf_release(&why);
	return rc ? rc : buf_sets(&c->source, where);
}

static int from_file(struct creds *c, const struct aws_profile *p, int config)
{
	const struct awsconfig *cfg = config ? p->config : p->credentials;
	const char *section = config ? p->config_section :
		p->in_credentials ? p->name : NULL;
	struct buf where = BUF_INIT;
	int rc;

	if (!cfg || !section)
		return NOT_SET;
	if (buf_addf(&where, "profile '%s' in %s", p->name,
		     aws_profile_describe(p, config)))
		return AV_ENOMEM;
	rc = take(c, config ? "config-file" : "shared-credentials-file",
		  awsconfig_get(cfg, section, "aws_access_key_id"),
		  awsconfig_get(cfg, section, "aws_secret_access_key"),
		  awsconfig_get(cfg, section, "aws_session_token"),
		  "aws_access_key_id", "aws_secret_access_key", where.ptr);
	buf_release(&where);
	return rc;
}

/* The first fetch of a provider just built: c gets the credentials and
 * keeps the provider for later refreshes. */
static int first_fetch(struct creds_provider *pv, struct creds *c)
{
	struct buf why = BUF_INIT;
	int rc;

	if (!pv)
		return AV_ENOMEM;
	rc = pv->fetch(pv, c, &why);
	if (rc == AV_ECREDS || rc == AV_ECONFIG)
		msg_error("credentials from %s: %s", pv->name, why.ptr);
	if (rc)
		creds_provider_free(pv);
	else
		c->refresh = pv;
	buf_release(&why);
	return rc;
}

/* ---- STS: web identity and assumed roles ---- */

static int sts_opts_fill(const struct chain *ch, struct sts_opts *o,
			 struct buf *url)
{
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = sts_endpoint(ch->env, ch->top, ch->region, url,
			       &o->endpoint_from)))
		return rc;
	o->endpoint = url->ptr;
	o->region = ch->region;
	o->ca_bundle = ch->g->ca_bundle;
	return 0;
}

/* env first (unless disabled), then the profile, as botocore does. */
static const char *wi_get(const struct aws_env *env, int no_env,
			  const struct aws_profile *p, const char *key)
{
	const char *v = NULL;

	if (!no_env && !strcmp(key, "web_identity_token_file"))
		v = env->web_identity_token_file;
	else if (!no_env && !strcmp(key, "role_arn"))
		v = env->role_arn;
	else if (!no_env && !strcmp(key, "role_session_name"))
		v = env->role_session_name;
	return v ? v : aws_profile_get(p, key);
}

static int web_identity(const struct chain *ch, const struct aws_profile *p,
			int no_env, struct creds *c)
{
	const char *file = wi_get(ch->env, no_env, p, "web_identity_token_file");
	struct creds_provider *pv = NULL;
	struct buf url = BUF_INIT;
	struct sts_opts o;
	int rc;

	if (!aws_env_set(file))
		return NOT_SET;
	if ((rc = sts_opts_fill(ch, &o, &url)))
		goto out;
	o.token_file = file;
	o.role_arn = wi_get(ch->env, no_env, p, "role_arn");
	o.session_name = wi_get(ch->env, no_env, p, "role_session_name");
	if (!aws_env_set(o.role_arn)) {
		msg_error("a web identity token file is set (%s) but no role "
			  "to assume: set AWS_ROLE_ARN, or role_arn in "
			  "profile '%s'", file, p->name);
		rc = AV_ECONFIG;
		goto out;
	}
	if (!(rc = sts_web_identity_new(&o, &pv)))
		rc = first_fetch(pv, c);
out:
	buf_release(&url);
	return rc;
}

static int profile_chain(struct chain *ch, const struct aws_profile *p,
			 int no_env, struct creds *c);
static int container(const struct chain *ch, struct creds *c);
static int imds(const struct chain *ch, struct creds *c);

static int source_named(struct chain *ch, const struct aws_profile *p,
			const char *name, struct creds *src)
{
	int rc = NOT_SET;

	if (!strcasecmp(name, "Environment"))
		rc = take(src, "env", ch->env->access_key_id,
			  ch->env->secret_access_key, ch->env->session_token,
			  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
			  "environment");
	else if (!strcasecmp(name, "EcsContainer"))
		rc = container(ch, src);
	else if (!strcasecmp(name, "Ec2InstanceMetadata"))
		rc = imds(ch, src);
	else {
		msg_error("profile '%s' in %s: credential_source '%s' is not "
			  "Environment, EcsContainer or Ec2InstanceMetadata",
			  p->name, aws_profile_describe(p, 1), name);
		return AV_ECONFIG;
	}
	if (rc == NOT_SET) {
		msg_error("profile '%s' in %s: credential_source %s has no "
			  "credentials", p->name, aws_profile_describe(p, 1),
			  name);
		rc = AV_ECONFIG;
	}
	return rc;
}

static int visited(const struct chain *ch, const char *name)
{
	int i;

	for (i = 0; i < ch->nvisited; i++)
		if (!strcmp(ch->visited[i], name))
			return 1;
	return 0;
}

static int has_static(const struct aws_profile *p)
{
	return (p->in_credentials &&
		(awsconfig_get(p->credentials, p->name, "aws_access_key_id") ||
		 awsconfig_get(p->credentials, p->name,
			       "aws_secret_access_key"))) ||
	       aws_profile_get(p, "aws_access_key_id") ||
	       aws_profile_get(p, "aws_secret_access_key");
}

static int is_role(const struct aws_profile *p)
{
	return aws_profile_get(p, "role_arn") &&
	       !aws_profile_get(p, "web_identity_token_file");
}

static int assume_role(struct chain *ch, const struct aws_profile *p,
		       struct creds *c);

/* The credentials of source_profile sp, named by profile p. */
static int source_profile(struct chain *ch, const struct aws_profile *p,
			  const char *sp, struct creds *src)
{
	struct aws_profile view;
	int rc, self = !strcmp(sp, p->name);

	if ((rc = aws_profile_view(ch->top, sp, &view)))
		goto out;
	if (!view.in_credentials && !view.config_section) {
		msg_error("profile '%s' in %s: source_profile '%s' does not "
			  "exist", p->name, aws_profile_describe(p, 1), sp);
		rc = AV_ECONFIG;
		goto out;
	}
	if ((visited(ch, sp) && !(self && has_static(&view))) ||
	    ch->nvisited == MAX_CHAIN) {
		msg_error("profile '%s' in %s: source_profile '%s' makes a "
			  "loop", p->name, aws_profile_describe(p, 1), sp);
		rc = AV_ECONFIG;
		goto out;
	}
	ch->visited[ch->nvisited++] = sp;
	if (has_static(&view) || !is_role(&view))
		rc = profile_chain(ch, &view, 1, src);
	else
		rc = assume_role(ch, &view, src);
	if (rc == NOT_SET) {
		msg_error("profile '%s' in %s: source_profile '%s' has no "
			  "credentials", p->name, aws_profile_describe(p, 1),
			  sp);
		rc = AV_ECONFIG;
	}
out:
	aws_profile_release(&view);
	return rc;
}

static int assume_role(struct chain *ch, const struct aws_profile *p,
		       struct creds *c)
{
	const char *sp = aws_profile_get(p, "source_profile");
	const char *cs = aws_profile_get(p, "credential_source");
	const char *dur = aws_profile_get(p, "duration_seconds");
	struct creds_provider *pv = NULL;
	struct buf url = BUF_INIT;
	struct creds src;
	struct sts_opts o;
	int rc;

	if (!is_role(p))
		return NOT_SET;
	creds_init(&src);
	if ((sp && cs) || (!sp && !cs)) {
		msg_error("profile '%s' in %s has role_arn and %s of "
			  "source_profile and credential_source", p->name,
			  aws_profile_describe(p, 1), sp ? "both" : "neither");
		rc = AV_ECONFIG;
		goto out;
	}
	if (aws_profile_get(p, "mfa_serial")) {
		msg_error("profile '%s' in %s: mfa_serial needs a code typed "
			  "in, which archivist does not ask for: export "
			  "temporary credentials instead (e.g. from 'aws "
			  "configure export-credentials --format env')",
			  p->name, aws_profile_describe(p, 1));
		rc = AV_ECONFIG;
		goto out;
	}
	rc = sp ? source_profile(ch, p, sp, &src) : source_named(ch, p, cs,
								   &src);
	if (rc || (rc = sts_opts_fill(ch, &o, &url)))
		goto out;
	o.role_arn = aws_profile_get(p, "role_arn");
	o.session_name = aws_profile_get(p, "role_session_name");
	o.external_id = aws_profile_get(p, "external_id");
	o.duration = dur ? strtol(dur, NULL, 10) : 0;
	if (!(rc = sts_assume_role_new(&o, &src, &pv)))
		rc = first_fetch(pv, c);
out:
	creds_release(&src);
	buf_release(&url);
	return rc;
}

/* ---- the platform's services ---- */

static int container(const struct chain *ch, struct creds *c)
{
	const struct aws_env *e = ch->env;
	struct creds_provider *pv = NULL;
	struct container_opts o = { NULL, NULL, e->container_token,
		e->container_token_file, ch->g->ca_bundle };
	struct buf url = BUF_INIT, why = BUF_INIT;
	int rc;

	if (aws_env_set(e->container_relative_uri)) {
		o.url_from = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
		rc = buf_addf(&url, "%s%s%s", CONTAINER_HOST,
			      e->container_relative_uri[0] == '/' ? "" : "/",
			      e->container_relative_uri);
	} else if (aws_env_set(e->container_full_uri)) {
		o.url_from = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
		rc = buf_sets(&url, e->container_full_uri);
		if (!rc && (rc = container_url_check(url.ptr, &why)))
			msg_error("%s: %s", o.url_from, why.ptr);
	} else {
		return NOT_SET;
	}
	o.url = url.ptr;
	if (!o.token_file || !*o.token_file)
		o.token_file = NULL;
	if (!rc && !(rc = container_provider_new(&o, &pv)))
		rc = first_fetch(pv, c);
	buf_release(&url);
	buf_release(&why);
	return rc;
}

/* A whole number of seconds or attempts from the environment, else the
 * profile, else dflt. */
static long number(const char *env, const struct aws_profile *p,
		   const char *key, long dflt, long max)
{
	const char *v = aws_env_set(env) ? env : aws_profile_get(p, key);
	char *end;
	long n;

	if (!aws_env_set(v))
		return dflt;
	n = strtol(v, &end, 10);
	return *end || n < 1 ? dflt : n > max ? max : n;
}

static int imds(const struct chain *ch, struct creds *c)
{
	const struct aws_env *e = ch->env;
	const struct aws_profile *p = ch->top;
	const char *ep = aws_env_set(e->imds_endpoint) ? e->imds_endpoint :
		aws_profile_get(p, "ec2_metadata_service_endpoint");
	const char *mode = aws_env_set(e->imds_endpoint_mode) ?
		e->imds_endpoint_mode :
		aws_profile_get(p, "ec2_metadata_service_endpoint_mode");
	const char *v1 = aws_env_set(e->imds_v1_disabled) ?
		e->imds_v1_disabled :
		aws_profile_get(p, "ec2_metadata_v1_disabled");
	struct creds_provider *pv = NULL;
	struct buf why = BUF_INIT;
	struct imds_opts o;
	int rc;

	if (is_true(e->imds_disabled))
		return NOT_SET;
	o.endpoint = aws_env_set(ep) ? ep : mode && !strcasecmp(mode, "ipv6")
		? IMDS_ENDPOINT_V6 : IMDS_ENDPOINT;
	/* One retry by default (botocore makes one attempt): a lost packet
	 * should not cost the instance its credentials. */
	o.timeout = number(e->imds_timeout, p, "metadata_service_timeout", 1,
			   60);
	o.attempts = (int)number(e->imds_attempts, p,
				 "metadata_service_num_attempts", 2, 10);
	o.v1_disabled = is_true(v1);
	if ((rc = imds_provider_new(&o, &pv)))
		return rc;
	if (aws_env_set(ep))
		return first_fetch(pv, c);
	/* Off EC2 there is simply nothing at the default address: not an
	 * error, the chain ends there (as in botocore). */
	rc = pv->fetch(pv, c, &why);
	if (rc == AV_ECREDS) {
		msg_verbose("no instance metadata credentials: %s", why.ptr);
		rc = NOT_SET;
	}
	if (rc)
		creds_provider_free(pv);
	else
		c->refresh = pv;
	buf_release(&why);
	return rc;
}

/* ---- the chain ---- */

static int unsupported_sso(const struct aws_profile *p)
{
	static const char *const keys[] = { "sso_session", "sso_start_url",
		"sso_account_id", "sso_role_name", "login_session", NULL };
	const char *const *k;

	for (k = keys; *k; k++) {
		if (aws_profile_get(p, *k)) {
			msg_error("profile '%s' in %s uses %s (IAM Identity "
				  "Center / sign-in), which archivist does not "
				  "support: export AWS_ACCESS_KEY_ID, "
				  "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN "
				  "(e.g. from 'aws configure export-credentials "
				  "--format env')", p->name,
				  aws_profile_describe(p, 1), *k);
			return AV_ECONFIG;
		}
	}
	return NOT_SET;
}

static int process(const struct aws_profile *p, struct creds *c)
{
	const char *cmd = aws_profile_get(p, "credential_process");
	struct creds_provider *pv = NULL;
	struct buf where = BUF_INIT;
	int rc;

	if (!aws_env_set(cmd))
		return NOT_SET;
	if ((rc = buf_addf(&where, "profile '%s' in %s", p->name,
			   aws_profile_describe(p, 1))) ||
	    (rc = process_provider_new(cmd, where.ptr, &pv)))
		goto out;
	rc = first_fetch(pv, c);
out:
	buf_release(&where);
	return rc;
}

/* The providers that read one profile (botocore's ProfileProviderBuilder). */
static int profile_chain(struct chain *ch, const struct aws_profile *p,
			 int no_env, struct creds *c)
{
	int rc;

	if ((rc = web_identity(ch, p, no_env, c)) != NOT_SET ||
	    (rc = unsupported_sso(p)) != NOT_SET ||
	    (rc = from_file(c, p, 0)) != NOT_SET ||
	    (rc = process(p, c)) != NOT_SET)
		return rc;
	return from_file(c, p, 1);
}

static void report_none(const struct aws_profile *p, int env_skipped)
{
	const char *state = p->in_credentials || p->config_section ?
		"has no aws_access_key_id in either of" : "is in neither of";

	msg_error("no credentials found: %s, and profile '%s' %s %s or %s; "
		  "no web identity, container or instance credentials either; "
		  "set them, or use --no-sign-request for a public bucket",
		  env_skipped ? "the environment is ignored with --profile" :
		  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
		  p->name, state, aws_profile_describe(p, 0),
		  aws_profile_describe(p, 1));
}

static void say_used(const struct creds *c)
{
	char when[32] = "";
	struct tm tm;

	if (c->expires && gmtime_r(&c->expires, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	msg_verbose("credentials from %s (%s), access key id %s%s%s%s",
		    c->source.ptr, c->provider, c->access_key,
		    c->session_token ? ", with a session token" : "",
		    *when ? ", expire " : "", when);
}

int creds_resolve(const struct s3_options *g, const struct aws_env *env,
		  const struct aws_profile *p, const char *region,
		  struct creds *c)
{
	struct chain ch = { g, env, p, region, { NULL }, 0 };
	int env_skipped = aws_env_set(g->profile), rc;

	if (g->no_sign) {
		c->anonymous = 1;
		c->provider = "none";
		rc = buf_sets(&c->source, "--no-sign-request");
		msg_verbose("no credentials: --no-sign-request");
		return rc;
	}
	ch.visited[ch.nvisited++] = p->name;
	rc = env_skipped ? NOT_SET :
		take(c, "env", env->access_key_id, env->secret_access_key,
		     env->session_token, "AWS_ACCESS_KEY_ID",
		     "AWS_SECRET_ACCESS_KEY", "environment");
	if (rc == NOT_SET)
		rc = assume_role(&ch, p, c);
	if (rc == NOT_SET)
		rc = profile_chain(&ch, p, env_skipped, c);
	if (rc == NOT_SET)
		rc = container(&ch, c);
	if (rc == NOT_SET)
		rc = imds(&ch, c);
	if (rc == NOT_SET) {
		report_none(p, env_skipped);
		rc = AV_ECONFIG;
	}
	if (!rc)
		say_used(c);
	else
		creds_release(c);
	return rc;
}
