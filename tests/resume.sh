#!/usr/bin/env bash
# tests/resume.sh: -o, --errors, the flush tick, --state and --resume, end
# to end on loopback: runs of 20,000 targets to a real nginx killed with
# SIGKILL at random moments and resumed until done, whose outputs then
# hold every target exactly once (answers and error lines); the same with
# -j and SIGTERM, and with --shard; a finished target's lines in -o's
# file while a slow one holds the run; and every state file or option
# that --resume must refuse. Prints one TAP line per check.
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/resume.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
TESTD=${TESTD:?set TESTD to the awget-testd binary}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/servers.sh
. "$HERE/lib/servers.sh"
# shellcheck source=tests/lib/tap.sh
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-resume.XXXXXX)
chmod 755 "$T" # nginx workers drop to nobody
NGINX_PID='' TESTD_PID='' RUN_PID=''
cleanup() {
	[ -z "$RUN_PID" ] || kill -KILL "$RUN_PID" 2>/dev/null
	stop_pid "$NGINX_PID"
	stop_pid "$TESTD_PID"
	rm -rf "$T"
}
trap cleanup EXIT

PORT=$(free_port)
nginx_start "$T/nginx" "$PORT" || {
	not_ok "nginx starts on 0.0.0.0:$PORT"
	exit 1
}
testd_start "$TESTD" 120 normal silent || {
	not_ok "awget-testd starts"
	exit 1
}
CLOSED=$(free_port) # nothing listens here: connection refused

# targets N FILE: N distinct loopback targets 127.0.B.C:PORT/?I to nginx,
# every 100th to the closed port instead (an error line each).
targets() {
	awk -v n="$1" -v p="$PORT" -v c="$CLOSED" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "127.%d.%d.%d:%d/?%d\n", int(i / 64516), int(i / 254) % 254 + 1,
				i % 254 + 1, i % 100 ? p : c, i
	}' >"$2"
}

# killed_run SIGNAL SECONDS ARGS...: awget ARGS in the background, sent
# SIGNAL after SECONDS; sets rc (137 for SIGKILL), and alive=1 if it was
# still running when the signal came.
killed_run() {
	local sig=$1 secs=$2
	shift 2
	"$AWGET" "$@" 2>>"$T/stderr" &
	RUN_PID=$!
	sleep "$secs"
	alive=0
	kill -0 "$RUN_PID" 2>/dev/null && alive=1
	kill "-$sig" "$RUN_PID" 2>/dev/null
	{ wait "$RUN_PID"; } 2>/dev/null # no "Killed" from bash
	rc=$?
	RUN_PID=''
}

# once LIST OUT ERR DESC: every target of LIST has exactly one outcome:
# one status line in OUT (text) or one error line in ERR, never both.
once() {
	local list=$1 out=$2 errs=$3 desc=$4 bad
	awk '/ header > HTTP\/1\.1 200 OK$/ { print $1 }' "$out" >"$T/answered"
	sed -n 's/^awget: \(.*\): connection refused$/\1/p' "$errs" >"$T/failed"
	bad=$(grep -c -v -E '^127\.[0-9.]+:[0-9]+/\?[0-9]+ header > [^[:cntrl:]]+$' "$out")
	sort "$T/answered" "$T/failed" >"$T/union"
	sort "$list" >"$T/want"
	if [ "$bad" = 0 ] && cmp -s "$T/want" "$T/union" &&
		[ "$(wc -l <"$T/failed")" = "$(grep -c ":$CLOSED/" "$list")" ] &&
		[ "$(wc -l <"$errs")" = "$(wc -l <"$T/failed")" ]; then
		ok "$desc: $(wc -l <"$T/answered") answers and $(wc -l <"$T/failed") error lines, each target once"
	else
		not_ok "$desc: each target once" "bad lines: $bad" \
			"answered $(wc -l <"$T/answered"), failed $(wc -l <"$T/failed"), want $(wc -l <"$list")" \
			"$(diff "$T/want" "$T/union" | head -5)" "$(tail -3 "$T/stderr")"
	fi
}

