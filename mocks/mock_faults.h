/*
 * mock_faults: the fault-injection rules.
 *
 * Rules come from --fault on the command line and from the admin endpoint
 * (POST /_mock/faults), one per line:
 *
 *     KIND [ARGS] [count=N] [prob=P] [method=M] [op=OPERATION] [key=GLOB]
 *
 *     error STATUS [CODE]         reply STATUS with an S3 error document
 *     reset-request BYTES         close the connection (RST) after BYTES of
 *                                 the request body
 *     reset-response BYTES        send BYTES of the response body, then RST
 *     truncate BYTES              send BYTES of the body (Content-Length is
 *                                 the full size), then close cleanly
 *     overlong BYTES              send BYTES more than Content-Length says
 *     stall SECONDS               wait before replying (decimals allowed)
 *     complete-error              CompleteMultipartUpload answers 200 with
 *                                 an <Error> body, and completes nothing
 *     list malformed|huge|doctype|longkey
 *                                 a bad ListObjects reply (cut XML, ~80 MB
 *                                 of XML, a DOCTYPE with an external
 *                                 entity, an extra 2,000-byte key)
 *     skew SECONDS                shift the server clock (Date header and
 *                                 the signature time check); no selectors
 *
 * A rule applies to each matching request (count=N: the next N only;
 * prob=P: each with probability P from the --seed RNG).  The first
 * matching rule wins; one fault per request.  Thread-safe.
 */
#ifndef MOCK_FAULTS_H
#define MOCK_FAULTS_H

#include <stdint.h>

#include "archivist/buf.h"

enum fault_kind {
	FAULT_NONE = 0,
	FAULT_ERROR,
	FAULT_RESET_REQUEST,
	FAULT_RESET_RESPONSE,
	FAULT_TRUNCATE,
	FAULT_OVERLONG,
	FAULT_STALL,
	FAULT_COMPLETE_ERROR,
	FAULT_LIST,
	FAULT_SKEW
};

enum fault_list {
	FAULT_LIST_MALFORMED,
	FAULT_LIST_HUGE,
	FAULT_LIST_DOCTYPE,
	FAULT_LIST_LONGKEY
};

/* What one request got: a copy, owned by the request. */
struct fault_hit {
	enum fault_kind kind;
	unsigned status;	/* FAULT_ERROR */
	char code[48];		/* FAULT_ERROR */
	uint64_t n;		/* bytes, or milliseconds for FAULT_STALL */
	int variant;		/* enum fault_list */
	char text[96];		/* the rule, for the request log */
};

struct faults;

/* 0 or AV_ENOMEM; seed drives prob= rules. */
int faults_new(struct faults **out, uint64_t seed);
void faults_free(struct faults *f);
/* Parses text (rules, one per line; blank lines and '#' comments
 * ignored) and appends the rules: all or none.  On AV_EINVAL, err says
 * which line is wrong and why. */
int faults_add(struct faults *f, const char *text, struct buf *err);
/* Removes every rule and the clock skew. */
void faults_clear(struct faults *f);
/* Appends the rules, one per line, with the count left and hits. */
int faults_describe(struct faults *f, struct buf *out);
/* Picks the fault for a request: fills hit and returns 1, or returns 0.
 * op is the operation's S3 name, key may be NULL.  Consumes one count. */
int faults_pick(struct faults *f, const char *method, const char *op,
		const char *key, int has_body, struct fault_hit *hit);
/* The clock shift in seconds. */
long faults_skew(struct faults *f);

#endif
