#!/usr/bin/env bash
# tests/edges.sh: the edges of the process, against a real nginx on
# loopback: signals while stdout is blocked, descriptors 0-2 closed at
# start, odd input lines, write errors on --help and --version, unusable
# input and CA files, option errors, IPv6 zones and network ranges.
# Prints one TAP line per check.
#
#   AWGET=build/awget tests/edges.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/servers.sh
. "$HERE/lib/servers.sh"
# shellcheck source=tests/lib/tap.sh
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-edges.XXXXXX)
chmod 755 "$T"
NGINX_PID='' READER_PID='' AWGET_PID=''
cleanup() {
	stop_pid "$AWGET_PID"
	stop_pid "$READER_PID"
	stop_pid "$NGINX_PID"
	rm -rf "$T"
}
trap cleanup EXIT

PORT=$(free_port)
nginx_start "$T/nginx" "$PORT" || {
	not_ok "nginx starts on 127.0.0.1:$PORT"
	exit 1
}
HAVE6=
grep -q "listen \[::1\]" "$T/nginx/nginx.conf" && HAVE6=1

## 1. A signal while stdout is blocked on a reader that does not read:
## awget ends within a second, with 128+N, and says once on stderr that
## output was cut short. 3,000 targets print ~600 KB, ten pipe buffers.
for i in $(seq 0 2999); do
	echo "127.0.$((i / 250)).$((i % 250 + 1)):$PORT"
done >"$T/list"
mkfifo "$T/fifo"
# signal_run SIG WANT_RC ARGS...: awget ARGS >fifo, whose reader sleeps
# 20 s; SIG at 2 s; sets $rc and $ms, the time from the signal to exit.
signal_run() {
	local sig=$1 i t0 t1
	shift
	(
		exec <"$T/fifo"
		sleep 20
		cat >/dev/null
	) &
	READER_PID=$!
	"$AWGET" -i "$T/list" -c 50 "$@" >"$T/fifo" 2>"$T/err" &
	AWGET_PID=$!
	sleep 2
	t0=$(date +%s%N)
	kill "-$sig" "$AWGET_PID"
	for i in $(seq 1 100); do
		kill -0 "$AWGET_PID" 2>/dev/null || break
		sleep 0.05
	done
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	if kill -0 "$AWGET_PID" 2>/dev/null; then
		rc=hung
		stop_pid "$AWGET_PID"
	else
		wait "$AWGET_PID"
		rc=$?
	fi
	AWGET_PID=
	stop_pid "$READER_PID"
	READER_PID=
}
for s in TERM:143 INT:130; do
	for mode in text -j; do
		args=(--stats)
		[ "$mode" = -j ] && args+=(-j)
		signal_run "${s%:*}" "${args[@]}"
		lost=$(grep -c '^awget: stdout: output cut short: the reader is not reading$' "$T/err")
		if [ "$rc" = "${s#*:}" ] && [ "$ms" -lt 1500 ] && [ "$lost" = 1 ] &&
			grep -q '^stats: targets ' "$T/err"; then
			ok "SIG${s%:*} with stdout blocked ($mode): exit ${s#*:} in $ms ms, stderr says so once"
		else
			not_ok "SIG${s%:*} with stdout blocked ($mode): exit ${s#*:} within 1 s" \
				"rc=$rc after $ms ms, $lost notes" "$(head -3 "$T/err")"
		fi
	done
done
# Text mode: every target still in flight is on stderr, once.
signal_run TERM
dups=$(grep ': interrupted$' "$T/err" | sort | uniq -d | wc -l)
if [ "$rc" = 143 ] && [ "$dups" = 0 ]; then
	ok "SIGTERM with stdout blocked: no target reported twice"
else
	not_ok "SIGTERM with stdout blocked: no target reported twice" "rc=$rc dups=$dups"
fi

## 2. Descriptors 0-2 closed at start are opened on /dev/null: a closed
## stdout discards the output, and the run is still a success.
timeout 30 "$AWGET" "127.0.0.1:$PORT" >&- 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && [ ! -s "$T/err" ]; then
	ok "stdout closed: output discarded, exit 0, no error"
