/*
 * checkpoint.c: the output files of a long run, the tick that flushes
 * them, and --state's checkpoints (see checkpoint.h and state.h).
 *
 * Why a checkpoint is exact: it is taken between events, when every
 * target either has no outcome yet (not started: at or above next; or in
 * flight: pending) or has all of its lines in the output buffers. The
 * buffers are written and fsync'd first, and the files' lengths noted
 * after: so every position below next but the pending ones has its lines
 * within those lengths, and no line of any other target is. --resume cuts
 * the files back to the lengths, skips those positions and runs the rest:
 * after a kill at any moment, every target is in the output once.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "awget.h"
#include "checkpoint.h"
#include "escape.h"
#include "fetch.h"
#include "options.h"
#include "output.h"
#include "sched.h"
#include "state.h"

struct checkpoint {
	struct awget *ctx;
	struct event *tick;
	const char *path;        /* --state's (or --resume's) file, or NULL */
	struct state done;       /* --resume's checkpoint */
	struct buf run;          /* this run's fingerprint */
	int out_fd, err_fd;      /* -o's and --errors' files, or -1 */
	long long saved_us;      /* the last checkpoint */
	unsigned int warned : 1; /* a checkpoint failed: said once */
};

static int ckpt_error(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
ckpt_error(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A file name fit for a message: escaped, and cut. */
static const char *
shown(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);

	if (n > (len - 1) / 4)
		n = (len - 1) / 4;
	buf[escape_bytes(buf, path, n)] = '\0';
	return buf;
}

/*
 * The input's line of the fingerprint: "input arguments", or the file's
 * name, size and SHA-256, read once now in chunks through a descriptor
 * of its own (stdin with pread, from where it stands). A pipe cannot be
 * read again, so cannot be resumed: a usage error.
 */
static int
fingerprint_input(const struct options *o, struct buf *b, char *msg, size_t len)
{
	char name[256], line[64];
	unsigned long long size;
	struct stat st;
	off_t at = 0;
	int fd, n, r;

	if (o->ntargets > 0) {
		buf_append(b, "input arguments\n", 16);
		return 0;
	}
	shown(strcmp(o->input, "-") == 0 ? "stdin" : o->input, name,
	    sizeof(name));
	fd = strcmp(o->input, "-") == 0 ? 0
	                                : open(o->input, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		ckpt_error(msg, len, "%s: %s", name, strerror(errno));
		if (fd > 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		if (fd != 0)
			close(fd);
		return ckpt_error(msg, len,
		    "--state: %s is not a regular file: a pipe cannot be read "
		    "again on --resume (use -i FILE)",
		    name);
	}
	if (fd == 0 && (at = lseek(0, 0, SEEK_CUR)) == -1)
		at = 0;
	buf_append(b, "input ", 6);
	buf_append(b, name, strlen(name));
	n = snprintf(line, sizeof(line), " %lld ",
	    (long long)(st.st_size - at));
	buf_append(b, line, (size_t)n);
	r = state_sha256_fd(b, fd, at, &size);
	buf_append(b, "\n", 1);
	if (fd != 0)
		close(fd);
	if (r != 0)
		return ckpt_error(msg, len, "%s: %s", name, strerror(errno));
	return 0;
}

/*
 * Open an output file, but change nothing yet: a refusal after this
 * must leave every file as it was. With --state it must be a regular
 * file (its length is what a checkpoint keeps); for --resume it must
 * exist, and have reached the checkpoint's length.
 */
static int
open_output(const char *path, const char *opt, int state, int resume,
    unsigned long long len, struct stat *st, char *msg, size_t msglen)
{
	char name[256];
	int fd, flags = O_WRONLY | O_CLOEXEC;

	shown(path, name, sizeof(name));
	if (state && stat(path, st) == 0 && !S_ISREG(st->st_mode))
		return ckpt_error(msg, msglen,
		    "%s %s: not a regular file, which --state needs", opt,
		    name);
	if (!resume)
		flags |= O_CREAT;
	if (state) /* a FIFO without a reader: refused, not waited for */
		flags |= O_NONBLOCK;
	if ((fd = open(path, flags, 0666)) == -1 || fstat(fd, st) == -1 ||
	    (state && fcntl(fd, F_SETFL, O_WRONLY) == -1)) {
		ckpt_error(msg, msglen, "%s %s: %s", opt, name,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (state && !S_ISREG(st->st_mode)) {
		ckpt_error(msg, msglen,
		    "%s %s: not a regular file, which --state needs", opt,
		    name);
		close(fd);
		return -1;
	}
	if (resume && (unsigned long long)st->st_size < len) {
		ckpt_error(msg, msglen,
		    "%s %s: %llu bytes, shorter than the checkpoint's %llu: "
		    "not this run's output",
		    opt, name, (unsigned long long)st->st_size, len);
		close(fd);
		return -1;
	}
	return fd;
}

/* Cut a file opened by open_output to len (0: a new run), and write on
 * from there. Not a regular file (a terminal, /dev/null): as it is. */
static int
cut_output(int fd, const struct stat *st, const char *path, const char *opt,
    unsigned long long len, char *msg, size_t msglen)
{
	char name[256];

	if (!S_ISREG(st->st_mode))
		return 0;
	if (ftruncate(fd, (off_t)len) == -1 ||
	    lseek(fd, (off_t)len, SEEK_SET) == -1)
		return ckpt_error(msg, msglen, "%s %s: %s", opt,
		    shown(path, name, sizeof(name)), strerror(errno));
	return 0;
}

/* Everything but the files: the state to check against. */
static int
check_resume(struct checkpoint *cp, const struct options *o, char *msg,
    size_t len)
{
	char name[256], why[1024];

	shown(o->resume, name, sizeof(name));
	if (state_load(o->resume, &cp->done, why, sizeof(why)) != 0)
		return ckpt_error(msg, len, "--resume %s: %s", name, why);
	if (state_compare(&cp->done.fingerprint, &cp->run, why, sizeof(why)) !=
	    0)
		return ckpt_error(msg, len,
		    "--resume %s: not this run's checkpoint: %s", name, why);
	return 0;
}

/* Whether a and b are one regular file (two /dev/null are not). */
static int
same_file(const struct stat *a, const struct stat *b)
{
	return a != NULL && b != NULL && S_ISREG(a->st_mode) &&
	    S_ISREG(b->st_mode) && a->st_dev == b->st_dev &&
	    a->st_ino == b->st_ino;
}

/* The file a path (or, for "-", stdin) names, or NULL for none. */
static const struct stat *
file_of(const char *path, struct stat *st)
{
	if (path == NULL)
		return NULL;
	if (strcmp(path, "-") == 0)
		return fstat(0, st) == 0 ? st : NULL;
	return stat(path, st) == 0 ? st : NULL;
}

/* The input, -o, --errors and --state must be four files: one written
 * over another would be lost, or the input cut before it is read. */
static int
check_distinct(const struct options *o, const struct checkpoint *cp,
    const struct stat *out_st, const struct stat *err_st, char *msg, size_t len)
{
	const struct stat *out = cp->out_fd != -1 ? out_st : NULL;
	const struct stat *err = cp->err_fd != -1 ? err_st : NULL;
	const struct stat *in, *state;
	struct stat in_buf, state_buf;

	in = o->ntargets > 0 ? NULL : file_of(o->input, &in_buf);
	state = cp->path != NULL && stat(cp->path, &state_buf) == 0 ? &state_buf
	                                                            : NULL;
	if (same_file(out, in) || same_file(out, err) || same_file(out, state))
		return ckpt_error(msg, len,
		    "-o: the same file as the input, "
		    "--errors or --state");
	if (same_file(err, in) || same_file(err, state))
		return ckpt_error(msg, len,
		    "--errors: the same file as the "
		    "input or --state");
	if (same_file(state, in))
		return ckpt_error(msg, len,
		    "--state: the same file as the input");
	return 0;
}

struct checkpoint *
checkpoint_new(const struct options *o, int *out, int *err, char *msg,
    size_t len)
{
	struct checkpoint *cp = xcalloc(1, sizeof(*cp));
	struct stat out_st, err_st;
	int resume = o->resume != NULL, state;

	cp->out_fd = cp->err_fd = -1;
	cp->path = o->state != NULL ? o->state : o->resume;
	state = cp->path != NULL;
	*out = 1;
	*err = 2;
	if (state && o->output == NULL) {
		ckpt_error(msg, len,
		    "%s needs -o FILE: the output it "
		    "checkpoints",
		    o->state != NULL ? "--state" : "--resume");
		goto fail;
	}
	if (state) {
		if (fingerprint_input(o, &cp->run, msg, len) != 0)
			goto fail;
		buf_append(&cp->run, o->fingerprint.data, o->fingerprint.len);
	}
	if (resume && check_resume(cp, o, msg, len) != 0)
		goto fail;
	if ((o->output != NULL &&
	        (cp->out_fd = open_output(o->output, "-o", state, resume,
	             cp->done.output_len, &out_st, msg, len)) == -1) ||
	    (o->errors != NULL &&
	        (cp->err_fd = open_output(o->errors, "--errors", state, resume,
	             cp->done.errors_len, &err_st, msg, len)) == -1) ||
	    check_distinct(o, cp, &out_st, &err_st, msg, len) != 0)
		goto fail;
	/* Every check passed: only now is a file changed. */
	if ((cp->out_fd != -1 &&
	        cut_output(cp->out_fd, &out_st, o->output, "-o",
	            cp->done.output_len, msg, len) != 0) ||
	    (cp->err_fd != -1 &&
	        cut_output(cp->err_fd, &err_st, o->errors, "--errors",
	            cp->done.errors_len, msg, len) != 0))
		goto fail;
	if (cp->out_fd != -1)
		*out = cp->out_fd;
	if (cp->err_fd != -1)
		*err = cp->err_fd;
	return cp;
fail:
	checkpoint_free(cp);
	return NULL;
}

void
checkpoint_free(struct checkpoint *cp)
{
	if (cp == NULL)
		return;
	if (cp->tick != NULL)
		event_free(cp->tick);
	if (cp->out_fd != -1)
		close(cp->out_fd);
	if (cp->err_fd != -1)
		close(cp->err_fd);
	state_free(&cp->done);
	buf_free(&cp->run);
	free(cp);
}

int
checkpoint_skip(const struct checkpoint *cp, unsigned long long pos)
{
	return cp != NULL && state_done(&cp->done, pos);
}

static int
by_position(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* The length of a file we write, all of it on disk; 0 for none. */
static int
synced_length(int fd, unsigned long long *len)
{
	off_t at;

	*len = 0;
	if (fd == -1)
		return 0;
	if (fsync(fd) == -1 || (at = lseek(fd, 0, SEEK_CUR)) == -1)
		return -1;
	*len = (unsigned long long)at;
	return 0;
}

/*
 * Write the output buffers, sync the files, and write the checkpoint:
 * 0, or -1 with why in msg (the last good checkpoint stays in place, and
 * stays true: resuming from it cuts what came after).
 */
static int
ckpt_write(struct checkpoint *cp, char *msg, size_t len)
{
	struct awget *ctx = cp->ctx;
	const struct options *o = ctx->opts;
	struct state st = {0};
	char name[256];
	size_t i;
	int r = -1;

	if (output_flush(ctx->out) != 0 || output_err_closed(ctx->out))
		return ckpt_error(msg, len, "the output could not be written");
	st.fingerprint = cp->run;
	st.next = sched_next(ctx->sched);
	st.npending = fetch_positions(ctx, &st.pending, cp->done.npending);
	st.npending += sched_held(ctx->sched, &st.pending[st.npending]);
	/* Resumed: what the checkpoint had still to do and this run has not
	 * reached yet is to do still; what it had done, done. */
	for (i = 0; i < cp->done.npending; i++)
		if (cp->done.pending[i] >= st.next)
			st.pending[st.npending++] = cp->done.pending[i];
	if (cp->done.next > st.next)
		st.next = cp->done.next;
	qsort(st.pending, st.npending, sizeof(*st.pending), by_position);
	if (synced_length(cp->out_fd, &st.output_len) != 0)
		ckpt_error(msg, len, "-o %s: %s",
		    shown(o->output, name, sizeof(name)), strerror(errno));
	else if (synced_length(cp->err_fd, &st.errors_len) != 0)
		ckpt_error(msg, len, "--errors %s: %s",
		    shown(o->errors, name, sizeof(name)), strerror(errno));
	else if (state_save(cp->path, &st) != 0)
		ckpt_error(msg, len, "--state %s: %s",
		    shown(cp->path, name, sizeof(name)), strerror(errno));
	else
		r = 0;
	free(st.pending);
	cp->saved_us = monotonic_us();
	return r;
}

/* A checkpoint failed: said once on stderr (the one descriptor left that
 * is not ours to cut back), and the run goes on; its last good one holds. */
static void
ckpt_failed(struct checkpoint *cp, const char *msg)
{
	if (cp->warned)
		return;
	cp->warned = 1;
	fprintf(stderr, "awget: cannot write a checkpoint: %s\n", msg);
}

void
checkpoint_save(struct checkpoint *cp)
{
	char msg[1024];

	if (cp->tick != NULL) /* the last: no tick after it */
		event_del(cp->tick);
	if (cp->path == NULL)
		output_flush(cp->ctx->out);
	else if (ckpt_write(cp, msg, sizeof(msg)) != 0)
		ckpt_failed(cp, msg);
}

/*
 * The tick: what is buffered goes out, so a finished target's lines
 * reach the kernel within AWGET_FLUSH_MS however slowly the run goes (in
 * large writes still when it goes fast); with --state, a checkpoint once
 * a second. Output that cannot be written stops the run, as in fetch_end.
 */
static void
checkpoint_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct checkpoint *cp = arg;
	char msg[1024];

	(void)fd;
	(void)what;
	if (cp->path != NULL &&
	    monotonic_us() - cp->saved_us >= AWGET_STATE_MS * 1000LL) {
		if (ckpt_write(cp, msg, sizeof(msg)) != 0)
			ckpt_failed(cp, msg);
	} else
		output_flush(cp->ctx->out);
	if (output_closed(cp->ctx->out) ||
	    (cp->path != NULL && output_err_closed(cp->ctx->out)))
		sched_stop(cp->ctx->sched);
}

void
checkpoint_start(struct checkpoint *cp, struct awget *ctx)
{
	static const struct timeval every = {AWGET_FLUSH_MS / 1000,
	    (AWGET_FLUSH_MS % 1000) * 1000};
	char msg[1024];

	cp->ctx = ctx;
	if ((cp->tick = event_new(ctx->base, -1, EV_PERSIST, checkpoint_on_tick,
	         cp)) == NULL ||
	    event_add(cp->tick, &every) == -1)
		fatalx("cannot start the flush timer");
	/* A checkpoint at once, so that a kill before the first tick
	 * resumes too; one that cannot be written stops the run before it
	 * starts (an old one from another run must not be taken for it). */
	if (cp->path != NULL && ckpt_write(cp, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "awget: %s\n", msg);
		exit(AWGET_EXIT_USAGE);
	}
}
