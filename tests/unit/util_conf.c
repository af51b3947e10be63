/* util_conf: temporary files and stderr capture for tests (util_conf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util_conf.h"

static char dir[256];
static char paths[4][512];
static char captured[16384];
static int saved_fd = -1;
static FILE *cap;

const char *utilconf_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0])
		utilconf_cleanup();
	snprintf(dir, sizeof(dir), "%s/archivist-conf.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	return dir;
}

const char *utilconf_write(int slot, const char *name, const char *text)
{
	FILE *f;

	if (!dir[0])
		utilconf_dir();
	snprintf(paths[slot & 3], sizeof(paths[0]), "%s/%s", dir, name);
	f = fopen(paths[slot & 3], "wb");
	if (!f || fwrite(text, 1, strlen(text), f) != strlen(text) ||
	    fclose(f)) {
		perror(paths[slot & 3]);
		abort();
	}
	return paths[slot & 3];
}

void utilconf_cleanup(void)
{
	char cmd[300];

	if (!dir[0] || strncmp(dir, "/", 1))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	dir[0] = '\0';
}

void utilconf_capture_start(void)
{
	fflush(stderr);
	cap = tmpfile();
	saved_fd = dup(2);
	if (!cap || saved_fd < 0 || dup2(fileno(cap), 2) < 0)
		abort();
}

const char *utilconf_capture_stop(void)
{
	size_t n;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	saved_fd = -1;
	rewind(cap);
	n = fread(captured, 1, sizeof(captured) - 1, cap);
	captured[n] = '\0';
	fclose(cap);
	cap = NULL;
	fputs(captured, stderr);	/* still visible in the test log */
	return captured;
}
