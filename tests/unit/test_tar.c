/*
 * Unit tests for tar.  Archives come from Python's tarfile (GNU, pax,
 * ustar formats) and GNU tar (gnu, pax, v7); what the reader reports is
 * compared with what Python's tarfile reads from the same bytes (offsets,
 * sizes, names, link names, types, mtimes).  Broken archives must fail
 * with the right code; rebuilt headers must read back in tarfile.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archivist/tar.h"
#include "util_archive.h"

/* Python: the members of the tar on stdin, one line each. */
static const char py_list[] =
	"python3 -c 'import sys, tarfile, io\n"
	"t = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), mode=\"r:\")\n"
	"for m in t.getmembers():\n"
	"    sys.stdout.write(\"%d %d %d %s %d %s|%s\\n\" % (m.offset, m.offset_data,"
	" m.size, (m.type or b\"0\").replace(b\"\\0\", b\"0\").decode(),"
	" int(m.mtime), m.name, m.linkname))\n'";

/* Python: writes an archive with every kind of entry in format F. */
#define PY_MAKE(F) \
	"python3 -c 'import sys, tarfile, io\n" \
	"b = io.BytesIO()\n" \
	"t = tarfile.open(fileobj=b, mode=\"w\", format=tarfile." F ")\n" \
	"def add(name, data=b\"\", **kw):\n" \
	"    ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = 1700000000\n" \
	"    for k, v in kw.items(): setattr(ti, k, v)\n" \
	"    t.addfile(ti, io.BytesIO(data) if data else None)\n" \
	"add(\"d\", type=tarfile.DIRTYPE, mode=0o755)\n" \
	"add(\"d/f.txt\", b\"hello\" * 300)\n" \
	"add(\"d/\" + \"n\" * 150 + \".py\", b\"x = 1\\n\")\n" \
	"add(\"d/\" + \"/\".join([\"p\" * 60] * 5), b\"deep\")\n" \
	"add(\"d/sym\", type=tarfile.SYMTYPE, linkname=\"f.txt\")\n" \
	"add(\"d/longsym\", type=tarfile.SYMTYPE, linkname=\"t\" * 200)\n" \
	"add(\"d/hard\", type=tarfile.LNKTYPE, linkname=\"d/f.txt\")\n" \
	"add(\"d/future\", b\"f\", mtime=8 ** 11 + 5)\n" \
	"add(\"d/bigid\", b\"i\", uid=8 ** 7 + 1)\n" \
	"add(\"d/frac\", b\"q\", mtime=1700000000.75)\n" \
	"add(\"d/past\", b\"p\", mtime=-1.5)\n" \
	"add(\"d/empty\")\n" \
	"t.close(); sys.stdout.buffer.write(b.getvalue())\n'"

/* GNU tar: a small tree in format F, sorted by name, with a name of
 * LONG characters. */
#define GNU_MAKE_N(F, LONG) \
	"set -e; d=$(mktemp -d); cd $d; mkdir -p a/__pycache__; " \
	"printf 'x = 1\\n' > a/m.py; printf 'pyc' > a/__pycache__/m.cpython-311.pyc; " \
	"ln a/m.py a/hard.py; ln -s m.py a/sym.py; " \
	"long=$(printf 'L%.0s' $(seq 1 " LONG ")); printf data > a/$long; " \
	"ln -s $long a/longlink; " \
	"touch -d @1700000000 a/* a/__pycache__/* a; " \
	"tar --format=" F " --sort=name --owner=0 --group=0 -cf - a; cd /; rm -rf $d"
#define GNU_MAKE(F) GNU_MAKE_N(F, "130")

struct got {
	struct buf lines;	/* one line per entry, as py_list prints */
	size_t n, globals;
	int stop_at;		/* callback returns AV_EIO at this entry */
};

static int collect(void *ctx, const struct tar_entry *e)
{
	struct got *g = ctx;
	size_t pl = strlen(e->path);
	char t = e->type == '\0' ? '0' : e->type;

	if ((int)++g->n == g->stop_at)
		return AV_EIO;
	if (e->type == 'g') {	/* tarfile does not list these */
		g->globals++;
		return 0;
	}
	if (pl > 1 && e->path[pl - 1] == '/')	/* tarfile strips it */
		pl--;
	assert_true(e->start <= e->header && e->header < e->data &&
		    e->data <= e->end && e->end - e->data == TAR_PAD(e->size));
	return buf_addf(&g->lines, "%" PRIu64 " %" PRIu64 " %" PRIu64
			" %c %" PRId64 " %.*s|%s\n", e->start, e->data,
			e->type == '1' ? 0 : e->size, t, e->mtime, (int)pl,
			e->path, e->link);
}

