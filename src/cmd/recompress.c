/*
 * recompress: a local runtime archive in, a .tar.zst out (see usage()).
 *
 * A thin shell over the pipeline: it reads IN into pipeline_write(), and
 * pipeline_finish() writes OUT atomically (atomicfile.h): a temporary
 * file beside it, fsync'ed and renamed over OUT only when complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archivist/atomicfile.h"
#include "commands.h"
#include "archivist/error.h"
#include "archivist/jsonout.h"
#include "archivist/msg.h"
#include "archivist/pipeline.h"

#define READ_SIZE ((size_t)1 << 20)

struct args {
	const char *in, *out;
	struct pipeline_opts po;
};

static void usage(FILE *f)
{
	command_usage(f, "recompress");
	fputs("\nRewrites a runtime archive (.tar, .tar.gz or .tar.zst, told apart by\n"
	      "content) into a .tar.zst: zstd level N with long-distance matching,\n"
	      "a window of at most 2^27 bytes (zstd -d and tar --zstd read it with\n"
	      "no flags), an XXH64 checksum and the content size in the header.\n"
	      "IN or OUT may be '-' (stdin, stdout).\n\n"
	      "  --level N       zstd level 1..22 (default 22, about 1 MB/s)\n"
	      "  --pyc MODE      unchecked-hash (default) or checked-hash: each\n"
	      "                  __pycache__ pyc of CPython 3.7+ whose .py is in the\n"
	      "                  archive with the mtime and size the pyc records\n"
	      "                  becomes hash-based (PEP 552), its code unchanged;\n"
	      "                  other pycs are left.  keep: no pyc is changed\n"
	      "  --keep-opt-pyc  keep __pycache__/*.opt-1.pyc and *.opt-2.pyc (by\n"
	      "                  default they are dropped; hardlinks to them still\n"
	      "                  resolve)\n"
	      "  --workers N     zstd threads (default: CPUs, at most 2; each\n"
	      "                  takes ~780 MiB at level 22); with 1, the tar is\n"
	      "                  one zstd job (up to 512 MiB: the least CPU); with\n"
	      "                  2 or more, a 64-204 MiB tar is cut into two jobs\n"
	      "                  (other bytes, the same content); the output is\n"
	      "                  the same for every N from 2 on\n\n"
	      "Every other entry is copied byte for byte, its header blocks\n"
	      "included; with --pyc keep --keep-opt-pyc the decompressed output\n"
	      "is the input tar, byte for byte.  OUT is written to a temporary\n"
	      "file beside it and renamed only when complete: a failure leaves no\n"
	      "OUT.  The sha256 and size of OUT and the counts are printed on\n"
	      "stderr, and with --json as one JSON object on stdout.\n\n"
	      "exit status: 0 done, 1 failed (corrupt or truncated input, I/O),\n"
	      "2 usage error (also an IN that cannot be opened, or a directory)\n", f);
}

static int parse_int(const char *opt, const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = s ? strtol(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || v < lo || v > hi) {
		msg_error("%s takes a number from %d to %d, not '%s'", opt, lo,
			  hi, s ? s : "");
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* One option (getopt_long's ch, its value v).  0, or -1 (reported). */
static int parse_opt(int ch, const char *v, struct args *a)
{
	switch (ch) {
	case 'k':
		a->po.set.keep_opt_pyc = 1;
		return 0;
	case 'l':
		return parse_int("--level", v, 1, 22, &a->po.set.level);
	case 'w':
		return parse_int("--workers", v, 1, 64, &a->po.workers);
	case 'p':
		if (pyc_mode_parse(v, &a->po.set.pyc) == 0)
			return 0;
		msg_error("--pyc takes unchecked-hash, checked-hash or keep,"
			  " not '%s'", v);
		return -1;
	}
	return -1;	/* getopt_long said what was wrong */
}

/* 0, 1 (help shown: exit 0) or -1 (usage error). */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "pyc", required_argument, NULL, 'p' },
		{ "keep-opt-pyc", no_argument, NULL, 'k' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	pipeline_opts_init(&a->po);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return 1;
		}
		if (parse_opt(ch, optarg, a) != 0)
			return -1;
	}
	if (argc - optind > 2) {
		msg_error("recompress: unexpected argument '%s'", argv[optind + 2]);
		return -1;
	}
	if (argc - optind < 2) {
		msg_error("recompress needs IN and OUT (see 'archivist"
			  " recompress --help')");
		return -1;
	}
	a->in = argv[optind];
	a->out = argv[optind + 1];
	return 0;
}

