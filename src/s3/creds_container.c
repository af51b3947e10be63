/*
 * creds_container: credentials from the container credentials endpoint
 * of ECS, AWS Batch and EKS Pod Identity (see creds_int.h): a GET of
 * the URL with the authorization token, a JSON reply.  botocore's
 * timeout (2 s) and attempts (3, one second apart).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "creds_int.h"

#define CONTAINER_TIMEOUT 2
#define CONTAINER_ATTEMPTS 3
#define CONTAINER_PAUSE_S 1

/* The hosts botocore allows over plain http, besides loopback. */
static const char *const allowed_hosts[] = {
	"169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost", NULL
};

struct container {
	struct creds_provider base;
	char *url;
	char *url_from;
	char *token;
	char *token_file;
	struct http_pool *pool;
};

static int is_loopback(const char *host)
{
	unsigned char a[16];
	static const unsigned char v6_loop[16] = { [15] = 1 };

	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, host, a) == 1)
		return !memcmp(a, v6_loop, 16);
	return 0;
}

int container_url_check(const char *url, struct buf *why)
{
	const char *h, *end;
	const char *const *ok;
	char host[256];
	size_t n;

	if (!strncasecmp(url, "https://", 8))
		return 0;
	if (strncasecmp(url, "http://", 7)) {
		buf_addf(why, "'%s' is not an http:// or https:// URL", url);
		return AV_ECONFIG;
	}
	h = url + 7;
	n = strcspn(h, "/?#");
	if (memchr(h, '@', n)) {
		buf_addf(why, "user information in '%s' is not supported", url);
		return AV_ECONFIG;
	}
	if (*h == '[') {
		end = memchr(h, ']', n);
		h++;
	} else {
		end = memchr(h, ':', n);
		end = end ? end : h + n;
	}
	if (!end || end == h || (size_t)(end - h) >= sizeof(host)) {
		buf_addf(why, "no host in '%s'", url);
		return AV_ECONFIG;
	}
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	if (is_loopback(host))
		return 0;
	for (ok = allowed_hosts; *ok; ok++)
		if (!strcasecmp(host, *ok))
			return 0;
	buf_addf(why, "host '%s' is not allowed over http: only a loopback "
		 "address, 169.254.170.2, 169.254.170.23, fd00:ec2::23 or "
		 "localhost (or use https)", host);
	return AV_ECONFIG;
}

static void container_free(struct creds_provider *pv)
{
	struct container *c = (struct container *)pv;

	free(c->url);
	free(c->url_from);
	if (c->token)
		explicit_bzero(c->token, strlen(c->token));
	free(c->token);
	free(c->token_file);
	http_pool_free(c->pool);
	free(c);
}

/* The Authorization value, from the file (read each time: the platform
 * rotates it) or the variable.  0, AV_ECONFIG with why. */
static int auth_token(const struct container *c, struct buf *tok,
		      struct buf *why)
{
	if (c->token_file) {
		if (creds_read_token(c->token_file, "container authorization "
				     "token", tok, why))
			return AV_ECONFIG;
	} else if (c->token && buf_sets(tok, c->token)) {
		return AV_ENOMEM;
	}
	if (strpbrk(tok->ptr, "\r\n")) {
		buf_sets(why, "the container authorization token has a line "
			 "break in it: it cannot be sent as a header");
		return AV_ECONFIG;
	}
	return 0;
}

static int get(struct container *c, const struct buf *tok,
	       struct http_response *r, struct buf *why)
{
	struct sigv4_kv h[2] = { { "Accept", "application/json" },
				 { "Authorization", tok->ptr } };
	struct http_request q = { "GET", c->url, h, tok->len ? 2 : 1, NULL,
		-1, 0, 0, NULL, NULL, NULL, NULL, 0 };
	int n, rc = 0;

	for (n = 1; n <= CONTAINER_ATTEMPTS; n++) {
		if (n > 1)
			sleep(CONTAINER_PAUSE_S);
		rc = http_do(c->pool, &q, r);
		if (!rc && r->status == 200)
			return 0;
		if (rc == AV_ENOMEM || rc == AV_ECONFIG || rc == AV_ETLS)
			break;
		msg_debug("credentials from %s: %s: %s", c->base.name, c->url,
			  rc ? error_message(rc) : "not 200");
	}
	buf_addf(why, "%s (from %s): ", c->url, c->url_from);
	if (rc)
		buf_addf(why, "%s%s%s", error_message(rc),
			 r->error.len ? ": " : "", r->error.ptr);
	else
		buf_addf(why, "HTTP %ld", r->status);
	if (n > 1)
		buf_addf(why, " (after %d attempts)", n - 1);
	return rc == AV_ENOMEM ? rc : AV_ECREDS;
}

static int container_fetch(struct creds_provider *pv, struct creds *out,
			   struct buf *why)
{
	struct container *c = (struct container *)pv;
	struct buf tok = BUF_INIT, what = BUF_INIT;
	struct http_response r;
	int rc;

	http_response_init(&r);
	if ((rc = auth_token(c, &tok, why)) || (rc = get(c, &tok, &r, why)))
		goto out;
	rc = creds_from_json(r.body.ptr, r.body.len, pv->name, "Token", 1,
			     out, &what);
	if (rc == AV_ECREDS)
		buf_addf(why, "%s (from %s): %s", c->url, c->url_from,
			 what.ptr);
	else if (!rc && out->expires <= time(NULL)) {
		buf_addf(why, "%s (from %s) returned credentials that have "
			 "already expired", c->url, c->url_from);
		rc = AV_ECREDS;
	}
	if (!rc) {
		buf_reset(&out->source);
		rc = buf_addf(&out->source, "%s (from %s)", c->url,
			      c->url_from);
	}
out:
	buf_wipe(&tok);
	buf_wipe(&r.body);
	buf_release(&what);
	http_response_release(&r);
	return rc;
}

int container_provider_new(const struct container_opts *o,
			   struct creds_provider **out)
{
	struct http_config hc = { o->ca_bundle, CONTAINER_TIMEOUT, 1,
		CONTAINER_TIMEOUT };
	struct container *c = calloc(1, sizeof(*c));
	int rc = AV_ENOMEM;

	if (!c)
		return rc;
	c->base.name = "container-role";
	c->base.fetch = container_fetch;
	c->base.free = container_free;
	c->url = strdup(o->url);
	c->url_from = strdup(o->url_from);
	if (o->token && *o->token) {
		msg_add_secret(o->token);
		c->token = strdup(o->token);
	}
	if (o->token_file)
		c->token_file = strdup(o->token_file);
	if (c->url && c->url_from && (!o->token || !*o->token || c->token) &&
	    (!o->token_file || c->token_file))
		rc = http_pool_new(&hc, &c->pool);
	if (rc)
		container_free(&c->base);
	else
		*out = &c->base;
	return rc;
}
