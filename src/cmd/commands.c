/*
 * The command table, in --help order.  Each synopsis is written here only:
 * `archivist --help` and each command's own usage print it from here.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "archivist/cli.h"
#include "commands.h"

const struct command commands[] = {
	{ "ls", cmd_ls, "ls s3://BUCKET[/PREFIX] [-d DELIM]",
	  "list keys, sizes, dates (all pages)" },
	{ "stat", cmd_stat, "stat s3://BUCKET/KEY",
	  "size, ETag, checksum, metadata" },
	{ "get", cmd_get, "get s3://BUCKET/KEY [FILE|-]",
	  "download (resumes a broken transfer)" },
	{ "put", cmd_put,
	  "put FILE s3://BUCKET/KEY [--content-type T] [--meta NAME=VALUE]...\n"
	  "[--part-size SIZE]",
	  "upload; never replaces an object" },
	{ "presign", cmd_presign, "presign s3://BUCKET/KEY [--expires SECONDS]",
	  "presigned GET URL" },
	{ "recompress", cmd_recompress,
	  "recompress IN OUT [--level N] [--pyc MODE] [--keep-opt-pyc]\n"
	  "[--workers N]",
	  "a runtime archive -> canonical .tar.zst, locally" },
	{ "publish", cmd_publish,
	  "publish FILE... --to s3://BUCKET[/PREFIX]\n"
	  "[--target DISTRO-VERSION-ARCH | --stack STACK [--arch ARCH]]\n"
	  "[--version V] [--dry-run] [--on-conflict fail|skip]\n"
	  "[--pyc MODE] [--keep-opt-pyc] [--level N] [--as-is] [--tmpdir DIR]\n"
	  "[--replace | --if-match ETAG]",
	  "built archives -> new-scheme keys" },
	{ "migrate", cmd_migrate,
	  "migrate --from s3://BUCKET[/PREFIX] --to s3://BUCKET[/PREFIX]\n"
	  "[--stack S]... [--version GLOB] [--dry-run] [--shard I/N]\n"
	  "[--pyc MODE] [--keep-opt-pyc] [--level N] [--manifest FILE]\n"
	  "[--tmpdir DIR]",
	  "legacy keys -> new-scheme keys, once" },
	{ "manifest", cmd_manifest,
	  "manifest s3://BUCKET[/PREFIX] [--format json|toml]\n"
	  "[-o FILE] [--upload KEY] [--reuse FILE] [--compute-missing]\n"
	  "[--base-url URL] [--version GLOB] [--final-only] [--include-retired]",
	  "the inventory of a bucket (JSON or TOML)" },
	{ "audit", cmd_audit,
	  "audit s3://BUCKET[/PREFIX] [--deep] [--ignore GLOB]... [--tmpdir DIR]",
	  "check a bucket: nothing missing, every archive sound" },
	{ NULL, NULL, NULL, NULL }
};

const struct command *command_find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void command_synopsis_print(FILE *f, const char *lead,
			    const struct command *c)
{
	const char *s = c->synopsis, *nl;
	int indent = (int)(strlen(lead) + strlen(c->name) + 1);

	fputs(lead, f);
	while ((nl = strchr(s, '\n')) != NULL) {
		fprintf(f, "%.*s\n%*s", (int)(nl - s), s, indent, "");
		s = nl + 1;
	}
	fprintf(f, "%s\n", s);
}

void command_usage(FILE *f, const char *name)
{
	const struct command *c = command_find(name);

	if (c)
		command_synopsis_print(f, "usage: archivist ", c);
}
