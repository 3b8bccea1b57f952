/*
 * checkpoint.h: long runs that survive. -o and --errors as files, the
 * tick that flushes what is buffered (a finished target's lines reach the
 * kernel within AWGET_FLUSH_MS), and with --state a checkpoint once a
 * second and at the end (state.h); with --resume, the outputs cut back to
 * the checkpoint and the targets it has done skipped.
 */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <stddef.h>

struct awget;
struct checkpoint;
struct options;

/*
 * Open -o's and --errors' files (cut back to --resume's checkpoint, else
 * truncated) and check --resume's state against this run: *out and *err
 * are the descriptors for the output (1 and 2 if not given). NULL, with
 * a message in msg, on a usage error.
 */
struct checkpoint *checkpoint_new(const struct options *, int *, int *, char *,
    size_t);
void checkpoint_free(struct checkpoint *);
/* Start the tick on the run's loop, and note which run it serves. */
void checkpoint_start(struct checkpoint *, struct awget *);
/* --resume: whether the target at this position is done already. */
int checkpoint_skip(const struct checkpoint *, unsigned long long);
/* Flush, and with --state write the checkpoint now: the end, a signal. */
void checkpoint_save(struct checkpoint *);

#endif /* CHECKPOINT_H */
