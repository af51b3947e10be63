/* cmdutil: helpers shared by the commands (see cmdutil.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/cli.h"
#include "archivist/cmdutil.h"
#include "archivist/error.h"

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
