/* mock_faults: fault-injection rules (see mock_faults.h). */
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "archivist/error.h"
#include "mock_faults.h"

#define MAX_RULES 64
#define HUGE_DEFAULT ((uint64_t)80 << 20)

struct rule {
	struct fault_hit hit;	/* what a matching request gets */
	long count;		/* -1: unlimited */
	double prob;		/* 1.0 unless prob= */
	char method[16];
	char op[48];
	char key[256];		/* fnmatch pattern, "" for any */
	long hits;
};

struct faults {
	pthread_mutex_t mu;
	struct rule rules[MAX_RULES];
	size_t n;
	long skew;
	uint64_t rng;
};

static const struct {
	const char *name;
	enum fault_kind kind;
} kinds[] = {
	{ "error", FAULT_ERROR },
	{ "reset-request", FAULT_RESET_REQUEST },
	{ "reset-response", FAULT_RESET_RESPONSE },
	{ "truncate", FAULT_TRUNCATE },
	{ "overlong", FAULT_OVERLONG },
	{ "stall", FAULT_STALL },
	{ "complete-error", FAULT_COMPLETE_ERROR },
	{ "list", FAULT_LIST },
	{ "skew", FAULT_SKEW },
};

static const char *const list_variants[] = {
	"malformed", "huge", "doctype", "longkey", NULL
};

int faults_new(struct faults **out, uint64_t seed)
{
	struct faults *f = calloc(1, sizeof(*f));

	if (!f)
		return AV_ENOMEM;
	pthread_mutex_init(&f->mu, NULL);
	f->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
	*out = f;
	return 0;
}

void faults_free(struct faults *f)
{
	if (!f)
		return;
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* splitmix64: small, seedable, good enough for fault odds. */
static double rng_next(struct faults *f)
{
	uint64_t z = (f->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return (double)(z >> 11) / (double)(1ull << 53);
}

static const char *default_code(unsigned status)
{
	switch (status) {
	case 400: return "InvalidRequest";
	case 403: return "AccessDenied";
	case 404: return "NoSuchKey";
	case 409: return "ConditionalRequestConflict";
	case 412: return "PreconditionFailed";
	case 501: return "NotImplemented";
	case 503: return "SlowDown";
	default: return "InternalError";
	}
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, uint64_t *ms)
{
	char *end;
	double v;

	if (!s)
		return -1;
	v = strtod(s, &end);
	if (*end || v < 0 || v > 86400)
		return -1;
	*ms = (uint64_t)(v * 1000.0 + 0.5);
	return 0;
}

static int copy_field(char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return -1;
	strcpy(dst, v);
	return 0;
}

/* count= prob= method= op= key= */
static int parse_selector(struct rule *r, const char *tok)
{
	const char *v = strchr(tok, '=');
	uint64_t n;
	char *end;

	if (!v++)
		return -1;
	if (strncmp(tok, "count=", 6) == 0) {
		if (parse_u64(v, &n) || n > 1000000000)
			return -1;
		r->count = (long)n;
		return 0;
	}
	if (strncmp(tok, "prob=", 5) == 0) {
		r->prob = strtod(v, &end);
		return *end || r->prob < 0 || r->prob > 1 ? -1 : 0;
	}
	if (strncmp(tok, "method=", 7) == 0)
		return copy_field(r->method, sizeof(r->method), v);
	if (strncmp(tok, "op=", 3) == 0)
		return copy_field(r->op, sizeof(r->op), v);
	if (strncmp(tok, "key=", 4) == 0)
		return copy_field(r->key, sizeof(r->key), v);
	return -1;
}

static int kind_of(const char *s, enum fault_kind *k)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, s) == 0) {
			*k = kinds[i].kind;
			return 0;
		}
	return -1;
}

static int list_variant(const char *s)
{
	int i;

	for (i = 0; s && list_variants[i]; i++)
		if (strcmp(list_variants[i], s) == 0)
			return i;
	return -1;
}

/* The positional arguments of each kind; *used says how many tokens. */
static int parse_args(struct rule *r, char **tok, int ntok, int *used)
{
	struct fault_hit *h = &r->hit;
	const char *a = ntok > 0 && !strchr(tok[0], '=') ? tok[0] : NULL;
	const char *b = a && ntok > 1 && !strchr(tok[1], '=') ? tok[1] : NULL;
	uint64_t n = 0;
	char *end = NULL;

	*used = 0;
	switch (h->kind) {
	case FAULT_ERROR:
		if (parse_u64(a, &n) || n < 400 || n > 599)
			return -1;
		h->status = (unsigned)n;
		*used = b ? 2 : 1;
		return copy_field(h->code, sizeof(h->code),
				  b ? b : default_code(h->status));
	case FAULT_RESET_REQUEST: case FAULT_RESET_RESPONSE:
	case FAULT_TRUNCATE: case FAULT_OVERLONG:
		*used = 1;
		return parse_u64(a, &h->n);
	case FAULT_STALL:
		*used = 1;
		return parse_seconds(a, &h->n);
	case FAULT_LIST:
		*used = b ? 2 : 1;
		if ((h->variant = list_variant(a)) < 0)
			return -1;
		h->n = HUGE_DEFAULT;
		return b ? parse_u64(b, &h->n) : 0;
	case FAULT_SKEW:
		*used = 1;
		if (!a)
			return -1;
		(void)strtol(a, &end, 10);
		return *end ? -1 : 0;
	default:
		return 0;
	}
}

