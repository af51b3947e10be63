/*
 * creds: resolution of the signing credentials (see creds.h): the
 * environment, then the profile in the credentials and config files.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "archivist/creds.h"
#include "archivist/error.h"
#include "archivist/msg.h"

/* Config keys that mean "get credentials some other way". */
static const char *const other_providers[] = {
	"role_arn", "credential_process", "sso_session", "sso_start_url",
	"web_identity_token_file", NULL
};

void creds_init(struct creds *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->source, 0);
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void creds_release(struct creds *c)
{
	free(c->access_key);
	wipe_free(c->secret_key);
	wipe_free(c->session_token);
	buf_release(&c->source);
	creds_init(c);
}

const struct sigv4_creds *creds_sigv4(const struct creds *c)
{
	return c->anonymous || !c->access_key ? NULL : &c->sig;
}

/* Characters that would break the credential scope or a header. */
static int bad_chars(const char *s, int key)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 127 ||
		    (key && (*s == '/' || *s == ' ')))
			return 1;
	return 0;
}

#define NOT_SET (-1)

/*
 * Takes a key pair found in where ("environment", a file): both or
 * neither must be set.  Returns 0 with c filled, NOT_SET,
 * or AV_ECONFIG / AV_ENOMEM.
 */
static int take(struct creds *c, const char *ak, const char *sk,
		const char *token, const char *ak_name, const char *sk_name,
		const char *where)
{
	if (!aws_env_set(ak) && !aws_env_set(sk))
		return NOT_SET;
	if (!aws_env_set(ak) || !aws_env_set(sk)) {
		msg_error("%s sets %s but not %s", where,
			  aws_env_set(ak) ? ak_name : sk_name,
			  aws_env_set(ak) ? sk_name : ak_name);
		return AV_ECONFIG;
	}
	if (bad_chars(ak, 1) || bad_chars(sk, 0) ||
	    (token && bad_chars(token, 0))) {
		msg_error("%s: the access key, secret or session token "
			  "contains characters that cannot be sent", where);
		return AV_ECONFIG;
	}
	msg_add_secret(sk);
	if (aws_env_set(token))
		msg_add_secret(token);
	c->access_key = strdup(ak);
	c->secret_key = strdup(sk);
	c->session_token = aws_env_set(token) ? strdup(token) : NULL;
	if (!c->access_key || !c->secret_key ||
	    (aws_env_set(token) && !c->session_token) ||
	    buf_sets(&c->source, where))
		return AV_ENOMEM;
	c->sig.access_key = c->access_key;
	c->sig.secret_key = c->secret_key;
	c->sig.session_token = c->session_token;
	return 0;
}

static int from_file(struct creds *c, const struct aws_profile *p,
		     const struct awsconfig *cfg, const char *section,
		     int config)
{
	struct buf where = BUF_INIT;
	int rc;

	if (!cfg || !section)
		return NOT_SET;
	if (buf_addf(&where, "profile '%s' in %s", p->name,
		     aws_profile_describe(p, config)))
		return AV_ENOMEM;
	rc = take(c, awsconfig_get(cfg, section, "aws_access_key_id"),
		  awsconfig_get(cfg, section, "aws_secret_access_key"),
		  awsconfig_get(cfg, section, "aws_session_token"),
		  "aws_access_key_id", "aws_secret_access_key", where.ptr);
	buf_release(&where);
	return rc;
}

static int unsupported_provider(const struct aws_profile *p)
{
	const char *const *k;

	for (k = other_providers; *k; k++) {
		if (aws_profile_get(p, *k)) {
			msg_error("profile '%s' in %s uses %s, which archivist "
				  "does not support: export AWS_ACCESS_KEY_ID, "
				  "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN "
				  "(e.g. from 'aws configure export-credentials "
				  "--format env')", p->name,
				  aws_profile_describe(p, 1), *k);
			return AV_ECONFIG;
		}
	}
	return 0;
}

static void report_none(const struct aws_profile *p, int env_skipped)
{
	const char *state = p->in_credentials || p->config_section ?
		"has no aws_access_key_id in either of" : "is in neither of";

	msg_error("no credentials found: %s, and profile '%s' %s %s or %s; "
		  "set them, or use --no-sign-request for a public bucket",
		  env_skipped ? "the environment is ignored with --profile" :
		  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
		  p->name, state, aws_profile_describe(p, 0),
		  aws_profile_describe(p, 1));
}

int creds_resolve(const struct s3_options *g, const struct aws_env *env,
		  const struct aws_profile *p, struct creds *c)
{
	int env_skipped = aws_env_set(g->profile), rc;

	if (g->no_sign) {
		c->anonymous = 1;
		return buf_sets(&c->source, "--no-sign-request");
	}
	if (!env_skipped) {
		rc = take(c, env->access_key_id, env->secret_access_key,
			  env->session_token, "AWS_ACCESS_KEY_ID",
			  "AWS_SECRET_ACCESS_KEY", "environment");
		if (rc != NOT_SET)
			goto out;
	}
	if ((rc = unsupported_provider(p)))
		goto out;
	rc = from_file(c, p, p->credentials, p->in_credentials ? p->name :
		       NULL, 0);
	if (rc == NOT_SET)
		rc = from_file(c, p, p->config, p->config_section, 1);
	if (rc == NOT_SET) {
		report_none(p, env_skipped);
		rc = AV_ECONFIG;
	}
out:
	if (!rc)
		msg_verbose("credentials from %s", c->source.ptr);
	else
		creds_release(c);
	return rc;
}
