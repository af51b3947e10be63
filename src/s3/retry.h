/*
 * retry: when to try an S3 request again, and how long to wait.
 *
 * Exponential backoff with full jitter (a delay drawn uniformly from
 * [0, min(cap, base * 2^(n-1))] before retry n), a bounded number of
 * attempts, and the clock-skew correction S3 asks for with
 * RequestTimeTooSkewed.  Randomness and sleeping are injectable, so the
 * schedule is unit-tested without waiting.
 */
#ifndef ARCHIVIST_RETRY_H
#define ARCHIVIST_RETRY_H

#include <stdint.h>
#include <time.h>

struct retry_policy {
	int max_attempts;	/* the first attempt included; >= 1 */
	unsigned base_ms;	/* first retry's upper bound */
	unsigned cap_ms;	/* no delay above this */
	uint32_t (*random)(void *ctx);		/* NULL: getrandom(2) */
	void *random_ctx;
	void (*sleep_ms)(void *ctx, unsigned ms); /* NULL: nanosleep(2) */
	void *sleep_ctx;
};

#define RETRY_BASE_MS 200
#define RETRY_CAP_MS 20000

/* max_attempts (0: 5), base 200 ms, cap 20 s, real randomness and sleep. */
void retry_policy_init(struct retry_policy *p, int max_attempts);

/* The delay before retry n (n >= 1), in milliseconds. */
unsigned retry_delay_ms(const struct retry_policy *p, int n);
/* Sleeps that delay; returns it. */
unsigned retry_wait(const struct retry_policy *p, int n);

enum retry_verdict {
	RETRY_NO = 0,	/* final: success or a permanent failure */
	RETRY_YES,	/* transient: back off and try again */
	RETRY_SKEW	/* our clock is off: correct it and try again now */
};

/*
 * Classifies one attempt's outcome: transport is 0 when a reply came
 * (else the AV_E* code of http_do), status the HTTP status, code the S3
 * error code from the reply body ("" or NULL when none).  A 2xx status
 * with an error code (CompleteMultipartUpload's 200-with-Error) is
 * judged by the code.
 */
enum retry_verdict retry_classify(int transport, long status, const char *code);

/*
 * The server's clock minus ours, in seconds, from its Date header and our
 * time when the reply arrived.  0 and *offset, or AV_EINVAL.
 */
int retry_skew_offset(const char *date, time_t local_now, long *offset);

#endif
