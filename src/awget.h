/*
 * awget.h: the run's context, the outcome and exit-code enums, and every
 * limit, in one block so that the man page and the tests can name them.
 */
#ifndef AWGET_H
#define AWGET_H

#include <sys/queue.h>
#include <sys/time.h>

#include <stddef.h>

#include "util.h"

/*
 * Limits. Each is given in awget(1) and tested at limit-1, limit, limit+1.
 * The response's three may be set smaller at build time, for the fuzzer
 * to reach them within its input size (scripts/fuzz).
 */
#ifndef AWGET_MAX_LINE
#define AWGET_MAX_LINE (64 * 1024) /* one status or header line */
#endif
#ifndef AWGET_MAX_HEADER_BYTES
#define AWGET_MAX_HEADER_BYTES (256 * 1024) /* all header lines, 1xx too */
#endif
#ifndef AWGET_MAX_INTERIM
#define AWGET_MAX_INTERIM 16 /* 1xx blocks before the final */
#endif
#define AWGET_MAX_HOSTNAME 253   /* RFC 1035 name, without dot */
#define AWGET_MAX_TARGET 8192    /* one target as written */
#define AWGET_MAX_HEADERS_OPT 64 /* -H options */
#define AWGET_MAX_PINS 64        /* --resolve options */
#define AWGET_MAX_CONCURRENCY 1000000
#define AWGET_DEFAULT_CONCURRENCY 100
#define AWGET_DEFAULT_TIMEOUT_MS 10000
#define AWGET_OUTPUT_FLUSH (32 * 1024) /* stdout is written in these */
/* Stopping on a signal, how long output may wait for its reader. */
#define AWGET_DRAIN_US (500 * 1000)
#define AWGET_READ_SIZE (16 * 1024)   /* bytes asked of each read */
#define AWGET_MAX_REDIRS 1000         /* --max-redirs */
#define AWGET_MAX_RETRY 100           /* --retry */
#define AWGET_MAX_RATE 1000000        /* --rate, connections a second */
#define AWGET_RETRY_PAUSE_MS 100      /* before the first retry; doubles */
#define AWGET_RETRY_PAUSE_MAX_MS 1000 /* ... up to this */
#define AWGET_PROGRESS_MS 250         /* the progress line's redraw */
#define AWGET_FLUSH_MS 500            /* buffered output waits at most this */
#define AWGET_STATE_MS 1000 /* --state: a checkpoint at most this often */

/* Exit status, as documented in awget(1). */
enum awget_exit {
	AWGET_EXIT_OK = 0,     /* every target got a complete header block */
	AWGET_EXIT_FAILED = 1, /* at least one target failed */
	AWGET_EXIT_USAGE = 2,  /* bad option or value: nothing fetched */
};

/* Every way a target can end; exactly one per target. */
enum outcome {
	OUTCOME_OK,
	OUTCOME_INVALID_TARGET,
	OUTCOME_RESOLVE,
	OUTCOME_REFUSED,
	OUTCOME_TIMEOUT,
	OUTCOME_CLOSED,
	OUTCOME_RESET,
	OUTCOME_NOT_HTTP,
	OUTCOME_TOO_LARGE,
	OUTCOME_CONNECT,
	OUTCOME_NETWORK,
	OUTCOME_SYSTEM,
	OUTCOME_INTERRUPTED,
	OUTCOME_TLS,
	OUTCOME_REDIRECT,
	OUTCOME_PROXY,
	OUTCOME_COUNT /* not an outcome: how many there are */
};

struct event_base;
struct evdns_base;
struct event;
struct options;
struct output;
struct targets;
struct sched;
struct http_request;
struct fetch;
struct stats;
struct checkpoint;

/* The whole state of one run; main() owns it and passes it everywhere. */
struct awget {
	const struct options *opts;
	struct event_base *base;
	struct evdns_base *dns;
	struct event *deadline; /* fetch.c's: the oldest fetch's deadline */
	const struct timeval *connect_timeout; /* the same, or NULL: none */
	const struct http_request *req;        /* what every target is sent */
	struct ssl_ctx_st *tls; /* HTTPS, or NULL: tls_error says why */
	char tls_error[256];
	struct bio_method_st *tls_bio; /* conn_tls.c's BIO, made once */
	struct targets *targets;
	struct output *out;
	struct sched *sched;
	struct stats *stats;     /* what the run has done, for --stats */
	struct checkpoint *ckpt; /* -o, the flush tick, --state, --resume */
	/* In flight, in start order: every target has the same -t, so this is
	 * also deadline order, and one timer serves them all. */
	TAILQ_HEAD(, fetch) fetches;
	struct buf request; /* fetch_send's: the request being written */
	struct buf json;    /* report.c's: the JSON object being made */
	/* fetch_receive's: each read lands here, then in its target's head. */
	char rbuf[AWGET_READ_SIZE];
};

#endif /* AWGET_H */