## 20,000 targets, killed with SIGKILL three times at random moments
## (the first run, then two resumes), then resumed to the end. --rate 2000
## makes the whole 10 s, more than the three waits together (8.1 s at most),
## so each kill finds the run still going.
targets 20000 "$T/list"
: >"$T/stderr"
args=(-c 500 -t 5 --rate 2000 -i "$T/list" -o "$T/out" --errors "$T/err")
killed_run KILL "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.2 + r % 1000 / 400 }')" \
	"${args[@]}" --state "$T/st"
kills=$alive
for _ in 1 2; do
	killed_run KILL "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.2 + r % 1000 / 400 }')" \
		"${args[@]}" --resume "$T/st"
	kills=$((kills + alive))
done
size=$(wc -c <"$T/st")
timeout -k 5 120 "$AWGET" "${args[@]}" --resume "$T/st" 2>>"$T/stderr"
rc=$?
if [ "$kills" = 3 ] && [ "$rc" = 1 ]; then
	ok "three SIGKILLs, each while the run went on; the last resume ends (exit 1: 200 refused)"
else
	not_ok "three SIGKILLs mid-run, then the end" "kills while running: $kills, rc $rc" "$(tail -3 "$T/stderr")"
fi
once "$T/list" "$T/out" "$T/err" "killed 3 times and resumed"
if [ "$size" -le 16384 ] && grep -q '^next [0-9]*$' "$T/st" && grep -q '^pending' "$T/st"; then
	ok "the state file at -c 500: $size bytes of text"
else
	not_ok "the state file is small text" "$size bytes" "$(head -c 300 "$T/st")"
fi
if [ ! -s "$T/stderr" ]; then
	ok "the runs wrote nothing to stderr: errors went to --errors"
else
	not_ok "nothing on stderr with --errors" "$(head -3 "$T/stderr")"
fi
# A finished run's checkpoint: resuming it does nothing more.
cp "$T/out" "$T/out.done"
timeout -k 5 60 "$AWGET" "${args[@]}" --resume "$T/st" 2>"$T/stderr"
rc=$?
if [ "$rc" = 0 ] && cmp -s "$T/out" "$T/out.done" && grep -q '^next 20000$' "$T/st" &&
	grep -q '^pending$' "$T/st"; then
	ok "resuming a finished run: nothing fetched, the output as it was"
else
	not_ok "resuming a finished run" "rc $rc" "$(grep -E '^(next|pending)' "$T/st")"
fi

## -j, and SIGTERM: the checkpoint first, then an "interrupted" object
## for each target in flight; the resume cuts those and fetches them.
targets 5000 "$T/jlist"
sed -i "0~50s|^[^/]*/|127.0.0.1:${TESTD_PORT_silent:?}/|" "$T/jlist" # in flight for -t
: >"$T/stderr"
jargs=(-j -c 200 -t 2 --rate 2500 -i "$T/jlist" -o "$T/jout")
killed_run TERM 0.7 "${jargs[@]}" --state "$T/jst"
interrupted=$(grep -c '"error_class":"interrupted"' "$T/jout")
term_rc=$rc
timeout -k 5 60 "$AWGET" "${jargs[@]}" --resume "$T/jst" 2>>"$T/stderr"
n=$(jq -r '.target' "$T/jout" | sort | uniq -d | wc -l)
if [ "$term_rc" = 143 ] && [ "$interrupted" -gt 0 ] &&
	[ "$(jq -r .target "$T/jout" | sort | cmp - <(sort "$T/jlist") && echo same)" = same ] &&
	[ "$n" = 0 ] && ! grep -q '"interrupted"' "$T/jout"; then
	ok "-j, SIGTERM mid-run ($interrupted interrupted), resumed: 5000 objects, each target once"
else
	not_ok "-j with SIGTERM and --resume" "rc $term_rc, interrupted $interrupted, duplicates $n" \
		"$(jq -r .target "$T/jout" | wc -l) objects" "$(tail -3 "$T/stderr")"
fi

