/*
 * Unit tests for tmpguard: a child process guards a file and is killed
 * by a signal; the file must be gone, and the child must still die of
 * that signal.  A cleared guard leaves the file alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "core/tmpguard.h"

/* Forks a child that creates path, guards it (clears the guard first
 * when clear), and raises sig; returns the child's wait status. */
static int child(const char *path, int sig, int clear)
{
	int st = 0;
	pid_t pid = fork();
	FILE *f;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (!(f = fopen(path, "w")) || fputs("part", f) < 0 || fclose(f) != 0)
			_exit(2);
		if (tmpguard_set(path) != 0)
			_exit(3);
		if (clear)
			tmpguard_clear();
		raise(sig);
		_exit(4);	/* not reached for a fatal signal */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void test_signal_removes_the_file(void **state)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	char path[] = "/tmp/archivist-tmpguard-XXXXXX";
	size_t i;
	int fd, st;

	(void)state;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		assert_true((fd = mkstemp(path)) >= 0);
		close(fd);
		st = child(path, sigs[i], 0);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), sigs[i]);
		assert_int_equal(access(path, F_OK), -1);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
}

static void test_cleared_guard_keeps_the_file(void **state)
{
	char path[] = "/tmp/archivist-tmpguard-XXXXXX";
	int fd, st;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	st = child(path, SIGTERM, 1);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
}

static void test_too_long_a_path(void **state)
{
	char *p = malloc(70000);

	(void)state;
	assert_non_null(p);
	memset(p, 'a', 69999);
	p[69999] = '\0';
	assert_int_equal(tmpguard_set(p), AV_ETOOBIG);
	free(p);
}

/* The file tmpguard_mkstemp makes is guarded from its creation: a signal
 * already pending when it returns removes it. */
static void test_mkstemp_guards_its_file(void **state)
{
	char path[] = "/tmp/archivist-tmpguard-XXXXXX";
	int pfd[2], st = 0, fd;
	sigset_t set;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGTERM);		/* pending until unblocked */
		if ((fd = tmpguard_mkstemp(path, 0)) < 0)
			_exit(3);
		if (write(pfd[1], path, sizeof(path)) != (ssize_t)sizeof(path))
			_exit(2);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		_exit(4);		/* not reached */
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], path, sizeof(path)), (ssize_t)sizeof(path));
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	assert_memory_not_equal(path + strlen(path) - 6, "XXXXXX", 6);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_mkstemp_too_long_makes_nothing(void **state)
{
	char *p = malloc(70000);

	(void)state;
	assert_non_null(p);
	memset(p, 'a', 69999);
	memcpy(p, "/tmp/", 5);
	memcpy(p + 69993, "XXXXXX", 7);
	assert_int_equal(tmpguard_mkstemp(p, 0), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_memory_equal(p + 69993, "XXXXXX", 6);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_removes_the_file),
		cmocka_unit_test(test_cleared_guard_keeps_the_file),
		cmocka_unit_test(test_too_long_a_path),
		cmocka_unit_test(test_mkstemp_guards_its_file),
		cmocka_unit_test(test_mkstemp_too_long_makes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
