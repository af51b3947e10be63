/* Unit tests for retry: the backoff schedule, classification, skew. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "archivist/error.h"
#include "s3/retry.h"

struct fake_rng {
	uint32_t value;
	int calls;
};

static uint32_t fixed(void *ctx)
{
	struct fake_rng *r = ctx;

	r->calls++;
	return r->value;
}

/* A small LCG, so a "random" run is reproducible. */
static uint32_t lcg(void *ctx)
{
	uint32_t *s = ctx;

	*s = *s * 1664525u + 1013904223u;
	return *s;
}

struct fake_sleep {
	unsigned total, last;
	int calls;
};

static void no_sleep(void *ctx, unsigned ms)
{
	struct fake_sleep *s = ctx;

	s->total += ms;
	s->last = ms;
	s->calls++;
}

static void test_schedule_upper_bounds(void **state)
{
	/* The largest delay of retry n is min(cap, base * 2^(n-1)). */
	static const unsigned want[] = { 200, 400, 800, 1600, 3200, 6400, 12800,
					 20000, 20000, 20000 };
	struct fake_rng rng = { 0, 0 };
	struct retry_policy p;
	int n;

	(void)state;
	retry_policy_init(&p, 0);
	assert_int_equal(p.max_attempts, 5);
	p.random = fixed;
	p.random_ctx = &rng;
	for (n = 1; n <= 10; n++) {
		rng.value = want[n - 1];	/* r % (ceiling + 1) == ceiling */
		assert_int_equal(retry_delay_ms(&p, n), want[n - 1]);
		rng.value = want[n - 1] + 1;	/* wraps to 0: the floor is 0 */
		assert_int_equal(retry_delay_ms(&p, n), 0);
	}
	assert_int_equal(rng.calls, 20);
	/* Very large retry numbers stay at the cap (no overflow). */
	rng.value = UINT32_MAX;
	assert_true(retry_delay_ms(&p, 1000) <= 20000);
}

static void test_full_jitter_spread(void **state)
{
	struct retry_policy p;
	uint32_t seed = 12345;
	unsigned d, lo = ~0u, hi = 0;
	int i;

	(void)state;
	retry_policy_init(&p, 3);
	p.random = lcg;
	p.random_ctx = &seed;
	for (i = 0; i < 2000; i++) {
		d = retry_delay_ms(&p, 4);	/* ceiling 1600 */
		assert_true(d <= 1600);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	/* Full jitter spreads over the whole range, not around the ceiling. */
	assert_true(lo < 100);
	assert_true(hi > 1500);
}

static void test_wait_uses_injected_sleep(void **state)
{
	struct fake_rng rng = { 150, 0 };
	struct fake_sleep sl = { 0, 0, 0 };
	struct retry_policy p;

	(void)state;
	retry_policy_init(&p, 5);
	p.random = fixed;
	p.random_ctx = &rng;
	p.sleep_ms = no_sleep;
	p.sleep_ctx = &sl;
	assert_int_equal(retry_wait(&p, 1), 150);
	assert_int_equal(retry_wait(&p, 3), 150);
	assert_int_equal(sl.calls, 2);
	assert_int_equal(sl.total, 300);
}

static void test_classify(void **state)
{
	static const struct {
		int transport;
		long status;
		const char *code;
		enum retry_verdict want;
	} t[] = {
		{ 0, 200, "", RETRY_NO },
		{ 0, 206, NULL, RETRY_NO },
		{ 0, 304, "", RETRY_NO },
		{ 0, 404, "NoSuchKey", RETRY_NO },
		{ 0, 403, "AccessDenied", RETRY_NO },
		{ 0, 403, "SignatureDoesNotMatch", RETRY_NO },
		{ 0, 412, "PreconditionFailed", RETRY_NO },
		{ 0, 400, "BadDigest", RETRY_NO },
		{ 0, 501, "NotImplemented", RETRY_NO },
		{ 0, 409, "BucketAlreadyExists", RETRY_NO },
		{ 0, 500, "", RETRY_YES },
		{ 0, 500, "InternalError", RETRY_YES },
		{ 0, 502, NULL, RETRY_YES },
		{ 0, 503, "SlowDown", RETRY_YES },
		{ 0, 504, "", RETRY_YES },
		{ 0, 429, "", RETRY_YES },
		{ 0, 400, "RequestTimeout", RETRY_YES },
		{ 0, 409, "ConditionalRequestConflict", RETRY_YES },
		/* CompleteMultipartUpload: 200 with an <Error> body */
		{ 0, 200, "InternalError", RETRY_YES },
		{ 0, 200, "SlowDown", RETRY_YES },
		{ 0, 200, "AccessDenied", RETRY_NO },
		{ 0, 403, "RequestTimeTooSkewed", RETRY_SKEW },
		{ AV_ENET, 0, NULL, RETRY_YES },
		{ AV_ETIMEOUT, 0, NULL, RETRY_YES },
		{ AV_ECONFIG, 0, NULL, RETRY_NO },
		{ AV_EIO, 0, NULL, RETRY_NO },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(retry_classify(t[i].transport, t[i].status, t[i].code),
				 t[i].want);
}

static void test_skew_offset(void **state)
{
	long off = 0;

	(void)state;
	/* date -ud 'Tue, 15 Nov 1994 08:12:31 GMT' +%s = 784887151 */
	assert_int_equal(retry_skew_offset("Tue, 15 Nov 1994 08:12:31 GMT", 784887151, &off), 0);
	assert_int_equal(off, 0);
	assert_int_equal(retry_skew_offset("Tue, 15 Nov 1994 08:12:31 GMT",
					   784887151 - 3600, &off), 0);
	assert_int_equal(off, 3600);
	assert_int_equal(retry_skew_offset("Tue, 15 Nov 1994 08:12:31 GMT",
					   784887151 + 1200, &off), 0);
	assert_int_equal(off, -1200);
	assert_int_equal(retry_skew_offset(NULL, 0, &off), AV_EINVAL);
	assert_int_equal(retry_skew_offset("15 Nov 1994", 0, &off), AV_EINVAL);
	assert_int_equal(retry_skew_offset("Tue, 15 Nov 1994 08:12:31 GMT trailing", 0, &off),
			 AV_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_upper_bounds),
		cmocka_unit_test(test_full_jitter_spread),
		cmocka_unit_test(test_wait_uses_injected_sleep),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_skew_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
