/* presign: print a presigned GET URL for an object. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archivist/cli.h"
#include "cmdutil.h"
#include "commands.h"
#include "archivist/error.h"
#include "archivist/jsonout.h"
#include "archivist/msg.h"
#include "archivist/s3.h"
#include "archivist/s3uri.h"
#include "archivist/session.h"

#define DEFAULT_EXPIRES 3600

static void presign_usage(FILE *f)
{
	command_usage(f, "presign");
	fputs("\nPrints a URL that lets anyone GET the object, without credentials,\n"
	      "until it expires (SigV4 query signature; the session token is\n"
	      "included when the credentials have one, and the URL then also\n"
	      "stops working when the token expires).  Nothing is sent to S3: the\n"
	      "object need not exist yet.\n\n"
	      "  --expires SECONDS   validity, 1 to 604800 (7 days); default 3600\n"
	      "  --json              one object: {\"url\", \"expires\", \"expires_at\"}\n\n"
	      "Exit status: 0 printed, 2 usage or configuration error (including\n"
	      "--no-sign-request: an anonymous URL needs no signature).\n", f);
}

static int parse_expires(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end || errno || v < 1 || v > SIGV4_MAX_EXPIRES) {
		msg_error("presign: --expires takes 1 to %d seconds, not '%s'",
			  SIGV4_MAX_EXPIRES, s);
		return AV_EUSAGE;
	}
	*out = v;
	return 0;
}

static int presign_options(int argc, char **argv, long *expires, const char **uri)
{
	static const struct option opts[] = {
		{ "expires", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			if ((rc = parse_expires(optarg, expires)))
				return rc;
			break;
		case 'h': presign_usage(stdout); return -1;
		default: presign_usage(stderr); return AV_EUSAGE;
		}
	}
	if (argc - optind != 1) {
		presign_usage(stderr);
		return AV_EUSAGE;
	}
	*uri = argv[optind];
	return 0;
}

int cmd_presign(int argc, char **argv, const struct globals *g)
{
	struct s3_client *c = NULL;
	struct s3uri u = { NULL, NULL };
	struct buf url = BUF_INIT;
	long expires = DEFAULT_EXPIRES;
	const char *uri = NULL;
	char until[21];
	time_t now = time(NULL);
	int rc;

	if ((rc = presign_options(argc, argv, &expires, &uri)) == -1)
		return EXIT_DONE;
	if (rc || (rc = s3uri_parse(uri, &u)))
		goto out;
	if (!*u.key || g->s3.no_sign) {
		msg_error("presign: %s", g->s3.no_sign ? "--no-sign-request gives nothing to "
			  "sign with: anonymous objects need no presigned URL" :
			  "name an object: s3://BUCKET/KEY");
		rc = AV_EUSAGE;
		goto out;
	}
	if ((rc = cmd_client_open(g, &c)) ||
	    (rc = s3_presign(c, u.bucket, u.key, expires, now, &url)))
		goto out;
	cmd_time_iso(now + expires, until);
	if (g->json)
		rc = jsonout_line(json_pack("{s:s, s:I, s:s}", "url", url.ptr, "expires",
					    (json_int_t)expires, "expires_at", until));
	else if (puts(url.ptr) == EOF)
		rc = AV_EIO;
out:
	buf_release(&url);
	s3_client_free(c);
	s3uri_release(&u);
	return cmd_exit_status(rc);
}
