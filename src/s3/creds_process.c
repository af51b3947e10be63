/*
 * creds_process: credentials printed by the profile's credential_process
 * (see creds_int.h).  The command is split into words as a POSIX shell
 * would ('...', "...", backslashes; no expansion, no shell), run with
 * stdin, stderr, the environment and the working directory inherited, and its
 * standard output parsed as JSON: Version 1, AccessKeyId,
 * SecretAccessKey, optional SessionToken and Expiration (without one
 * the credentials are kept for the whole run).  Messages name the
 * program, never its arguments (which may hold secrets).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "creds_int.h"

#define OUT_MAX (1 << 20)
#define MAX_WORDS 256


struct process {
	struct creds_provider base;
	char **argv;		/* NULL-terminated, owned */
	char *where;
};

static void argv_free(char **argv)
{
	char **a;

	for (a = argv; a && *a; a++)
		free(*a);
	free(argv);
}

/* Appends the next word of *s to w; 1 if there was one, 0 at the end,
 * AV_EINVAL for an unclosed quote, AV_ENOMEM. */
static int next_word(const char **s, struct buf *w)
{
	const char *p = *s + strspn(*s, " \t\n");
	char q = 0;
	int rc = 0;

	if (!*p)
		return 0;
	for (; *p && !rc && (q || !strchr(" \t\n", *p)); p++) {
		if (q == '\'' && *p == '\'')
			q = 0;
		else if (q == '\'')
			rc = buf_addc(w, *p);
		else if (*p == '\\' && p[1] && (!q || strchr("\"\\$`\n", p[1])))
			rc = buf_addc(w, *++p);
		else if (q == '"' && *p == '"')
			q = 0;
		else if (!q && (*p == '\'' || *p == '"'))
			q = *p;
		else
			rc = buf_addc(w, *p);
	}
	*s = p;
	return rc ? rc : q ? AV_EINVAL : 1;
}

static int split(const char *cmd, char ***out)
{
	char **argv = calloc(MAX_WORDS + 1, sizeof(*argv));
	struct buf w = BUF_INIT;
	size_t n = 0;
	int rc = AV_ENOMEM;

	while (argv && n < MAX_WORDS && (rc = next_word(&cmd, &w)) == 1) {
		if (!(argv[n++] = buf_detach(&w, NULL))) {
			rc = AV_ENOMEM;
			break;
		}
	}
	buf_release(&w);
	if (rc == 1)
		rc = AV_EINVAL;	/* too many words */
	if (!rc && !n)
		rc = AV_EINVAL;
	if (rc)
		argv_free(argv);
	else
		*out = argv;
	return rc;
}

/* Reads the child's stdout (capped) until it closes. */
static int drain(int fd, struct buf *out)
{
	char chunk[4096];
	ssize_t got;
	int rc = 0;

	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = AV_EIO;
			break;
		}
		if (!rc)
			rc = buf_add(out, chunk, (size_t)got);
	}
	explicit_bzero(chunk, sizeof(chunk));
	return rc;
}

/* Runs the command (its standard error is archivist's: a tool may ask
 * for something there); 0 with its stdout in out, else why says how it
 * failed. */
static int run(const struct process *pr, struct buf *out, struct buf *why)
{
	posix_spawn_file_actions_t fa;
	int po[2] = { -1, -1 }, st = 0, rc;
	pid_t pid;

	if (pipe2(po, O_CLOEXEC)) {
		buf_addf(why, "cannot run '%s': %s", pr->argv[0], strerror(errno));
		return AV_ECREDS;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	rc = posix_spawnp(&pid, pr->argv[0], &fa, NULL, pr->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	if (rc) {
		buf_addf(why, "cannot run '%s': %s", pr->argv[0], strerror(rc));
		close(po[0]);
		return AV_ECREDS;
	}
	rc = drain(po[0], out);
	close(po[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (rc == AV_ETOOBIG)
		buf_addf(why, "'%s' printed more than 1 MiB", pr->argv[0]);
	else if (rc)
		buf_addf(why, "cannot read what '%s' printed", pr->argv[0]);
	else if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		buf_addf(why, "'%s' %s %d", pr->argv[0],
			 WIFEXITED(st) ? "exited with status" :
			 "was killed by signal", WIFEXITED(st) ?
			 WEXITSTATUS(st) : WTERMSIG(st));
	if (!rc && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		rc = AV_ECREDS;
	return rc == AV_ENOMEM ? rc : rc ? AV_ECREDS : 0;
}

static int process_fetch(struct creds_provider *pv, struct creds *out,
			 struct buf *why)
{
	struct process *pr = (struct process *)pv;
	struct buf doc = BUF_INIT, what = BUF_INIT;
	json_t *o = NULL;
	int rc;

	buf_init(&doc, OUT_MAX);
	if ((rc = run(pr, &doc, why)))
		goto out;
	o = json_loadb(doc.ptr, doc.len, 0, NULL);
	if (json_integer_value(json_object_get(o, "Version")) != 1 ||
	    !json_is_integer(json_object_get(o, "Version"))) {
		buf_addf(why, "'%s' (%s) printed no JSON with \"Version\": 1",
			 pr->argv[0], pr->where);
		rc = AV_ECREDS;
		goto out;
	}
	rc = creds_from_json(doc.ptr, doc.len, pv->name, "SessionToken", 0,
			     out, &what);
	if (rc == AV_ECREDS)
		buf_addf(why, "'%s' (%s): %s", pr->argv[0], pr->where,
			 what.ptr);
	else if (!rc && out->expires && out->expires <= time(NULL)) {
		buf_addf(why, "'%s' (%s) printed credentials that have "
			 "already expired", pr->argv[0], pr->where);
		rc = AV_ECREDS;
	}
	if (!rc) {
		buf_reset(&out->source);
		rc = buf_addf(&out->source, "credential_process '%s' of %s",
			      pr->argv[0], pr->where);
	}
out:
	json_decref(o);
	buf_wipe(&doc);
	buf_release(&what);
	return rc;
}

static void process_free(struct creds_provider *pv)
{
	struct process *pr = (struct process *)pv;

	argv_free(pr->argv);
	free(pr->where);
	free(pr);
}

int process_provider_new(const char *command, const char *where,
			 struct creds_provider **out)
{
	struct process *pr = calloc(1, sizeof(*pr));
	int rc;

	if (!pr)
		return AV_ENOMEM;
	pr->base.name = "custom-process";
	pr->base.fetch = process_fetch;
	pr->base.free = process_free;
	if (!(pr->where = strdup(where))) {
		rc = AV_ENOMEM;
	} else if ((rc = split(command, &pr->argv)) == AV_EINVAL) {
		msg_error("%s: credential_process is not a command line (an "
			  "unclosed quote, or no words)", where);
		rc = AV_ECONFIG;
	}
	if (rc)
		process_free(&pr->base);
	else
		*out = &pr->base;
	return rc;
}
