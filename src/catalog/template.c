/* template: compile, render and match key templates (see template.h). */
#include <stdlib.h>
#include <string.h>

#include "archivist/error.h"
#include "archivist/template.h"

#define UNKNOWN 0xff	/* memo slot not computed yet */
#define SHOW_MAX 40	/* longest unknown placeholder quoted in a message */

static const char *const field_names[TF_COUNT] = {
	"name", "version", "stack", "distro_name", "distro_version", "arch"
};

const char *template_field_name(int field)
{
	return field >= 0 && field < TF_COUNT ? field_names[field] : NULL;
}

int template_has(const struct template *t, enum template_field field)
{
	return (t->fields >> field) & 1u;
}

static int class_has(int field, char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	switch (field) {
	case TF_VERSION:
	case TF_DISTRO_VERSION:
		return c == '.';
	case TF_NAME:
	case TF_STACK:
		return c == '.' || c == '_' || c == '-';
	case TF_ARCH:
		return c == '_';
	default:
		return 0;
	}
}

int template_value_valid(enum template_field field, const char *value)
{
	const char *p;

	if (!value || !*value)
		return 0;
	for (p = value; *p; p++)
		if (!class_has(field, *p))
			return 0;
	return 1;
}

void template_release(struct template *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nsegs; i++)
		free(t->segs[i].text);
	free(t->segs);
	free(t->source);
	t->source = NULL;
	t->segs = NULL;
	t->nsegs = 0;
	t->fields = 0;
}

static int add_segment(struct template *t, int field, const char *text,
		       size_t len, struct buf *why)
{
	struct template_segment *s;

	if (t->nsegs == TEMPLATE_MAX_SEGMENTS) {
		buf_addf(why, "more than %d parts", TEMPLATE_MAX_SEGMENTS);
		return AV_EINVAL;
	}
	s = &t->segs[t->nsegs];
	s->field = field;
	s->len = len;
	s->text = NULL;
	if (text && !(s->text = strndup(text, len)))
		return AV_ENOMEM;
	t->nsegs++;
	if (field >= 0)
		t->fields |= 1u << field;
	return 0;
}

static int lookup_field(const char *name, size_t len)
{
	int f;

	for (f = 0; f < TF_COUNT; f++)
		if (strlen(field_names[f]) == len && memcmp(field_names[f], name, len) == 0)
			return f;
	return -1;
}

/* Reads the placeholder at src[off] == '{' into *field and checks it. */
static int read_placeholder(const struct template *t, const char *src,
			    size_t off, int *field, size_t *end, struct buf *why)
{
	const char *open = src + off, *close = strpbrk(open + 1, "{}");
	size_t len;

	if (!close || *close == '{') {
		buf_addf(why, "'{' at offset %zu is not closed", off);
		return AV_EINVAL;
	}
	len = (size_t)(close - open - 1);
	if ((*field = lookup_field(open + 1, len)) < 0) {
		buf_addf(why, "unknown placeholder {%.*s} at offset %zu (known: {name}, "
			 "{version}, {stack}, {distro_name}, {distro_version}, {arch})",
			 (int)(len < SHOW_MAX ? len : SHOW_MAX), open + 1, off);
		return AV_EINVAL;
	}
	if (t->nsegs && t->segs[t->nsegs - 1].field >= 0) {
		buf_addf(why, "placeholders {%s} and {%s} at offset %zu are adjacent: "
			 "a literal must separate them, or keys cannot be split back",
			 field_names[t->segs[t->nsegs - 1].field], field_names[*field], off);
		return AV_EINVAL;
	}
	if (*field != TF_NAME && template_has(t, (enum template_field)*field)) {
		buf_addf(why, "{%s} appears twice (offset %zu)", field_names[*field], off);
		return AV_EINVAL;
	}
	*end = (size_t)(close - src) + 1;
	return 0;
}

static int compile_segments(struct template *t, const char *src, struct buf *why)
{
	size_t off = 0, end;
	int field, rc;

	while (src[off]) {
		if (src[off] == '}') {
			buf_addf(why, "'}' at offset %zu has no '{'", off);
			return AV_EINVAL;
		}
		if (src[off] == '{') {
			if ((rc = read_placeholder(t, src, off, &field, &end, why)) != 0 ||
			    (rc = add_segment(t, field, NULL, 0, why)) != 0)
				return rc;
		} else {
			end = off + strcspn(src + off, "{}");
			if ((rc = add_segment(t, -1, src + off, end - off, why)) != 0)
				return rc;
		}
		off = end;
	}
	return 0;
}

int template_compile(struct template *t, const char *src, struct buf *why)
{
	struct buf scratch = BUF_INIT;
	int rc;

	if (!why)
		why = &scratch;
	if (!*src) {
		buf_adds(why, "empty template");
		rc = AV_EINVAL;
		goto out;
	}
	t->segs = calloc(TEMPLATE_MAX_SEGMENTS, sizeof(*t->segs));
	t->source = strdup(src);
	if (!t->segs || !t->source)
		rc = AV_ENOMEM;
	else
		rc = compile_segments(t, src, why);
	if (rc != 0)
		template_release(t);
out:
	buf_release(&scratch);
	return rc;
}

