/* commands: the entry point of each command (src/cmd/NAME.c). */
#ifndef ARCHIVIST_COMMANDS_H
#define ARCHIVIST_COMMANDS_H

#include "archivist/cli.h"

/* Object commands (src/cmd/ls.c, stat.c, get.c, put.c, presign.c). */
int cmd_ls(int argc, char **argv, const struct globals *g);
int cmd_stat(int argc, char **argv, const struct globals *g);
int cmd_get(int argc, char **argv, const struct globals *g);
int cmd_put(int argc, char **argv, const struct globals *g);
int cmd_presign(int argc, char **argv, const struct globals *g);
int cmd_recompress(int argc, char **argv, const struct globals *g);
int cmd_publish(int argc, char **argv, const struct globals *g);
int cmd_audit(int argc, char **argv, const struct globals *g);
int cmd_migrate(int argc, char **argv, const struct globals *g);
/* The inventory of a bucket (src/cmd/manifest.c). */
int cmd_manifest(int argc, char **argv, const struct globals *g);

#endif
