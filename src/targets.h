/* targets.h: parse a target and read targets lazily from argv or a stream. */
#ifndef TARGETS_H
#define TARGETS_H

#include <stddef.h>

struct buf;

/* One target; allocated as one block by target_parse, freed by target_free. */
struct target {
	const char *text;  /* as the user wrote it, trimmed, terminal-safe */
	const char *line;  /* as the user wrote it, trimmed: for JSON */
	size_t line_len;   /* (of a too-long one, its start and "...") */
	const char *error; /* why it is invalid, or NULL */
	const char *host;  /* name or address, without brackets */
	const char *path;  /* request target: starts with '/', encoded */
	unsigned short port;
	int tls;                /* https:// */
	int family;             /* AF_INET or AF_INET6 for a literal, else 0 */
	unsigned char addr[16]; /* the literal's address, network order */
	unsigned int scope_id;  /* an IPv6 literal's zone id, or 0 */
	unsigned long long pos; /* its place in the run, from 0 (sched.c) */
	char storage[];
};

/*
 * Parse one target of len bytes (surrounding blanks are trimmed). Never
 * fails: an invalid target comes back with error set and text usable.
 */
struct target *target_parse(const char *, size_t);
void target_free(struct target *);
/* Append t's URL, http(s)://host[:port]/path, to b, as a C string (the
 * NUL not counted in b->len). */
void target_url(const struct target *, struct buf *);

/* Reader over argv or a descriptor, one target per line. */
struct targets;
struct targets *targets_from_args(char **, int);
/* Takes the descriptor; closes it in targets_free unless it is 0. */
struct targets *targets_from_fd(int);
/*
 * The next target, or NULL: at the end of the input (targets_done), or
 * when a pipe or terminal has nothing to read yet (wait for targets_poll_fd
 * to be readable, call targets_readable, and ask again).
 */
struct target *targets_next(struct targets *);
int targets_done(const struct targets *);
/* Keep only the targets at positions i (from 0, over targets, not over
 * blank or comment lines) with i % n == k - 1: --shard k/n. */
void targets_shard(struct targets *, unsigned long long, unsigned long long);
/* Read the whole input and count its targets, ranges and ports expanded
 * by arithmetic: the progress line's total. */
unsigned long long targets_count(struct targets *);
/* Try every target without a port of its own on each of -p's ports. */
struct ports;
void targets_ports(struct targets *, const struct ports *);
/* The descriptor to wait on, or -1 if reading it never waits. */
int targets_poll_fd(const struct targets *);
void targets_readable(struct targets *);
/* errno of a read error that ended the input early, or 0. */
int targets_error(const struct targets *);
void targets_free(struct targets *);

#endif /* TARGETS_H */