/* Reads tar (in pieces of step bytes) into g.  Returns the first error. */
static int read_tar(const struct buf *tar, size_t step, struct got *g,
		    struct tar_end *end)
{
	struct tar_reader *r = tar_reader_new("test.tar", collect, g);
	size_t i, k;
	int rc = 0;

	assert_non_null(r);
	buf_init(&g->lines, 0);
	g->n = g->globals = 0;
	for (i = 0; i < tar->len && rc == 0; i += k) {
		k = step && tar->len - i > step ? step : tar->len - i;
		rc = tar_reader_write(r, tar->ptr + i, k);
	}
	if (rc == 0)
		rc = tar_reader_finish(r, end);
	tar_reader_free(r);
	return rc;
}

static void make(const char *cmd, struct buf *tar)
{
	buf_init(tar, 0);
	assert_int_equal(util_pipe(cmd, "", 0, tar), 0);
	assert_true(tar->len >= 2 * TAR_BLOCK && tar->len % TAR_RECORD == 0);
}

/* The reader and Python agree on every entry, whatever the chunking. */
static void agree_with_python(const char *cmd, size_t want_entries)
{
	struct buf tar, want = BUF_INIT;
	struct got g = { .stop_at = -1 };
	struct tar_end end;
	size_t steps[] = { 0, 1, 511, 513, 4096 }, i;

	make(cmd, &tar);
	assert_int_equal(util_pipe(py_list, tar.ptr, tar.len, &want), 0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(read_tar(&tar, steps[i], &g, &end), 0);
		assert_string_equal(g.lines.ptr, want.ptr);
		assert_int_equal(g.n - g.globals, want_entries);
		assert_int_equal(end.size, tar.len);
		assert_int_equal(end.entries, g.n);
		assert_true(end.entries_end + 2 * TAR_BLOCK <= tar.len);
		buf_release(&g.lines);
	}
	buf_release(&tar);
	buf_release(&want);
}

static void test_python_gnu_format(void **state)
{
	(void)state;
	agree_with_python(PY_MAKE("GNU_FORMAT"), 12);
}

static void test_python_pax_format(void **state)
{
	(void)state;
	agree_with_python(PY_MAKE("PAX_FORMAT"), 12);
}

static void test_python_pax_global_header(void **state)
{
	struct buf tar;
	struct got g = { .stop_at = -1 };
	struct tar_end end;

	(void)state;
	make("python3 -c 'import sys, tarfile, io\n"
	     "b = io.BytesIO()\n"
	     "t = tarfile.open(fileobj=b, mode=\"w\", format=tarfile.PAX_FORMAT,"
	     " pax_headers={\"mtime\": \"1234.5\", \"comment\": \"c\"})\n"
	     "ti = tarfile.TarInfo(\"f\"); ti.size = 1; ti.mtime = 99\n"
	     "t.addfile(ti, io.BytesIO(b\"z\"))\n"
	     "t.close(); sys.stdout.buffer.write(b.getvalue())\n'", &tar);
	assert_int_equal(read_tar(&tar, 0, &g, &end), 0);
	assert_int_equal(g.globals, 1);
	/* the g header first (0..1023), then f whose pax-less mtime comes
	 * from the global record, truncated */
	assert_string_equal(g.lines.ptr, "1024 1536 1 0 1234 f|\n");
	buf_release(&g.lines);
	buf_release(&tar);
}

static void test_gnu_tar_formats(void **state)
{
	(void)state;
	agree_with_python(GNU_MAKE("gnu"), 8);
	agree_with_python(GNU_MAKE("pax"), 8);
	agree_with_python(GNU_MAKE_N("ustar", "90"), 8);
}

static void test_gnu_tar_v7(void **state)
{
	(void)state;
	agree_with_python("set -e; d=$(mktemp -d); cd $d; printf abc > f; "
			  "ln f g; tar --format=v7 -cf - f g; cd /; rm -rf $d", 2);
}

