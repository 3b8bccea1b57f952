#!/usr/bin/env bash
# tests/longrun.sh: what a long run needs, end to end on loopback: the
# progress line (under a pseudo-terminal made by script(1)), --stats,
# --rate, --connect-timeout and --retry, against a real nginx and the
# scripted test server. Timing checks have generous bounds: they tell a
# working limit from a missing one, not a fast machine from a slow one.
# Prints one TAP line per check.
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/longrun.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
TESTD=${TESTD:?set TESTD to the awget-testd binary}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/servers.sh"
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-longrun.XXXXXX)
chmod 755 "$T" # nginx workers drop to nobody
NGINX_PID= TESTD_PID= FLAKY_PID=
cleanup() {
	stop_pid "$NGINX_PID"
	stop_pid "$TESTD_PID"
	stop_pid "$FLAKY_PID"
	rm -rf "$T"
}
trap cleanup EXIT

PORT=$(free_port)
nginx_start "$T/nginx" "$PORT" || {
	not_ok "nginx starts on 127.0.0.1:$PORT"
	exit 1
}
testd_start "$TESTD" 300 slow_headers flaky_full normal
FULL="127.0.0.1:$TESTD_PORT_flaky_full"
CLOSED=$(free_port) # nothing listens here: connection refused

# A fresh test server whose first connection is reset; sets FLAKY.
flaky_start() {
	stop_pid "$FLAKY_PID"
	local TESTD_PID
	testd_start "$TESTD" 60 flaky_rst_first
	FLAKY_PID=$TESTD_PID
	FLAKY="127.0.0.1:$TESTD_PORT_flaky_rst_first"
}

# Seconds since the epoch, to the millisecond.
now() {
	date +%s.%N | cut -c1-14
}

# within DESC LOW HIGH: the last timed run ($took) is in [LOW, HIGH] s.
within() {
	if awk -v t="$took" -v lo="$2" -v hi="$3" \
		'BEGIN { exit !(t >= lo && t <= hi) }'; then
		ok "$1 (${took} s)"
	else
		not_ok "$1" "took $took s, want $2 to $3"
	fi
}

# timed ARGS...: aw, and the seconds it took in $took.
timed() {
	local t0
	t0=$(now)
	aw "$@"
	took=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
}

for i in $(seq 1 60); do echo "127.0.2.$i:$PORT"; done >"$T/t60"

## --rate: 60 targets at 20 a second take about 3 s, and all are fetched.
timed --rate 20 -i "$T/t60"
within "--rate 20: 60 targets take about 3 s" 2.5 8
if [ "$rc" = 0 ] && [ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 60 ]; then
	ok "--rate 20: all 60 fetched"
else
	not_ok "--rate 20: all 60 fetched" "rc=$rc" "$(head -3 "$T/err")"
fi
timed -i "$T/t60"
within "without --rate: the same 60 take well under a second" 0 1
timed --rate 1000 -i "$T/t60"
within "--rate 1000: no slower than it needs" 0 1
## Retries pay for their connections too: 3 targets with 3 retries each
## are 12 connections, 1.2 s at 10 a second (their pauses overlap).
timed --rate 10 --retry 3 "127.0.0.1:$CLOSED/a" "127.0.0.1:$CLOSED/b" \
	"127.0.0.1:$CLOSED/c" "127.0.0.1:$PORT"
within "--rate 10 --retry 3: every connection takes a token" 1.2 6

## --connect-timeout: a connect that hangs (a full accept queue drops our
## SYN) is given up after its own limit, well inside -t.
timed --connect-timeout 0.5 -t 30 "$FULL"
printf 'awget: %s: timed out in phase connect\n' "$FULL" >"$T/want"
check_file "--connect-timeout: a hanging connect ends in phase connect" \
	"$T/want" "$T/err"
within "--connect-timeout 0.5: given up after about 0.5 s, not -t 30" 0.4 5
timed -t 1 "$FULL"
check_file "without it, -t ends the same hanging connect" "$T/want" "$T/err"
within "-t 1: the deadline alone, about 1 s" 0.9 5
aw -j --connect-timeout 0.2 "$FULL"
printf '%s\n' '["timeout","connect","timed out in phase connect"]' >"$T/want"
jq -c '[.error_class, .phase, .error]' "$T/out" >"$T/got" 2>&1
check_file "--connect-timeout, -j: class timeout, phase connect" \
	"$T/want" "$T/got"
