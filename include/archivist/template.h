/*
 * template: key templates such as "{stack}/runtimes/{name}-{version}.tar.gz",
 * compiled once, rendered and matched back.
 *
 * Placeholders: {name} {version} {stack} {distro_name} {distro_version}
 * {arch}.  Each stands for a non-empty run of characters of its class:
 *
 *   name            the artifact name, always given (a literal when matching)
 *   version         A-Z a-z 0-9 .
 *   stack           A-Z a-z 0-9 . _ -
 *   distro_name     A-Z a-z 0-9
 *   distro_version  A-Z a-z 0-9 .
 *   arch            A-Z a-z 0-9 _
 *
 * Compilation refuses what could not be matched back: unknown or unclosed
 * placeholders, stray braces, two placeholders with no literal between
 * them, and a placeholder other than {name} used twice.  Matching counts
 * every way a key can be split; a key that splits in two ways is
 * ambiguous and never guessed.  Its cost is bounded (dynamic programming
 * over segment x position), whatever the key.
 */
#ifndef ARCHIVIST_TEMPLATE_H
#define ARCHIVIST_TEMPLATE_H

#include <stddef.h>

#include "archivist/buf.h"

/* S3 keys are at most 1024 bytes; longer input never matches. */
#define TEMPLATE_MAX_KEY 1024
#define TEMPLATE_MAX_SEGMENTS 32

enum template_field {
	TF_NAME = 0,
	TF_VERSION,
	TF_STACK,
	TF_DISTRO_NAME,
	TF_DISTRO_VERSION,
	TF_ARCH,
	TF_COUNT
};

struct template_segment {
	int field;	/* an enum template_field, or -1 for a literal */
	char *text;	/* the literal (NULL for a placeholder) */
	size_t len;	/* strlen(text) */
};

struct template {
	char *source;			/* the template as written */
	struct template_segment *segs;
	size_t nsegs;
	unsigned fields;		/* bit (1u << field) for each placeholder used */
};

#define TEMPLATE_INIT { NULL, NULL, 0, 0 }

/* "name", "version", ...; NULL for an out-of-range value. */
const char *template_field_name(int field);

/* 1 if t uses placeholder field. */
int template_has(const struct template *t, enum template_field field);

/*
 * 1 if value is non-empty and every character is in field's class (so a
 * rendered key can be matched back).  {name} uses the stack class.
 */
int template_value_valid(enum template_field field, const char *value);

/*
 * Compiles src into *t (which must be empty: TEMPLATE_INIT or released).
 * Returns 0; AV_EINVAL with the reason appended to why ("unknown
 * placeholder {foo} at offset 7"); AV_ENOMEM.  On failure *t stays empty.
 */
int template_compile(struct template *t, const char *src, struct buf *why);

/* Frees t's contents; t is empty again.  NULL-safe. */
void template_release(struct template *t);

/*
 * Appends the key for values (indexed by enum template_field; borrowed)
 * to out.  Every placeholder t uses needs a value that
 * template_value_valid() accepts.  Returns 0; AV_EINVAL with a reason in
 * why (may be NULL); AV_ENOMEM / AV_ETOOBIG.  On failure out is as it was.
 */
int template_render(const struct template *t, const char *const values[TF_COUNT],
		    struct buf *out, struct buf *why);

/*
 * Matches key against t, {name} standing for the literal name.  On a
 * unique match returns 0 and sets values[f] (malloc'd, caller frees with
 * template_values_free) for each placeholder t uses, NULL for the others.
 * A key that does not match, or matches in more than one way, returns
 * AV_EINVAL with the reason in why (may be NULL) and *ambiguous (may be
 * NULL) set to 1 for the second case; values are then all NULL.
 */
int template_match(const struct template *t, const char *name, const char *key,
		   char *values[TF_COUNT], int *ambiguous, struct buf *why);

/* Frees and NULLs each of values[0..TF_COUNT). */
void template_values_free(char *values[TF_COUNT]);

#endif
