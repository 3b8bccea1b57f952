/*
 * progress.c: where a long run stands, on one line of stderr: targets
 * done (of how many, when the input could be counted), their rate, those
 * in flight, those failed, elapsed time and ETA. A timer on the event loop
 * redraws it; output.c keeps error lines from mangling it.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "awget.h"
#include "output.h"
#include "progress.h"
#include "sched.h"
#include "stats.h"

struct progress {
	struct awget *ctx;
	struct event *timer;
};

static void
progress_draw(struct progress *p)
{
	struct awget *ctx = p->ctx;
	char line[256];
	size_t len;

	len = stats_progress(ctx->stats, sched_inflight(ctx->sched),
	    monotonic_us(), line, sizeof(line));
	output_progress(ctx->out, line, len);
}

static void
progress_on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	progress_draw(arg);
}

struct progress *
progress_new(struct awget *ctx)
{
	static const struct timeval every = {0, AWGET_PROGRESS_MS * 1000};
	struct progress *p = xcalloc(1, sizeof(*p));

	p->ctx = ctx;
	p->timer = event_new(ctx->base, -1, EV_PERSIST, progress_on_timer, p);
	if (p->timer == NULL || event_add(p->timer, &every) == -1)
		fatalx("cannot start the progress timer");
	progress_draw(p);
	return p;
}

void
progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	event_free(p->timer);
	output_progress_end(p->ctx->out);
	free(p);
}