## A server that is slow but alive keeps the whole -t: slow_headers sends
## a line a second, far past the connect limit.
timed --connect-timeout 0.2 -t 10 "127.0.0.1:$TESTD_PORT_slow_headers"
if [ "$rc" = 0 ] && grep -q ' header > Content-Length: 2$' "$T/out" &&
	[ ! -s "$T/err" ]; then
	ok "--connect-timeout 0.2: a slow server still gets all of -t"
else
	not_ok "--connect-timeout 0.2: a slow server still gets all of -t" \
		"rc=$rc" "$(head -3 "$T/err")"
fi

## --retry: a reset before any answer is tried again.
flaky_start
aw "$FLAKY"
printf 'awget: %s: connection reset by peer\n' "$FLAKY" >"$T/want"
check_file "flaky server, no --retry: its first connection is reset" \
	"$T/want" "$T/err"
aw "$FLAKY"
if [ "$rc" = 0 ] && [ -s "$T/out" ]; then
	ok "flaky server: its second connection is answered"
else
	not_ok "flaky server: its second connection is answered" "rc=$rc"
fi
flaky_start
aw -j --retry 1 "$FLAKY"
if [ "$rc" = 0 ] && [ ! -s "$T/err" ] &&
	[ "$(jq -c '[.status, .retries]' "$T/out")" = "[200,1]" ]; then
	ok "--retry 1: the reset is retried and the target fetched, retries 1"
else
	not_ok "--retry 1: the reset is retried" "rc=$rc" "$(cat "$T/out" "$T/err")"
fi

## --retry N makes N more attempts at most, then one error line.
aw -v --retry 2 "127.0.0.1:$CLOSED"
n=$(grep -c "^127.0.0.1:$CLOSED: connect 127.0.0.1 port $CLOSED\$" "$T/err")
e=$(grep -c '^awget: ' "$T/err")
if [ "$rc" = 1 ] && [ "$n" = 3 ] && [ "$e" = 1 ] &&
	grep -q "^awget: 127.0.0.1:$CLOSED: connection refused\$" "$T/err"; then
	ok "--retry 2, refused: 3 connects, one error line"
else
	not_ok "--retry 2, refused: 3 connects, one error line" \
		"rc=$rc connects=$n errors=$e"
fi
timed -v --connect-timeout 0.3 --retry 2 -t 20 "$FULL"
n=$(grep -c "connect timed out\$" "$T/err")
e=$(grep -c '^awget: ' "$T/err")
if [ "$n" = 3 ] && [ "$e" = 1 ] &&
	grep -q "^awget: $FULL: timed out in phase connect\$" "$T/err"; then
	ok "--retry 2 --connect-timeout 0.3: 3 timed-out connects, one line"
else
	not_ok "--retry 2 --connect-timeout 0.3: 3 timed-out connects" \
		"timeouts=$n errors=$e"
fi
within "--retry 2 --connect-timeout 0.3: about 1.2 s in all" 1 6
## Retries stay inside the deadline: no pause that -t would cut short.
timed -v --retry 100 -t 1 "127.0.0.1:$CLOSED"
n=$(grep -c ': retry [0-9]* in ' "$T/err")
printf 'awget: 127.0.0.1:%s: connection refused\n' "$CLOSED" >"$T/want"
grep '^awget: ' "$T/err" >"$T/got"
check_file "--retry 100 -t 1: the last error, not a timeout" "$T/want" "$T/got"
if [ "$n" -ge 2 ] && [ "$n" -le 5 ]; then
	ok "--retry 100 -t 1: only the retries that fit ($n)"
else
	not_ok "--retry 100 -t 1: only the retries that fit" "$n retries"
fi
within "--retry 100 -t 1: ends inside its deadline" 0 1.5
## Exactly one outcome per target, retried or not, in one run.
flaky_start
aw -c 2 --retry 2 "$FLAKY" "127.0.0.1:$CLOSED" "$FULL" \
	"127.0.0.1:$PORT" "bad:0" --connect-timeout 0.2
for t in "$FLAKY" "127.0.0.1:$PORT"; do
	printf '%s\n' "$t"
done | sort >"$T/want"
awk '{ print $1 }' "$T/out" | sort -u >"$T/got"
grep -o '^awget: [^ ]*:' "$T/err" | sed 's/^awget: //; s/:$//' |
	sort >"$T/got.err"
