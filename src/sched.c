/*
 * sched.c: keeps at most N targets in flight. A fetch that ends frees its
 * slot, and the next target is pulled from the input only then, so memory
 * follows the concurrency, never the length of the list. With --rate, a
 * target also waits for a token before it starts: the one read ahead is
 * held, and a timer wakes the scheduler when the token is due. When the
 * input is exhausted and the last fetch has ended, the loop is told to
 * stop.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "awget.h"
#include "fetch.h"
#include "options.h"
#include "output.h"
#include "rate.h"
#include "sched.h"
#include "stats.h"
#include "targets.h"

struct sched {
	struct awget *ctx;
	struct event *input; /* a pipe or terminal becoming readable */
	struct event *token; /* --rate: the next token is due */
	struct rate rate;
	struct target *held; /* read, waiting for its token */
	int max;
	int inflight;
	int filling; /* inside sched_fill: a synchronous end must not recurse */
	int eof;
	int stopped;
};

static void
sched_on_token(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sched_fill(arg);
}

static void
sched_on_input(evutil_socket_t fd, short what, void *arg)
{
	struct sched *s = arg;

	(void)fd;
	(void)what;
	targets_readable(s->ctx->targets);
	sched_fill(s);
}

struct sched *
sched_new(struct awget *ctx, int max)
{
	struct sched *s = xcalloc(1, sizeof(*s));
	int fd = targets_poll_fd(ctx->targets);

	s->ctx = ctx;
	s->max = max;
	if (fd != -1 &&
	    (s->input = event_new(ctx->base, fd, EV_READ, sched_on_input, s)) ==
	        NULL)
		fatalx("cannot watch the input");
	if (ctx->opts->rate > 0) {
		rate_init(&s->rate, ctx->opts->rate, monotonic_us());
		if ((s->token = evtimer_new(ctx->base, sched_on_token, s)) ==
		    NULL)
			fatalx("cannot create the rate timer");
	}
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	if (s->input != NULL)
		event_free(s->input);
	if (s->token != NULL)
		event_free(s->token);
	target_free(s->held);
	free(s);
}

int
sched_finished(const struct sched *s)
{
	return s->stopped || (s->eof && s->held == NULL && s->inflight == 0);
}

unsigned long long
sched_inflight(const struct sched *s)
{
	return (unsigned long long)s->inflight;
}

/*
 * --rate: whether a connection may start now; if not, the timer is set
 * for when it may.
 */
static int
sched_token(struct sched *s)
{
	long long wait;
	struct timeval tv;

	if (s->token == NULL)
		return 1;
	if ((wait = rate_take(&s->rate, monotonic_us())) == 0)
		return 1;
	tv.tv_sec = wait / 1000000;
	tv.tv_usec = wait % 1000000;
	evtimer_add(s->token, &tv);
	return 0;
}

void
sched_charge(struct sched *s)
{
	if (s->token != NULL)
		rate_charge(&s->rate, monotonic_us());
}

void
sched_fill(struct sched *s)
{
	struct awget *ctx = s->ctx;
	struct target *t;

	if (s->filling)
		return;
	s->filling = 1;
	while (!s->stopped && !s->eof && s->inflight < s->max) {
		if ((t = s->held) != NULL)
			s->held = NULL;
		else if ((t = targets_next(ctx->targets)) == NULL) {
			if (targets_done(ctx->targets))
				s->eof = 1;
			else if (event_add(s->input, NULL) == -1)
				fatalx("cannot watch the input");
			break;
		}
		if (t->error != NULL) {
			fetch_reject(ctx, t);
			stats_done(ctx->stats, OUTCOME_INVALID_TARGET, 0);
			continue;
		}
		if (!sched_token(s)) {
			s->held = t;
			break;
		}
		s->inflight++;
		fetch_start(ctx, t); /* may end at once, in sched_done */
	}
	s->filling = 0;
	if (sched_finished(s))
		event_base_loopbreak(ctx->base);
}

void
sched_done(struct sched *s, enum outcome outcome, int status)
{
	s->inflight--;
	stats_done(s->ctx->stats, outcome, status);
	if (output_closed(s->ctx->out))
		sched_stop(s);
	/* Fetches waiting for a descriptor go before new targets. */
	if (!s->stopped)
		fetch_unpark(s->ctx);
	sched_fill(s);
}

void
sched_stop(struct sched *s)
{
	s->stopped = 1;
	event_base_loopbreak(s->ctx->base);
}