else
	not_ok "stdout closed: output discarded, exit 0" "rc=$rc" "$(head -3 "$T/err")"
fi
timeout 30 "$AWGET" "127.0.0.1:$PORT" 127.0.0.1:1 >&- 2>&-
rc=$?
check_rc "stdout and stderr closed: a failed target still means 1" 1
timeout 30 "$AWGET" "127.0.0.1:$PORT" <&- >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && grep -q ' header > HTTP/1.1 200 OK$' "$T/out"; then
	ok "stdin closed: the arguments are fetched"
else
	not_ok "stdin closed: the arguments are fetched" "rc=$rc" "$(head -3 "$T/err")"
fi
timeout 30 "$AWGET" <&- >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && [ ! -s "$T/out" ]; then
	ok "stdin closed, no arguments: an empty list, exit 0"
else
	not_ok "stdin closed, no arguments: an empty list" "rc=$rc" "$(head -3 "$T/err")"
fi
if command -v strace >/dev/null &&
	timeout 30 strace -f -y -e trace=write -o "$T/strace" true 2>/dev/null; then
	# LeakSanitizer cannot run under ptrace: the sanitizer build's leak
	# check is off here (the other runs keep it).
	ASAN_OPTIONS=detect_leaks=0 timeout 30 strace -f -y -e trace=write \
		-o "$T/strace" "$AWGET" "127.0.0.1:$PORT" 127.0.0.1:1 >&- 2>&-
	if grep -q '^[0-9]* *write(1</dev/null>, ".* header > ' "$T/strace" &&
		grep -q '^[0-9]* *write(2</dev/null>, "awget: 127.0.0.1:1: ' "$T/strace" &&
		! grep -E '^[0-9]* *write\([0-9]+<(pipe|anon_inode)' "$T/strace" | grep -q 'header >\|awget: '; then
		ok "stdout and stderr closed: headers and errors go to /dev/null"
	else
		not_ok "stdout and stderr closed: headers and errors go to /dev/null" \
			"$(grep 'write(' "$T/strace" | head -5)"
	fi
else
	ok "# SKIP closed descriptors traced: no strace, or it cannot trace here"
fi

## 3. A line of many blanks around a target is one target, however long.
for n in 16000 16384 40000; do
	{
		head -c "$n" /dev/zero | tr '\0' ' '
		printf '127.0.0.1:%s\n' "$PORT"
	} >"$T/blanks"
	aw --stats -i "$T/blanks"
	if [ "$rc" = 0 ] && grep -q '^stats: targets 1, succeeded 1,' "$T/err" &&
		grep -q "^127.0.0.1:$PORT header > HTTP/1.1 200 OK$" "$T/out"; then
		ok "$n leading blanks: one target, fetched"
	else
		not_ok "$n leading blanks: one target, fetched" "rc=$rc" "$(head -3 "$T/err")"
	fi
done
{
	printf '127.0.0.1:%s' "$PORT"
	head -c 20000 /dev/zero | tr '\0' ' '
	printf '\n\t\t\n'
	head -c 20000 /dev/zero | tr '\0' '\t'
	printf '\n127.0.0.2:%s\n' "$PORT"
} >"$T/blanks"
aw --stats -i "$T/blanks"
if [ "$rc" = 0 ] && grep -q '^stats: targets 2, succeeded 2,' "$T/err"; then
	ok "trailing blanks and blank-only lines of 20,000 blanks: two targets"
else
	not_ok "trailing blanks and blank-only lines: two targets" "rc=$rc" "$(cat "$T/err")"
fi
{
	head -c 9000 /dev/zero | tr '\0' 'a'
	printf '\n127.0.0.1:%s\n' "$PORT"
} >"$T/long"
aw -i "$T/long"
if [ "$rc" = 1 ] && grep -q 'target longer than 8192 bytes' "$T/err" &&
	grep -q ' header > HTTP/1.1 200 OK$' "$T/out"; then
	ok "a 9,000-byte target: one error line, and the next line is fetched"
else
	not_ok "a 9,000-byte target: one error line" "rc=$rc" "$(head -3 "$T/err")"