printf '%s\n' "127.0.0.1:$CLOSED" "$FULL" "bad:0" | sort >"$T/want.err"
if [ "$rc" = 1 ] && cmp -s "$T/want" "$T/got" &&
	cmp -s "$T/want.err" "$T/got.err"; then
	ok "--retry 2, five targets: each one outcome, headers or one line"
else
	not_ok "--retry 2, five targets: each one outcome" "rc=$rc" \
		"$(cat "$T/got" "$T/got.err")"
fi

## --stats: the summary, after every target's outcome.
aw --stats "127.0.0.1:$PORT" "127.0.0.2:$PORT" "127.0.0.1:$PORT/missing" \
	"127.0.0.1:$CLOSED" "bad:0"
sed -E 's/retries 0, [0-9]+\.[0-9]{3} s, [0-9.]+ targets\/s$/retries 0, TIME/' \
	"$T/err" | grep '^stats: ' >"$T/got"
cat >"$T/want" <<EOF
stats: targets 5, succeeded 3, failed 2, retries 0, TIME
stats: failed by class: invalid_target 1, refused 1
stats: responses by status: 2xx 2, 4xx 1
EOF
check_file "--stats: targets, failures by class, responses by status" \
	"$T/want" "$T/got"
if [ "$(tail -3 "$T/err" | grep -c '^stats: ')" = 3 ] &&
	[ "$(grep -c '^awget: ' "$T/err")" = 2 ]; then
	ok "--stats: the summary comes last, the error lines stay"
else
	not_ok "--stats: the summary comes last" "$(cat "$T/err")"
fi
aw -j --stats "127.0.0.1:$PORT" "127.0.0.1:$CLOSED"
if [ "$(jq -s length "$T/out")" = 2 ] &&
	[ "$(grep -c '^stats: ' "$T/err")" = 3 ]; then
	ok "--stats with -j: two objects on stdout, the summary on stderr"
else
	not_ok "--stats with -j" "$(cat "$T/err")"
fi

## The progress line: never when stderr is not a terminal ...
{
	cat "$T/t60"
	echo "127.0.0.1:$CLOSED"
} >"$T/t61"
aw -i "$T/t61"
if [ "$(cat "$T/err")" = "awget: 127.0.0.1:$CLOSED: connection refused" ]; then
	ok "stderr not a terminal: no progress line"
else
	not_ok "stderr not a terminal: no progress line" "$(cat -v "$T/err" | head -3)"
fi
## ... unless --progress forces it; error lines start on a cleared line.
timed --progress --rate 40 -i "$T/t61"
esc=$(printf '\033')
cr=$(printf '\r')
draws=$(grep -o "${cr}awget: [0-9]*/61 ([0-9.]*%) done, [^$esc]*$esc\[K" \
	"$T/err" | wc -l)
if [ "$draws" -ge 2 ] && grep -q "ETA " "$T/err"; then
	ok "--progress: the line is drawn, with the total (61) and an ETA"
else
	not_ok "--progress: the line is drawn" "$(cat -v "$T/err" | head -c 300)"
fi
max=$(awk -v t="$took" 'BEGIN { print int(t * 4) + 2 }')
if [ "$draws" -le "$max" ]; then
	ok "--progress: at most 4 redraws a second ($draws in $took s)"
else
	not_ok "--progress: at most 4 redraws a second" "$draws in $took s"
fi
if grep -q "${cr}${esc}\[Kawget: 127.0.0.1:$CLOSED: connection refused\$" \
	"$T/err"; then
	ok "--progress: the error line is written on a cleared line, whole"
else
	not_ok "--progress: the error line on a cleared line" \
		"$(cat -v "$T/err" | tail -c 300)"
fi
# Without the draws and erases, stderr is its error line alone; and the
# last draw is erased.
perl -0pe 's/\r\e\[K//g; s/\rawget: [^\e]*\e\[K//g' "$T/err" >"$T/got"
printf 'awget: 127.0.0.1:%s: connection refused\n' "$CLOSED" >"$T/want"
check_file "--progress: nothing but the line, its erasing and error lines" \
	"$T/want" "$T/got"
if perl -0ne 'exit !/\rawget: [^\e]*\e\[K(?!.*\rawget: ).*\r\e\[K/s' \
	"$T/err"; then
	ok "--progress: the line is erased at the end"