## --shard: each shard its own state file; one killed and resumed.
targets 4000 "$T/slist"
: >"$T/stderr"
sargs=(-c 100 -t 5 --rate 2000 -i "$T/slist")
killed_run KILL 0.6 "${sargs[@]}" --shard 1/2 -o "$T/s1" --errors "$T/e1" --state "$T/st1"
timeout -k 5 60 "$AWGET" "${sargs[@]}" --shard 1/2 -o "$T/s1" --errors "$T/e1" --resume "$T/st1" 2>>"$T/stderr"
timeout -k 5 60 "$AWGET" "${sargs[@]}" --shard 2/2 -o "$T/s2" --errors "$T/e2" --state "$T/st2" 2>>"$T/stderr"
cat "$T/s1" "$T/s2" >"$T/s"
cat "$T/e1" "$T/e2" >"$T/e"
once "$T/slist" "$T/s" "$T/e" "--shard 1/2 killed and resumed, with 2/2"

## A finished target's lines are in -o's file within 1.5 s, while a
## silent server holds the run open.
"$AWGET" -t 8 -o "$T/slow" "127.0.0.1:${TESTD_PORT_normal:?}" \
	"127.0.0.1:${TESTD_PORT_silent:?}" 2>/dev/null &
RUN_PID=$!
start=$(date +%s%N)
for _ in $(seq 1 30); do
	grep -qs ' header > HTTP/1.1 200 OK$' "$T/slow" && break
	sleep 0.05
done
ms=$((($(date +%s%N) - start) / 1000000))
if grep -q ' header > HTTP/1.1 200 OK$' "$T/slow" && kill -0 "$RUN_PID" 2>/dev/null; then
	ok "-o: a finished target's lines are in the file after $ms ms, while the run goes on"
else
	not_ok "-o: lines within 1.5 s" "$ms ms" "$(cat "$T/slow")"
fi
kill -KILL "$RUN_PID" 2>/dev/null
wait "$RUN_PID" 2>/dev/null
RUN_PID=''

## What --resume refuses: a usage error (exit 2) that says why, and the
## output left as it was.
targets 50 "$T/small"
"$AWGET" -i "$T/small" -o "$T/o" --state "$T/s0" 2>/dev/null
cp "$T/o" "$T/o.keep"
refused() { # refused DESC MESSAGE ARGS...
	local desc=$1 want=$2
	shift 2
	aw "$@"
	if [ "$rc" = 2 ] && [ "$(cat "$T/err")" = "$want" ] && cmp -s "$T/o" "${KEEP:-$T/o.keep}"; then
		ok "refused: $desc"
	else
		not_ok "refused: $desc" "rc $rc" "got:  $(cat "$T/err")" "want: $want"
	fi
}
cp "$T/s0" "$T/bad"
sed -i 's/^next 50$/next 40/' "$T/bad"
refused "a state file changed by hand" \
	"awget: --resume $T/bad: damaged: its checksum does not match" \
	-i "$T/small" -o "$T/o" --resume "$T/bad"
head -c 100 "$T/s0" >"$T/cut"
refused "a state file cut short" "awget: --resume $T/cut: damaged: cut short" \
	-i "$T/small" -o "$T/o" --resume "$T/cut"
refused "a file that is not a state file" \
	"awget: --resume $T/small: not an awget state file" \
	-i "$T/small" -o "$T/o" --resume "$T/small"
refused "no state file" \
	"awget: --resume $T/none: No such file or directory" \
	-i "$T/small" -o "$T/o" --resume "$T/none"
refused "other options (-j)" \
	"awget: --resume $T/s0: not this run's checkpoint: this run has 'option --json', the checkpoint has not" \
	-i "$T/small" -o "$T/o" -j --resume "$T/s0"
refused "another -o" \
	"awget: --resume $T/s0: not this run's checkpoint: the checkpoint has 'option --output $T/o', this run has 'option --output $T/o2'" \
	-i "$T/small" -o "$T/o2" --resume "$T/s0"
cp "$T/small" "$T/small2"
echo "127.0.0.1:$PORT/extra" >>"$T/small2"
aw -i "$T/small2" -o "$T/o" --resume "$T/s0"
if [ "$rc" = 2 ] && grep -q "^awget: --resume $T/s0: not this run's checkpoint: the checkpoint has 'input $T/small [0-9]* sha256:[0-9a-f]*', this run has 'input $T/small2 " "$T/err" &&
	cmp -s "$T/o" "$T/o.keep"; then
	ok "refused: another input"
else
	not_ok "refused: another input" "rc $rc" "$(cat "$T/err")"
fi
refused "--resume without -o" "awget: --resume needs -o FILE: the output it checkpoints" \
	-i "$T/small" --resume "$T/s0"