/* Splits line in place on blanks; at most max tokens. */
static int tokenize(char *line, char **tok, int max)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " \t\r", &save); t && n < max;
	     t = strtok_r(NULL, " \t\r", &save))
		tok[n++] = t;
	return t ? -1 : n;
}

static void rule_text(struct rule *r, char **tok, int ntok)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < ntok; i++)
		buf_addf(&b, "%s%s", i ? " " : "", tok[i]);
	snprintf(r->hit.text, sizeof(r->hit.text), "%s", b.ptr);
	buf_release(&b);
}

static int parse_rule(char *line, struct rule *r, long *skew)
{
	char *tok[16];
	int ntok = tokenize(line, tok, 16), used, i;

	memset(r, 0, sizeof(*r));
	r->count = -1;
	r->prob = 1.0;
	if (ntok <= 0 || kind_of(tok[0], &r->hit.kind))
		return -1;
	if (parse_args(r, tok + 1, ntok - 1, &used))
		return -1;
	for (i = 1 + used; i < ntok; i++)
		if (r->hit.kind == FAULT_SKEW || parse_selector(r, tok[i]))
			return -1;
	if (r->hit.kind == FAULT_SKEW)
		*skew = strtol(tok[1], NULL, 10);
	rule_text(r, tok, ntok);
	return 0;
}

int faults_add(struct faults *f, const char *text, struct buf *err)
{
	struct rule parsed[MAX_RULES];
	size_t n = 0, i;
	long skew = 0, set_skew = 0;
	char *copy = strdup(text), *line, *save = NULL;
	int lineno = 0, rc = 0, blank;

	if (!copy)
		return AV_ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line && !rc;
	     line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		blank = line[strspn(line, " \t\r")] == '\0' ||
			line[strspn(line, " \t\r")] == '#';
		if (blank)
			continue;
		if (n == MAX_RULES || parse_rule(line, &parsed[n], &skew)) {
			buf_addf(err, "fault rule line %d: cannot parse", lineno);
			rc = AV_EINVAL;
		} else if (parsed[n].hit.kind == FAULT_SKEW) {
			set_skew = 1;
		} else {
			n++;
		}
	}
	free(copy);
	pthread_mutex_lock(&f->mu);
	if (!rc && f->n + n > MAX_RULES) {
		buf_addf(err, "at most %d fault rules", MAX_RULES);
		rc = AV_EINVAL;
	}
	for (i = 0; !rc && i < n; i++)
		f->rules[f->n++] = parsed[i];
	if (!rc && set_skew)
		f->skew = skew;
	pthread_mutex_unlock(&f->mu);
	return rc;
}

void faults_clear(struct faults *f)
{
	pthread_mutex_lock(&f->mu);
	f->n = 0;
	f->skew = 0;
	pthread_mutex_unlock(&f->mu);
}

int faults_describe(struct faults *f, struct buf *out)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	if (f->skew)
		rc = buf_addf(out, "skew %ld\n", f->skew);
	for (i = 0; i < f->n && !rc; i++) {
		rc = buf_addf(out, "%s # hits=%ld", f->rules[i].hit.text,
			      f->rules[i].hits);
		if (!rc && f->rules[i].count >= 0)
			rc = buf_addf(out, " left=%ld", f->rules[i].count);
		if (!rc)
			rc = buf_addc(out, '\n');
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

/* Kinds that only make sense for some requests. */
static int applicable(const struct rule *r, const char *method,
		      const char *op, int has_body)
{
	switch (r->hit.kind) {
	case FAULT_RESET_REQUEST:
		return has_body;
	case FAULT_RESET_RESPONSE: case FAULT_TRUNCATE: case FAULT_OVERLONG:
		return strcmp(method, "HEAD") != 0;
	case FAULT_COMPLETE_ERROR:
		return strcmp(op, "CompleteMultipartUpload") == 0;
	case FAULT_LIST:
		return strcmp(op, "ListObjectsV2") == 0 ||
		       strcmp(op, "ListObjects") == 0;
	default:
		return 1;
	}
}

static int matches(const struct rule *r, const char *method, const char *op,
		   const char *key, int has_body)
{
	if (r->count == 0 || !applicable(r, method, op, has_body))
		return 0;
	if (r->method[0] && strcasecmp(r->method, method) != 0)
		return 0;
	if (r->op[0] && strcasecmp(r->op, op) != 0)
		return 0;
	if (r->key[0] && (!key || fnmatch(r->key, key, 0) != 0))
		return 0;
	return 1;
}

int faults_pick(struct faults *f, const char *method, const char *op,
		const char *key, int has_body, struct fault_hit *hit)
{
	struct rule *r;
	size_t i;
	int found = 0;

	pthread_mutex_lock(&f->mu);
	for (i = 0; i < f->n && !found; i++) {
		r = &f->rules[i];
		if (!matches(r, method, op, key, has_body))
			continue;
		if (r->prob < 1.0 && rng_next(f) >= r->prob)
			continue;
		if (r->count > 0)
			r->count--;
		r->hits++;
		*hit = r->hit;
		found = 1;
	}
	pthread_mutex_unlock(&f->mu);
	return found;
}

long faults_skew(struct faults *f)
{
	long s;

	pthread_mutex_lock(&f->mu);
	s = f->skew;
	pthread_mutex_unlock(&f->mu);
	return s;
}
