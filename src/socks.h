/*
 * socks.h: the SOCKS4, 4a, 5 and 5h handshake as messages, apart from any
 * socket: what to write next, how many bytes of answer to read, and what
 * the answer means. conn_socks.c moves the bytes; the fuzzer feeds it.
 */
#ifndef SOCKS_H
#define SOCKS_H

#include <stddef.h>

#include "proxy.h"

#define SOCKS_MSG_MAX 520   /* RFC 1929's request: 3 + 255 + 255 */
#define SOCKS_REPLY_MAX 262 /* SOCKS5's reply with a name: 4 + 1 + 255 + 2 */
#define SOCKS_ERR_MAX 160

enum socks_state {
	SOCKS5_METHOD = 1, /* read: VER METHOD */
	SOCKS5_AUTH,       /* read: VER STATUS */
	SOCKS5_HEAD,  /* read: VER REP RSV ATYP, the address's first byte */
	SOCKS5_REST,  /* read: the rest of the bound address and port */
	SOCKS4_REPLY, /* read: VN CD DSTPORT DSTIP */
	SOCKS_UP,     /* the tunnel is open */
	SOCKS_FAILED  /* err says why */
};

struct socks {
	enum socks_state state;
	const struct proxy *proxy;
	const char *host; /* the target: its name, sent for 4a and 5h */
	int family;       /* and its address (AF_INET, AF_INET6), or 0 */
	const unsigned char *addr;
	unsigned short port;
	unsigned char out[SOCKS_MSG_MAX]; /* to write, outlen bytes */
	size_t outlen;
	unsigned char in[SOCKS_REPLY_MAX]; /* the answer: want bytes */
	size_t want;
	size_t inlen; /* of them, read so far (the reader's to count) */
	char err[SOCKS_ERR_MAX];
};

/*
 * Start the handshake with p (its kind and credentials) for host and port
 * (the name; family and addr, or 0 and NULL to send the name): the first
 * message is in out. SOCKS_FAILED if it cannot be asked at all.
 */
enum socks_state socks_start(struct socks *, const struct proxy *, const char *,
    int, const unsigned char *, unsigned short);
/*
 * The want bytes of in have come: judge them. The next message is then in
 * out (outlen 0 for none), and want is how much to read; or the state is
 * SOCKS_UP, or SOCKS_FAILED with err set. Never wants more than in holds.
 */
enum socks_state socks_answer(struct socks *);
/* The proxy's version, "SOCKS4" or "SOCKS5", for messages. */
const char *socks_version(const struct socks *);
/* Wipe the messages (the password went in one). */
void socks_wipe(struct socks *);

#endif /* SOCKS_H */
