/*
 * mock-s3: a MinIO-like S3 server for tests, demos and dry-run audits.
 * main() parses the command line, starts the server, and waits for
 * SIGTERM or SIGINT to stop it cleanly.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "archivist/error.h"
#include "archivist/msg.h"
#include "mock_faults.h"
#include "mock_server.h"

#define DEFAULT_MIN_PART ((uint64_t)5 << 20)

static const char usage[] =
	"usage: mock-s3 --data DIR [options]\n"
	"  --data DIR           objects as files: DIR/BUCKET/KEY\n"
	"  --port N             port on 127.0.0.1 (default 9000; 0: any free)\n"
	"  --port-file FILE     write the port there once listening\n"
	"  --access-key K       (default $MINIO_ROOT_USER or minioadmin)\n"
	"  --secret-key S       (default $MINIO_ROOT_PASSWORD or minioadmin)\n"
	"  --keys-file FILE     more keys, one \"AK SK [TOKEN|- [NOT_AFTER]]\"\n"
	"                       a line (NOT_AFTER: Unix time), read again for\n"
	"                       every request: a request with such a key must\n"
	"                       carry its token, and fails with ExpiredToken\n"
	"                       after NOT_AFTER\n"
	"  --region R           accept only signatures for region R\n"
	"  --no-auth            accept unsigned requests\n"
	"  --anonymous-read     accept unsigned GET, HEAD and listings\n"
	"  --min-part-size N    smallest multipart part but the last\n"
	"                       (default 5M; K and M suffixes)\n"
	"  --etag-sha256        ETags from the first half of the body's sha256\n"
	"                       instead of its MD5, unless Content-MD5 is sent:\n"
	"                       half the hashing for clients that sign payloads\n"
	"                       (for benchmarks: S3's single-part ETag is the MD5)\n"
	"  --log FILE           request log, one JSON object per line\n"
	"  --fault RULE         inject a fault (repeatable; see README)\n"
	"  --seed N             seed of the prob= fault rules (default 1)\n"
	"  -v, --verbose        report connection errors\n"
	"  -h, --help           this text\n";

enum { O_DATA = 256, O_PORT, O_PORT_FILE, O_ACCESS, O_SECRET, O_REGION,
       O_NO_AUTH, O_ANON, O_MIN_PART, O_LOG, O_FAULT, O_SEED, O_ETAG_SHA,
       O_KEYS_FILE };

static const struct option longopts[] = {
	{ "data", required_argument, NULL, O_DATA },
	{ "port", required_argument, NULL, O_PORT },
	{ "port-file", required_argument, NULL, O_PORT_FILE },
	{ "access-key", required_argument, NULL, O_ACCESS },
	{ "secret-key", required_argument, NULL, O_SECRET },
	{ "region", required_argument, NULL, O_REGION },
	{ "no-auth", no_argument, NULL, O_NO_AUTH },
	{ "anonymous-read", no_argument, NULL, O_ANON },
	{ "min-part-size", required_argument, NULL, O_MIN_PART },
	{ "log", required_argument, NULL, O_LOG },
	{ "fault", required_argument, NULL, O_FAULT },
	{ "seed", required_argument, NULL, O_SEED },
	{ "etag-sha256", no_argument, NULL, O_ETAG_SHA },
	{ "keys-file", required_argument, NULL, O_KEYS_FILE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* "123", "64K", "5M" (binary units). */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return AV_EUSAGE;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end)
		return AV_EUSAGE;
	*out = v;
	return 0;
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* One option; 0, or AV_EUSAGE with the message printed. */
static int take_option(int c, const char *arg, struct mock_config *cfg,
		       struct buf *faults)
{
	uint64_t n;

	switch (c) {
	case O_DATA: cfg->data_dir = arg; return 0;
	case O_PORT_FILE: cfg->port_file = arg; return 0;
	case O_ACCESS: cfg->access_key = arg; return 0;
	case O_SECRET: cfg->secret_key = arg; return 0;
	case O_KEYS_FILE: cfg->keys_file = arg; return 0;
	case O_REGION: cfg->region = arg; return 0;
	case O_NO_AUTH: cfg->no_auth = 1; return 0;
	case O_ANON: cfg->anonymous_read = 1; return 0;
	case O_ETAG_SHA: cfg->etag_sha256 = 1; return 0;
	case O_LOG: cfg->log_path = arg; return 0;
	case 'v': cfg->verbose = 1; return 0;
	case O_FAULT:
		return buf_addf(faults, "%s\n", arg) ? AV_ENOMEM : 0;
	case O_PORT:
		if (parse_size(arg, &n) || n > 65535)
			break;
		cfg->port = (unsigned)n;
		return 0;
	case O_MIN_PART:
		if (parse_size(arg, &n))
			break;
		cfg->min_part_size = n;
		return 0;
	case O_SEED:
		if (parse_size(arg, &cfg->seed))
			break;
		return 0;
	default:
		fputs(usage, stderr);
		return AV_EUSAGE;
	}
	msg_error("invalid value '%s' for --%s", arg, longopts[c - O_DATA].name);
	return AV_EUSAGE;
}

static int parse_args(int argc, char **argv, struct mock_config *cfg,
		      struct buf *faults)
{
	int c, rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->port = 9000;
	cfg->access_key = env_or("MINIO_ROOT_USER", "minioadmin");
	cfg->secret_key = env_or("MINIO_ROOT_PASSWORD", "minioadmin");
	cfg->min_part_size = DEFAULT_MIN_PART;
	cfg->seed = 1;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return -1;
		}
		if ((rc = take_option(c, optarg, cfg, faults)))
			return rc;
	}
	if (optind < argc || !cfg->data_dir) {
		msg_error("%s", optind < argc ? "unexpected argument" :
						"--data DIR is required");
		fputs(usage, stderr);
		return AV_EUSAGE;
	}
	return 0;
}

/* Blocks the stop signals in every thread; main waits for them. */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int run(const struct mock_config *cfg, struct faults *faults)
{
	struct mock_server srv;
	sigset_t set;
	int sig = 0;

	block_signals(&set);
	if (server_start(&srv, cfg, faults))
		return 1;
	printf("mock-s3 listening on http://127.0.0.1:%u (data %s)\n",
	       srv.port, cfg->data_dir);
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	server_stop(&srv);
	return 0;
}

int main(int argc, char **argv)
{
	struct mock_config cfg;
	struct buf rules = BUF_INIT, err = BUF_INIT;
	struct faults *faults = NULL;
	int rc;

	rc = parse_args(argc, argv, &cfg, &rules);
	if (rc) {
		buf_release(&rules);
		return rc < 0 ? 0 : 2;
	}
	xmlInitParser();
	if ((rc = faults_new(&faults, cfg.seed)) == 0 &&
	    (rc = faults_add(faults, rules.ptr, &err)) != 0)
		msg_error("--fault: %s", err.ptr);
	if (!rc)
		rc = run(&cfg, faults);
	faults_free(faults);
	buf_release(&rules);
	buf_release(&err);
	xmlCleanupParser();
	return rc ? 1 : 0;
}
