/*
 * creds: the credentials struct, the static providers (environment,
 * shared files) and what every provider shares: checking and copying
 * keys, the JSON documents of the container, instance metadata and
 * credential_process providers, token files.  The chain itself is in
 * creds_chain.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "creds.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "xml.h"
#include "creds_int.h"

/* A token file larger than this is not a token. */
#define TOKEN_FILE_MAX (64 << 10)

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
	creds_provider_free(c->refresh);
	creds_init(c);
}

void creds_provider_free(struct creds_provider *p)
{
	if (p)
		p->free(p);
}

const struct sigv4_creds *creds_sigv4(const struct creds *c)
{
	return c->anonymous || !c->access_key ? NULL : &c->sig;
}

int creds_refresh(const struct creds *c, struct creds *out, struct buf *why)
{
	creds_release(out);
	if (!c->refresh) {
		buf_sets(why, "these credentials cannot be renewed");
		return AV_ECREDS;
	}
	return c->refresh->fetch(c->refresh, out, why);
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

int creds_set(struct creds *c, const char *provider, const char *ak,
	      const char *sk, const char *token, time_t expires,
	      struct buf *why)
{
	int has_token = aws_env_set(token);

	if (bad_chars(ak, 1) || bad_chars(sk, 0) ||
	    (has_token && bad_chars(token, 0))) {
		buf_sets(why, "the access key, secret or session token "
			 "contains characters that cannot be sent");
		return AV_ECORRUPT;
	}
	msg_add_secret(sk);
	if (has_token)
		msg_add_secret(token);
	free(c->access_key);
	wipe_free(c->secret_key);
	wipe_free(c->session_token);
	c->access_key = strdup(ak);
	c->secret_key = strdup(sk);
	c->session_token = has_token ? strdup(token) : NULL;
	c->expires = expires;
	c->provider = provider;
	c->sig.access_key = c->access_key;
	c->sig.secret_key = c->secret_key;
	c->sig.session_token = c->session_token;
	if (!c->access_key || !c->secret_key || (has_token && !c->session_token))
		return AV_ENOMEM;
	return 0;
}

/* A string member of o, or NULL (absent, not a string or empty). */
static const char *json_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : NULL;
}

int creds_from_json(const char *doc, size_t n, const char *provider,
		    const char *token_key, int need, struct creds *c,
		    struct buf *why)
{
	const char *ak, *sk, *tok, *exp;
	json_error_t jerr;
	json_t *o = json_loadb(doc, n, JSON_REJECT_DUPLICATES, &jerr);
	time_t expires = 0;
	int rc = AV_ECREDS;

	if (!o || !json_is_object(o)) {
		buf_sets(why, "the reply is not a JSON object");
		goto out;
	}
	ak = json_str(o, "AccessKeyId");
	sk = json_str(o, "SecretAccessKey");
	tok = json_str(o, token_key);
	exp = json_str(o, "Expiration");
	if (!ak || !sk || (need && (!tok || !exp))) {
		buf_addf(why, "the reply has no %s", !ak ? "AccessKeyId" :
			 !sk ? "SecretAccessKey" : !tok ? token_key :
			 "Expiration");
		goto out;
	}
	if (exp && xml_parse_time(exp, &expires)) {
		buf_addf(why, "the reply's Expiration '%.40s' is not an ISO "
			 "8601 UTC time", exp);
		goto out;
	}
	rc = creds_set(c, provider, ak, sk, tok, expires, why);
	rc = rc == AV_ECORRUPT ? AV_ECREDS : rc;
out:
	json_decref(o);
	return rc;
}

int creds_read_token(const char *path, const char *what, struct buf *out,
		     struct buf *why)
{
	char chunk[4096];
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	buf_init(out, TOKEN_FILE_MAX);
	if (fd < 0) {
		buf_addf(why, "cannot read the %s file '%s': %s", what, path,
			 strerror(errno));
		return AV_EIO;
	}
	while ((got = read(fd, chunk, sizeof(chunk))) > 0 && !rc)
		rc = buf_add(out, chunk, (size_t)got);
	if (got < 0 || rc)
		buf_addf(why, "cannot read the %s file '%s': %s", what, path,
			 got < 0 ? strerror(errno) : "larger than 64 KiB");
	explicit_bzero(chunk, sizeof(chunk));
	close(fd);
	if (!rc && got >= 0 && !out->len) {
		buf_addf(why, "the %s file '%s' is empty", what, path);
		rc = AV_EIO;
	}
	if (!rc && got >= 0)
		msg_add_secret(out->ptr);
	return got < 0 || rc ? AV_EIO : 0;
}
