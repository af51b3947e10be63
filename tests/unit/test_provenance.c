/* Unit tests for provenance: what is written is read back and compared. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "archivist/provenance.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static const char *value(const struct provenance_meta *pm, const char *name)
{
	size_t i;

	for (i = 0; i < pm->n; i++)
		if (strcmp(pm->m[i].name, name) == 0)
			return pm->m[i].value;
	return NULL;
}

/* Writes src/set, reads it back, compares with want/wset. */
static int round_trip(const struct provenance_source *src,
		      const struct pipeline_settings *set,
		      const struct provenance_source *want,
		      const struct pipeline_settings *wset, struct buf *why)
{
	struct provenance_meta pm;
	struct provenance rec;
	int m;

	assert_int_equal(provenance_meta_build(&pm, src, set, NULL), 0);
	assert_int_equal(provenance_read(&rec, pm.m, pm.n), 0);
	m = provenance_compare(&rec, want, wset, why);
	provenance_release(&rec);
	provenance_meta_release(&pm);
	return m;
}

/* The names and values on the wire are the ones earlier versions wrote. */
static void test_wire_names(void **state)
{
	struct provenance_source src = { "a b/ü.tar.gz", "\"e1\"", 42, NULL, SHA_A };
	struct pipeline_settings set = { 19, PYC_CHECKED_HASH, 1 };
	struct provenance_meta pm;

	(void)state;
	assert_int_equal(provenance_meta_build(&pm, &src, &set, NULL), 0);
	assert_int_equal(pm.n, 8);
	assert_string_equal(value(&pm, "archivist-source-key"), "a%20b/%C3%BC.tar.gz");
	assert_string_equal(value(&pm, "archivist-source-etag"), "e1");
	assert_string_equal(value(&pm, "archivist-source-size"), "42");
	assert_string_equal(value(&pm, "archivist-source-sha256"), SHA_A);
	assert_string_equal(value(&pm, "archivist-pyc"), "checked-hash");
	assert_string_equal(value(&pm, "archivist-opt-pyc"), "keep");
	assert_string_equal(value(&pm, "archivist-zstd-level"), "19");
	assert_non_null(value(&pm, "archivist-version"));
	assert_null(value(&pm, "archivist-source-file"));
	provenance_meta_release(&pm);

	/* publish --as-is: the file's base name, settings "as-is" */
	memset(&src, 0, sizeof(src));
	src.file = "dir/python 3.tar.zst";
	src.sha256 = SHA_B;
	assert_int_equal(provenance_meta_build(&pm, &src, NULL, NULL), 0);
	assert_int_equal(pm.n, 6);
	assert_string_equal(value(&pm, "archivist-source-file"), "python%203.tar.zst");
	assert_string_equal(value(&pm, "archivist-zstd-level"), "as-is");
	assert_string_equal(value(&pm, "archivist-pyc"), "as-is");
	assert_string_equal(value(&pm, "archivist-opt-pyc"), "as-is");
	assert_null(value(&pm, "archivist-source-key"));
	provenance_meta_release(&pm);
}

/* What was made: the tar's sha256 and the zstd layout, on the wire. */
static void test_made_wire_names(void **state)
{
	struct provenance_source src = { "k.tar.gz", "\"e\"", 42, NULL, SHA_A };
	struct pipeline_settings set = { 22, PYC_UNCHECKED_HASH, 0 };
	struct provenance_made one = { SHA_B, 22, 1, 0 };
	struct provenance_made cut = { SHA_B, 22, 2, 105054208 };
	struct provenance_made big = { SHA_B, 22, 3, 0 };
	struct provenance_made plain = { SHA_B, 0, 0, 0 };
	struct provenance_meta pm;
	struct provenance rec;

	(void)state;
	assert_int_equal(provenance_meta_build(&pm, &src, &set, &one), 0);
	assert_int_equal(pm.n, 10);
	assert_string_equal(value(&pm, "archivist-tar-sha256"), SHA_B);
	assert_string_equal(value(&pm, "archivist-zstd-layout"), "jobs=1");
	provenance_meta_release(&pm);
	assert_int_equal(provenance_meta_build(&pm, &src, &set, &cut), 0);
	assert_int_equal(pm.n, PROV_MAX_META - 1);
	assert_string_equal(value(&pm, "archivist-zstd-layout"), "jobs=2 cut=105054208");
	assert_int_equal(provenance_read(&rec, pm.m, pm.n), 0);
	assert_string_equal(rec.tar_sha256, SHA_B);
	assert_string_equal(rec.zstd_layout, "jobs=2 cut=105054208");
	provenance_release(&rec);
	provenance_meta_release(&pm);
	assert_int_equal(provenance_meta_build(&pm, &src, &set, &big), 0);
	assert_string_equal(value(&pm, "archivist-zstd-layout"), "jobs=3");
	provenance_meta_release(&pm);
	/* level 0 (an uncompressed tar): no layout */
	assert_int_equal(provenance_meta_build(&pm, &src, &set, &plain), 0);
	assert_null(value(&pm, "archivist-zstd-layout"));
	provenance_meta_release(&pm);
	/* publish: the file as well (the most names there are) */
	src.file = "python-3.12.3.tar.gz";
	assert_int_equal(provenance_meta_build(&pm, &src, &set, &cut), 0);
	assert_int_equal(pm.n, PROV_MAX_META);
	provenance_meta_release(&pm);
}

