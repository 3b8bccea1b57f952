/*
 * main.c: wiring only. Parse the options, open the input, build the run's
 * context (event base, resolver, request, output), start the scheduler,
 * run the loop, and turn the outcome into an exit status.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "awget.h"
#include "checkpoint.h"
#include "conn_stage.h"
#include "dns.h"
#include "escape.h"
#include "fetch.h"
#include "http.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "sched.h"
#include "signals.h"
#include "stats.h"
#include "targets.h"
#include "tls.h"

/* Descriptors kept for stdio, the resolver and the event base itself. */
#define RESERVED_FDS 32

static void __attribute__((noreturn)) usage_error(const char *msg)
{
	fprintf(stderr, "awget: %s (try 'awget --help')\n", msg);
	exit(AWGET_EXIT_USAGE);
}

/*
 * Raise the soft open-files limit to the hard one, and keep the
 * concurrency below it so that a full run never meets EMFILE.
 */
static int
fit_concurrency(int want)
{
	struct rlimit rl;
	long room;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)1 << 30)
		return want;
	room = (long)rl.rlim_cur - RESERVED_FDS;
	if (room < 1)
		room = 1;
	if (want <= room)
		return want;
	fprintf(stderr,
	    "awget: concurrency %d lowered to %ld by the open files limit\n",
	    want, room);
	return (int)room;
}

/* A file name fit for the terminal: escaped as server bytes are. */
static const char *
input_name(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);

	if (strcmp(path, "-") == 0)
		return "stdin";
	if (n > (len - 1) / 4)
		n = (len - 1) / 4;
	buf[escape_bytes(buf, path, n)] = '\0';
	return buf;
}

/*
 * Open /dev/null on any of descriptors 0-2 that is closed, as OpenBSD's
 * tools and coreutils do: else the first descriptor opened (the event
 * base's) takes its number, and output meant for stdout goes into it.
 */
static void
open_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(AWGET_EXIT_FAILED); /* nowhere to say so */
	}
}

/* A reader over the arguments, or over fd if it is not -1: --shard set. */
static struct targets *
reader(const struct options *o, int fd)
{
	struct targets *ts = fd == -1
	    ? targets_from_args(o->targets, o->ntargets)
	    : targets_from_fd(fd);

	if (o->shard_n != 0)
		targets_shard(ts, o->shard_k, o->shard_n);
	if (o->ports.n > 0)
		targets_ports(ts, &o->ports);
	return ts;
}

/*
 * Whether fd can be read as a list: a directory opens, but its first
 * read fails, after the run has begun; say so before (errno set).
 */
static int
readable_file(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return 0;
	}
	return 1;
}

static struct targets *
open_targets(const struct options *o)
{
	char name[1024];
	int fd;

	if (o->input == NULL)
		return reader(o, -1);
	fd = strcmp(o->input, "-") == 0 ? 0
	                                : open(o->input, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || !readable_file(fd)) {
		fprintf(stderr, "awget: %s: %s\n",
		    input_name(o->input, name, sizeof(name)), strerror(errno));
		exit(AWGET_EXIT_USAGE);
	}
	return reader(o, fd);
}

/*
 * How many targets the run has, for the progress line's ETA; 0 if that
 * cannot be known without holding the input: from standard input, or
 * from a file that is not a regular one. A file is read through once
 * more, in the reader's bounded buffer.
 */
static unsigned long long
count_targets(const struct options *o)
{
	struct targets *ts;
	struct stat st;
	unsigned long long n;
	int fd = -1;

	if (o->input != NULL) {
		if (strcmp(o->input, "-") == 0 ||
		    (fd = open(o->input, O_RDONLY | O_CLOEXEC)) == -1)
			return 0;
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			close(fd);
			return 0;
		}
	}
	ts = reader(o, fd);
	n = targets_count(ts);
	targets_free(ts);
	return n;
}

/*
 * libevent's own messages (a nameserver marked down, say) would break the
 * one-line-per-target contract on stderr; each target reports its own error.
 */
static void
drop_log(int severity, const char *msg)
{
	(void)severity;
	(void)msg;
}

/*
 * Write what is left for stdout. Documented: a write error, or a reader
 * that closed stdout early, means 1 (the latter quietly).
 */
