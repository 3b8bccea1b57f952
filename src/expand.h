/*
 * expand.h: one input line into the targets it stands for, one text at a
 * time: a network range into its addresses, and -p's ports across a
 * target that has no port of its own. Nothing is held but the line.
 */
#ifndef EXPAND_H
#define EXPAND_H

#include <stddef.h>
#include <stdint.h>

#include "awget.h"

/* One -p item: PORT, LOW-HIGH, or SCHEME:PORT[-HIGH]. */
struct port_item {
	unsigned short low, high;
	signed char tls; /* 1 https, 0 http, -1 the target's own scheme */
};

struct ports {
	struct port_item *item;
	size_t n;
};

/* Parse -p's comma-separated LIST into p: NULL, or why it is not one. */
const char *ports_parse(const char *, struct ports *);
void ports_free(struct ports *);

/*
 * Whether s (n bytes, trimmed) is a network range: 1 if so, with *first
 * and *last its ends (the IPv4 address, or the last 32 bits of the IPv6
 * one, in host order) and addr the address given (network order); -1 if
 * it is written as one but is malformed, with *why; 0 if it is not a
 * range at all. Forms: A.B.C.D/N (0-32), A.B.C.D-E, A.B.C.D-W.X.Y.Z and
 * [IPv6]/N (96-128), without a scheme.
 */
int range_parse(const char *, size_t, int *, unsigned char *, uint64_t *,
    uint64_t *, const char **);

/* Where a line stands in its expansion. */
struct expand {
	const struct ports *ports; /* -p, or NULL */
	int active;                /* a line is being expanded */
	const char *error;         /* a malformed range: one invalid target */
	int family;                /* a range's AF_INET or AF_INET6, or 0 */
	unsigned char addr[16];    /* the range's address, network order */
	uint64_t next, last;       /* the range's positions left */
	int have_host;             /* host is the address or line to emit */
	size_t item;               /* -p: the item and port to emit next */
	unsigned int port;
	size_t len;
	char line[AWGET_MAX_TARGET + 1];
	char host[64]; /* the range's current address, as text */
};

/*
 * Start expanding line (n bytes, trimmed); 0 if it stands for itself alone
 * (no range, and no -p or a port of its own), and nothing is kept.
 */
int expand_start(struct expand *, const char *, size_t);
/*
 * The next target text, NUL-terminated, in buf (at least EXPAND_TEXT_MAX
 * bytes); its length, or 0 once the line is done. *why is set for a
 * malformed range, which comes out once, as written.
 */
#define EXPAND_TEXT_MAX (AWGET_MAX_TARGET + 32)
size_t expand_next(struct expand *, char *, const char **);
/* What -p adds at most to a line: "https://", brackets, ":65535". */
#define EXPAND_PORT_MAX 16
/* How many texts the line just started stands for, without making them. */
uint64_t expand_size(const struct expand *);

#endif /* EXPAND_H */