fi
# --shard counts the long-blank line as a line like any other.
{
	head -c 20000 /dev/zero | tr '\0' ' '
	printf '127.0.0.1:%s\n127.0.0.2:%s\n' "$PORT" "$PORT"
} >"$T/blanks"
aw --shard 2/2 -i "$T/blanks"
if [ "$rc" = 0 ] && [ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 1 ] &&
	grep -q "^127.0.0.2:$PORT header" "$T/out"; then
	ok "--shard 2/2: a long-blank line counts as one line"
else
	not_ok "--shard 2/2: a long-blank line counts as one line" "$(head -3 "$T/out")"
fi

## 4. --help and --version report a write error, exit 1.
for o in -V --version -h --help; do
	timeout 10 "$AWGET" "$o" >/dev/full 2>"$T/err"
	rc=$?
	if [ "$rc" = 1 ] && grep -q '^awget: stdout: write error: No space left on device$' "$T/err"; then
		ok "$o >/dev/full: exit 1 and a message"
	else
		not_ok "$o >/dev/full: exit 1 and a message" "rc=$rc" "$(cat "$T/err")"
	fi
done

## 5. An input that is a directory is a usage error (2), before any work.
aw -i "$T"
if [ "$rc" = 2 ] && [ "$(cat "$T/err")" = "awget: $T: Is a directory" ] && [ ! -s "$T/out" ]; then
	ok "-i DIRECTORY: exit 2, 'Is a directory', nothing fetched"
else
	not_ok "-i DIRECTORY: exit 2" "rc=$rc" "$(cat "$T/err")"
fi
timeout 10 "$AWGET" <"$T" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 2 ] && [ "$(cat "$T/err")" = "awget: stdin: Is a directory" ]; then
	ok "stdin a directory: exit 2, 'Is a directory'"
else
	not_ok "stdin a directory: exit 2" "rc=$rc" "$(cat "$T/err")"
fi

