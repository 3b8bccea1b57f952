/* fetch.h: one target's fetch, from name to header block. */
#ifndef FETCH_H
#define FETCH_H

#include "awget.h"

struct target;

/* Start fetching t; takes ownership of t. Ends in sched_done, maybe at once. */
void fetch_start(struct awget *, struct target *);
/* Report an invalid target's one outcome, and free it. */
void fetch_reject(struct awget *, struct target *);
/* A socket may have been closed: retry the fetches that found none. */
void fetch_unpark(struct awget *);
/*
 * The run stopped: drop every fetch still in flight, each with the error
 * line why, or silently if why is NULL.
 */
void fetch_abort_all(struct awget *, const char *);
/* Free what HTTPS closes left for the loop; just before the base goes. */
void fetch_cleanup(struct awget *);

#endif /* FETCH_H */
