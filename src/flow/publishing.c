/* publishing: name, make and deliver each file of `publish` (publishing.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archivist/deliver.h"
#include "archivist/error.h"
#include "archivist/hex.h"
#include "archivist/jobs.h"
#include "archivist/jsonout.h"
#include "archivist/manifest.h"
#include "archivist/msg.h"
#include "archivist/naming.h"
#include "archivist/pipeline.h"
#include "archivist/provenance.h"
#include "archivist/publishing.h"
#include "archivist/version.h"
#include "archivist/workers.h"

#define READ_SIZE ((size_t)1 << 20)

/* The object a replacement replaces, as HEAD saw it. */
struct replaced {
	int exists;
	char etag[128];		/* quotes included */
	char sha[65];		/* "" when the object does not say */
};

struct pub {
	const struct session *s;
	const struct publish_args *a;
	const struct config *config;	/* the session's */
	struct s3_client *client;	/* the session's; NULL while naming */
	struct publish_item *items;
	size_t failed, conflicts;	/* under lock */
	int jobs;			/* files made at once */
	struct jobs_pool pool;		/* their zstd workers and layout */
	pthread_mutex_t lock;		/* counters and output */
};

/* One file being published: what its steps share. */
struct pub_one {
	struct jobs_layout layout;
	struct progress *progress;	/* its display, or NULL */
};

/* "python-3.12.3.tar.gz" -> "3.12.3" when the name is NAME-VERSION.EXT. */
static char *version_from_name(const struct config *c, const char *base)
{
	static const char *const exts[] = { ".tar.gz", ".tgz", ".tar.zst", ".tar" };
	size_t n = strlen(base), nl = strlen(c->name), i, e;

	if (n <= nl + 1 || strncmp(base, c->name, nl) != 0 || base[nl] != '-')
		return NULL;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		e = strlen(exts[i]);
		if (n > nl + 1 + e && strcmp(base + n - e, exts[i]) == 0)
			return strndup(base + nl + 1, n - nl - 1 - e);
	}
	return NULL;
}

/*
 * Parses base as a new-scheme name, also when the file is still a .tar,
 * .tar.gz or .tgz (it becomes a .tar.zst on the way up).
 */
static int parse_new_name(const struct config *c, const char *base,
			  struct naming_artifact *na)
{
	static const char *const exts[] = { ".tar.gz", ".tgz", ".tar" };
	struct buf b = BUF_INIT;
	size_t i, n = strlen(base), e;
	int rc;

	if (naming_parse_new(c, base, na, NULL) == 0)
		return 0;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		e = strlen(exts[i]);
		if (n <= e || strcmp(base + n - e, exts[i]) != 0)
			continue;
		naming_artifact_release(na);
		memset(na, 0, sizeof(*na));
		rc = buf_add(&b, base, n - e) || buf_adds(&b, ".tar.zst") ? AV_ENOMEM :
		     naming_parse_new(c, b.ptr, na, NULL);
		buf_release(&b);
		return rc;
	}
	return AV_EINVAL;
}

/* The target from --target or --stack/--arch; 1 if none was given. */
static int target_from_args(const struct pub *p, struct config_target *t,
			    struct buf *why)
{
	const struct publish_args *a = p->a;
	const struct config_stack *s;
	const char *arch;

	if (a->target)
		return config_parse_target(p->config, a->target, t, why);
	if (!a->stack)
		return 1;
	if (!(s = config_find_stack(p->config, a->stack))) {
		buf_addf(why, "stack '%s' is not in %s", a->stack, p->config->origin);
		return AV_EINVAL;
	}
	if (!a->arch && s->narches != 1) {
		buf_addf(why, "%s serves several arches: say which with --arch", s->name);
		return AV_EINVAL;
	}
	arch = a->arch ? a->arch : s->arches[0];
	if (!config_stack_has_arch(s, arch)) {
		buf_addf(why, "%s does not serve arch '%s'", s->name, arch);
		return AV_EINVAL;
	}
	return config_find_target(p->config, s->distro_name, s->distro_version,
				  config_arch(arch), t);
}

/* Fills it->version and the target, from the new-scheme name or the args. */
static int name_file(struct pub *p, struct publish_item *it, const char *base,
		     struct config_target *t, struct buf *why)
{
	struct naming_artifact na = { 0 };
	int rc, from_args;

