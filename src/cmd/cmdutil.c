/* cmdutil: helpers shared by the commands (see cmdutil.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/cli.h"
#include "cmdutil.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "archivist/pyc.h"
#include "archivist/session.h"

int cmd_exit_status(int rc)
{
	switch (rc) {
	case 0:
		return EXIT_DONE;
	case AV_ECONFLICT:
		return EXIT_CONFLICT;
	case AV_EUSAGE:
	case AV_ECONFIG:
		return EXIT_USAGE;
	default:
		return EXIT_FAILED;
	}
}

int cmd_flow_status(int rc, enum flow_result res)
{
	if (rc)
		return cmd_exit_status(rc);
	switch (res) {
	case FLOW_DONE:
		return EXIT_DONE;
	case FLOW_CONFLICT:
		return EXIT_CONFLICT;
	default:
		return EXIT_FAILED;
	}
}

int cmd_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *u;
	unsigned long long v;
	char *end;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return AV_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return AV_EINVAL;
	if (*end && (u = strchr(units, *end)) != NULL) {
		shift = 10 * (int)(u - units + 1);
		end++;
		if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
			end += strlen(end);
	}
	if (*end || (shift && v > (~0ULL >> shift)))
		return AV_EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

void cmd_time_iso(time_t t, char out[21])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(out, "1970-01-01T00:00:00Z");
}

int cmd_parse_level(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 1 || v > 22) {
		msg_error("--level takes a zstd level from 1 to 22, not '%s'", s);
		return AV_EUSAGE;
	}
	*out = (int)v;
	return 0;
}

int cmd_parse_pyc(const char *s, enum pyc_mode *out)
{
	if (pyc_mode_parse(s, out) == 0)
		return 0;
	msg_error("--pyc takes unchecked-hash, checked-hash or keep, not '%s'", s);
	return AV_EUSAGE;
}
