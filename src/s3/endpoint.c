/*
 * endpoint: region, endpoint URL and addressing style, resolved in the
 * AWS CLI's order, and the URL / Host / signed path of a request (see
 * endpoint.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/sigv4.h"

void endpoint_release(struct endpoint *ep)
{
	if (!ep)
		return;
	free(ep->url);
	free(ep->scheme);
	free(ep->hostport);
	free(ep->region);
	memset(ep, 0, sizeof(*ep));
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Host name or IP literal of an authority; sets *end past it. */
static int parse_host(const char *s, const char **end, const char **why)
{
	const char *p = s;

	if (*p == '[') {
		for (p++; *p && *p != ']'; p++)
			if (!strchr("0123456789abcdefABCDEF:.", *p))
				break;
		if (*p != ']' || p == s + 1) {
			*why = "malformed IPv6 address";
			return AV_ECONFIG;
		}
		*end = p + 1;
		return 0;
	}
	while (is_alnum(*p) || *p == '-' || *p == '.' || *p == '_')
		p++;
	if (p == s) {
		*why = "missing host name";
		return AV_ECONFIG;
	}
	*end = p;
	return 0;
}

/* ":PORT" (1..65535); 0 in *port when absent. */
static int parse_port(const char *s, const char **end, long *port,
		      const char **why)
{
	const char *p = s;

	*port = 0;
	*end = s;
	if (*s != ':')
		return 0;
	for (p = s + 1; *p >= '0' && *p <= '9' && p - s <= 6; p++)
		*port = *port * 10 + (*p - '0');
	if (p == s + 1 || *port < 1 || *port > 65535 ||
	    (*p >= '0' && *p <= '9')) {
		*why = "invalid port";
		return AV_ECONFIG;
	}
	*end = p;
	return 0;
}

static int set_url(struct endpoint *ep, const char *scheme, const char *host,
		   size_t hlen, long port)
{
	struct buf hp = BUF_INIT, url = BUF_INIT;
	long dflt = strcmp(scheme, "https") ? 80 : 443;
	size_t i;
	int rc;

	if ((rc = buf_add(&hp, host, hlen)) ||
	    (port && port != dflt && (rc = buf_addf(&hp, ":%ld", port))))
		goto out;
	for (i = 0; i < hlen; i++)	/* host names are case-insensitive */
		if (hp.ptr[i] >= 'A' && hp.ptr[i] <= 'Z')
			hp.ptr[i] = (char)(hp.ptr[i] - 'A' + 'a');
	if ((rc = buf_addf(&url, "%s://%s", scheme, hp.ptr)))
		goto out;
	ep->scheme = strdup(scheme);
	ep->hostport = buf_detach(&hp, NULL);
	ep->url = buf_detach(&url, NULL);
	if (!ep->scheme || !ep->hostport || !ep->url)
		rc = AV_ENOMEM;
out:
	buf_release(&hp);
	buf_release(&url);
	return rc;
}

int endpoint_parse_url(const char *s, struct endpoint *ep, const char **why)
{
	const char *scheme, *host, *hend, *p;
	long port;
	int rc;

	free(ep->url);
	free(ep->scheme);
	free(ep->hostport);
	ep->url = ep->scheme = ep->hostport = NULL;
	if (!strncasecmp(s, "https://", 8)) {
		scheme = "https";
		host = s + 8;
	} else if (!strncasecmp(s, "http://", 7)) {
		scheme = "http";
		host = s + 7;
	} else {
		*why = "expected http://HOST[:PORT] or https://HOST[:PORT]";
		return AV_ECONFIG;
	}
	if (strcspn(host, "@/?#") < strcspn(host, "/?#")) {
		*why = "user information in the URL is not supported";
		return AV_ECONFIG;
	}
	if ((rc = parse_host(host, &hend, why)) ||
	    (rc = parse_port(hend, &p, &port, why)))
		return rc;
	if (*p && strcmp(p, "/")) {
		*why = "only scheme://HOST[:PORT] is supported (no path, "
		       "query or fragment)";
		return AV_ECONFIG;
	}
	return set_url(ep, scheme, host, (size_t)(hend - host), port);
}

static int region_ok(const char *r)
{
	size_t n = strlen(r);

	if (!n || n > 64)
		return 0;
	for (; *r; r++)
		if (!is_alnum(*r) && *r != '-' && *r != '_' && *r != '.')
			return 0;
	return 1;
}

static int resolve_region(const struct s3_options *g, const struct aws_env *env,
			  const struct aws_profile *p, struct endpoint *ep)
{
	const char *r = "us-east-1", *from = "default";
	const char *profile_region = aws_profile_get(p, "region");

	if (aws_env_set(g->region))
		r = g->region, from = "--region";
	else if (aws_env_set(env->region))
		r = env->region, from = "AWS_REGION";
	else if (aws_env_set(env->default_region))
		r = env->default_region, from = "AWS_DEFAULT_REGION";
	else if (aws_env_set(profile_region))
		r = profile_region, from = "profile region";
	if (!region_ok(r)) {
		msg_error("invalid region '%s' (from %s): expected letters, "
			  "digits and '-', like us-east-1", r, from);
		return AV_ECONFIG;
	}
	ep->region_from = from;
	return (ep->region = strdup(r)) ? 0 : AV_ENOMEM;
}