refused "--state without -o" "awget: --state needs -o FILE: the output it checkpoints" \
	-i "$T/small" --state "$T/s1"
aw -o "$T/o" --state "$T/s3" < <(cat "$T/small")
if [ "$rc" = 2 ] && [ "$(cat "$T/err")" = "awget: --state: stdin is not a regular file: a pipe cannot be read again on --resume (use -i FILE)" ]; then
	ok "refused: --state with stdin from a pipe"
else
	not_ok "refused: --state with a pipe" "rc $rc" "$(cat "$T/err")"
fi
: >"$T/o"
KEEP=/dev/null refused "an output shorter than the checkpoint's" \
	"awget: -o $T/o: 0 bytes, shorter than the checkpoint's $(wc -c <"$T/o.keep"): not this run's output" \
	-i "$T/small" -o "$T/o" --resume "$T/s0"

cp "$T/o.keep" "$T/o"
refused "-o naming the input" "awget: -o: the same file as the input, --errors or --state" \
	-i "$T/o" -o "$T/o" --state "$T/s4"
refused "--state naming the input" "awget: --state: the same file as the input" \
	-i "$T/o" -o "$T/o7" --state "$T/o"
# shellcheck disable=SC2094 # the same file on purpose: it must be refused
aw -o "$T/o" --state "$T/s8" <"$T/o"
if [ "$rc" = 2 ] && [ "$(cat "$T/err")" = "awget: -o: the same file as the input, --errors or --state" ] &&
	cmp -s "$T/o" "$T/o.keep"; then
	ok "refused: -o naming stdin's file, which is left as it was"
else
	not_ok "refused: -o FILE <FILE" "rc $rc" "$(cat "$T/err")"
fi
aw -i "$T/small" -o /dev/null --errors /dev/null
if [ "$rc" = 0 ] && [ ! -s "$T/err" ]; then
	ok "-o /dev/null --errors /dev/null: two /dev/null are not one file"
else
	not_ok "-o /dev/null --errors /dev/null" "rc $rc" "$(cat "$T/err")"
fi
# The checkpoint is the owner's only, holds no -H value in clear, and is
# never written through a link left where its temporary file goes.
ln -s "$T/victim" "$T/s9.tmp"
aw -i "$T/small" -o "$T/o9" --state "$T/s9" -H 'X-Api-Key: s3cr3t-k3y'
if [ "$rc" = 0 ] && [ "$(stat -c %a "$T/s9")" = 600 ] && [ ! -e "$T/victim" ] &&
	[ ! -L "$T/s9.tmp" ] && ! grep -q 's3cr3t' "$T/s9" && grep -q '^option --header sha256:' "$T/s9"; then
	ok "the state file: mode 600, -H hashed, a link at its temporary name not followed"
else
	not_ok "the state file's mode, secrets and link" "rc $rc, mode $(stat -c %a "$T/s9")" \
		"$(ls -l "$T")" "$(grep header "$T/s9")"
fi
mkfifo "$T/fifo"
refused "--state with -o a FIFO" \
	"awget: -o $T/fifo: not a regular file, which --state needs" \
	-i "$T/small" -o "$T/fifo" --state "$T/s5"
cp "$T/o.keep" "$T/o6"
aw -i "$T/small" -o "$T/o6" --state "$T/nodir/st"
if [ "$rc" = 2 ] && [ "$(cat "$T/err")" = "awget: --state $T/nodir/st: No such file or directory" ]; then
	ok "refused: a state file that cannot be written, before any fetch"
else
	not_ok "refused: an unwritable state file" "rc $rc" "$(cat "$T/err")"
fi

## Memory errors under valgrind: a run with -o, --errors and --state,
## and its resume.
if ! memcheck -i "$T/small" -o "$T/vo" --errors "$T/ve" --state "$T/vs"; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ "$rc" = 0 ] && [ -z "$memerr" ] &&
	memcheck -i "$T/small" -o "$T/vo" --errors "$T/ve" --resume "$T/vs" &&
	[ "$rc" = 0 ] && [ -z "$memerr" ]; then
	ok "valgrind: -o, --errors, --state and --resume"
else
	not_ok "valgrind: --state and --resume" "rc=$rc" "$memerr"
fi

echo "# resume: done"
