#!/usr/bin/env bash
# tests/integration.sh: awget end to end over real sockets on loopback, against
# a real nginx, a real dnsmasq and the scripted test server (tests/server).
# Prints one TAP line per check ("ok N - ..." / "not ok N - ...").
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/integration.sh
#
# Every awget run is bounded by timeout(1); every server is stopped by the PID
# this script started.
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
TESTD=${TESTD:-}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
. "$HERE/lib/servers.sh"
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-test.XXXXXX)
chmod 755 "$T" # nginx workers and dnsmasq drop to nobody
NGINX_PID= DNSMASQ_PID= TESTD_PID= TESTD6_PID=
cleanup() {
	stop_pid "$NGINX_PID"
	stop_pid "$DNSMASQ_PID"
	stop_pid "$TESTD_PID"
	stop_pid "$TESTD6_PID"
	rm -rf "$T"
}
trap cleanup EXIT

# nginx's answer to GET / for target $1, as awget prints it.
nginx_block() {
	local t=$1
	printf '%s header > %s\n' "$t" "HTTP/1.1 200 OK" "$t" "Server: nginx" \
		"$t" "Date: DATE" "$t" "Content-Type: text/plain" \
		"$t" "Content-Length: 3" "$t" "Connection: close" \
		"$t" "X-Test: awget"
}

# Every target's lines are one contiguous block: no target appears again
# after another target's lines.
contiguous() {
	awk '{ t = $1; if (t != last) { if (t in seen) bad = 1; seen[t] = 1 }
	     last = t } END { exit bad }' "$1"
}

PORT=$(free_port)
DNSPORT=$(free_port)
nginx_start "$T/nginx" "$PORT" || {
	not_ok "nginx starts on 127.0.0.1:$PORT"
	exit 1
}
printf '127.0.0.1 good.test\n127.0.0.3 two.test\n127.0.0.1 two.test\n::1 v6only.test\n' >"$T/hosts"
printf '127.0.0.3 mixed.test\n::1 mixed.test\n' >>"$T/hosts"
# 10,000 distinct names, each its own loopback address.
awk 'BEGIN { for (i = 0; i < 10000; i++)
	printf "127.1.%d.%d n%05d.test\n", int(i / 250), i % 250 + 1, i }' >>"$T/hosts"
dnsmasq_start "$T" "$DNSPORT" "$T/hosts" || not_ok "dnsmasq starts"
DNS="-r 127.0.0.1:$DNSPORT"
CLOSED=$(free_port) # nothing listens here: connection refused

## One target: the exact output format, status line first.
aw "127.0.0.1:$PORT"
nginx_block "127.0.0.1:$PORT" >"$T/want"
nodate "$T/out" >"$T/got"
check_file "one target: every header line, prefixed, status line first" \
	"$T/want" "$T/got"
check_rc "one target: exit 0" 0
[ -s "$T/err" ] && not_ok "one target: stderr empty" "$(cat "$T/err")" ||
	ok "one target: stderr empty"

## The README's command.
timeout 120 "$TOP/scripts/run" "127.0.0.1:$PORT" >"$T/out" 2>"$T/err"
rc=$?
nodate "$T/out" >"$T/got"
check_file "scripts/run HOST prints nginx's headers" "$T/want" "$T/got"

## 1000 distinct loopback addresses at once, -c 100.
: >"$T/want"
for i in $(seq 0 999); do
	t="127.0.$((1 + i / 250)).$((1 + i % 250)):$PORT"
	echo "$t" >>"$T/targets"
	nginx_block "$t" >>"$T/want"
done
aw -c 100 -i "$T/targets"
check_rc "1000 targets: exit 0" 0
nodate "$T/out" | sort >"$T/got"
sort "$T/want" >"$T/want.sorted"
check_file "1000 targets: exact output for every one" "$T/want.sorted" "$T/got"
if contiguous "$T/out"; then
	ok "1000 targets: each target's lines are contiguous"
else
	not_ok "1000 targets: each target's lines are contiguous"
