/* commands: the entry point of each command (src/cmd/NAME.c). */
#ifndef ARCHIVIST_COMMANDS_H
#define ARCHIVIST_COMMANDS_H

#include "archivist/cli.h"

int cmd_recompress(int argc, char **argv, const struct globals *g);

#endif