/* Reads back what src/set/made record. */
static void record(struct provenance_meta *pm, struct provenance *rec,
		   const char *in_sha, const struct pipeline_settings *set,
		   const char *tar_sha, uint64_t cut)
{
	struct provenance_source src = { "k.tar.gz", "\"e\"", 42, NULL, in_sha };
	struct provenance_made made = { tar_sha, set->level, cut ? 2 : 1, cut };

	assert_int_equal(provenance_meta_build(pm, &src, set, tar_sha ? &made : NULL), 0);
	assert_int_equal(provenance_read(rec, pm->m, pm->n), 0);
}

/* The same archive in two layouts is the same content; anything else
 * that differs is not. */
static void test_same_content(void **state)
{
	struct pipeline_settings set = { 22, PYC_UNCHECKED_HASH, 0 }, other = set;
	struct provenance_meta pa, pb;
	struct provenance a, b;

	(void)state;
	record(&pa, &a, SHA_A, &set, SHA_B, 105054208);
	record(&pb, &b, SHA_A, &set, SHA_B, 0);	/* one job */
	assert_int_equal(provenance_same_content(&a, &b), 1);
	assert_int_equal(provenance_same_content(&b, &a), 1);
	provenance_release(&b);
	provenance_meta_release(&pb);
	/* another tar */
	record(&pb, &b, SHA_A, &set, SHA_A, 0);
	assert_int_equal(provenance_same_content(&a, &b), 0);
	provenance_release(&b);
	provenance_meta_release(&pb);
	/* another source */
	record(&pb, &b, SHA_B, &set, SHA_B, 0);
	assert_int_equal(provenance_same_content(&a, &b), 0);
	provenance_release(&b);
	provenance_meta_release(&pb);
	/* other settings, each */
	other.level = 19;
	record(&pb, &b, SHA_A, &other, SHA_B, 0);
	assert_int_equal(provenance_same_content(&a, &b), 0);
	provenance_release(&b);
	provenance_meta_release(&pb);
	other = set;
	other.pyc = PYC_CHECKED_HASH;
	record(&pb, &b, SHA_A, &other, SHA_B, 0);
	assert_int_equal(provenance_same_content(&a, &b), 0);
	provenance_release(&b);
	provenance_meta_release(&pb);
	other = set;
	other.keep_opt_pyc = 1;
	record(&pb, &b, SHA_A, &other, SHA_B, 0);
	assert_int_equal(provenance_same_content(&a, &b), 0);
	provenance_release(&b);
	provenance_meta_release(&pb);
	/* an object made before the tar was recorded: bytes decide */
	record(&pb, &b, SHA_A, &set, NULL, 0);
	assert_int_equal(provenance_same_content(&a, &b), 0);
	assert_int_equal(provenance_same_content(&b, &b), 0);
	provenance_release(&b);
	provenance_meta_release(&pb);
	provenance_release(&a);
	provenance_meta_release(&pa);
}

static void test_migrate_round_trip(void **state)
{
	struct provenance_source src = { "heroku-22/runtimes/python-3.12.3.tar.gz",
					 "\"abc\"", 100, NULL, SHA_A };
	struct provenance_source want = src;
	struct pipeline_settings set = { 22, PYC_UNCHECKED_HASH, 0 }, other = set;
	struct buf why = BUF_INIT;

	(void)state;
	want.sha256 = NULL;	/* migrate plans before it reads the source */
	assert_int_equal(round_trip(&src, &set, &want, &set, &why), PROV_SAME);
	assert_int_equal(why.len, 0);

	other.keep_opt_pyc = 1;
	assert_int_equal(round_trip(&src, &set, &want, &other, &why), PROV_OTHER);
	assert_non_null(strstr(why.ptr, "archivist-opt-pyc is 'drop', this run makes 'keep'"));

	buf_reset(&why);
	want.etag = "abc";	/* quotes do not matter */
	want.size = 101;
	assert_int_equal(round_trip(&src, &set, &want, &set, &why), PROV_OTHER);
	assert_non_null(strstr(why.ptr, "archivist-source-size is '100'"));

	buf_reset(&why);
	want.size = 100;
	want.key = "heroku-24/runtimes/python-3.12.3.tar.gz";
	assert_int_equal(round_trip(&src, &set, &want, &set, &why), PROV_OTHER);
	assert_string_equal(why.ptr, "exists, made from "
			    "'heroku-22/runtimes/python-3.12.3.tar.gz'");
	buf_release(&why);
}

