/* Unit tests for sink: the file-descriptor sink and sink_write. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archivist/sink.h"

static void test_fd_sink_writes_everything(void **state)
{
	struct sink_fd f;
	struct sink s = { sink_fd_write, &f };
	char got[16] = { 0 };
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	f.fd = fds[1];
	f.name = "pipe";
	assert_int_equal(sink_write(&s, "hello ", 6), 0);
	assert_int_equal(sink_write(&s, "", 0), 0);
	assert_int_equal(sink_write(&s, "world", 5), 0);
	assert_int_equal(read(fds[0], got, sizeof(got) - 1), 11);
	assert_string_equal(got, "hello world");
	close(fds[0]);
	close(fds[1]);
}

static void test_fd_sink_reports_failure(void **state)
{
	struct sink_fd f = { -1, "'nowhere'" };
	struct sink s = { sink_fd_write, &f };

	(void)state;
	f.fd = open("/dev/null", O_RDONLY);
	assert_true(f.fd >= 0);
	assert_int_equal(sink_write(&s, "x", 1), AV_EIO);
	close(f.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_sink_writes_everything),
		cmocka_unit_test(test_fd_sink_reports_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
