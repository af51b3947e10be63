/*
 * provenance: what an object records of how it was made, written once
 * and read back once, here.
 *
 * migrate and publish record, as S3 user metadata (x-amz-meta-NAME), the
 * source of a new archive and the settings that made it; a rerun reads
 * them back with one HEAD and compares them with what it would make:
 *
 *   struct provenance_meta pm;            // writing
 *   provenance_meta_build(&pm, &src, &set);  ... pm.m, pm.n -> upload
 *   provenance_meta_release(&pm);
 *
 *   struct provenance rec;                // reading, comparing
 *   provenance_read(&rec, h.meta, h.nmeta);
 *   switch (provenance_compare(&rec, &src, &set, &why)) ...
 *   provenance_release(&rec);
 *
 * The names on the wire are fixed: objects made by earlier versions must
 * still be recognised.  No I/O here.
 */
#ifndef ARCHIVIST_PROVENANCE_H
#define ARCHIVIST_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "archivist/buf.h"
#include "archivist/pipeline.h"
#include "archivist/s3.h"

/* User metadata names (x-amz-meta-NAME). */
#define PROV_SOURCE_KEY "archivist-source-key"	/* URI-encoded, '/' kept */
#define PROV_SOURCE_ETAG "archivist-source-etag"	/* without quotes */
#define PROV_SOURCE_SIZE "archivist-source-size"
#define PROV_SOURCE_SHA256 "archivist-source-sha256"	/* of the input bytes */
#define PROV_SOURCE_FILE "archivist-source-file"	/* publish: base name */
#define PROV_PYC "archivist-pyc"		/* pyc_mode_name(), or "as-is" */
#define PROV_OPT_PYC "archivist-opt-pyc"	/* "keep" / "drop" / "as-is" */
#define PROV_LEVEL "archivist-zstd-level"	/* "22", or "as-is" */
#define PROV_TOOL "archivist-version"
#define PROV_TAR_SHA256 "archivist-tar-sha256"	/* of the decompressed tar */
#define PROV_ZSTD_LAYOUT "archivist-zstd-layout"	/* "jobs=N", "jobs=N cut=C":
						   for the record only */

#define PROV_MAX_META 11

/* Where an archive comes from.  Borrowed; NULL fields are not recorded
 * (writing) or not compared (provenance_compare). */
struct provenance_source {
	const char *key;	/* migrate: the legacy key (any bytes) */
	const char *etag;	/* with key: its ETag, quotes allowed */
	uint64_t size;		/* with key: its size */
	const char *file;	/* publish: the input file (path; only its
				   base name is recorded) */
	const char *sha256;	/* hex sha256 of the input bytes */
};

/* What was made, beyond the settings; NULL fields are not recorded. */
struct provenance_made {
	const char *tar_sha256;	/* hex sha256 of the tar the frame holds */
	int level;		/* 0: no zstd frame, no layout recorded */
	unsigned jobs;		/* zstd jobs in the frame */
	uint64_t cut;		/* where the first zstd job ended; 0: no cut */
};

/* The metadata to send; m[0..n) point into the struct itself. */
struct provenance_meta {
	struct s3_meta m[PROV_MAX_META];
	size_t n;
	char names[PROV_MAX_META][32];
	char etag[128], size[24], sha[65], level[12], pyc[24], opt[8];
	char tar_sha[65], layout[48];
	struct buf key, file;
};

/*
 * Fills pm from the source, the settings (NULL: the input is uploaded as
 * it is, publish --as-is) and what was made (NULL: nothing more).  0, or
 * AV_ENOMEM (pm is released either way by provenance_meta_release).
 */
int provenance_meta_build(struct provenance_meta *pm,
			  const struct provenance_source *src,
			  const struct pipeline_settings *set,
			  const struct provenance_made *made);
void provenance_meta_release(struct provenance_meta *pm);

/* What an object records, as read back.  The raw values are borrowed from
 * the metadata array given to provenance_read (NULL when absent). */
struct provenance {
	int any;		/* records at least one of the names above */
	const char *source_key_raw, *source_etag, *source_size;
	const char *source_sha256, *source_file;
	const char *pyc, *opt_pyc, *level, *tool;
	const char *tar_sha256, *zstd_layout;
	const char *source_key;	/* decoded; NULL: absent or not decodable */
	struct buf key;		/* holds source_key */
};

/*
 * Reads the provenance out of n user metadata pairs (an s3_head's meta).
 * 0; AV_EINVAL when a source key is recorded but is not URI-encoded
 * (everything else is filled, source_key is NULL); AV_ENOMEM.  Release
 * with provenance_release in every case.
 */
int provenance_read(struct provenance *p, const struct s3_meta *meta, size_t n);
void provenance_release(struct provenance *p);

enum provenance_match {
	PROV_SAME = 0,		/* made from this source with these settings */
	PROV_NONE,		/* records no archivist provenance at all:
				   made by other means */
	PROV_OTHER		/* made by archivist, but from another source
				   or with other settings */
};

/*
 * Compares what rec records with what this run would make: the source's
 * key, then ETag and size (when src->key), its sha256 (when src->sha256),
 * then the pyc mode, opt pycs and level of set.  For PROV_NONE and
 * PROV_OTHER the first difference is appended to why ("exists, made from
 * 'KEY'", "its recorded NAME is 'X', this run makes 'Y'").  Returns the
 * enum provenance_match, or -1 when out of memory.
 */
int provenance_compare(const struct provenance *rec,
		       const struct provenance_source *src,
		       const struct pipeline_settings *set, struct buf *why);

/*
 * Whether two records describe the same archive by content, whatever
 * bytes their zstd frames hold (two layouts of one tar differ in bytes):
 * 1 when both record the same source sha256, pyc mode, opt pycs, level
 * and tar sha256; else 0 (also when either lacks one: objects made
 * before the tar sha256 was recorded compare by their bytes).
 */
int provenance_same_content(const struct provenance *a,
			    const struct provenance *b);

/* Whether rec's recorded settings differ from set (pyc, opt pycs, level):
 * 0 no, 1 yes with the first difference appended to why, -1 ENOMEM. */
int provenance_settings_differ(const struct provenance *rec,
			       const struct pipeline_settings *set,
			       struct buf *why);

/* The recorded pyc mode and opt pycs into set (level untouched): 0, or -1
 * when they are not recorded or not understood (as-is, unknown mode). */
int provenance_settings(const struct provenance *rec,
			struct pipeline_settings *set);

/* The recorded source size: 0 and *size, 1 when not recorded, or
 * AV_EINVAL when it is not a number. */
int provenance_source_size(const struct provenance *rec, uint64_t *size);

#endif
