/* Unit tests for progress: sizes, line layout, width limits, drawing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "archivist/msg.h"
#include "archivist/progress.h"

static void test_human_sizes(void **state)
{
	static const struct {
		uint64_t n;
		const char *want;
	} cases[] = {
		{ 0, "0 B" },
		{ 1023, "1023 B" },
		{ 1024, "1.00 KiB" },
		{ 1536, "1.50 KiB" },
		{ 10 * 1024, "10.0 KiB" },
		{ 12900000, "12.3 MiB" },
		{ (uint64_t)4 << 30, "4.00 GiB" },
		{ (uint64_t)1000 << 20, "1000 MiB" },
		{ (uint64_t)512 << 10, "512 KiB" },
		{ 100 * 1024 - 1, "100 KiB" },
		{ UINT64_MAX, "16384 PiB" },
	};
	char out[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		progress_human(out, cases[i].n);
		assert_string_equal(out, cases[i].want);
	}
}

static void test_line_with_total_ratio_and_eta(void **state)
{
	struct progress_view v = { "in.tar.gz", "compressing", 50u << 20,
		100u << 20, 10u << 20, 10.0 };
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(progress_format(&b, &v, 0), 0);
	/* 50 MiB in 10 s = 5 MiB/s; 50 MiB left = 10 s */
	assert_string_equal(b.ptr, "in.tar.gz: compressing 50.0 MiB / 100 MiB"
			    " -> 10.0 MiB (20.0%), 5.00 MiB/s ETA 0:10");
	buf_release(&b);
}

static void test_line_without_total_or_output(void **state)
{
	struct progress_view v = { NULL, NULL, 2048, 0, 0, 0.0 };
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(progress_format(&b, &v, 0), 0);
	assert_string_equal(b.ptr, "2.00 KiB");
	buf_release(&b);
}

static void test_long_eta_uses_hours(void **state)
{
	struct progress_view v = { "x", "get", 1u << 20, (uint64_t)8 << 30,
		0, 1.0 };
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(progress_format(&b, &v, 0), 0);
	/* 8191 MiB left at 1 MiB/s = 2:16:31 */
	assert_non_null(strstr(b.ptr, " ETA 2:16:31"));
	buf_release(&b);
}

static void test_width_shortens_label_first(void **state)
{
	struct progress_view v = { "heroku-22/runtimes/python-3.12.3.tar.gz",
		"reading", 1u << 20, 0, 0, 1.0 };
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(progress_format(&b, &v, 40), 0);
	assert_true(b.len <= 40);
	assert_memory_equal(b.ptr, "...", 3);
	/* the end of the name is kept, the body is whole */
	assert_non_null(strstr(b.ptr, ".tar.gz: reading 1.00 MiB, 1.00 MiB/s"));
	buf_reset(&b);
	assert_int_equal(progress_format(&b, &v, 10), 0);
	assert_int_equal(b.len, 10);
	buf_release(&b);
}

static char *drain(int fd)
{
	static char got[4096];
	ssize_t n = read(fd, got, sizeof(got) - 1);

	got[n > 0 ? n : 0] = '\0';
	return got;
}

static void test_draws_and_erases(void **state)
{
	struct progress *p;
	int fds[2];
	char *s;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_null(progress_new(-1, "off"));
	progress_update(NULL, 1, 1);	/* NULL is a no-op */
	p = progress_new(fds[1], "lbl");
	assert_non_null(p);
	progress_start(p, "phase", 100);
	s = drain(fds[0]);
	assert_int_equal(s[0], '\r');
	assert_non_null(strstr(s, "lbl: phase 0 B / 100 B\033[K"));
	progress_update(p, 10, 0);
	progress_clear(p);
	s = drain(fds[0]);
	assert_true(strlen(s) >= 4);
	assert_string_equal(s + strlen(s) - 4, "\r\033[K");
	/* after a clear the next update redraws at once */
	progress_update(p, 20, 0);
	s = drain(fds[0]);
	assert_non_null(strstr(s, "lbl: phase 20 B / 100 B"));
	progress_free(p);
	s = drain(fds[0]);
	assert_string_equal(s, "\r\033[K");
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human_sizes),
		cmocka_unit_test(test_line_with_total_ratio_and_eta),
		cmocka_unit_test(test_line_without_total_or_output),
		cmocka_unit_test(test_long_eta_uses_hours),
		cmocka_unit_test(test_width_shortens_label_first),
		cmocka_unit_test(test_draws_and_erases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
