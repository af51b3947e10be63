/*
 * sigv4_int: the signer's internal stages, shared by sigv4.c (signing)
 * and sigv4_verify.c (checking received requests).  Not a public
 * interface: contracts as in sigv4.h (0 or AV_E*, outputs appended).
 */
#ifndef ARCHIVIST_SIGV4_INT_H
#define ARCHIVIST_SIGV4_INT_H

#include "archivist/sigv4.h"

/* Canonical query of q1 + q2, leaving out parameters named skip. */
int sigv4_canon_query(const struct sigv4_kv *q1, size_t n1,
		      const struct sigv4_kv *q2, size_t n2, const char *skip,
		      struct buf *out);
/* Canonical header lines and the ';' list; only = names to keep or NULL
 * for every signable header. */
int sigv4_canon_headers(const struct sigv4_kv *h, size_t nh, const char *only,
			struct buf *canon, struct buf *list);
/* The whole canonical request; signed_list gets the signed header names. */
int sigv4_canonical_full(const struct sigv4_request *r,
			 const struct sigv4_params *p,
			 const struct sigv4_kv *extra, size_t nextra,
			 const char *skip, const char *only,
			 struct buf *out, struct buf *signed_list);
/* "DATE/REGION/SERVICE/aws4_request"; AV_EINVAL on a bad region/service. */
int sigv4_scope(const struct sigv4_params *p, struct buf *out);
/* String to sign and signature of canonical, hex into sig. */
int sigv4_sign_canonical(const char *canonical, const struct sigv4_params *p,
			 const char *secret_key, struct buf *sig);
/* First header named lname (any case) in h, or NULL. */
const char *sigv4_find_header(const struct sigv4_kv *h, size_t n,
			      const char *lname);
/* 0 for the headers that are never signed (user-agent, expect, ...). */
int sigv4_header_is_signable(const char *lname);

#endif
