/* fetch.h: one target's fetch, from name to outcome. */
#ifndef FETCH_H
#define FETCH_H

#include "awget.h"

struct target;

/*
 * Start fetching t, valid or not; takes ownership of t. Its one outcome
 * is written and its slot released (sched_release), maybe before this
 * returns.
 */
void fetch_start(struct awget *, struct target *);
/*
 * The run stopped: end every fetch still in flight, each with the error
 * line why, or silently if why is NULL.
 */
void fetch_abort_all(struct awget *, const char *);
/*
 * The positions of the targets in flight, in start order, in a new array
 * at *pos with room for 1 + room more (the caller frees it): how many.
 */
size_t fetch_positions(const struct awget *, unsigned long long **, size_t);
/* Make and free the run's one deadline timer. */
void fetch_init(struct awget *);
void fetch_fini(struct awget *);

#endif /* FETCH_H */