/* The configured endpoint URL and where it came from, or NULL. */
static const char *configured_url(const struct s3_options *g,
				  const struct aws_env *env,
				  const struct aws_profile *p,
				  const char **from)
{
	const char *v;

	if (aws_env_set(v = g->endpoint))
		*from = "--endpoint";
	else if (aws_env_set(v = env->endpoint_url_s3))
		*from = "AWS_ENDPOINT_URL_S3";
	else if (aws_env_set(v = env->endpoint_url))
		*from = "AWS_ENDPOINT_URL";
	else if (aws_env_set(v = aws_profile_service(p, "s3", "endpoint_url")))
		*from = "profile services s3 endpoint_url";
	else if (aws_env_set(v = aws_profile_get(p, "endpoint_url")))
		*from = "profile endpoint_url";
	else
		v = NULL;
	return v;
}

static int resolve_url(const struct s3_options *g, const struct aws_env *env,
		       const struct aws_profile *p, struct endpoint *ep)
{
	struct buf aws = BUF_INIT;
	const char *from = "AWS", *why = "";
	const char *url = configured_url(g, env, p, &from);
	int rc;

	ep->custom = url != NULL;
	if (!url) {
		if ((rc = buf_addf(&aws, "https://s3.%s.amazonaws.com%s",
				   ep->region, strncmp(ep->region, "cn-", 3) ?
				   "" : ".cn")))
			return rc;
		url = aws.ptr;
	}
	rc = endpoint_parse_url(url, ep, &why);
	if (rc == AV_ECONFIG)
		msg_error("bad endpoint URL '%s' (from %s): %s", url, from,
			  why);
	ep->url_from = from;
	buf_release(&aws);
	return rc;
}

static int resolve_addressing(const struct s3_options *g,
			      const struct aws_profile *p,
			      struct endpoint *ep)
{
	const char *style = aws_profile_get_sub(p, "s3", "addressing_style");

	ep->addressing = g->addressing;
	if (ep->addressing == ADDR_AUTO && aws_env_set(style)) {
		if (!strcmp(style, "path"))
			ep->addressing = ADDR_PATH;
		else if (!strcmp(style, "virtual"))
			ep->addressing = ADDR_VIRTUAL;
		else if (strcmp(style, "auto")) {
			msg_error("profile '%s' in %s: addressing_style '%s' "
				  "is not path, virtual or auto", p->name,
				  aws_profile_describe(p, 1), style);
			return AV_ECONFIG;
		}
	}
	ep->virtual_hosted = ep->addressing == ADDR_VIRTUAL ||
		(ep->addressing == ADDR_AUTO && !ep->custom);
	return 0;
}

int endpoint_resolve(const struct s3_options *g, const struct aws_env *env,
		     const struct aws_profile *p, struct endpoint *ep)
{
	int rc;

	memset(ep, 0, sizeof(*ep));
	if ((rc = resolve_region(g, env, p, ep)) ||
	    (rc = resolve_url(g, env, p, ep)) ||
	    (rc = resolve_addressing(g, p, ep))) {
		endpoint_release(ep);
		return rc;
	}
	msg_verbose("endpoint %s (from %s), region %s (from %s), %s", ep->url,
		    ep->url_from, ep->region, ep->region_from,
		    ep->addressing == ADDR_PATH ? "path-style" :
		    ep->addressing == ADDR_VIRTUAL ? "virtual-hosted" :
		    ep->custom ? "path-style (custom endpoint)" :
		    "virtual-hosted (path-style for dotted buckets)");
	return 0;
}

/* A bucket name usable as host labels: [a-z0-9-], labels split by '.',
 * each starting and ending with a letter or digit, 3..63 in all. */
static int dns_compatible(const char *b)
{
	size_t n = strlen(b), i;

	if (n < 3 || n > 63)
		return 0;
	for (i = 0; i < n; i++) {
		int edge = i == 0 || i == n - 1 || b[i - 1] == '.' ||
			   b[i + 1] == '.';
		char c = b[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if ((c == '-' || c == '.') && !edge)
			continue;
		return 0;
	}
	return 1;
}

int endpoint_is_virtual(const struct endpoint *ep, const char *bucket)
{
	if (ep->addressing == ADDR_PATH || !dns_compatible(bucket))
		return 0;
	if (ep->addressing == ADDR_VIRTUAL)
		return 1;
	return !ep->custom && !strchr(bucket, '.');
}

void s3_target_init(struct s3_target *t)
{
	buf_init(&t->url, 0);
	buf_init(&t->host, 0);
	buf_init(&t->path, 0);
}

void s3_target_release(struct s3_target *t)
{
	buf_release(&t->url);
	buf_release(&t->host);
	buf_release(&t->path);
}

int endpoint_target(const struct endpoint *ep, const char *bucket,
		    const char *key, struct s3_target *t)
{
	int virt, rc;

	if (!bucket || !*bucket || !ep->hostport)
		return AV_EINVAL;
	virt = endpoint_is_virtual(ep, bucket);
	buf_reset(&t->url);
	buf_reset(&t->host);
	buf_reset(&t->path);
	if (virt)
		rc = buf_addf(&t->host, "%s.%s", bucket, ep->hostport);
	else
		rc = buf_adds(&t->host, ep->hostport);
	if (!rc && !virt)
		rc = buf_addf(&t->path, "/%s%s", bucket, key ? "/" : "");
	else if (!rc)
		rc = buf_addc(&t->path, '/');
	if (!rc && key)
		rc = buf_adds(&t->path, key);
	if (!rc)
		rc = buf_addf(&t->url, "%s://%s", ep->scheme, t->host.ptr);
	if (!rc)
		rc = sigv4_encode_path(&t->url, t->path.ptr);
	return rc;
}