fi
if [ ! -s "$T/err" ]; then ok "1000 targets: no error line"; else
	not_ok "1000 targets: no error line" "$(head -3 "$T/err")"
fi

## --shard K/N: three runs split the list, no overlap, nothing missed.
{
	echo "# comments and blank lines do not count as positions"
	echo
	head -300 "$T/targets"
	echo "bad:0"
} >"$T/shardlist"
aw -c 50 -i "$T/shardlist"
nodate "$T/out" | sort >"$T/all.out"
sort "$T/err" >"$T/all.err"
: >"$T/union.out"
: >"$T/union.err"
for k in 1 2 3; do
	aw -c 50 --shard "$k/3" -i "$T/shardlist"
	nodate "$T/out" >>"$T/union.out"
	cat "$T/err" >>"$T/union.err"
	awk '{ print $1 }' "$T/out" | sort -u >"$T/shard$k"
done
sort "$T/union.out" -o "$T/union.out"
sort "$T/union.err" -o "$T/union.err"
check_file "--shard 1/3, 2/3, 3/3: the union of stdout is the unsharded output" \
	"$T/all.out" "$T/union.out"
check_file "--shard: the union of stderr too" "$T/all.err" "$T/union.err"
if [ -z "$(cat "$T/shard1" "$T/shard2" "$T/shard3" | sort | uniq -d)" ] &&
	[ "$(wc -l <"$T/shard1")" = 100 ]; then
	ok "--shard: no target in two shards, 100 each"
else
	not_ok "--shard: no target in two shards" "$(wc -l "$T"/shard? | head -3)"
fi
aw --shard 4/3 "127.0.0.1:$PORT"
check_rc "--shard 4/3: usage error" 2

## stdout is written in large blocks, not a write per line.
if command -v strace >/dev/null; then
	# LeakSanitizer cannot run under ptrace: no leak check in this run.
	ASAN_OPTIONS=detect_leaks=0 timeout 60 strace -f -e trace=write \
		-o "$T/strace" "$AWGET" -c 100 \
		-i "$T/targets" >"$T/out" 2>/dev/null
	writes=$(grep -c '^[0-9]* *write(1,' "$T/strace")
	lines=$(wc -l <"$T/out")
	if [ "$lines" = 7000 ] && [ "$writes" -le $((7000 * 550 / 65536 + 5)) ]; then
		ok "stdout: $lines lines in $writes writes"
	else
		not_ok "stdout: large buffered writes" "$lines lines, $writes writes"
	fi
fi

## Targets from stdin and from a file: blanks trimmed, comments skipped.
printf '# a comment\n\n  127.0.0.1:%s  \r\n\t# indented comment\nhttp://127.0.0.2:%s/\n' \
	"$PORT" "$PORT" >"$T/list"
{
	nginx_block "127.0.0.1:$PORT"
	nginx_block "http://127.0.0.2:$PORT/"
} | sort >"$T/want"
aw <"$T/list"
nodate "$T/out" | sort >"$T/got"
check_file "stdin: targets trimmed, blank and comment lines skipped" "$T/want" "$T/got"
aw - <"$T/list"
nodate "$T/out" | sort >"$T/got"
check_file "'-' reads stdin" "$T/want" "$T/got"
aw -i "$T/list"
nodate "$T/out" | sort >"$T/got"
check_file "-i FILE reads the file" "$T/want" "$T/got"
aw --input "$T/list"
check_rc "--input FILE: exit 0" 0

## A slow producer on a pipe: fetches in flight go on while it thinks.
{
	echo "127.0.0.1:$PORT"
	sleep 2
	echo "127.0.0.2:$PORT"
} | aw -t 1
{
	nginx_block "127.0.0.1:$PORT"
	nginx_block "127.0.0.2:$PORT"
} | sort >"$T/want"
nodate "$T/out" | sort >"$T/got"
check_file "a slow producer on stdin does not hold up the deadline of others" \
	"$T/want" "$T/got"

