/* error: names, messages and the retry predicate for enum av_error. */
#include "archivist/error.h"

static const struct {
	const char *name;
	const char *message;
	int retryable;
} table[AV_ERROR_COUNT] = {
	[AV_OK] = { "AV_OK", "success", 0 },
	[AV_ENOMEM] = { "AV_ENOMEM", "out of memory", 0 },
	[AV_ETOOBIG] = { "AV_ETOOBIG", "size limit exceeded", 0 },
	[AV_EINVAL] = { "AV_EINVAL", "invalid input", 0 },
	[AV_EUSAGE] = { "AV_EUSAGE", "usage error", 0 },
	[AV_ECONFIG] = { "AV_ECONFIG", "configuration error", 0 },
	[AV_EIO] = { "AV_EIO", "i/o error", 0 },
	[AV_ENET] = { "AV_ENET", "network error", 1 },
	[AV_ETIMEOUT] = { "AV_ETIMEOUT", "timed out", 1 },
	[AV_EHTTP] = { "AV_EHTTP", "unexpected http status", 0 },
	[AV_ES3] = { "AV_ES3", "s3 error", 0 },
	[AV_ERETRY] = { "AV_ERETRY", "server busy or failing", 1 },
	[AV_ENOTFOUND] = { "AV_ENOTFOUND", "not found", 0 },
	[AV_EAUTH] = { "AV_EAUTH", "access denied", 0 },
	[AV_EEXIST] = { "AV_EEXIST", "already exists", 0 },
	[AV_ECONFLICT] = { "AV_ECONFLICT", "exists with different content", 0 },
	[AV_ECORRUPT] = { "AV_ECORRUPT", "corrupt data", 0 },
	[AV_ETRUNC] = { "AV_ETRUNC", "truncated input", 0 },
	[AV_EUNSUPP] = { "AV_EUNSUPP", "not supported", 0 },
	[AV_ECRYPTO] = { "AV_ECRYPTO", "cryptography error", 0 },
	[AV_EINTR] = { "AV_EINTR", "interrupted", 0 },
	[AV_ESKEW] = { "AV_ESKEW", "clock skew too large", 1 },
	[AV_ECHECKSUM] = { "AV_ECHECKSUM", "checksum mismatch", 0 },
	[AV_ETLS] = { "AV_ETLS", "tls verification failed", 0 },
	[AV_ECREDS] = { "AV_ECREDS", "no usable credentials", 0 },
};

static int valid(int code)
{
	return code >= 0 && code < AV_ERROR_COUNT && table[code].name;
}

const char *error_name(int code)
{
	return valid(code) ? table[code].name : "AV_E?";
}

const char *error_message(int code)
{
	return valid(code) ? table[code].message : "unknown error";
}

int error_retryable(int code)
{
	return valid(code) && table[code].retryable;
}
