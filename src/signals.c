/*
 * signals.c: SIGINT and SIGTERM, which stop a run.
 *
 * libevent's own signal events install their handler with SA_RESTART:
 * a write to a stdout whose reader has stopped reading would then restart
 * after the signal and block for as long as the reader sleeps. Here the
 * handler is installed without it, so the blocked write returns (EINTR,
 * or the bytes it wrote so far); output.c then sees signals_caught() and
 * stops waiting, and the event loop hears of the signal through a pipe,
 * as it would through libevent's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "signals.h"

/* Global because a signal handler can reach nothing else. */
static volatile sig_atomic_t caught;
static int wake_fd = -1;

static void
on_signal(int sig)
{
	int saved = errno;

	caught = sig;
	/* Full (already woken) or not, the loop will look. */
	if (write(wake_fd, "", 1) == -1) {
	}
	errno = saved;
}

int
signals_catch(void)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	struct sigaction sa;
	int fds[2];
	size_t i;

	if (wake_fd != -1 || pipe(fds) == -1)
		return -1;
	for (i = 0; i < 2; i++)
		if (fcntl(fds[i], F_SETFL, O_NONBLOCK) == -1 ||
		    fcntl(fds[i], F_SETFD, FD_CLOEXEC) == -1)
			return -1;
	wake_fd = fds[1];
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: see above */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			return -1;
	return fds[0];
}

int
signals_caught(void)
{
	return caught;
}

void
signals_drain(int fd)
{
	char b[64];

	while (read(fd, b, sizeof(b)) > 0)
		continue;
}
