/*
 * creds: which credentials sign the requests, resolved as the AWS CLI
 * does, from the global options, the environment and the shared files
 * (see awsprofile.h for the calling sequence):
 *
 *   1. --no-sign-request: anonymous, nothing else is looked at;
 *   2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
 *      unless --profile was given (an explicit profile wins, as in the
 *      AWS CLI; AWS_PROFILE does not);
 *   3. the profile's aws_access_key_id / aws_secret_access_key /
 *      aws_session_token in the credentials file ([NAME]), then in the
 *      config file ([profile NAME], or [default]).
 *
 * Secrets are registered with msg_add_secret() as soon as they are read.
 * Profiles that need another provider (role_arn, credential_process,
 * sso_*, web_identity_token_file) are refused with a message saying so.
 */
#ifndef ARCHIVIST_CREDS_H
#define ARCHIVIST_CREDS_H

#include "archivist/awsprofile.h"
#include "archivist/buf.h"
#include "archivist/s3.h"
#include "archivist/sigv4.h"

struct creds {
	int anonymous;		/* 1: do not sign */
	char *access_key;	/* owned; NULL when anonymous */
	char *secret_key;	/* owned, wiped on release */
	char *session_token;	/* owned, wiped on release; NULL if none */
	struct buf source;	/* where they came from, for -v messages:
				   "environment", "profile 'p' in PATH",
				   "--no-sign-request" */
	struct sigv4_creds sig;	/* views of the strings above */
};

void creds_init(struct creds *c);
/* Frees and wipes the contents; c is empty (and reusable) afterwards. */
void creds_release(struct creds *c);

/*
 * Resolves c (initialised) from g (its profile and no_sign), env and
 * the loaded profile p.  Returns 0, or AV_ECONFIG, reported with what was
 * looked at: nothing found, half a key pair (access key without secret or
 * the reverse, in the environment or a file), an access key that cannot
 * be signed with ('/', white space or control characters), an
 * unsupported provider; AV_ENOMEM.
 */
int creds_resolve(const struct s3_options *g, const struct aws_env *env,
		  const struct aws_profile *p, struct creds *c);

/* What the signer takes, or NULL when anonymous.  Borrowed from c. */
const struct sigv4_creds *creds_sigv4(const struct creds *c);

#endif
