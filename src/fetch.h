/* fetch.h: one target's fetch, from name to header block. */
#ifndef FETCH_H
#define FETCH_H

#include "awget.h"

struct target;

/* Start fetching t; takes ownership of t. Ends in sched_done, maybe at once. */
void fetch_start(struct awget *, struct target *);
/* Drop every fetch still in flight, writing no outcome (the run stopped). */
void fetch_abort_all(struct awget *);

#endif /* FETCH_H */