int template_render(const struct template *t, const char *const values[TF_COUNT],
		    struct buf *out, struct buf *why)
{
	const struct template_segment *s;
	size_t i, start = out->len;
	int rc = 0;

	for (i = 0; i < t->nsegs && rc == 0; i++) {
		s = &t->segs[i];
		if (s->field < 0) {
			rc = buf_add(out, s->text, s->len);
		} else if (!template_value_valid((enum template_field)s->field,
						 values[s->field])) {
			if (why)
				buf_addf(why, "{%s} is %s%s%s: not a valid value",
					 field_names[s->field], values[s->field] ? "'" : "",
					 values[s->field] ? values[s->field] : "missing",
					 values[s->field] ? "'" : "");
			rc = AV_EINVAL;
		} else {
			rc = buf_adds(out, values[s->field]);
		}
	}
	if (rc != 0)
		buf_setlen(out, start);
	return rc;
}

/* Matching: memo[i][pos] = number of ways (0, 1, 2 = "two or more") to
 * match segments i.. against key[pos..]. */
struct matcher {
	const struct template *t;
	const char *name;
	size_t namelen;
	const char *key;
	size_t n;
	unsigned char *memo;
};

static unsigned ways(struct matcher *m, size_t i, size_t pos);

/* The literal text segment s stands for (a literal, or {name}), or NULL. */
static const char *literal_of(const struct matcher *m,
			      const struct template_segment *s, size_t *len)
{
	if (s->field < 0) {
		*len = s->len;
		return s->text;
	}
	if (s->field == TF_NAME) {
		*len = m->namelen;
		return m->name;
	}
	return NULL;
}

static unsigned count(struct matcher *m, size_t i, size_t pos)
{
	const struct template_segment *s;
	const char *lit;
	size_t len, end;
	unsigned total = 0;

	if (i == m->t->nsegs)
		return pos == m->n;
	s = &m->t->segs[i];
	if ((lit = literal_of(m, s, &len)) != NULL) {
		if (m->n - pos < len || memcmp(m->key + pos, lit, len) != 0)
			return 0;
		return ways(m, i + 1, pos + len);
	}
	for (end = pos; end < m->n && class_has(s->field, m->key[end]);) {
		total += ways(m, i + 1, ++end);
		if (total >= 2)
			return 2;
	}
	return total;
}

static unsigned ways(struct matcher *m, size_t i, size_t pos)
{
	unsigned char *slot = &m->memo[i * (m->n + 1) + pos];

	if (*slot == UNKNOWN)
		*slot = (unsigned char)count(m, i, pos);
	return *slot;
}

/* Walks the unique match and copies out each placeholder's value. */
static int extract(struct matcher *m, char *values[TF_COUNT])
{
	const struct template_segment *s;
	size_t i, pos = 0, end, len;

	for (i = 0; i < m->t->nsegs; i++) {
		s = &m->t->segs[i];
		if (literal_of(m, s, &len) != NULL) {
			if (s->field == TF_NAME && !values[TF_NAME] &&
			    !(values[TF_NAME] = strdup(m->name)))
				return AV_ENOMEM;
			pos += len;
			continue;
		}
		for (end = pos + 1; ways(m, i + 1, end) != 1; end++)
			;
		if (!(values[s->field] = strndup(m->key + pos, end - pos)))
			return AV_ENOMEM;
		pos = end;
	}
	return 0;
}

int template_match(const struct template *t, const char *name, const char *key,
		   char *values[TF_COUNT], int *ambiguous, struct buf *why)
{
	struct matcher m = { t, name, strlen(name), key, 0, NULL };
	unsigned found;
	int rc = AV_EINVAL, f;

	for (f = 0; f < TF_COUNT; f++)
		values[f] = NULL;
	if (ambiguous)
		*ambiguous = 0;
	m.n = strnlen(key, TEMPLATE_MAX_KEY + 1);
	if (m.n > TEMPLATE_MAX_KEY) {
		if (why)
			buf_addf(why, "longer than %d bytes", TEMPLATE_MAX_KEY);
		return AV_EINVAL;
	}
	if (!(m.memo = malloc((t->nsegs + 1) * (m.n + 1))))
		return AV_ENOMEM;
	memset(m.memo, UNKNOWN, (t->nsegs + 1) * (m.n + 1));
	found = ways(&m, 0, 0);
	if (found == 1)
		rc = extract(&m, values);
	else if (why)
		buf_addf(why, found ? "matches the template '%s' in more than one way" :
			 "does not match the template '%s'", t->source);
	if (found > 1 && ambiguous)
		*ambiguous = 1;
	if (rc != 0)
		template_values_free(values);
	free(m.memo);
	return rc;
}

void template_values_free(char *values[TF_COUNT])
{
	int f;

	for (f = 0; f < TF_COUNT; f++) {
		free(values[f]);
		values[f] = NULL;
	}
}
