/* ls: list keys, sizes and dates under an s3:// prefix (all pages). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "archivist/cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "archivist/error.h"
#include "archivist/jsonout.h"
#include "archivist/msg.h"
#include "archivist/s3.h"
#include "archivist/s3uri.h"
#include "archivist/session.h"

static void ls_usage(FILE *f)
{
	command_usage(f, "ls");
	fputs("\nLists every key under PREFIX (all pages of ListObjectsV2), one per\n"
	      "line: last-modified (UTC), size in bytes, key.  PREFIX is a plain\n"
	      "string prefix: s3://b/py lists python-3.12.3.tar.zst and py/x.\n\n"
	      "  -d, --delimiter D  group keys by D (e.g. /): shows each common\n"
	      "                     prefix once as \"PRE prefix/\" instead of its keys\n"
	      "  --json             one object per key: {\"key\", \"size\",\n"
	      "                     \"last_modified\", \"etag\"}, or {\"prefix\"}\n\n"
	      "Keys are printed as they are, except control characters, shown\n"
	      "as \\xHH.  Exit status: 0 listed (also when nothing matches), 1 the\n"
	      "listing failed, 2 usage or configuration error.\n", f);
}

struct ls_state {
	int json;
	uint64_t count;
};

/* Keys may hold any byte: keep a listing one line per key. */
static void print_key(const char *k)
{
	for (; *k; k++) {
		unsigned char ch = (unsigned char)*k;

		if (ch < 0x20 || ch == 0x7f)
			printf("\\x%02x", ch);
		else
			putchar(ch);
	}
	putchar('\n');
}

static int ls_object(void *ctx, const struct s3_object *o)
{
	struct ls_state *st = ctx;
	char when[21];
	json_t *j = NULL;

	st->count++;
	cmd_time_iso(o->mtime, when);
	if (st->json && (j = json_pack("{s:s, s:I, s:s, s:s}", "key", o->key, "size",
				       (json_int_t)o->size, "last_modified", when,
				       "etag", o->etag)) == NULL) {
		/* S3 keys are UTF-8; a server that breaks that gets no JSON. */
		msg_error("ls: key '%s' is not valid UTF-8: it cannot be written as JSON", o->key);
		return AV_ECORRUPT;
	}
	if (st->json)
		return jsonout_line(j);
	printf("%s %12" PRIu64 "  ", when, o->size);
	print_key(o->key);
	return ferror(stdout) ? AV_EIO : 0;
}

static int ls_prefix(void *ctx, const char *prefix)
{
	struct ls_state *st = ctx;

	st->count++;
	if (st->json)
		return jsonout_line(json_pack("{s:s}", "prefix", prefix));
	printf("%20s %12s  ", "", "PRE");
	print_key(prefix);
	return ferror(stdout) ? AV_EIO : 0;
}

int cmd_ls(int argc, char **argv, const struct globals *g)
{
	static const struct option opts[] = {
		{ "delimiter", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls_state st = { g->json, 0 };
	struct s3_list_opts lo = { NULL, NULL, 0, ls_prefix };
	struct s3_client *c = NULL;
	struct s3uri u = { NULL, NULL };
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': lo.delimiter = optarg; break;
		case 'h': ls_usage(stdout); return EXIT_DONE;
		default: ls_usage(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		ls_usage(stderr);
		return EXIT_USAGE;
	}
	if ((rc = s3uri_parse(argv[optind], &u)) || (rc = cmd_client_open(g, &c)))
		goto out;
	lo.prefix = u.key;
	rc = s3_list(c, u.bucket, &lo, ls_object, &st);
	if (rc == AV_EIO)
		msg_error("ls: cannot write the listing: %s", error_message(rc));
	else if (!rc)
		msg_verbose("ls 's3://%s/%s': %" PRIu64 " entries", u.bucket, u.key, st.count);
out:
	s3_client_free(c);
	s3uri_release(&u);
	return cmd_exit_status(rc == AV_EUSAGE ? AV_EUSAGE : rc);
}
