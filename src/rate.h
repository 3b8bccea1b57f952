/*
 * rate.h: --rate N, a token bucket of new connections. Pure: the caller
 * brings the time (microseconds on a monotonic clock) and the timer.
 */
#ifndef RATE_H
#define RATE_H

struct rate {
	long long per_sec; /* tokens added a second: N */
	long long tokens;  /* in millionths of a token; below 0 is a debt */
	long long cap;     /* the most the bucket holds, same unit */
	long long last_us; /* when tokens was last brought up to date */
};

/* N connections a second, the bucket full at now_us. */
void rate_init(struct rate *, long long, long long);
/*
 * Take a token at now_us: 0 if there was one, else the microseconds to
 * wait for it (nothing taken then).
 */
long long rate_take(struct rate *, long long);
/* Take a token at now_us even if there is none: the next takes wait. */
void rate_charge(struct rate *, long long);

#endif /* RATE_H */