else
	not_ok "--progress: the line is erased at the end" \
		"$(tail -c 100 "$T/err" | cat -v)"
fi
if [ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 60 ]; then
	ok "--progress: stdout is untouched"
else
	not_ok "--progress: stdout is untouched"
fi
## With --errors FILE the line stays on stderr: the file gets the error
## line alone, no \r and no escape.
aw --progress --rate 40 -i "$T/t61" --errors "$T/errfile"
if [ "$(cat "$T/errfile")" = "awget: 127.0.0.1:$CLOSED: connection refused" ] &&
	grep -q "${cr}awget: [0-9]*/61 " "$T/err" && ! grep -q 'connection refused' "$T/err"; then
	ok "--progress --errors FILE: the line on stderr, the file only its error line"
else
	not_ok "--progress --errors FILE" "file: $(cat -v "$T/errfile" | head -c 300)" \
		"stderr: $(cat -v "$T/err" | head -c 200)"
fi
## Standard input cannot be counted without holding it: no total, no ETA.
aw --progress --rate 40 <"$T/t61"
if grep -q "${cr}awget: [0-9]* done, " "$T/err" && ! grep -q "ETA" "$T/err"; then
	ok "--progress from stdin: done count without a total or ETA"
else
	not_ok "--progress from stdin: no total" "$(cat -v "$T/err" | head -c 300)"
fi

## On a terminal (a pseudo-terminal from script(1)), by default.
if command -v script >/dev/null; then
	# script(1) runs the command on a pty: stderr is a terminal there.
	pty() {
		timeout -k 5 60 script -qfec "$*" /dev/null </dev/null >"$T/pty" 2>&1
		rc=$?
	}
	pty "'$AWGET' --rate 40 -i '$T/t61' >'$T/out'"
	if grep -q "${cr}awget: [0-9]*/61 ([0-9.]*%) done, " "$T/pty" &&
		grep -q "${cr}${esc}\[Kawget: 127.0.0.1:$CLOSED: connection refused" "$T/pty"; then
		ok "terminal: the progress line by default, error lines not mangled"
	else
		not_ok "terminal: the progress line by default" \
			"$(cat -v "$T/pty" | head -c 300)"
	fi
	if [ "$rc" = 1 ] && [ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 60 ]; then
		ok "terminal: every target fetched, exit status 1 for the refused one"
	else
		not_ok "terminal: every target fetched" "rc=$rc"
	fi
	# A line that wraps could not be erased: it is cut to the width.
	pty "stty cols 50; '$AWGET' --rate 40 -i '$T/t61' >'$T/out'"
	long=$(tr '\r' '\n' <"$T/pty" | grep '^awget: [0-9]*/61 ' |
		sed "s/$esc\[K\$//" | awk 'length($0) > 49' | wc -l)
	draws=$(tr '\r' '\n' <"$T/pty" | grep -c '^awget: [0-9]*/61 ')
	if [ "$draws" -ge 1 ] && [ "$long" = 0 ]; then
		ok "terminal 50 columns wide: the progress line is cut to 49"
	else
		not_ok "terminal 50 columns wide: the line is cut" \
			"$draws draws, $long too long"
	fi
	pty "'$AWGET' --no-progress --rate 40 -i '$T/t61' >'$T/out'"
	if ! grep -q " done, " "$T/pty" &&
		grep -q "^awget: 127.0.0.1:$CLOSED: connection refused" "$T/pty"; then
		ok "terminal, --no-progress: no progress line"
	else
		not_ok "terminal, --no-progress: no progress line" \
			"$(cat -v "$T/pty" | head -c 300)"
	fi
else
	ok "# SKIP terminal progress: no script(1) here"
fi

## Memory errors in these paths under valgrind. Regress:
## --connect-timeout's timer was used after it was freed.
if ! memcheck --progress --stats --rate 200 --retry 1 --connect-timeout 0.3 \
	-t 5 "127.0.0.1:$PORT" "127.0.0.2:$PORT" "127.0.0.1:$CLOSED" "$FULL" \
	"https://127.0.0.1:$TESTD_PORT_normal/" "https://$FULL/"; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ "$rc" = 1 ] && [ -z "$memerr" ]; then
	ok "valgrind: no invalid read or write with the long-run options"
else
	not_ok "valgrind: no invalid read or write" "rc=$rc" "$memerr"
fi

echo "# longrun: done"
