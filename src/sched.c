/*
 * sched.c: keeps at most N targets in flight. A fetch that ends frees its
 * slot, and the next target is pulled from the input only then, so memory
 * follows the concurrency, never the length of the list. With --rate, a
 * target also waits for a token before it starts: the one read ahead is
 * held, and a timer wakes the scheduler when the token is due. When the
 * input is exhausted and the last fetch has ended, the loop is told to
 * stop.
 *
 * A slot freed is taken back in one deferred event per loop pass (pass),
 * never from inside the fetch that ended: a fetch may end while it
 * starts, and starting the next from there would recurse. The same pass
 * hands descriptors to connections that found the table full: a full
 * table delays a target, never loses it.
 */
#include <stdlib.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "awget.h"
#include "options.h"
#include "rate.h"
#include "sched.h"
#include "targets.h"

struct sched {
	struct awget *ctx;
	struct sched_owner own;
	struct event *input; /* a pipe or terminal becoming readable */
	struct event *token; /* --rate: the next token is due */
	struct rate rate;
	struct target *held; /* read, waiting for its token */
	struct event pass;   /* slots released, descriptors freed: act */
	int kicked;          /* pass is active */
	int max;
	int inflight;
	int released; /* slots freed since the last pass */
	int eof;
	int stopped;
	int nsockets;            /* open sockets: one may close */
	int fds_freed;           /* a socket closed since the last pass */
	unsigned long long next; /* the next target's position */
	TAILQ_HEAD(, sched_wait) waiting; /* for a descriptor, in order */
};

static void
sched_kick(struct sched *s)
{
	if (s->kicked)
		return;
	s->kicked = 1;
	event_active(&s->pass, EV_TIMEOUT, 1);
}

/* Connections waiting for a descriptor go before new targets. */
static void
sched_on_pass(evutil_socket_t fd, short what, void *arg)
{
	struct sched *s = arg;
	struct sched_wait *w;

	(void)fd;
	(void)what;
	s->kicked = 0;
	s->inflight -= s->released;
	s->released = 0;
	if (s->fds_freed) {
		s->fds_freed = 0;
		while ((w = TAILQ_FIRST(&s->waiting)) != NULL) {
			TAILQ_REMOVE(&s->waiting, w, entry);
			w->queued = 0;
			w->cb(w->arg);
			if (w->queued)
				break; /* still none free */
		}
	}
	sched_fill(s);
}

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
sched_new(struct awget *ctx, int max, const struct sched_owner *own)
{
	struct sched *s = xcalloc(1, sizeof(*s));
	int fd = targets_poll_fd(ctx->targets);

	s->ctx = ctx;
	s->own = *own;
	s->max = max;
	TAILQ_INIT(&s->waiting);
	event_assign(&s->pass, ctx->base, -1, 0, sched_on_pass, s);
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
	event_del(&s->pass);
	target_free(s->held);
	free(s);
}

int
sched_finished(const struct sched *s)
{
	return s->stopped ||
	    (s->eof && s->held == NULL && s->inflight - s->released == 0);
}

unsigned long long
sched_next(const struct sched *s)
{
	return s->next;
}

int
sched_held(const struct sched *s, unsigned long long *pos)
{
	if (s->held == NULL)
		return 0;
	*pos = s->held->pos;
	return 1;
}

unsigned long long
sched_inflight(const struct sched *s)
{
	return (unsigned long long)(s->inflight - s->released);
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

	while (!s->stopped && !s->eof && s->inflight < s->max) {
		if ((t = s->held) != NULL)
			s->held = NULL;
		else if ((t = targets_next(ctx->targets)) == NULL) {
			if (targets_done(ctx->targets))
				s->eof = 1;
			else if (event_add(s->input, NULL) == -1)
				fatalx("cannot watch the input");
			break;
		} else {
			t->pos = s->next++;
			if (s->own.skip != NULL &&
			    s->own.skip(s->own.skip_arg, t->pos)) {
				target_free(t); /* --resume: it is done */
				continue;
			}
		}
		/* An invalid target opens no connection: no token. */
		if (t->error == NULL && !sched_token(s)) {
			s->held = t;
			break;
		}
		s->inflight++;
		s->own.start(ctx, t); /* its end frees the slot next pass */
	}
	if (sched_finished(s))
		event_base_loopbreak(ctx->base);
}

void
sched_release(struct sched *s)
{
	s->released++;
	sched_kick(s);
}

void
sched_stop(struct sched *s)
{
	s->stopped = 1;
	event_base_loopbreak(s->ctx->base);
}

void
sched_fd_opened(struct sched *s)
{
	s->nsockets++;
}

void
sched_fd_closed(struct sched *s)
{
	s->nsockets--;
	if (!TAILQ_EMPTY(&s->waiting)) {
		s->fds_freed = 1;
		sched_kick(s);
	}
}

int
sched_fd_wait(struct sched *s, struct sched_wait *w)
{
	if (s->nsockets == 0)
		return 0;
	TAILQ_INSERT_TAIL(&s->waiting, w, entry);
	w->queued = 1;
	return 1;
}

void
sched_fd_unwait(struct sched *s, struct sched_wait *w)
{
	if (w->queued) {
		TAILQ_REMOVE(&s->waiting, w, entry);
		w->queued = 0;
	}
}