static void test_publish_round_trip(void **state)
{
	struct provenance_source src = { NULL, NULL, 0, "python-3.12.3.tar.gz", SHA_A };
	struct provenance_source want = { NULL, NULL, 0, NULL, SHA_A };
	struct pipeline_settings set = { 22, PYC_UNCHECKED_HASH, 0 }, other = set;
	struct buf why = BUF_INIT;

	(void)state;
	assert_int_equal(round_trip(&src, &set, &want, &set, &why), PROV_SAME);
	other.level = 3;
	assert_int_equal(round_trip(&src, &set, &want, &other, &why), PROV_OTHER);
	buf_reset(&why);
	want.sha256 = SHA_B;
	assert_int_equal(round_trip(&src, &set, &want, &set, &why), PROV_OTHER);
	assert_non_null(strstr(why.ptr, "archivist-source-sha256"));
	buf_reset(&why);
	/* uploaded as it is: never the same as a made archive */
	want.sha256 = SHA_A;
	assert_int_equal(round_trip(&src, NULL, &want, &set, &why), PROV_OTHER);
	/* a published object is no migration's */
	buf_reset(&why);
	want.key = "heroku-22/runtimes/python-3.12.3.tar.gz";
	assert_int_equal(round_trip(&src, &set, &want, &set, &why), PROV_OTHER);
	assert_non_null(strstr(why.ptr, "records no migration source"));
	buf_release(&why);
}

/* An object made by other means records nothing of ours: told apart. */
static void test_no_provenance(void **state)
{
	char n0[] = "sha256", v0[] = SHA_A, n1[] = "archivist-upload", v1[] = "1";
	struct s3_meta meta[2] = { { n0, v0 }, { n1, v1 } };
	struct provenance_source want = { "k", "\"e\"", 1, NULL, NULL };
	struct pipeline_settings set = { 22, PYC_UNCHECKED_HASH, 0 };
	struct provenance rec;
	struct buf why = BUF_INIT;

	(void)state;
	assert_int_equal(provenance_read(&rec, meta, 2), 0);
	assert_false(rec.any);
	assert_null(rec.source_key);
	assert_int_equal(provenance_compare(&rec, &want, &set, &why), PROV_NONE);
	assert_non_null(strstr(why.ptr, "records no migration source"));
	assert_int_equal(provenance_settings(&rec, &set), -1);
	provenance_release(&rec);
	assert_int_equal(provenance_read(&rec, NULL, 0), 0);
	assert_int_equal(provenance_compare(&rec, &want, &set, &why), PROV_NONE);
	provenance_release(&rec);
	buf_release(&why);
}

static void test_bad_values(void **state)
{
	char n0[] = PROV_SOURCE_KEY, v0[] = "bad%zzkey", n1[] = PROV_SOURCE_SIZE,
	     v1[] = "12x", n2[] = PROV_PYC, v2[] = "checked-hash", n3[] = PROV_OPT_PYC,
	     v3[] = "keep";
	struct s3_meta meta[4] = { { n0, v0 }, { n1, v1 }, { n2, v2 }, { n3, v3 } };
	struct pipeline_settings set = { 22, PYC_UNCHECKED_HASH, 0 };
	struct provenance rec;
	uint64_t size = 7;

	(void)state;
	assert_int_equal(provenance_read(&rec, meta, 4), AV_EINVAL);
	assert_true(rec.any);
	assert_null(rec.source_key);
	assert_string_equal(rec.source_key_raw, "bad%zzkey");
	assert_int_equal(provenance_source_size(&rec, &size), AV_EINVAL);
	assert_int_equal(size, 7);
	assert_int_equal(provenance_settings(&rec, &set), 0);
	assert_int_equal(set.pyc, PYC_CHECKED_HASH);
	assert_true(set.keep_opt_pyc);
	assert_int_equal(set.level, 22);
	provenance_release(&rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_names),
		cmocka_unit_test(test_made_wire_names),
		cmocka_unit_test(test_same_content),
		cmocka_unit_test(test_migrate_round_trip),
		cmocka_unit_test(test_publish_round_trip),
		cmocka_unit_test(test_no_provenance),
		cmocka_unit_test(test_bad_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