/* Pass 1: all of in_fd into the pipeline. */
static int feed(struct pipeline *p, int in_fd, const char *name)
{
	unsigned char *b = malloc(READ_SIZE);
	ssize_t n;
	int rc = 0;

	if (!b) {
		msg_error("out of memory");
		return AV_ENOMEM;
	}
	while (rc == 0 && (n = read(in_fd, b, READ_SIZE)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			msg_error("cannot read '%s': %s", name, strerror(errno));
			rc = AV_EIO;
		} else {
			rc = pipeline_write(p, b, (size_t)n);
		}
	}
	free(b);
	return rc;
}

static int report(const struct args *a, const struct pipeline_stats *st,
		  const struct globals *g)
{
	json_t *o;

	msg_info("'%s' -> '%s'", a->in, a->out);
	pipeline_stats_print(st);
	if (!g->json)
		return 0;
	if ((o = pipeline_stats_json(st)) &&
	    json_object_set_new(o, "command", json_string("recompress")) == 0 &&
	    json_object_set_new(o, "input", json_string(a->in)) == 0 &&
	    json_object_set_new(o, "output", json_string(a->out)) == 0)
		return jsonout_line(o);
	json_decref(o);
	return AV_ENOMEM;
}

/*
 * Opens IN: fd, or -1 (reported: a usage error, nothing was written);
 * *size when it is a regular file.  A directory opens but cannot be read:
 * refuse it here rather than after creating the output.
 */
static int open_in(const char *in, uint64_t *size)
{
	struct stat sb;
	int fd = strcmp(in, "-") == 0 ? STDIN_FILENO :
		 open(in, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		msg_error("cannot open '%s': %s", in, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0)
		return fd;	/* reading will tell */
	if (S_ISDIR(sb.st_mode)) {
		msg_error("'%s' is a directory, not an archive", in);
		close(fd);
		return -1;
	}
	if (S_ISREG(sb.st_mode))
		*size = (uint64_t)sb.st_size;
	return fd;
}

/*
 * Opens the output: stdout for "-"; an existing device, FIFO or socket
 * (/dev/null) directly, as there is nothing to replace atomically; else
 * an atomic file (f->fd >= 0 then).  fd, or -1 (reported).
 */
static int open_out(const char *out, struct atomic_file *f)
{
	struct stat sb;
	int fd;

	f->fd = -1;
	if (strcmp(out, "-") == 0)
		return STDOUT_FILENO;
	if (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		msg_error("'%s' is a directory", out);
		return -1;
	}
	if (stat(out, &sb) != 0 || S_ISREG(sb.st_mode))
		return atomic_file_open(f, out) == 0 ? f->fd : -1;
	if ((fd = open(out, O_WRONLY | O_TRUNC | O_CLOEXEC)) < 0)
		msg_error("cannot open '%s': %s", out, strerror(errno));
	return fd;
}

static int run(struct args *a, const struct globals *g)
{
	struct pipeline *p = NULL;
	struct pipeline_stats st;
	struct progress *pr = NULL;
	struct atomic_file f = { -1, NULL, BUF_INIT };
	struct sink_fd sf = { -1, a->out };
	struct sink s = { sink_fd_write, &sf };
	int in_fd, rc = AV_EIO;

	if ((in_fd = open_in(a->in, &a->po.in_size)) < 0)
		return AV_EUSAGE;
	if ((sf.fd = open_out(a->out, &f)) < 0)
		goto out;
	if (sf.fd == STDOUT_FILENO)
		sf.name = "stdout";
	pr = g->progress ? progress_new(STDERR_FILENO, a->in) : NULL;
	a->po.name = a->in;
	a->po.progress = pr;
	if ((rc = pipeline_new(&p, &a->po)) == 0 &&
	    (rc = feed(p, in_fd, a->in)) == 0 &&
	    (rc = pipeline_finish(p, &s, &st)) == 0 && f.fd >= 0)
		rc = atomic_file_commit(&f);	/* closes the fd */
	progress_free(pr);
	if (rc == 0)
		rc = report(a, &st, g);
out:
	pipeline_free(p);
	if (f.fd >= 0)
		atomic_file_abort(&f);	/* not committed: OUT untouched */
	else if (!f.path && sf.fd > STDERR_FILENO)
		close(sf.fd);		/* a device opened directly */
	if (in_fd != STDIN_FILENO)
		close(in_fd);
	return rc;
}

int cmd_recompress(int argc, char **argv, const struct globals *g)
{
	struct args a;
	int r = parse_args(argc, argv, &a);

	if (r != 0)
		return r > 0 ? EXIT_DONE : EXIT_USAGE;
	if (strcmp(a.out, "-") == 0 && isatty(STDOUT_FILENO)) {
		msg_error("refusing to write compressed data to a terminal");
		return EXIT_USAGE;
	}
	r = run(&a, g);
	return r == 0 ? EXIT_DONE : r == AV_EUSAGE ? EXIT_USAGE : EXIT_FAILED;
}
