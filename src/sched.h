/* sched.h: the concurrency limit and the end of the run. */
#ifndef SCHED_H
#define SCHED_H

#include "awget.h"

struct sched;

struct sched *sched_new(struct awget *, int);
void sched_free(struct sched *);
/* Start targets while slots are free; safe to call from any callback. */
void sched_fill(struct sched *);
/* A fetch has ended with this outcome (and final status code, if it got
 * one): count it, start the next. */
void sched_done(struct sched *, enum outcome, int);
/* --rate: a fetch opens one more connection (a retry, the next address). */
void sched_charge(struct sched *);
/* Stop starting targets (interrupt, stdout closed); the loop ends. */
void sched_stop(struct sched *);
/* Whether every target has its outcome, or the run was stopped. */
int sched_finished(const struct sched *);
/* How many targets are in flight. */
unsigned long long sched_inflight(const struct sched *);

#endif /* SCHED_H */
