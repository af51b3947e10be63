/*
 * awsprofile: the AWS environment variables and shared files, read the
 * way the AWS CLI (botocore) reads them (see awsprofile.h).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awsprofile.h"
#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/msg.h"

int aws_env_set(const char *s)
{
	return s && *s;
}

void aws_env_from_environ(struct aws_env *e)
{
	struct passwd *pw;

	e->access_key_id = getenv("AWS_ACCESS_KEY_ID");
	e->secret_access_key = getenv("AWS_SECRET_ACCESS_KEY");
	e->session_token = getenv("AWS_SESSION_TOKEN");
	e->profile = getenv("AWS_PROFILE");
	e->region = getenv("AWS_REGION");
	e->default_region = getenv("AWS_DEFAULT_REGION");
	e->endpoint_url_s3 = getenv("AWS_ENDPOINT_URL_S3");
	e->endpoint_url = getenv("AWS_ENDPOINT_URL");
	e->credentials_file = getenv("AWS_SHARED_CREDENTIALS_FILE");
	e->config_file = getenv("AWS_CONFIG_FILE");
	e->home = getenv("HOME");
	e->web_identity_token_file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	e->role_arn = getenv("AWS_ROLE_ARN");
	e->role_session_name = getenv("AWS_ROLE_SESSION_NAME");
	e->endpoint_url_sts = getenv("AWS_ENDPOINT_URL_STS");
	e->sts_regional_endpoints = getenv("AWS_STS_REGIONAL_ENDPOINTS");
	e->container_relative_uri =
		getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	e->container_full_uri = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	e->container_token = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	e->container_token_file =
		getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	e->imds_disabled = getenv("AWS_EC2_METADATA_DISABLED");
	e->imds_endpoint = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	e->imds_endpoint_mode = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	e->imds_v1_disabled = getenv("AWS_EC2_METADATA_V1_DISABLED");
	e->imds_timeout = getenv("AWS_METADATA_SERVICE_TIMEOUT");
	e->imds_attempts = getenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
	/* Redacted from here on, whatever is reported first. */
	msg_add_secret(e->secret_access_key);
	msg_add_secret(e->session_token);
	msg_add_secret(e->container_token);
	if (!aws_env_set(e->home) && (pw = getpwuid(getuid())))
		e->home = pw->pw_dir;
}

/* path with a leading "~/" expanded; NULL on allocation failure. */
static char *expand(const char *path, const char *home)
{
	struct buf b = BUF_INIT;

	if (path[0] == '~' && (path[1] == '/' || !path[1]) &&
	    aws_env_set(home)) {
		if (buf_adds(&b, home) || buf_adds(&b, path + 1))
			return NULL;
		return buf_detach(&b, NULL);
	}
	return strdup(path);
}

void aws_profile_release(struct aws_profile *p)
{
	free(p->name);
	free(p->credentials_path);
	free(p->config_path);
	free(p->config_section);
	if (!p->view) {
		awsconfig_free(p->credentials);
		awsconfig_free(p->config);
	}
	memset(p, 0, sizeof(*p));
}

static int load_one(const char *path, struct awsconfig **out)
{
	int rc = awsconfig_load(path, out);

	return rc == AV_ENOTFOUND ? 0 : rc;
}

/* The config-file section of the profile: "profile NAME", or for the
 * default profile also "[default]". */
static int find_config_section(struct aws_profile *p)
{
	struct buf b = BUF_INIT;

	if (buf_addf(&b, "profile %s", p->name))
		return AV_ENOMEM;
	if (!awsconfig_has_section(p->config, b.ptr)) {
		buf_release(&b);
		if (strcmp(p->name, "default") ||
		    !awsconfig_has_section(p->config, "default"))
			return 0;
		if (buf_adds(&b, "default"))
			return AV_ENOMEM;
	}
	p->config_section = buf_detach(&b, NULL);
	return p->config_section ? 0 : AV_ENOMEM;
}

static int choose_name(const struct aws_env *env, const char *opt,
		       struct aws_profile *p)
{
	const char *name = "default";

	if (aws_env_set(opt)) {
		name = opt;
		p->name_from = "--profile";
	} else if (aws_env_set(env->profile)) {
		name = env->profile;
		p->name_from = "AWS_PROFILE";
	}
	p->name = strdup(name);
	p->credentials_path = expand(aws_env_set(env->credentials_file) ?
				     env->credentials_file :
				     "~/.aws/credentials", env->home);
	p->config_path = expand(aws_env_set(env->config_file) ?
				env->config_file : "~/.aws/config", env->home);
	return p->name && p->credentials_path && p->config_path ? 0 :
		AV_ENOMEM;
}

int aws_profile_load(const struct aws_env *env, const char *profile_opt,
		     struct aws_profile *p)
{
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = choose_name(env, profile_opt, p)) ||
	    (rc = load_one(p->credentials_path, &p->credentials)) ||
	    (rc = load_one(p->config_path, &p->config)) ||
	    (rc = find_config_section(p)))
		return rc;
	p->in_credentials = awsconfig_has_section(p->credentials, p->name);
	if (p->name_from && !p->in_credentials && !p->config_section) {
		msg_error("profile '%s' (from %s) not found in %s or %s",
			  p->name, p->name_from, aws_profile_describe(p, 0),
			  aws_profile_describe(p, 1));
		return AV_ECONFIG;
	}
	return 0;
}

int aws_profile_view(const struct aws_profile *base, const char *name,
		     struct aws_profile *view)
{
	int rc;

	memset(view, 0, sizeof(*view));
	view->view = 1;
	view->name_from = "source_profile";
	view->credentials = base->credentials;
	view->config = base->config;
	view->name = strdup(name);
	view->credentials_path = base->credentials_path ?
		strdup(base->credentials_path) : NULL;
	view->config_path = base->config_path ? strdup(base->config_path) :
		NULL;
	if (!view->name || (base->credentials_path && !view->credentials_path)
	    || (base->config_path && !view->config_path))
		return AV_ENOMEM;
	if ((rc = find_config_section(view)))
		return rc;
	view->in_credentials = awsconfig_has_section(view->credentials, name);
	return 0;
}

const char *aws_profile_get(const struct aws_profile *p, const char *key)
{
	if (!p->config_section)
		return NULL;
	return awsconfig_get(p->config, p->config_section, key);
}

const char *aws_profile_get_sub(const struct aws_profile *p, const char *key,
				const char *sub)
{
	if (!p->config_section)
		return NULL;
	return awsconfig_get_sub(p->config, p->config_section, key, sub);
}

const char *aws_profile_service(const struct aws_profile *p,
				const char *service, const char *sub)
{
	const char *name = aws_profile_get(p, "services");
	struct buf b = BUF_INIT;
	const char *v = NULL;

	if (!aws_env_set(name) || buf_addf(&b, "services %s", name))
		return NULL;
	v = awsconfig_get_sub(p->config, b.ptr, service, sub);
	buf_release(&b);
	return v;
}

const char *aws_profile_describe(const struct aws_profile *p, int config)
{
	static char text[2][1100];
	const char *path = config ? p->config_path : p->credentials_path;
	int present = config ? p->config != NULL : p->credentials != NULL;

	snprintf(text[!!config], sizeof(text[0]), "%.1024s%s",
		 path ? path : "(none)", present ? "" : " (absent)");
	return text[!!config];
}
