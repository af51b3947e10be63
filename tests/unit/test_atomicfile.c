/*
 * Unit tests for atomicfile: the destination appears whole or not at all,
 * and a failure or an abort leaves nothing beside it.  A signal during
 * the write removes the temporary file too (tmpguard).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "archivist/atomicfile.h"
#include "archivist/error.h"
#include "archivist/msg.h"

static char dir[] = "/tmp/test_atomicfile.XXXXXX";

static int setup(void **state)
{
	(void)state;
	msg_set_level(MSG_QUIET);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The number of entries in dir (but . and ..). */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void read_back(const char *path, const char *want)
{
	char got[64] = "";
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_true(fread(got, 1, sizeof(got) - 1, f) == strlen(want));
	fclose(f);
	assert_string_equal(got, want);
}

static void test_write_replaces_whole(void **state)
{
	char p[128];
	struct stat st;
	mode_t mask = umask(022);

	(void)state;
	path_of(p, sizeof(p), "out");
	assert_int_equal(atomic_file_write(p, "first", 5), 0);
	read_back(p, "first");
	assert_int_equal(atomic_file_write(p, "second", 6), 0);
	read_back(p, "second");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);	/* as creat() would */
	assert_int_equal(entries(), 1);			/* no temporary left */
	umask(mask);
	unlink(p);
}

static void test_abort_leaves_nothing(void **state)
{
	struct atomic_file f;
	char p[128];

	(void)state;
	path_of(p, sizeof(p), "kept");
	assert_int_equal(atomic_file_write(p, "old", 3), 0);
	assert_int_equal(atomic_file_open(&f, p), 0);
	assert_int_equal(write(f.fd, "new, half", 9), 9);
	assert_int_equal(entries(), 2);		/* the temporary, beside it */
	atomic_file_abort(&f);
	atomic_file_abort(&f);			/* twice is harmless */
	assert_int_equal(entries(), 1);
	read_back(p, "old");
	unlink(p);
}

static void test_failures_leave_nothing(void **state)
{
	struct atomic_file f;
	char p[128];

	(void)state;
	/* no such directory: nothing can be created */
	path_of(p, sizeof(p), "missing/out");
	assert_int_equal(atomic_file_write(p, "x", 1), AV_EIO);
	assert_int_equal(entries(), 0);
	/* the rename fails (a directory is in the way): the temporary goes */
	path_of(p, sizeof(p), "adir");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(atomic_file_open(&f, p), 0);
	assert_int_equal(write(f.fd, "data", 4), 4);
	assert_int_equal(atomic_file_commit(&f), AV_EIO);
	assert_int_equal(f.fd, -1);
	assert_int_equal(entries(), 1);		/* only adir */
	atomic_file_abort(&f);			/* after a failed commit: fine */
	assert_int_equal(rmdir(p), 0);
}

static void test_signal_removes_temporary(void **state)
{
	struct atomic_file f;
	char p[128];
	int st = 0;
	pid_t pid;

	(void)state;
	path_of(p, sizeof(p), "interrupted");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (atomic_file_open(&f, p) != 0 || write(f.fd, "part", 4) != 4)
			_exit(2);
		raise(SIGTERM);
		_exit(3);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	assert_int_equal(entries(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_replaces_whole),
		cmocka_unit_test(test_abort_leaves_nothing),
		cmocka_unit_test(test_failures_leave_nothing),
		cmocka_unit_test(test_signal_removes_temporary),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
