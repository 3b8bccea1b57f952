/*
 * rate.c: the token bucket behind --rate. It holds a burst of 1/50 s of
 * tokens (at least one), so that over any second no more than about N
 * connections start, however the event loop's wakeups fall.
 */
#include "rate.h"

#define RATE_TOKEN 1000000LL /* one token, in the bucket's unit */

void
rate_init(struct rate *r, long long per_sec, long long now_us)
{
	long long burst = per_sec / 50;

	r->per_sec = per_sec;
	r->cap = (burst > 1 ? burst : 1) * RATE_TOKEN;
	r->tokens = r->cap;
	r->last_us = now_us;
}

/* Add what has accrued since the last call, up to the cap. */
static void
rate_refill(struct rate *r, long long now_us)
{
	long long dt = now_us - r->last_us;

	if (dt <= 0)
		return;
	r->last_us = now_us;
	/* Ten seconds pay any debt a run makes; longer could overflow. */
	if (dt > 10000000)
		dt = 10000000;
	r->tokens += dt * r->per_sec;
	if (r->tokens > r->cap)
		r->tokens = r->cap;
}

long long
rate_take(struct rate *r, long long now_us)
{
	long long missing;

	rate_refill(r, now_us);
	if (r->tokens >= RATE_TOKEN) {
		r->tokens -= RATE_TOKEN;
		return 0;
	}
	missing = RATE_TOKEN - r->tokens;
	return (missing + r->per_sec - 1) / r->per_sec;
}

void
rate_charge(struct rate *r, long long now_us)
{
	rate_refill(r, now_us);
	r->tokens -= RATE_TOKEN;
}
