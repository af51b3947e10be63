/*
 * creds_int: the credential providers behind creds_resolve (creds.c),
 * one file per provider, each built from plain inputs (strings from the
 * environment or a profile, explicit endpoints and timeouts) so that it
 * can be tested alone.  Not a public interface.
 *
 * A provider's fetch fills an initialised, empty struct creds (keys,
 * expires, provider, source; never refresh) and returns 0, AV_ECREDS
 * with why saying what was tried and what failed (for a message such as
 * "credentials from PROVIDER: WHY"; no secret in it), AV_ECONFIG (the
 * same, when its settings cannot work and nothing was asked: a token
 * file that cannot be read), or AV_ENOMEM.  It prints nothing (but -vv
 * debug lines).  Calls to one provider never overlap.
 */
#ifndef ARCHIVIST_CREDS_INT_H
#define ARCHIVIST_CREDS_INT_H

#include "archivist/buf.h"
#include "creds.h"
#include "http.h"

struct creds_provider {
	const char *name;	/* botocore's name, as in struct creds */
	int (*fetch)(struct creds_provider *p, struct creds *out,
		     struct buf *why);
	void (*free)(struct creds_provider *p);	/* the whole provider */
};

/* NULL-safe. */
void creds_provider_free(struct creds_provider *p);

/*
 * Fills c's keys (copied; the secret and token registered for
 * redaction), expires and provider.  AV_ECORRUPT with why set when a
 * value cannot be signed with (control characters; '/' or a space in
 * the access key), AV_ENOMEM.
 */
int creds_set(struct creds *c, const char *provider, const char *ak,
	      const char *sk, const char *token, time_t expires,
	      struct buf *why);

/*
 * The credentials in a JSON document as the container endpoint, the
 * instance metadata service and credential_process return them:
 * AccessKeyId, SecretAccessKey, the token under token_key ("Token",
 * "SessionToken"), Expiration (ISO 8601, UTC).  need: token and
 * expiration are required.  0, AV_ECREDS (why: what is missing or
 * malformed, never a value), AV_ENOMEM.
 */
int creds_from_json(const char *doc, size_t n, const char *provider,
		    const char *token_key, int need, struct creds *c,
		    struct buf *why);

/* Reads a small file that holds a secret (a token) into out (wiped by
 * the caller with buf_wipe), as it is (botocore strips nothing either).
 * 0, or AV_EIO with why set (unreadable, empty, over 64 KiB). */
int creds_read_token(const char *path, const char *what, struct buf *out,
		     struct buf *why);

/* ---- creds_sts.c: STS AssumeRole and AssumeRoleWithWebIdentity ---- */

struct sts_opts {
	const char *endpoint;	/* "https://sts.REGION.amazonaws.com" ... */
	const char *endpoint_from; /* for messages */
	const char *region;	/* signing region of AssumeRole */
	const char *ca_bundle;	/* NULL: the system store */
	const char *role_arn;
	const char *session_name; /* NULL: "archivist-SECONDS" */
	const char *external_id;  /* AssumeRole only; NULL: none */
	long duration;		  /* DurationSeconds; 0: STS's default */
	const char *token_file;	  /* web identity token, read each time */
};

/*
 * The STS endpoint botocore would use: AWS_ENDPOINT_URL_STS,
 * AWS_ENDPOINT_URL, the profile's services sts endpoint_url, its
 * endpoint_url, else https://sts.REGION.amazonaws.com (.cn in China),
 * or https://sts.amazonaws.com for the legacy global regions when
 * AWS_STS_REGIONAL_ENDPOINTS (or sts_regional_endpoints) is "legacy".
 * Fills url (no trailing slash) and *from.  AV_ECONFIG (reported) for a
 * bad URL or setting, AV_ENOMEM.
 */
int sts_endpoint(const struct aws_env *env, const struct aws_profile *p,
		 const char *region, struct buf *url, const char **from);

/* AssumeRoleWithWebIdentity with the token in o->token_file. */
int sts_web_identity_new(const struct sts_opts *o,
			 struct creds_provider **out);
/* AssumeRole signed with the credentials in source (moved in, also on
 * failure: source is left empty), renewed through source->refresh when
 * they come within 15 minutes of their expiry. */
int sts_assume_role_new(const struct sts_opts *o, struct creds *source,
			struct creds_provider **out);

/* ---- creds_container.c: the ECS / EKS container endpoint ---- */

struct container_opts {
	const char *url;	/* full URL */
	const char *url_from;	/* the variable it came from */
	const char *token;	/* Authorization value, or NULL */
	const char *token_file;	/* read each time; wins over token */
	const char *ca_bundle;
};

/*
 * Whether url may be asked for credentials (botocore's rule): https, or
 * http to a loopback address, 169.254.170.2, 169.254.170.23,
 * [fd00:ec2::23] or localhost.  0, or AV_ECONFIG with why set.
 */
int container_url_check(const char *url, struct buf *why);
int container_provider_new(const struct container_opts *o,
			   struct creds_provider **out);

/* ---- creds_imds.c: the EC2 instance metadata service, IMDSv2 ---- */

struct imds_opts {
	const char *endpoint;	/* base URL, "http://169.254.169.254" */
	long timeout;		/* seconds, per request */
	int attempts;		/* per request */
	int v1_disabled;	/* never fall back to IMDSv1 */
};

int imds_provider_new(const struct imds_opts *o, struct creds_provider **out);

/* ---- creds_process.c: credential_process ---- */

/* command as in the profile (split like a POSIX shell's words, no
 * expansion); where names the profile for messages. */
int process_provider_new(const char *command, const char *where,
			 struct creds_provider **out);

#endif
