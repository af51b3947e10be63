/* retry: backoff with full jitter, retry classification, skew (retry.h). */
#include <string.h>
#include <sys/random.h>

#include "archivist/error.h"
#include "http.h"
#include "retry.h"

static uint32_t default_random(void *ctx)
{
	uint32_t v = 0;

	(void)ctx;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)time(NULL) * 2654435761u;
	return v;
}

static void default_sleep(void *ctx, unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	(void)ctx;
	while (nanosleep(&ts, &ts) != 0)
		;
}

void retry_policy_init(struct retry_policy *p, int max_attempts)
{
	memset(p, 0, sizeof(*p));
	p->max_attempts = max_attempts > 0 ? max_attempts : 5;
	p->base_ms = RETRY_BASE_MS;
	p->cap_ms = RETRY_CAP_MS;
}

unsigned retry_delay_ms(const struct retry_policy *p, int n)
{
	uint64_t ceiling = p->base_ms;
	uint32_t r;

	while (--n > 0 && ceiling < p->cap_ms)
		ceiling *= 2;
	if (ceiling > p->cap_ms)
		ceiling = p->cap_ms;
	r = p->random ? p->random(p->random_ctx) : default_random(NULL);
	return (unsigned)(r % (ceiling + 1));
}

unsigned retry_wait(const struct retry_policy *p, int n)
{
	unsigned ms = retry_delay_ms(p, n);

	if (p->sleep_ms)
		p->sleep_ms(p->sleep_ctx, ms);
	else
		default_sleep(NULL, ms);
	return ms;
}

/* S3 error codes worth another attempt, whatever the status. */
static int code_transient(const char *code)
{
	static const char *const transient[] = {
		"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout",
		"ConditionalRequestConflict", "OperationAborted", "Throttling",
		"ThrottlingException", "RequestThrottled", "TooManyRequests",
	};
	size_t i;

	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		if (strcmp(code, transient[i]) == 0)
			return 1;
	return 0;
}

enum retry_verdict retry_classify(int transport, long status, const char *code)
{
	if (!code)
		code = "";
	if (transport)
		return error_retryable(transport) ? RETRY_YES : RETRY_NO;
	if (strcmp(code, "RequestTimeTooSkewed") == 0)
		return RETRY_SKEW;
	if (code_transient(code))
		return RETRY_YES;
	if (status >= 200 && status < 400)
		return RETRY_NO;
	if (status == 500 || status == 502 || status == 503 || status == 504 ||
	    status == 429)
		return RETRY_YES;
	return RETRY_NO;
}

int retry_skew_offset(const char *date, time_t local_now, long *offset)
{
	time_t server;

	if (!date || http_parse_date(date, &server) != 0)
		return AV_EINVAL;
	*offset = (long)(server - local_now);
	return 0;
}
