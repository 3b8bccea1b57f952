/*
 * sched.h: the concurrency limit, the descriptors, and the end of the
 * run.
 */
#ifndef SCHED_H
#define SCHED_H

#include <sys/queue.h>

#include "awget.h"

struct sched;
struct target;

/* A connection waiting for a descriptor: cb(arg) when one may be free. */
struct sched_wait {
	void (*cb)(void *);
	void *arg;
	int queued;
	TAILQ_ENTRY(sched_wait) entry;
};

/*
 * What the scheduler does with the targets it takes, given by its owner
 * (main.c), so that the scheduler knows nothing of fetching or of
 * checkpoints: skip(arg, pos) says a position is done already (--resume),
 * start(ctx, t) hands a target over; its end calls sched_release.
 */
struct sched_owner {
	void (*start)(struct awget *, struct target *);
	int (*skip)(const void *, unsigned long long);
	const void *skip_arg;
};

struct sched *sched_new(struct awget *, int, const struct sched_owner *);
void sched_free(struct sched *);
/* Start targets while slots are free (main, and sched's own events). */
void sched_fill(struct sched *);
/* A target has its outcome: its slot is free from the next loop pass. */
void sched_release(struct sched *);
/* --rate: a target opens one more connection (a retry, the next address). */
void sched_charge(struct sched *);
/* Stop starting targets (interrupt, stdout closed); the loop ends. */
void sched_stop(struct sched *);
/* Whether every target has its outcome, or the run was stopped. */
int sched_finished(const struct sched *);
/* How many targets have been taken from the input (skipped ones too):
 * the position of the next. */
unsigned long long sched_next(const struct sched *);
/* --rate: the position of the target read and waiting for its token
 * into *pos: 1; or 0, none. */
int sched_held(const struct sched *, unsigned long long *);
/* How many targets are in flight. */
unsigned long long sched_inflight(const struct sched *);

/* A socket was opened, or closed. */
void sched_fd_opened(struct sched *);
void sched_fd_closed(struct sched *);
/*
 * Out of descriptors: wait for an open socket to close; 0 (and no wait)
 * if none is open, for then none will.
 */
int sched_fd_wait(struct sched *, struct sched_wait *);
/* Stop waiting, if waiting. */
void sched_fd_unwait(struct sched *, struct sched_wait *);

#endif /* SCHED_H */
