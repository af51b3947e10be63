/*
 * endpoint: where requests go, and how a bucket and key become a URL,
 * a Host header and the path to sign (see awsprofile.h for the calling
 * sequence).
 *
 * Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region,
 * else us-east-1.  Endpoint: --endpoint, AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL, the profile's [services NAME] s3 endpoint_url, the
 * profile's endpoint_url, else AWS (https://s3.REGION.amazonaws.com,
 * amazonaws.com.cn for cn-* regions).  An endpoint URL is
 * http(s)://HOST[:PORT] with nothing after the authority but an optional
 * '/'.
 *
 * Addressing: --path-style / --virtual-hosted, else the profile's
 * s3 addressing_style (path, virtual, auto), else auto: path-style for a
 * custom endpoint, virtual-hosted for AWS unless the bucket name has dots
 * or cannot be a host name.
 */
#ifndef ARCHIVIST_ENDPOINT_H
#define ARCHIVIST_ENDPOINT_H

#include "awsprofile.h"
#include "archivist/buf.h"
#include "archivist/s3.h"

struct endpoint {
	char *url;		/* "scheme://host[:port]", no path or slash:
				   what struct s3_config.endpoint takes */
	char *scheme;		/* "http" or "https" */
	char *hostport;		/* "host[:port]", default port dropped */
	char *region;
	int custom;		/* 1: given by option, environment or profile */
	enum addressing addressing; /* as resolved: ADDR_AUTO means the
				   per-bucket rule above */
	int virtual_hosted;	/* for struct s3_config.virtual_hosted */
	const char *url_from;	/* "--endpoint", "AWS_ENDPOINT_URL_S3", ...,
				   or "AWS" (static string) */
	const char *region_from; /* "--region", "AWS_REGION", ... */
};

/* The request target of one bucket (and key). */
struct s3_target {
	struct buf url;		/* scheme://host[:port]/ENCODED-PATH, no
				   query: append "?..." yourself */
	struct buf host;	/* Host header value */
	struct buf path;	/* DECODED path to sign and to encode */
};

/*
 * Resolves ep from g (its endpoint, region and addressing), env and
 * the loaded profile p.  Returns 0 (release
 * with endpoint_release), or AV_ECONFIG, reported with where the bad
 * value came from (a malformed endpoint URL, an invalid region, an
 * unknown addressing_style), or AV_ENOMEM.
 */
int endpoint_resolve(const struct s3_options *g, const struct aws_env *env,
		     const struct aws_profile *p, struct endpoint *ep);
void endpoint_release(struct endpoint *ep);	/* NULL-safe */

/*
 * Parses an endpoint URL into scheme, hostport and url (of ep, which is
 * released first).  0, or AV_ECONFIG with *why set (static message, not
 * reported), AV_ENOMEM.
 */
int endpoint_parse_url(const char *s, struct endpoint *ep, const char **why);

/* 1 if bucket is addressed virtual-hosted (BUCKET.host) at ep. */
int endpoint_is_virtual(const struct endpoint *ep, const char *bucket);

void s3_target_init(struct s3_target *t);
void s3_target_release(struct s3_target *t);
/*
 * Fills t (initialised; emptied first) for bucket and key (decoded; NULL
 * for a bucket-level request such as ListObjectsV2: path "/bucket" or
 * "/").  Path-style: path "/bucket/key", host = ep's; virtual-hosted:
 * path "/key", host "bucket.host".  0, AV_EINVAL (empty bucket),
 * AV_ENOMEM / AV_ETOOBIG.
 */
int endpoint_target(const struct endpoint *ep, const char *bucket,
		    const char *key, struct s3_target *t);

#endif