## 6. An abbreviation of several long options says which.
# opt_error DESC WANT ARGS...: awget ARGS exits 2 with WANT on stderr.
opt_error() {
	local desc=$1 want=$2
	shift 2
	aw "$@"
	if [ "$rc" = 2 ] && [ "$(cat "$T/err")" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "rc=$rc" "got: $(cat "$T/err")" "want: $want"
	fi
}
opt_error "--re: ambiguous, the candidates named" \
	"awget: ambiguous option --re (--request, --resolve, --resolver, --resume, --retry) (try 'awget --help')" \
	--re 1 "127.0.0.1:$PORT"
opt_error "--res: ambiguous, the candidates named" \
	"awget: ambiguous option --res (--resolve, --resolver, --resume) (try 'awget --help')" \
	--res x "127.0.0.1:$PORT"
opt_error "--in: ambiguous, the candidates named" \
	"awget: ambiguous option --in (--input, --insecure) (try 'awget --help')" \
	--in /dev/null
opt_error "--hea=1: ambiguous (--head, --header)" \
	"awget: ambiguous option --hea (--head, --header) (try 'awget --help')" \
	--hea=1 "127.0.0.1:$PORT"
opt_error "--nosuch: unknown option" \
	"awget: unknown option --nosuch (try 'awget --help')" --nosuch
aw --verb "127.0.0.1:$PORT"
check_rc "--verb: an unambiguous abbreviation still works" 0

## 7. JSON carries the target exactly as written: a quote and a
## backslash once each; bytes that are not UTF-8 as U+FFFD, with the exact
## bytes in target_b64.
aw -j 'bad"tar\get'
jq -j .target "$T/out" >"$T/got.bin"
printf '%s' 'bad"tar\get' >"$T/want.bin"
if cmp -s "$T/want.bin" "$T/got.bin" && [ "$(jq -r '.target_b64 // "none"' "$T/out")" = none ]; then
	ok "-j: the target bad\"tar\\get, exactly"
else
	not_ok "-j: the target bad\"tar\\get, exactly" "$(cat "$T/out")"
fi
printf '127.0.0.1:%s/caf\303\251\n127.0.0.1:%s/x\377y\n' "$PORT" "$PORT" >"$T/list8"
aw -j -i "$T/list8"
jq -j 'select(.target_b64 == null) | .target' "$T/out" >"$T/got.bin"
printf '127.0.0.1:%s/caf\303\251' "$PORT" >"$T/want.bin"
if cmp -s "$T/want.bin" "$T/got.bin"; then
	ok "-j: a UTF-8 target, exactly, no target_b64"
else
	not_ok "-j: a UTF-8 target, exactly" "$(cat "$T/out")"
fi
jq -r 'select(.target_b64 != null) | .target_b64' "$T/out" | base64 -d >"$T/got.bin"
printf '127.0.0.1:%s/x\377y' "$PORT" >"$T/want.bin"
if cmp -s "$T/want.bin" "$T/got.bin" &&
	[ "$(jq -r 'select(.target_b64 != null) | .target' "$T/out")" = "127.0.0.1:$PORT/x"$'\xef\xbf\xbd'"y" ]; then
	ok "-j: a target with a byte that is not UTF-8: U+FFFD, and target_b64 exact"
else
	not_ok "-j: a target not UTF-8: U+FFFD and target_b64" "$(cat "$T/out")"
fi

## 9. An IPv6 zone id: by name or index, %25 as in URLs (RFC 6874); the
## Host header carries no zone.
if [ -n "$HAVE6" ]; then
	idx=$(cat /sys/class/net/lo/ifindex)
	for z in lo 25lo "$idx"; do
		aw "[::1%$z]:$PORT"
		if [ "$rc" = 0 ] && grep -q "^\[::1%$z\]:$PORT header > HTTP/1.1 200 OK$" "$T/out"; then
			ok "[::1%$z]: fetched over lo"
		else
			not_ok "[::1%$z]: fetched over lo" "rc=$rc" "$(head -3 "$T/err")"
		fi
	done
	aw "http://[::1%lo]:$PORT/req"
	host=$(grep -o 'X-Req-Host: .*' "$T/out")
	if [ "$host" = "X-Req-Host: [::1]:$PORT" ]; then
		ok "[::1%lo]: Host header without the zone"
	else
		not_ok "[::1%lo]: Host header without the zone" "$host"
	fi
	aw "[::1%nosuchif0]:$PORT"
	if [ "$rc" = 1 ] && grep -q 'no such network interface for the IPv6 zone id' "$T/err"; then
		ok "[::1%nosuchif0]: one error line naming the zone as the cause"
	else
		not_ok "[::1%nosuchif0]: an error line" "rc=$rc" "$(cat "$T/err")"
	fi
else
	ok "# SKIP IPv6 zones: no IPv6 on lo"
fi

## 11. An IPv6 range without brackets is refused, with the form to use
## (tests/ranges.sh has the ranges themselves), and a path that looks like
## a prefix length is still a path.
aw ::1/128
if [ "$rc" = 1 ] && [ ! -s "$T/out" ] &&
	[ "$(cat "$T/err")" = "awget: ::1/128: invalid target: an IPv6 range is written in brackets: [ADDR]/N" ]; then
	ok "::1/128: 'an IPv6 range is written in brackets'"
else
	not_ok "::1/128: refused, with the form" "rc=$rc" "$(cat "$T/err")"
fi
aw "127.0.0.1:$PORT/24"
if grep -q "^127.0.0.1:$PORT/24 header > HTTP/1.1 200 OK$" "$T/out"; then
	ok "127.0.0.1:PORT/24: a host, a port and the path /24"
else
	not_ok "127.0.0.1:PORT/24: the path /24" "$(cat "$T/err")"
fi

## 12. A --cacert that cannot be used says why.
printf 'not a certificate\n' >"$T/notpem"
for c in "$T/nosuch:No such file or directory" "$T:Is a directory" \
	"$T/notpem:no certificate or crl found"; do
	aw --cacert "${c%%:*}" "https://127.0.0.1:$PORT/"
	want="awget: ${c%%:*}: cannot load the CA file: ${c#*:}"
	if [ "$rc" = 2 ] && [ "$(cat "$T/err")" = "$want" ]; then
		ok "--cacert ${c%%:*}: exit 2, '${c#*:}'"
	else
		not_ok "--cacert ${c%%:*}: exit 2, '${c#*:}'" "rc=$rc" "$(cat "$T/err")"
	fi
done

echo "# edges: done"
