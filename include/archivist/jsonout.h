/*
 * jsonout: the --json output convention, one compact JSON object per line
 * on stdout (jansson builds the objects; nothing writes JSON by hand).
 */
#ifndef ARCHIVIST_JSONOUT_H
#define ARCHIVIST_JSONOUT_H

#include <jansson.h>

/* Prints obj as one line on stdout and releases the reference (NULL-safe:
 * a NULL obj, from a failed json_pack, is reported as AV_ENOMEM).  Returns
 * 0 or an AV_E* code. */
int jsonout_line(json_t *obj);

#endif
