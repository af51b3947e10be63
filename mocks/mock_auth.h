/*
 * mock_auth: who may do what.  A request is signed with SigV4 by the
 * configured key or one in --keys-file (a temporary one with its session
 * token, before its expiry), in the Authorization header or a presigned
 * query, checked with
 * the project's verifier (sigv4_verify: the decoded path and query as
 * received, no normalisation, single encoding), within 15 minutes of the
 * server clock (fault skew included); or it is anonymous, which only
 * --anonymous-read allows, and only for reads.
 */
#ifndef MOCK_AUTH_H
#define MOCK_AUTH_H

#include "mock_http.h"

#define AUTH_MAX_SKEW (15 * 60)

/* Returns 0 if r may proceed (and sets r->authenticated when signed),
 * else 1 with out filled with the S3 error.  read_only: the operation
 * only reads (GET, HEAD, list). */
int auth_check(struct mock_req *r, struct mock_reply *out, int read_only);

#endif
