/* The command table: one line per command, in --help order. */
#include <stddef.h>

#include "archivist/cli.h"
#include "archivist/commands.h"

const struct command commands[] = {
	{ "ls", cmd_ls, "ls s3://BUCKET[/PREFIX]          list keys, sizes, dates (all pages)" },
	{ "stat", cmd_stat, "stat s3://BUCKET/KEY             size, ETag, checksum, metadata" },
	{ "get", cmd_get, "get s3://BUCKET/KEY [FILE|-]     download (resumes a broken transfer)" },
	{ "put", cmd_put, "put FILE s3://BUCKET/KEY         upload; never replaces an object" },
	{ "presign", cmd_presign, "presign s3://BUCKET/KEY [--expires SECONDS]   presigned GET URL" },
	{ "recompress", cmd_recompress,
	  "recompress IN OUT [--level N] [--pyc MODE] [--keep-opt-pyc]" },
	{ "publish", cmd_publish,
	  "publish FILE... --to s3://B[/P] [--target D-V-ARCH | --stack S [--arch A]] [--version V] [--dry-run]" },
	{ "migrate", cmd_migrate,
	  "migrate --from s3://B[/P] --to s3://B[/P] [--stack S]... [--version GLOB] [--dry-run] [--shard I/N]" },
	{ "manifest", cmd_manifest,
	  "manifest s3://BUCKET[/PREFIX] [--format json|toml] [-o FILE] [--upload KEY]" },
	{ "audit", cmd_audit,
	  "audit s3://BUCKET[/PREFIX] [--deep] [--ignore GLOB]..." },
	{ NULL, NULL, NULL }
};