static void test_empty_archive(void **state)
{
	struct buf tar = BUF_INIT;
	struct got g = { .stop_at = -1 };
	struct tar_end end;

	(void)state;
	assert_int_equal(buf_grow(&tar, TAR_RECORD), 0);
	memset(tar.ptr, 0, TAR_RECORD);
	tar.len = TAR_RECORD;
	assert_int_equal(read_tar(&tar, 0, &g, &end), 0);
	assert_int_equal(end.entries, 0);
	assert_int_equal(end.entries_end, 0);
	buf_release(&g.lines);
	buf_release(&tar);
}

/* A one-file GNU tar archive to break in various ways. */
static void small(struct buf *tar)
{
	make("set -e; d=$(mktemp -d); cd $d; head -c 1500 /dev/zero | tr '\\0' x"
	     " > f; mkdir dir; tar --format=gnu -cf - f dir; cd /; rm -rf $d", tar);
}

static int read_broken(struct buf *tar)
{
	struct got g = { .stop_at = -1 };
	struct tar_end end;
	int rc = read_tar(tar, 100, &g, &end);

	buf_release(&g.lines);
	return rc;
}

static void test_bad_input(void **state)
{
	struct buf tar;

	(void)state;
	small(&tar);
	tar.ptr[600 - 512] ^= 1;	/* a name byte of the first header */
	assert_int_equal(read_broken(&tar), AV_ECORRUPT);
	tar.ptr[600 - 512] ^= 1;
	tar.ptr[2048 + 3] ^= 1;	/* second header, after f's 3 data blocks */
	assert_int_equal(read_broken(&tar), AV_ECORRUPT);
	tar.ptr[2048 + 3] ^= 1;
	assert_int_equal(read_broken(&tar), 0);
	tar.ptr[tar.len - 1] = 1;	/* garbage in the trailer */
	assert_int_equal(read_broken(&tar), AV_ECORRUPT);
	tar.ptr[tar.len - 1] = 0;
	tar.ptr[2560 + 512] = 1;	/* the second zero block */
	assert_int_equal(read_broken(&tar), AV_ECORRUPT);
	buf_release(&tar);
	buf_init(&tar, 0);
	util_fill(&tar, 4000, 1);	/* text */
	assert_int_equal(read_broken(&tar), AV_ECORRUPT);
	buf_release(&tar);
}

static void test_truncations(void **state)
{
	static const size_t cuts[] = { 0, 100, 512, 1000, 2048, 2560, 2560 + 512 };
	struct buf tar;
	size_t i, len;

	(void)state;
	small(&tar);
	len = tar.len;
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		tar.len = cuts[i];
		assert_int_equal(read_broken(&tar), AV_ETRUNC);
	}
	tar.len = len;
	/* f's size made to run past the end of the archive */
	tar_set_number((unsigned char *)tar.ptr + 124, 12, 100000);
	tar_set_checksum((unsigned char *)tar.ptr);
	assert_int_equal(read_broken(&tar), AV_ETRUNC);
	buf_release(&tar);
}

static void test_sized_directory_is_refused(void **state)
{
	struct buf tar;
	unsigned char *dir;

	(void)state;
	small(&tar);
	dir = (unsigned char *)tar.ptr + 2048;
	assert_int_equal(dir[156], '5');
	tar_set_number(dir + 124, 12, 512);
	tar_set_checksum(dir);
	assert_int_equal(read_broken(&tar), AV_EUNSUPP);
	buf_release(&tar);
}

static void test_bad_pax_records(void **state)
{
	static const char *const bad[] = { "5 a=b\n", "6 a=b!", "x a=b\n",
		"6 =bb\n", "11 size=1x\n", "99 path=a\n", "14 mtime=1.x2\n",
		"6 a=b\nx" };
	struct buf tar, rec = BUF_INIT;
	unsigned char *x;
	size_t i;

	(void)state;
	make("python3 -c 'import sys, tarfile, io\n"
	     "b = io.BytesIO()\n"
	     "t = tarfile.open(fileobj=b, mode=\"w\", format=tarfile.PAX_FORMAT)\n"
	     "t.addfile(tarfile.TarInfo(\"n\" * 150))\n"
	     "t.close(); sys.stdout.buffer.write(b.getvalue())\n'", &tar);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf t = BUF_INIT;

		/* the first entry's pax block, replaced */
		assert_int_equal(buf_add(&t, tar.ptr, tar.len), 0);
		x = (unsigned char *)t.ptr;
		assert_int_equal(x[156], 'x');
		memset(x + 512, 0, 512);
		memcpy(x + 512, bad[i], strlen(bad[i]));
		tar_set_number(x + 124, 12, strlen(bad[i]));
		tar_set_checksum(x);
		assert_int_equal(read_broken(&t), AV_ECORRUPT);
		buf_release(&t);
	}
	buf_release(&tar);
	buf_release(&rec);
}

