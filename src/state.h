/*
 * state.h: the checkpoint of a run (--state, --resume) as a small text
 * file a person can read, its atomic write and its checked read. It says
 * what the run is (its fingerprint: the input, and every option that
 * changes what is fetched or written), how long the output files were
 * when every outcome before them was in them, and which targets those
 * are: every position below next but the pending ones (at most -c).
 *
 *     awget-state 1
 *     input list.txt 2048 sha256:...
 *     option --json
 *     option --output out.jsonl
 *     output-length 81234
 *     errors-length 0
 *     done-below 1407
 *     next 1500
 *     pending 1407 1452 1499
 *     sha256 ...
 *
 * The last line is the SHA-256 of every byte before it: a file cut short
 * or changed by hand is refused. No event loop here.
 */
#ifndef STATE_H
#define STATE_H

#include <sys/types.h>

#include <stddef.h>

#include "util.h"

struct state {
	struct buf fingerprint; /* "input ...\n", "option ...\n" lines */
	unsigned long long output_len, errors_len;
	unsigned long long next;     /* targets taken from the input, from 0 */
	unsigned long long *pending; /* taken, no outcome yet: ascending */
	size_t npending;
};

void state_free(struct state *);
/* The file's text, its checksum line last. */
void state_format(const struct state *, struct buf *);
/*
 * Parse len bytes of a state file into s (zeroed first); 0, or -1 with
 * why in err ("not an awget state file", "damaged: ...").
 */
int state_parse(struct state *, const char *, size_t, char *, size_t);
/*
 * Whether two fingerprints are the same run: 0, or -1 with the first
 * difference in err ("the checkpoint has 'option --json', this run has
 * not").
 */
int state_compare(const struct buf *, const struct buf *, char *, size_t);
/* Whether position i is done by s: below next and not pending. */
int state_done(const struct state *, unsigned long long);
/*
 * Write s to path atomically: a temporary file beside it, fsync, rename,
 * fsync of the directory. 0, or -1 with errno set.
 */
int state_save(const char *, const struct state *);
/* Read and parse path: 0, or -1 with why in err. */
int state_load(const char *, struct state *, char *, size_t);
/* Append "sha256:" and the lower-case hex SHA-256 of len bytes to b. */
void state_sha256(struct buf *, const void *, size_t);
/* The same of a file's bytes from offset at to its end, read in chunks;
 * their number in *len. 0, or -1 with errno set. */
int state_sha256_fd(struct buf *, int, off_t, unsigned long long *);

#endif /* STATE_H */