static int
flush_stdout(struct output *o)
{
	if (output_flush(o) == 0)
		return AWGET_EXIT_OK;
	if (output_error_number(o) != 0)
		fprintf(stderr, "awget: stdout: write error: %s\n",
		    strerror(output_error_number(o)));
	return AWGET_EXIT_FAILED;
}

/* --resume: a position the checkpoint has done is not fetched again. */
static int
skip_done(const void *cp, unsigned long long pos)
{
	return checkpoint_skip(cp, pos);
}

/* SIGINT or SIGTERM: stop where we are, keeping what is already done. */
static void
on_signal(evutil_socket_t fd, short what, void *arg)
{
	struct awget *ctx = arg;

	(void)what;
	signals_drain(fd);
	sched_stop(ctx->sched);
}

int
main(int argc, char **argv)
{
	struct awget ctx;
	struct options opts;
	struct event_config *cfg;
	struct http_request *req;
	struct event *ev_signal;
	struct sched_owner own;
	struct stats stats;
	struct progress *progress = NULL;
	const char *errstr;
	char err[256], name[1024], msg[2048];
	enum options_result opts_result;
	int concurrency, status, show_progress, fd, i, out_fd, err_fd;

	open_std_fds();
	/*
	 * A target is a few small blocks freed together when it ends; glibc
	 * keeps such blocks in fastbins, never merged, and at -c 1000 the heap
	 * grew to 1272 KiB with about 1000 KiB in use (massif). Without
	 * fastbins freed blocks merge and are reused: peak RSS falls by 0.4
	 * MiB.
	 */
#ifdef M_MXFAST
	mallopt(M_MXFAST, 0);
#endif
	memset(&ctx, 0, sizeof(ctx));
	memset(&stats, 0, sizeof(stats));
	ctx.stats = &stats;
	TAILQ_INIT(&ctx.fetches);
	ctx.out = output_new(1, 2);
	opts_result = options_parse(&opts, argc, argv, err, sizeof(err));
	switch (opts_result) {
	case OPTIONS_OK:
		break;
	case OPTIONS_HELP:
	case OPTIONS_VERSION:
		output_text(ctx.out,
		    opts_result == OPTIONS_HELP ? options_usage()
		                                : "awget " AWGET_VERSION "\n");
		status = flush_stdout(ctx.out);
		output_free(ctx.out);
		options_free(&opts);
		return status;
	case OPTIONS_ERROR:
		usage_error(err);
	}
	ctx.opts = &opts;
	ctx.targets = open_targets(&opts);
	/* A reader that goes away must not kill us before we flush. */
	signal(SIGPIPE, SIG_IGN);
	concurrency = fit_concurrency(opts.concurrency);

	event_set_log_callback(drop_log);
	if ((cfg = event_config_new()) == NULL)
		fatalx("cannot create the event configuration");
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	/* conn.c registers each socket once, for edges and the peer's end
	 * (epoll's EPOLLET and EPOLLRDHUP). */
	event_config_require_features(cfg,
	    EV_FEATURE_ET | EV_FEATURE_EARLY_CLOSE);
	if ((ctx.base = event_base_new_with_config(cfg)) == NULL)
		fatalx("no event backend with edge triggering (epoll): "
		       "is EVENT_NOEPOLL set?");
	event_config_free(cfg);
	if ((ctx.dns = dns_new(ctx.base, concurrency, opts.resolver,
	         &opts.timeout, &errstr)) == NULL)
		fatalx("%s", errstr);
	fetch_init(&ctx);
	if (timerisset(&opts.connect_timeout))
		ctx.connect_timeout = event_base_init_common_timeout(ctx.base,
		    &opts.connect_timeout);
	req = http_request_new(opts.method, opts.http10, opts.user_agent,
	    opts.headers, opts.nheaders);
	ctx.req = req;
	/*
	 * A CA file given is read now, so a bad one stops the run before it
	 * starts. The system store (255M instructions, 6 MiB) is read only
	 * when the first https:// target needs it: see fetch_start.
	 */
	if (opts.cacert != NULL &&
	    (ctx.tls = tls_ctx_new(opts.cacert, &opts, ctx.tls_error,
	         sizeof(ctx.tls_error))) == NULL) {
		/* An option's own error names it ("--ciphers X: ..."). */
		if (strncmp(ctx.tls_error, "--", 2) == 0)
			fprintf(stderr, "awget: %s\n", ctx.tls_error);
		else
			fprintf(stderr, "awget: %s: %s\n",
			    input_name(opts.cacert, name, sizeof(name)),
			    ctx.tls_error);
		exit(AWGET_EXIT_USAGE);
	}
	/* -o and --errors, and --resume's checks: after every other usage
	 * check, for a file is cut only once the run is sure to start. */
	if ((ctx.ckpt = checkpoint_new(&opts, &out_fd, &err_fd, msg,
	         sizeof(msg))) == NULL) {
		fprintf(stderr, "awget: %s\n", msg);
		exit(AWGET_EXIT_USAGE);
	}
	if (out_fd != 1 || err_fd != 2) {
		output_free(ctx.out);
		ctx.out = output_new(out_fd, err_fd);
	}
	own.start = fetch_start;
	own.skip = skip_done;
	own.skip_arg = ctx.ckpt;
	ctx.sched = sched_new(&ctx, concurrency, &own);
	checkpoint_start(ctx.ckpt, &ctx);
	if ((fd = signals_catch()) == -1 ||
	    (ev_signal = event_new(ctx.base, fd, EV_READ | EV_PERSIST,
	         on_signal, &ctx)) == NULL ||
	    event_add(ev_signal, NULL) == -1)
		fatal("cannot catch signals");

	/* By default only a person watching a terminal gets the line. */
	show_progress =
	    opts.progress == 1 || (opts.progress == -1 && isatty(2));
	if (show_progress)
		stats.total = count_targets(&opts);
	stats.start_us = monotonic_us();
	if (show_progress)
		progress = progress_new(&ctx);
	sched_fill(ctx.sched);
	if (!sched_finished(ctx.sched))
		event_base_dispatch(ctx.base);
	progress_free(progress);

	/* Interrupted: the checkpoint first, with the targets in flight
	 * still to do; then say which got no answer. A closed stdout means
	 * nobody is listening, so stop quietly. */
	if (signals_caught() != 0)
		checkpoint_save(ctx.ckpt);
	fetch_abort_all(&ctx, signals_caught() != 0 ? "interrupted" : NULL);
	/*
	 * Cancelled lookups free themselves in callbacks the loop runs. A
	 * pass ends early when the scheduler, kicked by an aborted fetch,
	 * breaks the loop: run passes while callbacks are due (a few).
	 */
	for (i = 0; i < 64 &&
	     event_base_get_num_events(ctx.base, EVENT_BASE_COUNT_ACTIVE) > 0;
	     i++)
		event_base_loop(ctx.base, EVLOOP_NONBLOCK);
	if (targets_error(ctx.targets) != 0)
		output_error(ctx.out,
		    input_name(opts.input, name, sizeof(name)),
		    "read error: %s", strerror(targets_error(ctx.targets)));
	if (signals_caught() == 0)
		checkpoint_save(ctx.ckpt); /* the end: all read is done */
	if (opts.stats) {
		struct buf summary = {0};

		stats_summary(&stats, monotonic_us(), &summary);
		output_stats(ctx.out, summary.data, summary.len);
		buf_free(&summary);
	}
	status = AWGET_EXIT_OK;
	if (stats.failed > 0 || targets_error(ctx.targets) != 0)
		status = AWGET_EXIT_FAILED;
	if (flush_stdout(ctx.out) != AWGET_EXIT_OK)
		status = AWGET_EXIT_FAILED;
	if (signals_caught() != 0)
		status = 128 + signals_caught();

	event_free(ev_signal);
	close(fd);
	sched_free(ctx.sched);
	fetch_fini(&ctx);
	http_request_free(req);
	dns_free(ctx.dns);
	conn_tls_cleanup(&ctx);
	tls_ctx_free(ctx.tls);
	checkpoint_free(ctx.ckpt); /* its tick, and the files written */
	event_base_free(ctx.base);
	targets_free(ctx.targets);
	output_free(ctx.out);
	buf_free(&ctx.request);
	buf_free(&ctx.json);
	options_free(&opts);
	return status;
}
