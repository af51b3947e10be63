/* The command table: one line per command, in --help order. */
#include <stddef.h>

#include "archivist/cli.h"
#include "archivist/commands.h"

const struct command commands[] = {
	{ "recompress", cmd_recompress,
	  "recompress IN OUT [--level N] [--pyc MODE] [--keep-opt-pyc]" },
	{ NULL, NULL, NULL }
};
