/* msg: prefixed, levelled, secret-redacting messages on stderr. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "archivist/buf.h"
#include "archivist/msg.h"

#define MAX_SECRETS 64
#define PINNED 8
#define REDACTED "[redacted]"

static int level = MSG_NORMAL;
static char *secrets[MAX_SECRETS];
static size_t next_evict;
static pthread_mutex_t secrets_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*hook)(void *);
static void *hook_ctx;

void msg_set_hook(void (*before)(void *ctx), void *ctx)
{
	hook = before;
	hook_ctx = ctx;
}

void msg_set_level(int l)
{
	level = l < MSG_QUIET ? MSG_QUIET : l > MSG_DEBUG ? MSG_DEBUG : l;
}

int msg_level(void)
{
	return level;
}

/*
 * The first PINNED secrets (those read at start-up) stay; later ones,
 * from credentials refreshed during a long run, replace the oldest of
 * the others once the table is full: credentials replaced long ago are
 * no longer used.
 */
void msg_add_secret(const char *secret)
{
	size_t i;
	char *copy;

	if (!secret || !*secret)
		return;
	pthread_mutex_lock(&secrets_lock);
	for (i = 0; i < MAX_SECRETS; i++) {
		if (secrets[i] && strcmp(secrets[i], secret) == 0)
			goto out;
		if (!secrets[i]) {
			secrets[i] = strdup(secret);
			goto out;
		}
	}
	if ((copy = strdup(secret))) {
		i = PINNED + next_evict;
		next_evict = (next_evict + 1) % (MAX_SECRETS - PINNED);
		OPENSSL_cleanse(secrets[i], strlen(secrets[i]));
		free(secrets[i]);
		secrets[i] = copy;
	}
out:
	pthread_mutex_unlock(&secrets_lock);
}

void msg_clear_secrets(void)
{
	size_t i;

	pthread_mutex_lock(&secrets_lock);
	for (i = 0; i < MAX_SECRETS; i++) {
		if (secrets[i])
			OPENSSL_cleanse(secrets[i], strlen(secrets[i]));
		free(secrets[i]);
		secrets[i] = NULL;
	}
	next_evict = 0;
	pthread_mutex_unlock(&secrets_lock);
}

/*
 * Secrets shorter than the marker are replaced by a run of '*' of the
 * same length, so the string never grows.
 */
void msg_redact(char *s)
{
	size_t i, n, m = strlen(REDACTED);
	char *p;

	pthread_mutex_lock(&secrets_lock);
	for (i = 0; i < MAX_SECRETS; i++) {
		if (!secrets[i])
			continue;
		n = strlen(secrets[i]);
		while ((p = strstr(s, secrets[i])) != NULL) {
			if (n >= m) {
				memcpy(p, REDACTED, m);
				memmove(p + m, p + n, strlen(p + n) + 1);
			} else {
				memset(p, '*', n);
			}
		}
	}
	pthread_mutex_unlock(&secrets_lock);
}

static void emit(int at, const char *tag, const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	if (at > level)
		return;
	if (buf_adds(&b, "archivist: ") || buf_adds(&b, tag) ||
	    buf_vaddf(&b, fmt, ap) || buf_addc(&b, '\n')) {
		fputs("archivist: out of memory printing a message\n", stderr);
		buf_release(&b);
		return;
	}
	msg_redact(b.ptr);
	if (hook)
		hook(hook_ctx);
	fputs(b.ptr, stderr);
	buf_release(&b);
}

#define DEFINE_MSG(fn, at, tag)                                                \
	void fn(const char *fmt, ...)                                          \
	{                                                                      \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		emit(at, tag, fmt, ap);                                        \
		va_end(ap);                                                    \
	}

DEFINE_MSG(msg_error, MSG_QUIET, "error: ")
DEFINE_MSG(msg_warn, MSG_NORMAL, "warning: ")
DEFINE_MSG(msg_info, MSG_NORMAL, "")
DEFINE_MSG(msg_verbose, MSG_VERBOSE, "")
DEFINE_MSG(msg_debug, MSG_DEBUG, "debug: ")
