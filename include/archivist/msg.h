/*
 * msg: every line the tool prints on stderr goes through here.
 *
 * Lines start with "archivist: ", are lower-case, with no final period.
 * One display level, set from -q / -v.  Registered secrets are replaced by
 * "[redacted]" in everything printed through this module, as a last line
 * of defence: callers must still never pass secrets in on purpose.
 */
#ifndef ARCHIVIST_MSG_H
#define ARCHIVIST_MSG_H

enum msg_level {
	MSG_QUIET = 0,	/* errors only */
	MSG_NORMAL = 1,	/* errors, warnings, results */
	MSG_VERBOSE = 2,	/* -v: what is being done */
	MSG_DEBUG = 3	/* -vv: requests and retries */
};

void msg_set_level(int level);
int msg_level(void);
/* Registers a secret to redact (copied; empty strings ignored).  The
 * first 8 are kept; later ones replace the oldest beyond those when the
 * table (64) is full.  Thread-safe, as is printing. */
void msg_add_secret(const char *secret);
/* Forgets all secrets (for tests and at exit). */
void msg_clear_secrets(void);

void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs before(ctx) before each line is printed (the progress display
 * erases itself there); before = NULL removes the hook. */
void msg_set_hook(void (*before)(void *ctx), void *ctx);

/* Redacts registered secrets in s (in place; the result is never longer). */
void msg_redact(char *s);

#endif
