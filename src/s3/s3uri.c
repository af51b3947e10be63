/* s3uri: parsing and validation of s3://BUCKET/KEY names (see s3uri.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/s3uri.h"

void s3uri_release(struct s3uri *u)
{
	if (!u)
		return;
	free(u->bucket);
	free(u->key);
	u->bucket = u->key = NULL;
}

/* "192.168.5.4": four dot-separated runs of digits. */
static int looks_like_ipv4(const char *b)
{
	int dots = 0, digits = 0;

	for (; *b; b++) {
		if (*b == '.') {
			if (!digits)
				return 0;
			dots++;
			digits = 0;
		} else if (*b >= '0' && *b <= '9') {
			digits++;
		} else {
			return 0;
		}
	}
	return dots == 3 && digits;
}

static int edge_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int s3uri_bucket_valid(const char *b, const char **why)
{
	size_t n = strlen(b), i;

	if (n < 3 || n > 63) {
		*why = "bucket names are 3 to 63 characters long";
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!edge_ok(b[i]) && b[i] != '.' && b[i] != '-') {
			*why = "bucket names have only lower-case letters, "
			       "digits, '.' and '-'";
			return 0;
		}
	}
	if (!edge_ok(b[0]) || !edge_ok(b[n - 1])) {
		*why = "bucket names start and end with a letter or digit";
		return 0;
	}
	if (strstr(b, "..")) {
		*why = "bucket names have no two adjacent periods";
		return 0;
	}
	if (looks_like_ipv4(b)) {
		*why = "bucket names are not IP addresses";
		return 0;
	}
	return 1;
}

int s3uri_split(const char *s, struct s3uri *u, const char **why)
{
	const char *b, *slash;
	size_t blen;

	u->bucket = u->key = NULL;
	if (!s || strncmp(s, "s3://", 5)) {
		if (s && !strncasecmp(s, "s3://", 5))
			*why = "write the scheme in lower case: s3://";
		else if (s && strstr(s, "://"))
			*why = "not an s3:// URI (only s3:// is supported)";
		else
			*why = "not an s3:// URI: expected s3://BUCKET/KEY";
		return AV_EUSAGE;
	}
	b = s + 5;
	slash = strchr(b, '/');
	blen = slash ? (size_t)(slash - b) : strlen(b);
	if (!blen) {
		*why = "missing bucket name";
		return AV_EUSAGE;
	}
	if (slash && strlen(slash + 1) > S3URI_MAX_KEY) {
		*why = "keys are at most 1024 bytes";
		return AV_EUSAGE;
	}
	if (!(u->bucket = strndup(b, blen)) ||
	    !(u->key = strdup(slash ? slash + 1 : ""))) {
		s3uri_release(u);
		return AV_ENOMEM;
	}
	if (!s3uri_bucket_valid(u->bucket, why)) {
		s3uri_release(u);
		return AV_EUSAGE;
	}
	return 0;
}

int s3uri_parse(const char *s, struct s3uri *u)
{
	const char *why = "";
	int rc = s3uri_split(s, u, &why);

	if (rc == AV_EUSAGE)
		msg_error("bad S3 URI '%s': %s", s ? s : "", why);
	else if (rc)
		msg_error("bad S3 URI '%s': %s", s ? s : "", error_message(rc));
	return rc;
}

int s3uri_format(struct buf *out, const char *bucket, const char *key)
{
	return buf_addf(out, "s3://%s/%s", bucket, key ? key : "");
}

int s3uri_as_prefix(struct s3uri *u)
{
	size_t n = strlen(u->key);
	char *k;

	if (!n || u->key[n - 1] == '/')
		return 0;
	if (!(k = malloc(n + 2)))
		return AV_ENOMEM;
	memcpy(k, u->key, n);
	k[n] = '/';
	k[n + 1] = '\0';
	free(u->key);
	u->key = k;
	return 0;
}
