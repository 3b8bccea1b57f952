/*
 * sched.c: keeps at most N targets in flight. A fetch that ends frees its
 * slot, and the next target is pulled from the input only then, so memory
 * follows the concurrency, never the length of the list. When the input is
 * exhausted and the last fetch has ended, the loop is told to stop.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "awget.h"
#include "fetch.h"
#include "output.h"
#include "sched.h"
#include "targets.h"

struct sched {
	struct awget *ctx;
	struct event *input; /* a pipe or terminal becoming readable */
	int max;
	int inflight;
	int filling; /* inside sched_fill: a synchronous end must not recurse */
	int eof;
	int stopped;
	unsigned long long failed;
};

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
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	if (s->input != NULL)
		event_free(s->input);
	free(s);
}

int
sched_finished(const struct sched *s)
{
	return s->stopped || (s->eof && s->inflight == 0);
}

unsigned long long
sched_failed(const struct sched *s)
{
	return s->failed;
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
		if ((t = targets_next(ctx->targets)) == NULL) {
			if (targets_done(ctx->targets))
				s->eof = 1;
			else if (event_add(s->input, NULL) == -1)
				fatalx("cannot watch the input");
			break;
		}
		if (t->error != NULL) {
			fetch_reject(ctx, t);
			s->failed++;
			continue;
		}
		s->inflight++;
		fetch_start(ctx, t); /* may end at once, in sched_done */
	}
	s->filling = 0;
	if (sched_finished(s))
		event_base_loopbreak(ctx->base);
}

void
sched_done(struct sched *s, enum outcome outcome)
{
	s->inflight--;
	if (outcome != OUTCOME_OK)
		s->failed++;
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
