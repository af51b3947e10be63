/*
 * awsconfig: INI reader for the AWS shared credentials and config files
 * (see awsconfig.h for the grammar, which is botocore's).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsconfig.h"
#include "archivist/buf.h"
#include "archivist/error.h"
#include "archivist/msg.h"

struct entry {
	char *section;
	char *key;		/* NULL: the section's own marker */
	char *sub;		/* NULL, or the key inside a nested block */
	char *value;
};

struct awsconfig {
	struct entry *e;
	size_t n, cap;
};

/* Parser state: where we are and what a continuation line belongs to. */
struct pstate {
	struct awsconfig *c;
	char *section;		/* current section (owned by an entry) */
	struct entry *last;	/* last top-level key, for continuations */
	const char *why;
};

void awsconfig_free(struct awsconfig *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		if (!c->e[i].key)	/* the marker owns the section name */
			free(c->e[i].section);
		free(c->e[i].key);
		free(c->e[i].sub);
		free(c->e[i].value);
	}
	free(c->e);
	free(c);
}

static struct entry *add_entry(struct awsconfig *c)
{
	struct entry *e;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;

		e = realloc(c->e, ncap * sizeof(*e));
		if (!e)
			return NULL;
		c->e = e;
		c->cap = ncap;
	}
	e = &c->e[c->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static char *dup_range(const char *s, const char *end)
{
	return strndup(s, (size_t)(end - s));
}

static const char *skip_blank(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r'))
		end--;
	return end;
}

static struct entry *find(const struct awsconfig *c, const char *section,
			  const char *key, const char *sub)
{
	size_t i;

	for (i = 0; c && i < c->n; i++) {
		const struct entry *e = &c->e[i];

		if (strcmp(e->section, section))
			continue;
		if (!key ? !e->key :
		    (e->key && !strcmp(e->key, key) &&
		     (!sub ? !e->sub : e->sub && !strcmp(e->sub, sub))))
			return (struct entry *)&c->e[i];
	}
	return NULL;
}

static int parse_section(struct pstate *st, const char *s, const char *end)
{
	struct entry *e;
	char *name;

	const char *close = end;

	/* Like configparser: the name runs to the last ']', the rest of the
	 * line is ignored ("[default]  # main account"). */
	while (close > s && close[-1] != ']')
		close--;
	if (close - s < 2) {
		st->why = "section header without ']'";
		return AV_ECONFIG;
	}
	/* Names are kept as written, blanks included, as configparser does:
	 * "[ default ]" is not the default profile for the AWS CLI either. */
	s++;
	end = close - 1;
	if (s == end) {
		st->why = "empty section name";
		return AV_ECONFIG;
	}
	if (!(name = dup_range(s, end)))
		return AV_ENOMEM;
	if (find(st->c, name, NULL, NULL)) {
		free(name);
		st->why = "duplicate section";
		return AV_ECONFIG;
	}
	if (!(e = add_entry(st->c))) {
		free(name);
		return AV_ENOMEM;
	}
	e->section = st->section = name;
	st->last = NULL;
	return 0;
}

/* "key = value" or "key: value": the first '=' or ':' splits. */
static int split_option(struct pstate *st, const char *s, const char *end,
			char **key, char **value)
{
	const char *d = s, *kend;
	char *p;

	while (d < end && *d != '=' && *d != ':')
		d++;
	if (d == end) {
		st->why = "expected 'key = value'";
		return AV_ECONFIG;
	}
	kend = trim_end(s, d);
	if (kend == s) {
		st->why = "empty key";
		return AV_ECONFIG;
	}
	if (!(*key = dup_range(s, kend)))
		return AV_ENOMEM;
	for (p = *key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	s = skip_blank(d + 1, end);
	if (!(*value = dup_range(s, trim_end(s, end)))) {
		free(*key);
		return AV_ENOMEM;
	}
	return 0;
}

static int parse_option(struct pstate *st, const char *s, const char *end)
{
	char *key = NULL, *value = NULL;
	struct entry *e;
	int rc;

	if (!st->section) {
		st->why = "key outside a [section]";
		return AV_ECONFIG;
	}
	if ((rc = split_option(st, s, end, &key, &value)))
		return rc;
	if (find(st->c, st->section, key, NULL)) {
		st->why = "duplicate key in section";
		rc = AV_ECONFIG;
	} else if (!(e = add_entry(st->c))) {
		rc = AV_ENOMEM;
	} else {
		e->section = st->section;
		e->key = key;
		e->value = value;
		st->last = e;
		return 0;
	}
	free(key);
	free(value);
	return rc;
}

/* An indented line: a nested "sub = value" or more of the last value. */
static int parse_continuation(struct pstate *st, const char *s,
			      const char *end)
{
	char *sub = NULL, *value = NULL, *parent, *grown;
	struct entry *e;
	size_t n;
	int rc;

	if (st->last->value[0]) {	/* a multi-line value */
		n = strlen(st->last->value);
		grown = realloc(st->last->value, n + (size_t)(end - s) + 2);
		if (!grown)
			return AV_ENOMEM;
		grown[n] = '\n';
		memcpy(grown + n + 1, s, (size_t)(end - s));
		grown[n + 1 + (end - s)] = '\0';
		st->last->value = grown;
		return 0;
	}
	if ((rc = split_option(st, s, end, &sub, &value)))
		return rc;
	parent = st->last->key;
	if (find(st->c, st->section, parent, sub)) {
		st->why = "duplicate key in nested block";
		rc = AV_ECONFIG;
	} else if (!(e = add_entry(st->c)) || !(e->key = strdup(parent))) {
		rc = AV_ENOMEM;
	} else {
		e->section = st->section;
		e->sub = sub;
		e->value = value;
		/* add_entry may have moved the array: find the parent again. */
		st->last = find(st->c, st->section, parent, NULL);
		return 0;
	}
	free(sub);
	free(value);
	return rc;
}

static int parse_line(struct pstate *st, const char *s, const char *end)
{
	const char *t = skip_blank(s, end);

	end = trim_end(t, end);
	if (t == end || *t == '#' || *t == ';')
		return 0;
	if (t > s && st->last)
		return parse_continuation(st, t, end);
	if (*t == '[')
		return parse_section(st, t, end);
	return parse_option(st, t, end);
}

int awsconfig_parse(const char *text, size_t len, struct awsconfig **out,
		    unsigned *line, const char **why)
{
	struct pstate st = { 0 };
	const char *s = text, *end = text + len, *eol;
	int rc = 0;

	*out = NULL;
	*line = 0;
	*why = "";
	if (len > AWSCONFIG_MAX || memchr(text, '\0', len)) {
		*why = len > AWSCONFIG_MAX ? "file too large" :
			"contains a NUL byte";
		return AV_ECONFIG;
	}
	if (!(st.c = calloc(1, sizeof(*st.c))))
		return AV_ENOMEM;
	while (s < end && !rc) {
		eol = memchr(s, '\n', (size_t)(end - s));
		++*line;
		rc = parse_line(&st, s, eol ? eol : end);
		s = eol ? eol + 1 : end;
	}
	if (rc) {
		*why = st.why ? st.why : error_message(rc);
		awsconfig_free(st.c);
		return rc;
	}
	*line = 0;
	*out = st.c;
	return 0;
}

static int read_file(const char *path, struct buf *b, int *err)
{
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");
	int rc = 0;

	*err = errno;
	if (!f)
		return *err == ENOENT ? AV_ENOTFOUND : AV_EIO;
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_add(b, chunk, n);
	if (!rc && ferror(f)) {
		*err = errno;	/* EISDIR for a directory */
		rc = AV_EIO;
	}
	fclose(f);
	return rc;
}

int awsconfig_load(const char *path, struct awsconfig **out)
{
	struct buf b;
	const char *why;
	unsigned line;
	int rc, err = 0;

	*out = NULL;
	buf_init(&b, AWSCONFIG_MAX);
	rc = read_file(path, &b, &err);
	if (rc == AV_ENOTFOUND)
		goto out;
	if (rc) {
		msg_error("cannot read '%s': %s", path, rc == AV_ETOOBIG ?
			  "larger than 1 MiB" : rc == AV_EIO ? strerror(err) :
			  error_message(rc));
		goto out;
	}
	rc = awsconfig_parse(b.ptr, b.len, out, &line, &why);
	if (rc && line)
		msg_error("%s:%u: %s", path, line, why);
	else if (rc)
		msg_error("%s: %s", path, why);
out:
	buf_release(&b);
	return rc;
}

int awsconfig_has_section(const struct awsconfig *c, const char *section)
{
	return find(c, section, NULL, NULL) != NULL;
}

const char *awsconfig_get(const struct awsconfig *c, const char *section,
			  const char *key)
{
	const struct entry *e = find(c, section, key, NULL);

	return e ? e->value : NULL;
}

const char *awsconfig_get_sub(const struct awsconfig *c, const char *section,
			      const char *key, const char *sub)
{
	const struct entry *e = find(c, section, key, sub);

	return e ? e->value : NULL;
}
