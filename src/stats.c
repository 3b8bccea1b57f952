/*
 * stats.c: counting outcomes and saying where a run stands. Pure: the
 * caller brings the time, and progress.c or main writes the text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "awget.h"
#include "stats.h"
#include "util.h"

/* error_class in JSON and --stats: one stable word per outcome. */
static const char *const stats_classes[] = {
    [OUTCOME_OK] = NULL,
    [OUTCOME_INVALID_TARGET] = "invalid_target",
    [OUTCOME_RESOLVE] = "resolve",
    [OUTCOME_REFUSED] = "refused",
    [OUTCOME_TIMEOUT] = "timeout",
    [OUTCOME_CLOSED] = "closed",
    [OUTCOME_RESET] = "reset",
    [OUTCOME_NOT_HTTP] = "not_http",
    [OUTCOME_TOO_LARGE] = "too_large",
    [OUTCOME_CONNECT] = "connect",
    [OUTCOME_NETWORK] = "network",
    [OUTCOME_SYSTEM] = "system",
    [OUTCOME_INTERRUPTED] = "interrupted",
    [OUTCOME_TLS] = "tls",
    [OUTCOME_REDIRECT] = "redirect",
    [OUTCOME_PROXY] = "proxy",
};

const char *
stats_class(enum outcome outcome)
{
	if ((unsigned)outcome >= OUTCOME_COUNT)
		return "unknown";
	return stats_classes[outcome];
}

void
stats_done(struct stats *st, enum outcome outcome, int status)
{
	st->done++;
	if ((unsigned)outcome < OUTCOME_COUNT)
		st->outcomes[outcome]++;
	if (outcome != OUTCOME_OK)
		st->failed++;
	else if (status >= 100 && status <= 999)
		st->status[status / 100]++;
}

/* Milliseconds from the run's start to now_us, never negative. */
static long long
elapsed_ms(const struct stats *st, long long now_us)
{
	long long ms = (now_us - st->start_us) / 1000;

	return ms > 0 ? ms : 0;
}

/* "M:SS", or "H:MM:SS" from an hour on. */
static void
clock_text(long long secs, char *buf, size_t len)
{
	if (secs >= 3600)
		snprintf(buf, len, "%lld:%02lld:%02lld", secs / 3600,
		    secs / 60 % 60, secs % 60);
	else
		snprintf(buf, len, "%lld:%02lld", secs / 60, secs % 60);
}

size_t
stats_progress(const struct stats *st, unsigned long long inflight,
    long long now_us, char *buf, size_t len)
{
	long long ms = elapsed_ms(st, now_us);
	double rate = ms > 0 ? st->done * 1000.0 / ms : 0;
	char elapsed[32], eta[32], done[64];
	int n;

	clock_text(ms / 1000, elapsed, sizeof(elapsed));
	if (st->total > 0)
		snprintf(done, sizeof(done), "%llu/%llu (%.1f%%)", st->done,
		    st->total, st->done * 100.0 / st->total);
	else
		snprintf(done, sizeof(done), "%llu", st->done);
	if (st->total > st->done && rate > 0) {
		clock_text((long long)((st->total - st->done) / rate + 0.5),
		    eta, sizeof(eta));
		n = snprintf(buf, len,
		    "awget: %s done, %.1f/s, %llu in flight, %llu failed, "
		    "%s elapsed, ETA %s",
		    done, rate, inflight, st->failed, elapsed, eta);
	} else
		n = snprintf(buf, len,
		    "awget: %s done, %.1f/s, %llu in flight, %llu failed, "
		    "%s elapsed",
		    done, rate, inflight, st->failed, elapsed);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

/* Append printf output to b. */
static void buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_append(b, text,
		    (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

void
stats_summary(const struct stats *st, long long now_us, struct buf *b)
{
	long long ms = elapsed_ms(st, now_us);
	const char *sep = "";
	size_t i;

	buf_printf(b,
	    "stats: targets %llu, succeeded %llu, failed %llu, retries %llu, "
	    "%lld.%03lld s, %.1f targets/s\n",
	    st->done, st->done - st->failed, st->failed, st->retries, ms / 1000,
	    ms % 1000, ms > 0 ? st->done * 1000.0 / ms : 0.0);
	buf_printf(b, "stats: failed by class:");
	for (i = 0; i < OUTCOME_COUNT; i++)
		if (i != OUTCOME_OK && st->outcomes[i] > 0) {
			buf_printf(b, "%s %s %llu", sep, stats_classes[i],
			    st->outcomes[i]);
			sep = ",";
		}
	buf_printf(b, "%s\n", *sep == '\0' ? " none" : "");
	sep = "";
	buf_printf(b, "stats: responses by status:");
	for (i = 1; i < 10; i++)
		if (st->status[i] > 0) {
			buf_printf(b, "%s %zuxx %llu", sep, i, st->status[i]);
			sep = ",";
		}
	buf_printf(b, "%s\n", *sep == '\0' ? " none" : "");
}