	from_args = target_from_args(p, t, why);
	if (from_args != 0 && from_args != 1)
		return AV_EINVAL;
	if (parse_new_name(p->config, base, &na) == 0) {
		if (from_args == 1)
			*t = na.target;
		it->version = strdup(na.version);
	} else if (p->a->version) {
		it->version = strdup(p->a->version);
	} else {
		it->version = version_from_name(p->config, base);
	}
	naming_artifact_release(&na);
	if (p->a->version && it->version && strcmp(p->a->version, it->version)) {
		buf_addf(why, "the name says version %s, --version says %s",
			 it->version, p->a->version);
		return AV_EINVAL;
	}
	if (!it->version) {
		buf_addf(why, "no version: name it %s-X.Y.Z.tar[.gz|.zst] or give --version",
			 p->config->name);
		return AV_EINVAL;
	}
	if (!t->nstacks) {
		buf_adds(why, "no target: give --target DISTRO-VERSION-ARCH or "
			 "--stack, or name the file in the new scheme");
		return AV_EINVAL;
	}
	rc = version_parse(it->version, &(struct version){ 0 }, why);
	return rc ? AV_EINVAL : 0;
}

static int check_file(const char *file)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		msg_error("publish: cannot read '%s': %s", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return AV_EUSAGE;
	}
	close(fd);
	if (!S_ISREG(st.st_mode)) {
		msg_error("publish: '%s' is not a regular file", file);
		return AV_EUSAGE;
	}
	return 0;
}

/* A replacement's target must be a new-scheme key, never one in a
 * stack's legacy folder.  0, or AV_EINVAL with the reason in why. */
static int check_replaceable(const struct pub *p, const char *key, struct buf *why)
{
	struct naming_class nc;

	if (naming_classify(p->config, key, &nc, NULL) != 0)
		return AV_ENOMEM;
	if (nc.kind == NAMING_KIND_NEW || nc.kind == NAMING_KIND_OTHER ||
	    (nc.kind == NAMING_KIND_INVALID && !nc.legacy_scheme))
		return 0;
	buf_addf(why, "'%s' is %s%s: a legacy key is never replaced", key,
		 nc.stack ? "in the legacy folder of stack " : "a legacy key",
		 nc.stack ? nc.stack->name : "");
	return AV_EINVAL;
}

/* Names every file before anything is sent.  0 or AV_EUSAGE (reported). */
static int name_all(struct pub *p)
{
	struct buf why = BUF_INIT, key = BUF_INIT;
	struct config_target t;
	struct publish_item *it;
	char *dup;
	size_t i;
	int rc = 0;

	for (i = 0; i < p->a->nfiles && !rc; i++) {
		it = &p->items[i];
		it->file = p->a->files[i];
		if ((rc = check_file(it->file)))
			break;
		memset(&t, 0, sizeof(t));
		dup = strdup(it->file);
		buf_reset(&why);
		buf_reset(&key);
		rc = dup ? name_file(p, it, basename(dup), &t, &why) : AV_ENOMEM;
		free(dup);
		if (!rc && !(rc = buf_adds(&key, p->a->to.key)))
			rc = naming_new_key(p->config, it->version, t.distro_name,
					    t.distro_version, t.arch, &key, &why);
		if (!rc && (p->a->replace || p->a->if_match))
			rc = check_replaceable(p, key.ptr, &why);
		if (rc) {
			msg_error("publish '%s': %s", it->file, why.ptr);
			rc = AV_EUSAGE;
		} else if (!(it->key = buf_detach(&key, NULL))) {
			rc = AV_ENOMEM;
		}
	}
	buf_release(&why);
	buf_release(&key);
	return rc;
}

/* The archive as it will be uploaded: fd, size, sha256. */
struct made {
	int fd;
	uint64_t size;
	unsigned char sha[32], in_sha[32];
	char hex[65];
};

/* sha256 and size of what fd reads to its end; its first 5 bytes (zero
 * if fewer) into head.  0, AV_EIO or AV_ENOMEM. */
static int read_sha256(int fd, unsigned char sha[32], uint64_t *size,
		       unsigned char head[5])
{
	unsigned char buf[65536];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ssize_t n;

	memset(head, 0, 5);
	*size = 0;
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return AV_ENOMEM;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (*size < 5)
			memcpy(head + *size, buf, (size_t)n < 5 - *size ? (size_t)n : 5 - *size);
		*size += (uint64_t)n;
		EVP_DigestUpdate(md, buf, (size_t)n);
	}
	EVP_DigestFinal_ex(md, sha, NULL);
	EVP_MD_CTX_free(md);
	return n < 0 ? AV_EIO : 0;
}

