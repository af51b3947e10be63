/* tmpguard: remove a temporary file on a fatal signal (see tmpguard.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "archivist/error.h"
#include "tmpguard.h"

/* Read by the handler: written only with the handlers blocked. */
static char guarded[PATH_MAX];
static int installed;
static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

static void on_signal(int sig)
{
	if (guarded[0])
		unlink(guarded);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Blocks (how = SIG_BLOCK) or restores the guarded signals. */
static void mask(int how, sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	if (how == SIG_BLOCK)
		sigprocmask(SIG_BLOCK, &set, old);
	else
		sigprocmask(SIG_SETMASK, old, NULL);
}

static void install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	installed = 1;
}

int tmpguard_set(const char *path)
{
	sigset_t old;
	size_t n = strlen(path);

	if (n >= sizeof(guarded))
		return AV_ETOOBIG;
	mask(SIG_BLOCK, &old);
	memcpy(guarded, path, n + 1);
	if (!installed)
		install();
	mask(SIG_SETMASK, &old);
	return 0;
}

int tmpguard_mkstemp(char *tmpl, int flags)
{
	sigset_t old;
	size_t n = strlen(tmpl);
	int fd;

	if (n >= sizeof(guarded)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	mask(SIG_BLOCK, &old);
	if ((fd = mkostemp(tmpl, flags)) >= 0) {
		memcpy(guarded, tmpl, n + 1);
		if (!installed)
			install();
	}
	mask(SIG_SETMASK, &old);
	return fd;
}

void tmpguard_clear(void)
{
	sigset_t old;

	mask(SIG_BLOCK, &old);
	guarded[0] = '\0';
	mask(SIG_SETMASK, &old);
}