## The request, as nginx received it.
req() {
	grep -E '^[^ ]+ header > X-Req-' "$T/out" | sed 's/^[^ ]* header > //'
}
aw "http://127.0.0.1:$PORT/req?q=1#frag"
req >"$T/got"
cat >"$T/want" <<EOF
X-Req-Line: GET /req?q=1 HTTP/1.1
X-Req-Protocol: HTTP/1.1
X-Req-Host: 127.0.0.1:$PORT
X-Req-UA: awget/$("$AWGET" -V | awk '{print $2}')
X-Req-Accept: */*
X-Req-Connection: close
EOF
check_file "request: GET path?query HTTP/1.1 with Host:port, UA, Accept, Connection" \
	"$T/want" "$T/got"

aw -I "127.0.0.1:$PORT/req"
req | head -1 >"$T/got"
echo "X-Req-Line: HEAD /req HTTP/1.1" >"$T/want"
check_file "-I sends HEAD" "$T/want" "$T/got"

aw --request DELETE -0 "127.0.0.1:$PORT/req"
req | head -2 >"$T/got"
printf 'X-Req-Line: DELETE /req HTTP/1.0\nX-Req-Protocol: HTTP/1.0\n' >"$T/want"
check_file "-X DELETE -0 sends DELETE ... HTTP/1.0" "$T/want" "$T/got"

aw -A 'probe/1' -H 'X-Custom: yes' -H 'accept: text/html' \
	-H 'Host: example.test' "127.0.0.1:$PORT/req"
req | grep -E 'Host|UA|Accept|Custom' >"$T/got"
printf '%s\n' "X-Req-Host: example.test" "X-Req-UA: probe/1" \
	"X-Req-Accept: text/html" "X-Req-Custom: yes" >"$T/want"
check_file "-A, -H add and -H replace (case-insensitive) reach the server" \
	"$T/want" "$T/got"

aw -H 'Accept:' "127.0.0.1:$PORT/req"
if grep -q 'X-Req-Accept' "$T/out" || ! grep -q 'X-Req-UA' "$T/out"; then
	not_ok "-H 'Accept:' removes the default header" "$(cat "$T/out")"
else
	ok "-H 'Accept:' removes the default header"
fi

## JSON Lines against nginx: one object per target, failures included.
aw -j "127.0.0.1:$PORT/req?x=1" "bad host" "127.0.0.1:$CLOSED" -t 0.5 \
	"127.0.0.1:$PORT/sleep"
if [ "$(jq -c . <"$T/out" | wc -l)" = 4 ] && [ ! -s "$T/err" ] && [ "$rc" = 1 ]; then
	ok "-j: four targets, four objects, nothing on stderr, exit 1"
else
	not_ok "-j: four objects" "rc=$rc" "$(head -3 "$T/err")"
fi
jq -c 'select(.status) | [.target, .url, .ip, .port, .status, .version,
	.reason, (.headers | map(select(.[0] == "X-Req-Line"))[0][1]),
	(.time_ms | type)]' "$T/out" >"$T/got"
printf '["127.0.0.1:%s/req?x=1","http://127.0.0.1:%s/req?x=1","127.0.0.1",%s,200,"HTTP/1.1","OK","GET /req?x=1 HTTP/1.1","number"]\n' \
	"$PORT" "$PORT" "$PORT" >"$T/want"
check_file "-j: a response's fields" "$T/want" "$T/got"
jq -c 'select(.error) | [.target, .url, .error_class, .phase, .error]' \
	"$T/out" | sort >"$T/got"
sort >"$T/want" <<EOF
["127.0.0.1:$CLOSED","http://127.0.0.1:$CLOSED/","refused","connect","connection refused"]
["127.0.0.1:$PORT/sleep","http://127.0.0.1:$PORT/sleep","timeout","headers","timed out in phase headers"]
["bad host",null,"invalid_target",null,"invalid target: invalid character in target"]
EOF
check_file "-j: failures carry error, error_class and phase" "$T/want" "$T/got"

## Errors: one line each, nothing lost, nothing twice.
aw "127.0.0.1:$CLOSED"
echo "awget: 127.0.0.1:$CLOSED: connection refused" >"$T/want"
check_file "refused port: one error line" "$T/want" "$T/err"
check_rc "refused port: exit 1" 1
[ -s "$T/out" ] && not_ok "refused port: nothing on stdout" || ok "refused port: nothing on stdout"

aw "127.0.0.1:$PORT" "bad host" "127.0.0.2:$PORT" "x:0" "127.0.0.3:99999" \
	"ftp://127.0.0.1/" "127.0.0.1:$CLOSED" "[::1" ""
{
	nginx_block "127.0.0.1:$PORT"
	nginx_block "127.0.0.2:$PORT"
} | sort >"$T/want"
nodate "$T/out" | sort >"$T/got"
check_file "invalid targets among good ones: the good ones are fetched" \
	"$T/want" "$T/got"
sort >"$T/want" <<EOF
awget: bad host: invalid target: invalid character in target
awget: x:0: invalid target: port out of range (1-65535)
awget: 127.0.0.3:99999: invalid target: port out of range (1-65535)
awget: ftp://127.0.0.1/: invalid target: unknown scheme
awget: 127.0.0.1:$CLOSED: connection refused
awget: [::1: invalid target: missing ']' after IPv6 address
awget: : invalid target: empty target
EOF
sort "$T/err" >"$T/got"
check_file "invalid targets: one error line each" "$T/want" "$T/got"
check_rc "invalid targets: exit 1" 1

## One deadline per target, named by phase.
start=$(date +%s%N)
aw -t 0.5 "127.0.0.1:$PORT/sleep" "127.0.0.1:$PORT"
elapsed=$((($(date +%s%N) - start) / 1000000))
echo "awget: 127.0.0.1:$PORT/sleep: timed out in phase headers" >"$T/want"
check_file "deadline: a slow server times out in phase headers" "$T/want" "$T/err"
nginx_block "127.0.0.1:$PORT" >"$T/want"
nodate "$T/out" >"$T/got"
check_file "deadline: the fast target is still printed" "$T/want" "$T/got"
check_rc "deadline: exit 1" 1
if [ "$elapsed" -lt 4000 ]; then ok "deadline: cut at -t, not at the server's 5 s ($elapsed ms)"; else
	not_ok "deadline: cut at -t" "took $elapsed ms"
fi

## Names: /etc/hosts, a resolver, a name that does not exist.
if grep -qE '^127\.0\.0\.1[[:space:]].*\blocalhost\b' /etc/hosts; then
	aw $DNS "localhost:$PORT"
	nginx_block "localhost:$PORT" >"$T/want"
	nodate "$T/out" >"$T/got"
	check_file "localhost from /etc/hosts" "$T/want" "$T/got"
fi
aw $DNS "good.test:$PORT" "http://good.test:$PORT/req"
grep -c ' header > HTTP/1.1 200 OK' "$T/out" >"$T/got"
echo 2 >"$T/want"
check_file "a name resolved by the resolver (dnsmasq)" "$T/want" "$T/got"
grep 'X-Req-Host' "$T/out" | sed 's/.* > //' >"$T/got"
echo "X-Req-Host: good.test:$PORT" >"$T/want"
check_file "Host carries the name and the port" "$T/want" "$T/got"
aw $DNS "nosuch.invalid:$PORT"
echo "awget: nosuch.invalid:$PORT: cannot resolve nosuch.invalid: no such host (NXDOMAIN)" >"$T/want"
check_file "NXDOMAIN: cannot resolve" "$T/want" "$T/err"
check_rc "NXDOMAIN: exit 1" 1

# Regress: with -r, /etc/hosts was not read (libevent loaded only
# localhost). A loopback name of the machine's /etc/hosts, other than
# localhost, resolves although the resolver given never answers.
hname=$(awk '$1 ~ /^127\./ { for (i = 2; i <= NF; i++) if ($i !~ /^#/ && $i != "localhost" && $i ~ /^[A-Za-z0-9.-]+$/) { print $i; exit } }' /etc/hosts)
if [ -n "$hname" ]; then
	aw -r "127.0.0.1:$CLOSED" -t 3 "$hname:$PORT"
	if grep -q "^$hname:$PORT header > HTTP/1.1 200 OK" "$T/out"; then
		ok "-r still honours /etc/hosts ($hname)"
	else
		not_ok "-r still honours /etc/hosts ($hname)" "$(cat "$T/err")"
	fi
else
	ok "# SKIP -r and /etc/hosts: no loopback name but localhost there"
fi

## Several addresses: the first refuses, the next answers (the scripted
## server listens on 127.0.0.1 only), within the one deadline.
if [ -n "$TESTD" ]; then
	testd_start "$TESTD" 300 normal dns_servfail
	aw $DNS -v -j "two.test:$TESTD_PORT_normal"
	grep -o 'connect 127.0.0.[0-9]*' "$T/err" >"$T/got"
	printf 'connect 127.0.0.3\nconnect 127.0.0.1\n' >"$T/want"
	check_file "two addresses: the first tried, then the next" "$T/want" "$T/got"
	jq -c '[.ip, .status]' "$T/out" >"$T/got"
	echo '["127.0.0.1",200]' >"$T/want"
	check_file "two addresses: JSON ip says which answered" "$T/want" "$T/got"
fi

## Resolution errors, each its own line.
if [ -n "$TESTD" ]; then
	aw -t 5 -r "127.0.0.1:$TESTD_PORT_dns_servfail" "x.test:$PORT"
	echo "awget: x.test:$PORT: cannot resolve x.test: name server failure (SERVFAIL, or no answer)" >"$T/want"
	check_file "a resolver that answers SERVFAIL: its own message" "$T/want" "$T/err"
fi
aw $DNS "x.fail:$PORT"
echo "awget: x.fail:$PORT: cannot resolve x.fail: the name server refused (REFUSED)" >"$T/want"
check_file "a resolver that refuses: its own message" "$T/want" "$T/err"
aw -r "127.0.0.1:$CLOSED" -t 1 "never.test:$PORT"
echo "awget: never.test:$PORT: timed out in phase resolve" >"$T/want"
check_file "a resolver that never answers: timed out in phase resolve" "$T/want" "$T/err"
aw $DNS -4 "v6only.test:$PORT"
echo "awget: v6only.test:$PORT: cannot resolve v6only.test: no IPv4 address for this name" >"$T/want"
check_file "-4 and a name with only AAAA: no address" "$T/want" "$T/err"
aw -6 "127.0.0.1:$PORT"
echo "awget: 127.0.0.1:$PORT: an IPv4 address, but -6 given" >"$T/want"
check_file "-6 and an IPv4 literal: one line" "$T/want" "$T/err"
aw $DNS -4 "good.test:$PORT"
if grep -q "^good.test:$PORT header > HTTP/1.1 200 OK" "$T/out"; then ok "-4 and an A record: fetched"; else
	not_ok "-4 and an A record: fetched" "$(cat "$T/err")"
fi

## The same resolution errors in JSON: class, phase and message.
: >"$T/json"
if [ -n "$TESTD" ]; then
	aw -j -t 5 -r "127.0.0.1:$TESTD_PORT_dns_servfail" "x.test:$PORT"
	cat "$T/out" >>"$T/json"
fi
aw -j $DNS "nosuch.invalid:$PORT" "x.fail:$PORT"
cat "$T/out" >>"$T/json"
aw -j $DNS -4 "v6only.test:$PORT"
cat "$T/out" >>"$T/json"
aw -j -r "127.0.0.1:$CLOSED" -t 1 "never.test:$PORT"
cat "$T/out" >>"$T/json"
jq -c '[.target, .error_class, .phase, .ip, .error]' "$T/json" | sort >"$T/got"
{
	[ -n "$TESTD" ] && echo "[\"x.test:$PORT\",\"resolve\",\"resolve\",null,\"cannot resolve x.test: name server failure (SERVFAIL, or no answer)\"]"
	cat <<EOF
["nosuch.invalid:$PORT","resolve","resolve",null,"cannot resolve nosuch.invalid: no such host (NXDOMAIN)"]
["x.fail:$PORT","resolve","resolve",null,"cannot resolve x.fail: the name server refused (REFUSED)"]
["v6only.test:$PORT","resolve","resolve",null,"cannot resolve v6only.test: no IPv4 address for this name"]
["never.test:$PORT","timeout","resolve",null,"timed out in phase resolve"]
EOF
} | sort >"$T/want"
check_file "-j: NXDOMAIN, SERVFAIL, REFUSED, -4 and AAAA only: class resolve; no answer: timeout, phase resolve" \
	"$T/want" "$T/got"

## --resolve pins an address: no DNS (the resolver given is dead).
aw -r "127.0.0.1:$CLOSED" --resolve "pinned.test:$PORT:127.0.0.2" \
	--resolve "PINNED.test:1:[::1]" "pinned.test:$PORT/req"
grep -E 'X-Req-Host' "$T/out" | sed 's/.* > //' >"$T/got"
echo "X-Req-Host: pinned.test:$PORT" >"$T/want"
check_file "--resolve: connects to the pinned address, Host keeps the name" "$T/want" "$T/got"
aw --resolve "nonsense" "127.0.0.1:$PORT"
if [ "$rc" = 2 ] && [ ! -s "$T/out" ]; then ok "--resolve nonsense: usage error"; else
	not_ok "--resolve nonsense: usage error" "rc=$rc"
fi

## 10,000 distinct names through dnsmasq, all fetched.
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "n%05d.test:'"$PORT"'\n", i }' >"$T/names"
aw $DNS -c 200 -i "$T/names"
if [ "$rc" = 0 ] && [ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 10000 ]; then
	ok "10,000 names through dnsmasq: all fetched"
else
	not_ok "10,000 names through dnsmasq: all fetched" "rc=$rc" "$(sort "$T/err" | head -3)"
fi

## IPv6 literal.
if grep -q ' lo$' /proc/net/if_inet6 2>/dev/null; then
	aw "[::1]:$PORT" "http://[::1]:$PORT/req"
	grep -c ' header > HTTP/1.1 200 OK' "$T/out" >"$T/got"
	echo 2 >"$T/want"
	check_file "[::1]:port is fetched" "$T/want" "$T/got"
	grep 'X-Req-Host' "$T/out" | sed 's/.* > //' >"$T/got"
	echo "X-Req-Host: [::1]:$PORT" >"$T/want"
	check_file "IPv6 Host header in brackets" "$T/want" "$T/got"
	aw $DNS -j "v6only.test:$PORT"
	jq -c '[.ip, .status]' "$T/out" >"$T/got"
	echo '["::1",200]' >"$T/want"
	check_file "a name with only an AAAA record: fetched over IPv6" "$T/want" "$T/got"
	# mixed.test: A 127.0.0.3 refuses (a scripted server on [::1] only),
	# then AAAA ::1 answers.
	if [ -n "$TESTD" ]; then
		pid4=$TESTD_PID port4=$TESTD_PORT_normal
		testd_start "$TESTD" 60 -a ::1 normal
		TESTD6_PID=$TESTD_PID TESTD_PID=$pid4 port6=$TESTD_PORT_normal
		TESTD_PORT_normal=$port4
		aw $DNS -v -j "mixed.test:$port6"
		grep -o 'connect [0-9a-f.:]* port' "$T/err" >"$T/got"
		printf 'connect 127.0.0.3 port\nconnect ::1 port\n' >"$T/want"
		check_file "A refused, then AAAA: the A tried, then the AAAA" "$T/want" "$T/got"
		jq -c '[.ip, .status]' "$T/out" >"$T/got"
		echo '["::1",200]' >"$T/want"
		check_file "A refused, then AAAA: fetched, JSON ip ::1" "$T/want" "$T/got"
		stop_pid "$TESTD6_PID"
		TESTD6_PID=
	fi
else
	ok "# SKIP [::1]: this kernel has no IPv6 loopback"
fi

## The concurrency limit: never more than -c sockets open at once.
for i in $(seq 1 12); do echo "127.0.1.$i:$PORT/sleep"; done >"$T/slow"
"$AWGET" -c 3 -t 1 -i "$T/slow" >/dev/null 2>&1 & # ends by itself in ~4 s
apid=$!
max=0
for i in $(seq 1 100); do
	kill -0 "$apid" 2>/dev/null || break
	c=$(ss -Htnp 2>/dev/null | grep -c "pid=$apid,")
	[ "$c" -gt "$max" ] && max=$c
	sleep 0.05
done
wait "$apid"
if [ "$max" -ge 2 ] && [ "$max" -le 3 ]; then
	ok "-c 3: at most 3 connections open (saw $max)"
else
	not_ok "-c 3: at most 3 connections open" "saw $max"
fi

## Open files: the concurrency fits the limit, and running out of
## descriptors (here, 41 inherited ones) makes targets wait, never fail.
for i in $(seq 1 200); do echo "127.0.2.$i:$PORT"; done >"$T/t200"
(
	for fd in $(seq 10 50); do eval "exec $fd</dev/null"; done
	ulimit -n 64
	exec "$AWGET" -c 100 -i "$T/t200" >"$T/out" 2>"$T/err"
)
rc=$?
echo "awget: concurrency 100 lowered to 32 by the open files limit" >"$T/want"
check_file "open files: one warning when -c does not fit the limit" "$T/want" "$T/err"
check_rc "open files: exit 0" 0
if [ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 200 ]; then
	ok "open files: EMFILE loses no target (200 of 200)"
else
	not_ok "open files: EMFILE loses no target" "$(grep -c ' 200 OK$' "$T/out") of 200"
fi

## A closed stdout ends the run at once, quietly.
for i in $(seq 1 1500); do echo "127.0.3.$((i % 250 + 1)):$PORT"; done >"$T/pipe"
for i in $(seq 1 200); do echo "127.0.4.$((i % 250 + 1)):$PORT/sleep"; done >>"$T/pipe"
start=$(date +%s%N)
"$AWGET" -c 50 -t 30 -i "$T/pipe" 2>"$T/err" | head -1 >"$T/out"
rc=${PIPESTATUS[0]}
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$(wc -l <"$T/out")" = 1 ] && [ ! -s "$T/err" ] && [ "$rc" = 1 ] &&
	[ "$ms" -lt 10000 ]; then
	ok "stdout closed (| head -1): quiet stop, exit 1, in $ms ms, not 20 s"
else
	not_ok "stdout closed (| head -1): quiet stop" "rc=$rc ${ms} ms" "$(head -3 "$T/err")"
fi

## Regress: invalid targets end the run too when stdout closes (they
## went through an outcome path of their own that never looked).
timeout -k 5 30 bash -c '"$1" -j | head -1' _ "$AWGET" \
	< <(yes 'a b' | head -5000000) >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" != 124 ] && [ "$rc" != 137 ] && [ "$(wc -l <"$T/out")" = 1 ] &&
	[ "$(jq -r .error_class "$T/out")" = invalid_target ]; then
	ok "invalid targets, stdout closed (-j | head -1): the run ends"
else
	not_ok "invalid targets, stdout closed: the run ends" "rc=$rc" \
		"$(head -c 200 "$T/out")"
fi

## Regress: an address of the wrong family fails in phase resolve.
aw -j -6 "127.0.0.1:$CLOSED"
if [ "$rc" = 1 ] && [ "$(jq -c '[.error_class, .phase, .error]' "$T/out")" = \
	'["resolve","resolve","an IPv4 address, but -6 given"]' ]; then
	ok "-6 with an IPv4 literal: class resolve, phase resolve"
else
	not_ok "-6 with an IPv4 literal: class resolve, phase resolve" \
		"$(cat "$T/out")"
fi

## An input line of 1 MB is one invalid target, and the next line is read.
{
	head -c 1048576 /dev/zero | tr '\0' a
	printf '\n127.0.0.1:%s\n' "$PORT"
} | aw
printf 'awget: %s...: invalid target: target longer than 8192 bytes\n' \
	"$(head -c 40 /dev/zero | tr '\0' a)" >"$T/want"
check_file "a 1 MB input line: one invalid-target line" "$T/want" "$T/err"
if grep -q "^127.0.0.1:$PORT header > HTTP/1.1 200 OK" "$T/out"; then
	ok "a 1 MB input line: the next target is fetched"
else
	not_ok "a 1 MB input line: the next target is fetched"
fi

## -v traces each state change.
aw -v "127.0.0.1:$PORT"
grep -c "^127.0.0.1:$PORT: " "$T/err" >/dev/null
if grep -q "^127.0.0.1:$PORT: CONNECTING -> SENDING$" "$T/err" &&
	grep -q "^127.0.0.1:$PORT: READ_HEADERS -> done$" "$T/err"; then
	ok "-v traces state changes"
else
	not_ok "-v traces state changes" "$(cat "$T/err")"
fi

## SIGINT: what completed is written, each target in flight gets one
## "interrupted" line (one still resolving too), and the exit status is 130.
"$AWGET" -r "127.0.0.1:$CLOSED" -t 30 "127.0.0.1:$PORT" "127.0.0.1:$PORT/sleep" \
	never.test >"$T/out" 2>"$T/err" &
apid=$!
sleep 1.5 # the first target is done by then; the others wait 5 s or more
kill -INT "$apid"
wait "$apid"
rc=$?
check_rc "SIGINT: exit 130" 130
nginx_block "127.0.0.1:$PORT" >"$T/want"
nodate "$T/out" >"$T/got"
check_file "SIGINT: the completed target is written" "$T/want" "$T/got"
printf 'awget: %s: interrupted\n' "127.0.0.1:$PORT/sleep" never.test |
	sort >"$T/want"
sort "$T/err" >"$T/got"
check_file "SIGINT: one 'interrupted' line per target in flight" "$T/want" "$T/got"

## Usage errors: exit 2, one line on stderr, nothing fetched.
usage_case() {
	local desc=$1
	shift
	aw "$@" "127.0.0.1:$PORT"
	if [ "$rc" = 2 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 1 ]; then
		ok "usage error: $desc"
	else
		not_ok "usage error: $desc" "rc=$rc" "$(head -3 "$T/err")"
	fi
}
usage_case "-c 0" -c 0
usage_case "-c abc" -c abc
usage_case "-t 0" -t 0
usage_case "-t x" -t x
usage_case "unknown option" --frobnicate
usage_case "missing value" -c
usage_case "-I with -X GET" -I -X GET
usage_case "-i with targets" -i "$T/list"
usage_case "bad header" -H 'no colon'
usage_case "bad resolver" -r nonsense
aw -i "$T/does-not-exist"
check_rc "unreadable -i file: exit 2" 2
aw -h
if [ "$rc" = 0 ] && grep -q '^usage: awget' "$T/out"; then ok "-h prints usage"; else not_ok "-h prints usage"; fi
aw --version
if [ "$rc" = 0 ] && grep -qE '^awget [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"; then ok "-V prints the version"; else not_ok "-V prints the version"; fi

## A write error on stdout is reported once, with exit 1.
timeout 30 "$AWGET" "127.0.0.1:$PORT" >/dev/full 2>"$T/err"
rc=$?
echo "awget: stdout: write error: No space left on device" >"$T/want"
check_file "stdout write error (/dev/full): one line" "$T/want" "$T/err"
check_rc "stdout write error: exit 1" 1

## Without an edge-triggered backend awget says so, rather than spin.
EVENT_NOEPOLL=1 aw "127.0.0.1:$PORT"
if [ "$rc" = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q EVENT_NOEPOLL "$T/err"; then
	ok "EVENT_NOEPOLL: one clear error line"
else
	not_ok "EVENT_NOEPOLL: one clear error line" "rc=$rc" "$(cat "$T/err")"
fi

## Empty input: nothing to do, exit 0.
aw </dev/null
if [ "$rc" = 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]; then ok "empty input: exit 0, silent"; else
	not_ok "empty input: exit 0, silent" "rc=$rc"
fi

echo "# integration: done"
