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
/* Make and free the run's one deadline timer. */
void fetch_init(struct awget *);
void fetch_fini(struct awget *);

#endif /* FETCH_H */