/* --as-is: a zstd frame with a content checksum, hashed as it is. */
static int take_as_is(const char *file, struct made *m)
{
	unsigned char head[5];
	int rc;

	if ((m->fd = open(file, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (rc = read_sha256(m->fd, m->sha, &m->size, head)) == AV_EIO) {
		msg_error("publish: cannot read '%s'", file);
		return AV_EIO;
	}
	if (!rc && (memcmp(head, "\x28\xb5\x2f\xfd", 4) || !(head[4] & 0x04))) {
		msg_error("publish --as-is: '%s' is not a zstd frame with "
			  "a content checksum", file);
		rc = AV_EUNSUPP;
	}
	memcpy(m->in_sha, m->sha, 32);
	return rc;
}

/*
 * An object at the key made from this very input with these settings
 * (its recorded source sha256, pyc, opt pycs and level) is the same
 * result, whatever its bytes: an earlier version may have compressed
 * them otherwise.  Then m gets its size and sha256 and 1 is returned; 0
 * when there is no such object (the content comparison then decides), or
 * an AV_E* code.  Costs one read of the input and a HEAD.
 */
static int made_before(struct pub *p, const struct publish_item *it, struct made *m)
{
	struct provenance_source src = { 0 };
	struct provenance rec;
	unsigned char sha[32], head[5];
	struct buf why = BUF_INIT;
	char in_hex[65];
	uint64_t size;
	struct s3_head h;
	int fd, rc;

	if ((fd = open(it->file, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;	/* make_archive says why */
	rc = read_sha256(fd, sha, &size, head);
	close(fd);
	if (rc)
		return 0;
	hex_encode(sha, 32, in_hex);
	src.sha256 = in_hex;
	s3_head_init(&h);
	if (!(rc = s3_head(p->client, p->a->to.bucket, it->key, &h)) && h.exists) {
		provenance_read(&rec, h.meta, h.nmeta);
		if (provenance_compare(&rec, &src, &p->a->set, &why) == PROV_SAME &&
		    s3_head_sha256(&h, m->hex)) {
			m->size = h.size;
			rc = 1;
		}
		provenance_release(&rec);
	}
	buf_release(&why);
	s3_head_release(&h);
	return rc;
}

/* The pipeline, from the file into a temporary file. */
static int make_archive(const struct pub *p, const struct pub_one *one,
			const char *file, struct made *m,
			struct pipeline_stats *st)
{
	struct pipeline_opts o;
	struct pipeline *pl = NULL;
	struct sink_fd out = { -1, "the temporary archive" };
	struct sink sink = { sink_fd_write, &out };
	char *buf = malloc(READ_SIZE);
	ssize_t n = 0;
	int in = -1, rc;

	pipeline_opts_init(&o);
	o.set = p->a->set;
	o.name = file;
	o.tmpdir = p->a->tmpdir;
	o.progress = one->progress;
	o.workers = one->layout.workers;
	o.layout = one->layout.split ? PIPELINE_LAYOUT_SPLIT :
		   PIPELINE_LAYOUT_ONE_JOB;
	if (!buf)
		rc = AV_ENOMEM;
	else if ((in = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		rc = AV_EIO;
	else
		rc = pipeline_new(&pl, &o);
	while (!rc && (n = read(in, buf, READ_SIZE)) > 0)
		rc = pipeline_write(pl, buf, (size_t)n);
	if (!rc && n < 0)
		rc = AV_EIO;
	if (rc == AV_EIO && in >= 0 && n < 0)
		msg_error("publish: reading '%s': %s", file, strerror(errno));
	if (!rc && (out.fd = deliver_tmpfile(p->a->tmpdir)) < 0)
		rc = AV_EIO;
	if (!rc && !(rc = pipeline_finish(pl, &sink, st))) {
		m->fd = out.fd;
		m->size = st->out_bytes;
		memcpy(m->sha, st->sha256, 32);
		memcpy(m->in_sha, st->in_sha256, 32);
	} else if (out.fd >= 0) {
		close(out.fd);
	}
	pipeline_free(pl);
	if (in >= 0)
		close(in);
	free(buf);
	return rc;
}

/* Prints the result of one file; counts failures and conflicts. */
static void report(struct pub *p, const struct publish_item *it,
		   const char *result, const struct made *m,
		   const struct replaced *was)
{
	struct buf url = BUF_INIT;
	json_t *o;
	char human[16];

	manifest_url(p->config->base_url, it->key, &url);
	pthread_mutex_lock(&p->lock);
	p->failed += strcmp(result, "failed") == 0;
	p->conflicts += strcmp(result, deliver_result_name(DELIVER_CONFLICT)) == 0;
	if (p->s->json) {
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:I, s:s?}",
			"event", "publish", "result", result, "file", it->file,
			"key", it->key, "url", url.ptr, "version", it->version,
			"size", (json_int_t)(m ? m->size : 0), "sha256", m ? m->hex : NULL);
		if (o && was && was->exists)
			json_object_set_new(o, "replaced", json_pack("{s:s, s:s?}",
				"etag", was->etag, "sha256", *was->sha ? was->sha : NULL));
		jsonout_line(o);
	} else if (m) {
		progress_human(human, m->size);
		printf("%-9s %s  %s  %s  sha256 %s", result, it->key, url.ptr,
		       human, m->hex);
		if (was && was->exists)
			printf("  (was ETag %s, sha256 %s)", was->etag,
			       *was->sha ? was->sha : "not recorded");
		putchar('\n');
	} else {
		printf("%-9s %s  %s\n", result, it->key, url.ptr);
	}
	fflush(stdout);
	pthread_mutex_unlock(&p->lock);
	buf_release(&url);
}

/* Uploads the archive with the record of how it was made (provenance.h). */
static int deliver_made(struct pub *p, const struct pub_one *one,
			const struct publish_item *it, struct made *m,
			const struct replaced *was,
			const struct pipeline_stats *st, enum deliver_result *res)
{
	struct provenance_source src = { 0 };
	struct provenance_made made = { 0 };
	struct provenance_meta pm;
	struct deliver_item d = { 0 };
	char in_hex[65];
	int rc;

	hex_encode(m->in_sha, 32, in_hex);
	src.file = it->file;
	src.sha256 = in_hex;
	if (st) {
		made.tar_sha256 = st->tar_sha256_hex;
		made.level = st->level;
		made.jobs = st->jobs;
		made.cut = st->cut;
	}
	if ((rc = provenance_meta_build(&pm, &src, p->a->as_is ? NULL : &p->a->set,
					st ? &made : NULL)) == 0) {
		d.bucket = p->a->to.bucket;
		d.key = it->key;
		d.fd = m->fd;
		d.size = m->size;
		d.sha256 = m->sha;
		d.meta = pm.m;
		d.nmeta = pm.n;
		d.progress = one->progress;
		d.if_match = was && was->exists ? was->etag : NULL;
		rc = deliver_archive(p->client, &d, res);
	}
	provenance_meta_release(&pm);
	return rc;
}

/* 1 if two ETags are the same, quotes aside. */
static int etag_equal(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na >= 2 && a[0] == '"' && a[na - 1] == '"')
		a++, na -= 2;
	if (nb >= 2 && b[0] == '"' && b[nb - 1] == '"')
		b++, nb -= 2;
	return na == nb && memcmp(a, b, na) == 0;
}

/*
 * --replace / --if-match: what is at the key now.  0 to go on (was->exists
 * says whether there is something to replace), 1 when --if-match names a
 * version that is not there (a conflict, said here), or an AV_E* code.
 */
static int look_before_replacing(struct pub *p, const struct publish_item *it,
				 struct replaced *was)
{
	struct s3_head h;
	int rc;

	memset(was, 0, sizeof(*was));
	s3_head_init(&h);
	if ((rc = s3_head(p->client, p->a->to.bucket, it->key, &h)) == 0 && h.exists) {
		was->exists = 1;
		snprintf(was->etag, sizeof(was->etag), "%s", h.etag);
		if (!s3_head_sha256(&h, was->sha))
			was->sha[0] = '\0';
	}
	if (rc == 0 && p->a->if_match && (!h.exists || !etag_equal(h.etag, p->a->if_match))) {
		msg_error("publish 's3://%s/%s': it is not the version --if-match %s "
			  "names (%s%s): nothing replaced", p->a->to.bucket, it->key,
			  p->a->if_match, h.exists ? "it has ETag " : "it is absent",
			  h.exists ? h.etag : "");
		rc = 1;
	}
	s3_head_release(&h);
	return rc;
}

/* Names the conflict of a replacement (the S3 layer does not). */
static void replace_conflict(const struct pub *p, const struct publish_item *it,
			     const struct replaced *was)
{
	msg_error("publish 's3://%s/%s': the object changed or vanished since its "
		  "ETag %s was read (a write by someone else): nothing replaced",
		  p->a->to.bucket, it->key, was->etag);
}

static void publish_one(struct pub *p, const struct publish_item *it)
{
	struct made m = { -1, 0, { 0 }, { 0 }, "" };
	struct pub_one one = { { 1, 0 }, NULL };
	struct pipeline_stats st;
	struct replaced was = { 0, "", "" };
	enum deliver_result res = DELIVER_CREATED;
	int rc;

	if ((p->a->replace || p->a->if_match) &&
	    (rc = look_before_replacing(p, it, &was)) != 0) {
		report(p, it, rc == 1 ? "conflict" : "failed", NULL, NULL);
		return;
	}
	if (!p->a->as_is && (rc = made_before(p, it, &m)) != 0) {
		report(p, it, rc == 1 ? "identical" : "failed", rc == 1 ? &m : NULL,
		       NULL);
		return;
	}
	if (p->s->progress && p->jobs == 1)
		one.progress = progress_new(STDERR_FILENO, it->file);
	if (p->a->as_is) {
		rc = take_as_is(it->file, &m);
	} else {
		one.layout = jobs_pool_take(&p->pool);
		rc = make_archive(p, &one, it->file, &m, &st);
		jobs_pool_give(&p->pool, &one.layout);
	}
	if (!rc) {
		hex_encode(m.sha, 32, m.hex);
		if (was.exists && strcmp(was.sha, m.hex) == 0)
			res = DELIVER_IDENTICAL;	/* nothing to replace */
		else
			rc = deliver_made(p, &one, it, &m, &was,
					  p->a->as_is ? NULL : &st, &res);
	}
	if (m.fd >= 0)
		close(m.fd);
	progress_free(one.progress);
	if (rc) {
		report(p, it, "failed", NULL, NULL);
		return;
	}
	if (res == DELIVER_CONFLICT && was.exists)
		replace_conflict(p, it, &was);
	report(p, it, res == DELIVER_CREATED && was.exists ? "replaced" :
	       deliver_result_name(res), &m,
	       res == DELIVER_CREATED && was.exists ? &was : NULL);
}

static void publish_nth(void *ctx, size_t i)
{
	struct pub *p = ctx;

	publish_one(p, &p->items[i]);
}

/* Makes and delivers every file, several at once when there are cores
 * for them (jobs.h), as migrate does. */
static void publish_all(struct pub *p, size_t n)
{
	struct jobs_choice jc;

	jc = jobs_choose(jobs_cores(), jobs_mem_available(), p->a->set.level,
			 n, p->s->jobs);
	if (p->a->as_is)
		jc.jobs = 1;	/* no compression: one at a time is enough */
	p->jobs = jc.jobs;
	jobs_pool_init(&p->pool, &jc, n);
	msg_verbose("%zu file(s) to publish, %d at a time, on %d zstd worker(s)",
		    n, jc.jobs, jc.jobs * jc.workers);
	workers_run(n, jc.jobs, publish_nth, p);
	jobs_pool_release(&p->pool);
}

/* --dry-run: only HEAD.  The content is not made, so an existing key can
 * only be told apart (identical or conflict) by a real run. */
static void dry_run_one(struct pub *p, const struct publish_item *it)
{
	struct s3_head h;

	s3_head_init(&h);
	if (s3_head(p->client, p->a->to.bucket, it->key, &h) != 0)
		report(p, it, "failed", NULL, NULL);
	else
		report(p, it, h.exists ? (p->a->replace || p->a->if_match ? "replace" :
					   "exists") : "create", NULL, NULL);
	s3_head_release(&h);
}

int publish_name(const struct session *s, const struct publish_args *a,
		 struct publish_names *out)
{
	struct pub p;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.a = a;
	p.config = s->config;
	memset(out, 0, sizeof(*out));
	if (!(p.items = calloc(a->nfiles ? a->nfiles : 1, sizeof(*p.items))))
		return AV_ENOMEM;
	out->items = p.items;
	out->n = a->nfiles;
	return name_all(&p);
}

void publish_names_release(struct publish_names *n)
{
	size_t i;

	for (i = 0; n->items && i < n->n; i++) {
		free(n->items[i].key);
		free(n->items[i].version);
	}
	free(n->items);
	memset(n, 0, sizeof(*n));
}

int publish_run(const struct session *s, const struct publish_args *a,
		const struct publish_names *names, enum flow_result *res)
{
	struct pub p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.a = a;
	p.config = s->config;
	p.client = s->client;
	p.items = names->items;
	pthread_mutex_init(&p.lock, NULL);
	for (i = 0; a->dry_run && i < names->n; i++)
		dry_run_one(&p, &p.items[i]);
	if (!a->dry_run)
		publish_all(&p, names->n);
	pthread_mutex_destroy(&p.lock);
	if (p.failed)
		*res = FLOW_FAILED;
	else
		*res = p.conflicts && !a->conflict_skip ? FLOW_CONFLICT : FLOW_DONE;
	return 0;
}
