/*
 * awsprofile: the environment and the shared AWS files, as the AWS CLI
 * reads them, behind one struct so tests never touch the real ~/.aws.
 *
 * Usage (what a command does before talking to S3):
 *
 *	struct aws_env env;
 *	struct aws_profile prof;
 *	struct creds cr;
 *	struct endpoint ep;
 *
 *	aws_env_from_environ(&env);
 *	if (aws_profile_load(&env, g->profile, &prof) ||
 *	    creds_resolve(g, &env, &prof, &cr) ||
 *	    endpoint_resolve(g, &env, &prof, &ep))
 *		return EXIT_USAGE;		(already reported)
 *
 * then struct s3_config { .endpoint = ep.url, .region = ep.region,
 * .virtual_hosted = ep.virtual_hosted, .creds = creds_sigv4(&cr) }.
 */
#ifndef ARCHIVIST_AWSPROFILE_H
#define ARCHIVIST_AWSPROFILE_H

#include "awsconfig.h"

/*
 * The environment variables that matter, borrowed (NULL or "" = unset).
 * Tests fill it by hand; aws_env_from_environ() reads the process's.
 */
struct aws_env {
	const char *access_key_id;	/* AWS_ACCESS_KEY_ID */
	const char *secret_access_key;	/* AWS_SECRET_ACCESS_KEY */
	const char *session_token;	/* AWS_SESSION_TOKEN */
	const char *profile;		/* AWS_PROFILE */
	const char *region;		/* AWS_REGION */
	const char *default_region;	/* AWS_DEFAULT_REGION */
	const char *endpoint_url_s3;	/* AWS_ENDPOINT_URL_S3 */
	const char *endpoint_url;	/* AWS_ENDPOINT_URL */
	const char *credentials_file;	/* AWS_SHARED_CREDENTIALS_FILE */
	const char *config_file;	/* AWS_CONFIG_FILE */
	const char *home;		/* HOME, for "~/" */
	/* The other credential providers (creds.h), as botocore names them. */
	const char *web_identity_token_file; /* AWS_WEB_IDENTITY_TOKEN_FILE */
	const char *role_arn;		/* AWS_ROLE_ARN */
	const char *role_session_name;	/* AWS_ROLE_SESSION_NAME */
	const char *endpoint_url_sts;	/* AWS_ENDPOINT_URL_STS */
	const char *sts_regional_endpoints; /* AWS_STS_REGIONAL_ENDPOINTS */
	const char *container_relative_uri; /* AWS_CONTAINER_CREDENTIALS_RELATIVE_URI */
	const char *container_full_uri;	/* AWS_CONTAINER_CREDENTIALS_FULL_URI */
	const char *container_token;	/* AWS_CONTAINER_AUTHORIZATION_TOKEN */
	const char *container_token_file; /* ..._AUTHORIZATION_TOKEN_FILE */
	const char *imds_disabled;	/* AWS_EC2_METADATA_DISABLED */
	const char *imds_endpoint;	/* AWS_EC2_METADATA_SERVICE_ENDPOINT */
	const char *imds_endpoint_mode;	/* AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE */
	const char *imds_v1_disabled;	/* AWS_EC2_METADATA_V1_DISABLED */
	const char *imds_timeout;	/* AWS_METADATA_SERVICE_TIMEOUT */
	const char *imds_attempts;	/* AWS_METADATA_SERVICE_NUM_ATTEMPTS */
};

/* Fills e with getenv() pointers (valid while the environment is not
 * changed).  HOME falls back to the password database. */
void aws_env_from_environ(struct aws_env *e);

/* 1 if s is set and not empty. */
int aws_env_set(const char *s);

/* The profile in use and the two files, parsed.  All owned. */
struct aws_profile {
	char *name;			/* "default" unless chosen */
	const char *name_from;		/* "--profile", "AWS_PROFILE" or NULL */
	char *credentials_path;		/* as looked at ("~/" expanded) */
	char *config_path;
	struct awsconfig *credentials;	/* NULL when the file is absent */
	struct awsconfig *config;
	char *config_section;		/* "profile NAME" or "default" if
					   present in the config file, else
					   NULL */
	int in_credentials;		/* [NAME] is in the credentials file */
	int view;			/* the files are borrowed (aws_profile_view) */
};

/*
 * Reads both files for profile_opt (--profile; NULL: AWS_PROFILE, else
 * "default").  Absent files are fine (empty).  Returns 0, or AV_ECONFIG
 * and friends, reported: a file that cannot be read or parsed, or a
 * profile named by --profile or AWS_PROFILE that is in neither file.
 * p is always initialised: release it with aws_profile_release().
 */
int aws_profile_load(const struct aws_env *env, const char *profile_opt,
		     struct aws_profile *p);
void aws_profile_release(struct aws_profile *p);
/*
 * Another profile of the same files (a source_profile): view borrows
 * base's parsed files, so base must outlive it.  Returns 0 (view->
 * in_credentials and config_section say whether it exists anywhere) or
 * AV_ENOMEM.  Release with aws_profile_release.
 */
int aws_profile_view(const struct aws_profile *base, const char *name,
		     struct aws_profile *view);

/* key in the profile's config-file section, or NULL (owned by p). */
const char *aws_profile_get(const struct aws_profile *p, const char *key);
/* sub inside the nested block key of the profile's section ("s3"). */
const char *aws_profile_get_sub(const struct aws_profile *p, const char *key,
				const char *sub);
/* sub for service in the [services NAME] section the profile names
 * with "services = NAME", or NULL. */
const char *aws_profile_service(const struct aws_profile *p,
				const char *service, const char *sub);
/* "PATH" or "PATH (absent)", for messages; static buffer per call kind. */
const char *aws_profile_describe(const struct aws_profile *p, int config);

#endif
