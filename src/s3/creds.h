/*
 * creds: which credentials sign the requests, resolved in the order of
 * the AWS CLI (botocore's credential chain), from the global options,
 * the environment, the shared files and the services of the platform
 * (see awsprofile.h for the calling sequence):
 *
 *   1. --no-sign-request: anonymous, nothing else is looked at;
 *   2. env: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
 *      unless --profile was given (an explicit profile wins, as in the
 *      AWS CLI; AWS_PROFILE does not);
 *   3. assume-role: the profile's role_arn with source_profile or
 *      credential_source (Environment, EcsContainer, Ec2InstanceMetadata),
 *      STS AssumeRole signed with the source's credentials;
 *   4. assume-role-with-web-identity: AWS_WEB_IDENTITY_TOKEN_FILE +
 *      AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME] (not with --profile), else
 *      the profile's web_identity_token_file + role_arn: STS
 *      AssumeRoleWithWebIdentity, unsigned;
 *   5. sso: refused (not supported) with a hint;
 *   6. shared-credentials-file: aws_access_key_id ... in [NAME];
 *   7. custom-process: the profile's credential_process (JSON, Version 1);
 *   8. config-file: aws_access_key_id ... in [profile NAME];
 *   9. container-role: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 *      169.254.170.2) or _FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN
 *      or _TOKEN_FILE;
 *  10. iam-role: the instance metadata service (IMDSv2), unless
 *      AWS_EC2_METADATA_DISABLED=true.
 *
 * Temporary credentials (3, 4, 7, 9, 10) come with an expiry and a way
 * to get new ones: see credcache.h for the refresh.  Secrets (keys,
 * tokens, the web identity token, the container authorization token)
 * are registered with msg_add_secret() as soon as they are read.
 */
#ifndef ARCHIVIST_CREDS_H
#define ARCHIVIST_CREDS_H

#include <time.h>

#include "awsprofile.h"
#include "archivist/buf.h"
#include "archivist/s3.h"
#include "archivist/sigv4.h"

struct creds_provider;

struct creds {
	int anonymous;		/* 1: do not sign */
	char *access_key;	/* owned; NULL when anonymous */
	char *secret_key;	/* owned, wiped on release */
	char *session_token;	/* owned, wiped on release; NULL if none */
	time_t expires;		/* UTC; 0: they do not expire */
	const char *provider;	/* botocore's name for the provider ("env",
				   "assume-role-with-web-identity", ...),
				   static */
	struct buf source;	/* where they came from, for -v messages:
				   "environment", "profile 'p' in PATH",
				   "--no-sign-request", "STS at URL" ... */
	struct sigv4_creds sig;	/* views of the strings above */
	struct creds_provider *refresh; /* owned: how to get new ones when
				   they expire; NULL: they do not */
};

void creds_init(struct creds *c);
/* Frees and wipes the contents; c is empty (and reusable) afterwards. */
void creds_release(struct creds *c);

/*
 * Resolves c (initialised) from g (--profile, --no-sign-request,
 * --ca-bundle), env and the loaded profile p; region is the signing
 * region (for STS's regional endpoint).  Returns 0; AV_ECONFIG, reported
 * with what was looked at (nothing found, half a key pair, an access key
 * that cannot be signed with, an unsupported provider, a provider's
 * settings that cannot work: a missing role_arn, a container URL on a
 * host that is not allowed, ...); AV_ECREDS, reported naming the
 * provider and what it tried, when a provider was configured but failed
 * to give credentials (STS refused, the endpoint is down, the process
 * failed); AV_ENOMEM.
 */
int creds_resolve(const struct s3_options *g, const struct aws_env *env,
		  const struct aws_profile *p, const char *region,
		  struct creds *c);

/* What the signer takes, or NULL when anonymous.  Borrowed from c. */
const struct sigv4_creds *creds_sigv4(const struct creds *c);

/*
 * New credentials from the provider c was resolved with (c->refresh):
 * 0 and out (initialised, emptied first) filled; AV_ECREDS with why
 * saying what was tried and what failed (nothing printed), AV_ENOMEM.
 * out->refresh stays NULL (the provider stays with c).  Calls for one
 * provider must not overlap (credcache serialises them).
 */
int creds_refresh(const struct creds *c, struct creds *out, struct buf *why);

#endif
