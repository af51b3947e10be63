/* jsonout: one JSON object per line on stdout. */
#include <stdio.h>
#include <stdlib.h>

#include "archivist/error.h"
#include "archivist/jsonout.h"
#include "archivist/msg.h"

int jsonout_line(json_t *obj)
{
	char *s;
	int rc = 0;

	if (!obj)
		return AV_ENOMEM;
	s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(obj);
	if (!s)
		return AV_ENOMEM;
	msg_redact(s);
	if (puts(s) == EOF || fflush(stdout) == EOF)
		rc = AV_EIO;
	free(s);
	return rc;
}