static void test_callback_error_stops(void **state)
{
	struct buf tar;
	struct got g = { .stop_at = 2 };
	struct tar_end end;

	(void)state;
	small(&tar);
	assert_int_equal(read_tar(&tar, 0, &g, &end), AV_EIO);
	assert_int_equal(g.n, 2);
	buf_release(&g.lines);
	buf_release(&tar);
}

/* Rebuilds every hardlink of the Python/GNU archives as a regular file
 * of 5 bytes, or as a link to a 150-byte name; tarfile must read it. */
static void rebuild_links(const char *cmd, const struct tar_rebuild *how,
			  const char *want)
{
	struct buf tar, out = BUF_INIT, got = BUF_INIT;
	struct got g = { .stop_at = -1 };
	struct tar_end end;
	char *line, *save = NULL;
	uint64_t start, data, size;

	make(cmd, &tar);
	assert_int_equal(read_tar(&tar, 0, &g, &end), 0);
	for (line = strtok_r(g.lines.ptr, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		assert_int_equal(sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64,
					&start, &data, &size), 3);
		if (strstr(line, " 1 ") == NULL) {	/* not a hardlink */
			assert_int_equal(buf_add(&out, tar.ptr + start,
						 data + TAR_PAD(size) - start), 0);
			continue;
		}
		assert_int_equal(tar_rebuild((unsigned char *)tar.ptr + start,
					     (size_t)(data - start), how, &out), 0);
		if (how->size)
			assert_int_equal(buf_add(&out, "12345\0\0\0", 8), 0);
		while (out.len % TAR_BLOCK)
			assert_int_equal(buf_addc(&out, '\0'), 0);
	}
	while (out.len % TAR_RECORD || out.len < 2 * TAR_BLOCK)
		assert_int_equal(buf_addc(&out, '\0'), 0);
	assert_int_equal(util_pipe(py_list, out.ptr, out.len, &got), 0);
	assert_non_null(strstr(got.ptr, want));
	buf_release(&g.lines);
	assert_int_equal(read_tar(&out, 0, &g, &end), 0);	/* and we agree */
	assert_string_equal(g.lines.ptr, got.ptr);
	buf_release(&g.lines);
	buf_release(&tar);
	buf_release(&out);
	buf_release(&got);
}

static void test_rebuild_hardlink_as_file(void **state)
{
	struct tar_rebuild how = { '0', 5, NULL };

	(void)state;
	rebuild_links(PY_MAKE("GNU_FORMAT"), &how, " 5 0 1700000000 d/hard|\n");
	rebuild_links(PY_MAKE("PAX_FORMAT"), &how, " 5 0 1700000000 d/hard|\n");
	rebuild_links(GNU_MAKE("gnu"), &how, " 5 0 1700000000 a/m.py|\n");
	rebuild_links(GNU_MAKE("pax"), &how, " 5 0 1700000000 a/m.py|\n");
}

static void test_rebuild_relink_long_name(void **state)
{
	char target[151], want[200];
	struct tar_rebuild how = { '1', 0, target };

	(void)state;
	memset(target, 'T', 150);
	target[150] = '\0';
	snprintf(want, sizeof(want), " 0 1 1700000000 d/hard|%s\n", target);
	rebuild_links(PY_MAKE("GNU_FORMAT"), &how, want);
	rebuild_links(PY_MAKE("PAX_FORMAT"), &how, want);
	snprintf(want, sizeof(want), " 0 1 1700000000 a/m.py|%s\n", target);
	rebuild_links(GNU_MAKE_N("ustar", "90"), &how, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python_gnu_format),
		cmocka_unit_test(test_python_pax_format),
		cmocka_unit_test(test_python_pax_global_header),
		cmocka_unit_test(test_gnu_tar_formats),
		cmocka_unit_test(test_gnu_tar_v7),
		cmocka_unit_test(test_empty_archive),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_sized_directory_is_refused),
		cmocka_unit_test(test_bad_pax_records),
		cmocka_unit_test(test_callback_error_stops),
		cmocka_unit_test(test_rebuild_hardlink_as_file),
		cmocka_unit_test(test_rebuild_relink_long_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
