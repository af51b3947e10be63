/* Helpers for the archive unit tests (see util_archive.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archivist/error.h"
#include "util_archive.h"

int util_sink_buf(void *ctx, const void *data, size_t len)
{
	struct buf *b = ctx;

	b->max = (size_t)256 << 20;
	return buf_add(b, data, len);
}

int util_sink_fail(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return AV_EIO;
}

int util_sink_count(void *ctx, const void *data, size_t len)
{
	(void)data;
	*(uint64_t *)ctx += len;
	return 0;
}

void util_fill(struct buf *out, size_t n, uint32_t seed)
{
	static const char *const words[] = { "def ", "return ", "self", ".x",
		" = ", "import ", "os\n", "(", ")", ":\n    ", "None", "1234" };
	uint32_t s = seed ? seed : 1;
	const char *w;

	out->max = (size_t)256 << 20;
	while (out->len < n) {
		s = s * 1103515245u + 12345u;
		w = words[(s >> 16) % (sizeof(words) / sizeof(words[0]))];
		if (buf_add(out, w, strlen(w) < n - out->len ?
			    strlen(w) : n - out->len) != 0)
			abort();
	}
}

/* Child: stdin from in_fd, stdout to out_fd, runs cmd. */
static void child(const char *cmd, int in_fd, int out_fd)
{
	dup2(in_fd, 0);
	dup2(out_fd, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int util_pipe(const char *cmd, const void *in, size_t inlen, struct buf *out)
{
	char tmpl[] = "/tmp/util-pipe-XXXXXX";
	char chunk[65536];
	int infd = mkstemp(tmpl), p[2], st;
	ssize_t n;
	pid_t pid;

	if (infd < 0 || pipe(p) != 0)
		return -1;
	unlink(tmpl);
	if (write(infd, in, inlen) != (ssize_t)inlen || lseek(infd, 0, 0) != 0)
		return -1;
	if ((pid = fork()) == 0)
		child(cmd, infd, p[1]);
	close(p[1]);
	close(infd);
	out->max = (size_t)256 << 20;
	while ((n = read(p[0], chunk, sizeof(chunk))) > 0)
		if (buf_add(out, chunk, (size_t)n) != 0)
			break;
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
