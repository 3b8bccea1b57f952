/*
 * stats.h: what a run has done so far, counted per outcome: the progress
 * line while it runs and the --stats summary at its end.
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>

#include "awget.h"

struct buf;

struct stats {
	unsigned long long total;   /* targets in the input, or 0: unknown */
	unsigned long long done;    /* targets with their outcome */
	unsigned long long failed;  /* of them, not OUTCOME_OK */
	unsigned long long retries; /* --retry attempts made */
	unsigned long long outcomes[OUTCOME_COUNT];
	unsigned long long status[10]; /* final responses by code / 100 */
	long long start_us;            /* monotonic_us() when the run began */
};

/* The stable word for an outcome (JSON error_class), or NULL for OK. */
const char *stats_class(enum outcome);
/* Count one target's outcome; status is its final code, if it has one. */
void stats_done(struct stats *, enum outcome, int);
/*
 * The progress line at now_us (monotonic_us()), with inflight targets in
 * flight, into buf of len bytes (NUL-terminated, no line end); returns its
 * length.
 */
size_t stats_progress(const struct stats *, unsigned long long, long long,
    char *, size_t);
/* Append the --stats summary at now_us to b: three lines. */
void stats_summary(const struct stats *, long long, struct buf *);

#endif /* STATS_H */
