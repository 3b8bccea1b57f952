/* options.h: the command line, parsed and checked once, then read-only. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stddef.h>
#include <sys/time.h>

#include "expand.h"
#include "proxy.h"
#include "util.h"

/* --resolve HOST:PORT:ADDR: an address pinned for a name and port. */
struct resolve_pin {
	const char *host; /* into argv, host_len bytes */
	size_t host_len;
	unsigned short port;
	int family;
	unsigned char addr[16];
};

/*
 * --connect-to HOST1:PORT1:HOST2:PORT2 (curl's): connect to HOST2:PORT2
 * for a URL on HOST1:PORT1; an empty HOST1 or PORT1 matches any, an empty
 * HOST2 or PORT2 keeps the URL's.
 */
struct connect_to {
	const char *host1; /* into argv, host1_len bytes, no brackets */
	size_t host1_len;
	unsigned short port1; /* or 0: any */
	char *host2;          /* or NULL: the URL's host */
	unsigned short port2; /* or 0: the URL's port */
	int family;           /* host2 is an address: AF_INET, AF_INET6 */
	unsigned char addr[16];
};

/* Which HTTP: 1.1 (--http1.1, the default), HTTP/2 when TLS's ALPN
 * chooses it (--http2), or HTTP/2 at once (--http2-prior-knowledge). */
enum http2 { HTTP2_NO, HTTP2_ALPN, HTTP2_PRIOR };

struct options {
	const char *method;     /* GET, HEAD (-I) or -X */
	int http10;             /* -0 */
	const char *user_agent; /* -A */
	char **headers;         /* -H arguments, in order */
	size_t nheaders;
	int concurrency;                /* -c */
	struct timeval timeout;         /* -t: one deadline per target */
	struct timeval connect_timeout; /* per connect, or 0: only -t */
	long long rate;                 /* --rate: connections a second, or 0 */
	int retry;                      /* --retry: attempts after the first */
	int location;                   /* -L: follow redirects */
	int max_redirs;                 /* --max-redirs: hops -L follows */
	int progress;                   /* 1, 0 (--no-progress), -1: a tty */
	int stats;                      /* --stats: a summary at the end */
	const char *input;              /* -i FILE, "-" for stdin, or NULL */
	const char *resolver; /* -r ADDR[:PORT], or NULL: resolv.conf */
	int family;           /* AF_UNSPEC, or AF_INET (-4), AF_INET6 (-6) */
	struct resolve_pin *pins; /* --resolve */
	size_t npins;
	struct connect_to *connect_to; /* --connect-to, first match wins */
	size_t nconnect_to;
	struct ports ports; /* -p, or none */
	int proxy_given;    /* -x, even empty: the environment is not read */
	int use_proxy;      /* -x given, and not empty */
	struct proxy proxy; /* -x and -U */
	/* The environment's, as curl reads it: http_proxy (lower case only),
	 * https_proxy or HTTPS_PROXY, all_proxy or ALL_PROXY for either. */
	int use_env_http, use_env_https;
	struct proxy env_http, env_https;
	const char *noproxy; /* --noproxy, else NO_PROXY or no_proxy, or NULL */
	int proxytunnel;     /* --proxytunnel: CONNECT for http:// too */
	unsigned long long shard_k; /* --shard K/N, or 0 */
	unsigned long long shard_n;
	char **targets; /* target arguments, or none */
	int ntargets;
	int verbose;        /* -v: trace state changes on stderr */
	int json;           /* -j: one JSON object per target */
	int insecure;       /* -k: no certificate verification */
	const char *cacert; /* --cacert FILE, or NULL: the system store */
	int tls_max;        /* --tls-max 1.N: N, or 0 for OpenSSL's newest */
	int tls_min;        /* --tlsv1.N: N, or 0 for 1.2 */
	const char *cert;   /* --cert FILE: a PEM client certificate, or NULL */
	const char *key;    /* --key FILE: its key (else in cert's file) */
	const char *ciphers;       /* --ciphers: TLS 1.2's list, or NULL */
	const char *tls13_ciphers; /* --tls13-ciphers: TLS 1.3's, or NULL */
	const char *sni; /* --sni NAME: sent instead ("": none), or NULL */
	enum http2 http2;
	const char *output; /* -o FILE, or NULL: stdout */
	const char *errors; /* --errors FILE, or NULL: stderr */
	const char *state;  /* --state FILE, or NULL */
	const char *resume; /* --resume FILE, or NULL */
	/* What the run is, for --state: every option that changes what is
	 * fetched or written, and the targets given (state.h). */
	struct buf fingerprint;
};

enum options_result {
	OPTIONS_OK,
	OPTIONS_HELP,    /* -h: print usage, exit 0 */
	OPTIONS_VERSION, /* -V: print version, exit 0 */
	OPTIONS_ERROR,   /* message in err: exit 2 */
};

/*
 * Parse argv into o; on OPTIONS_ERROR, err holds a one-line message. Prints
 * nothing. o's strings point into argv.
 */
enum options_result options_parse(struct options *, int, char **, char *,
    size_t);
void options_free(struct options *);
/* The proxy a URL goes through (-x, or the environment's), or NULL. */
struct target;
const struct proxy *options_proxy(const struct options *,
    const struct target *);
/* The first --connect-to for host and port, or NULL. */
const struct connect_to *options_connect_to(const struct options *,
    const char *, unsigned short);
/* The address pinned by --resolve for host and port, or NULL. */
const struct resolve_pin *options_pin(const struct options *, const char *,
    unsigned short);
/* The usage text (one line per option), for -h and the man page test. */
const char *options_usage(void);

#endif /* OPTIONS_H */
