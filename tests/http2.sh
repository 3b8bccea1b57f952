#!/usr/bin/env bash
# tests/http2.sh: --http2 (ALPN h2 over TLS), --http2-prior-knowledge (TLS
# or cleartext) and --http1.1, against a real nginx (its http2 on a TLS and
# on a cleartext listener, and an HTTP/1-only TLS one) and a real nghttpd
# (Debian's nghttp2-server, an HTTP/2-only server), each compared line for
# line with curl --http2 on the same server; through tinyproxy (CONNECT,
# TLS, then h2); and the test server for peers that speak no HTTP/2.
# Every server is started here on a free loopback port and stopped by its
# PID. Prints one TAP line per check.
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/http2.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
TESTD=${TESTD:?set TESTD to the awget-testd binary}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/servers.sh
. "$HERE/lib/servers.sh"
# shellcheck source=tests/lib/tap.sh
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-http2.XXXXXX)
chmod 755 "$T" # nginx workers drop to nobody
H2_PID='' NGHTTPD_PID='' NGHTTPD_TLS_PID='' TESTD_PID='' TP='' NV_PID=''
cleanup() {
	stop_pid "$NV_PID"
	stop_pid "$H2_PID"
	stop_pid "$NGHTTPD_PID"
	stop_pid "$NGHTTPD_TLS_PID"
	stop_pid "$TESTD_PID"
	stop_pid "$TP"
	rm -rf "$T"
}
trap cleanup EXIT

if ! [ -x /usr/sbin/nghttpd ]; then
	ok "# SKIP nghttpd is not installed"
	exit 0
fi
tls_certs "$T/certs" || {
	not_ok "openssl makes the test certificates"
	exit 1
}
S=$(free_port) C=$(free_port) S1=$(free_port) P1=$(free_port)
mkdir -p "$T/nginx/logs" "$T/nginx/tmp" "$T/htdocs"
echo ok >"$T/htdocs/index.html"
cat >"$T/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log crit;
events { worker_connections 1024; }
http {
$(nginx_http_common "$T/nginx")
	server {
		listen 127.0.0.1:$S ssl http2;
		ssl_certificate $T/certs/valid.pem;
		ssl_certificate_key $T/certs/server.key;
		location / { add_header X-Test h2 always; return 200 "ok\n"; }
		location /r { return 301 /; }
		location /many { add_header Set-Cookie a=1; add_header Set-Cookie b=2; return 204; }
	}
	server {
		listen 127.0.0.1:$C http2;
		location / { add_header X-Test h2c always; return 200 "ok\n"; }
	}
	server {
		listen 127.0.0.1:$S1 ssl;
		ssl_certificate $T/certs/valid.pem;
		ssl_certificate_key $T/certs/server.key;
		location / { add_header X-Test h1 always; return 200 "ok\n"; }
	}
	server {
		listen 127.0.0.1:$P1;
		location / { add_header X-Test h1 always; return 200 "ok\n"; }
	}
}
CONF
/usr/sbin/nginx -p "$T/nginx" -e "$T/nginx/logs/error.log" -c "$T/nginx/nginx.conf" 2>/dev/null &
H2_PID=$!
N=$(free_port) NS=$(free_port)
/usr/sbin/nghttpd -a 127.0.0.1 -d "$T/htdocs" --no-tls "$N" >/dev/null 2>&1 &
NGHTTPD_PID=$!
/usr/sbin/nghttpd -a 127.0.0.1 -d "$T/htdocs" "$NS" "$T/certs/server.key" \
	"$T/certs/valid.pem" >/dev/null 2>&1 &
NGHTTPD_TLS_PID=$!
for p in "$S" "$C" "$S1" "$P1" "$N" "$NS"; do
	wait_port "$p" || {
		not_ok "nginx and nghttpd listen on $p" "$(cat "$T/nginx/logs/error.log")"
		exit 1
	}
done
testd_start "$TESTD" 120 normal silent close_on_accept h2_normal h2_bad_field h2_no_settings \
	h2_settings_only h2_goaway h2_rst h2_bad_frame h2_then_bad h2_hpack_bomb h2_big_headers \
	h2_continuation_flood h2_endless_1xx h2_ping_flood h2_ping_noread || {
	not_ok "awget-testd starts"
	exit 1
}
CA=(--cacert "$T/certs/ca.pem")

# like_curl NAME URL [ARGS...]: awget's lines are curl's with the same
# ARGS and the test CA (curl_same, tests/lib/tap.sh).
like_curl() {
	local name=$1 url=$2
	shift 2
	curl_same "$name" "$url" "${CA[@]}" "$@"
}
like_curl "--http2, nginx over TLS (ALPN h2)" "https://localhost:$S/" --http2
like_curl "--http2, two Set-Cookie fields and a 204" "https://localhost:$S/many" --http2
like_curl "--http2-prior-knowledge, nginx in clear text" "http://127.0.0.1:$C/" --http2-prior-knowledge
like_curl "--http2-prior-knowledge, nghttpd in clear text" "http://127.0.0.1:$N/" --http2-prior-knowledge
like_curl "--http2, nghttpd over TLS (HTTP/2 only)" "https://localhost:$NS/" --http2
like_curl "--http2, nghttpd, a 404" "https://localhost:$NS/none" --http2
like_curl "--http2, an HTTP/1.1-only TLS server: ALPN picks 1.1" "https://localhost:$S1/" --http2
like_curl "--http2 over plain HTTP: HTTP/1.1, no upgrade" "http://127.0.0.1:$P1/" --http2
like_curl "--http1.1 after --http2" "https://localhost:$S/" --http2 --http1.1

## JSON: version HTTP/2, ALPN h2; the HTTP/1 server's choice.
aw -j "${CA[@]}" --http2 "https://localhost:$S/" "https://localhost:$S1/"
got=$(jq -c -s 'sort_by(.target) | map([.version, .status, .tls.alpn, .reason])' "$T/out")
want=$(jq -c -n --arg a "https://localhost:$S/" --arg b "https://localhost:$S1/" \
	'if $a < $b then [["HTTP/2",200,"h2",""],["HTTP/1.1",200,"http/1.1","OK"]]
	 else [["HTTP/1.1",200,"http/1.1","OK"],["HTTP/2",200,"h2",""]] end')
if [ "$got" = "$want" ]; then
	ok "-j: version HTTP/2 and tls.alpn h2; the 1.1 server's http/1.1"
else
	not_ok "-j over HTTP/2" "$got" "want $want"
fi

## -L over HTTP/2: each hop its own connection, its own HTTP/2.
like_curl "--http2 -L: a 301 then the answer" "https://localhost:$S/r" --http2 -L
aw -j -L "${CA[@]}" --http2 "https://localhost:$S/r"
if [ "$(jq -c '[.redirects[0].version, .redirects[0].status, .version, .status]' "$T/out")" = '["HTTP/2",301,"HTTP/2",200]' ]; then
	ok "-L -j over HTTP/2: both hops HTTP/2"
else
	not_ok "-L -j over HTTP/2" "$(cat "$T/out")"
fi

## Through a proxy: CONNECT, TLS, then HTTP/2.
X=$(free_port)
if tinyproxy_start "$T/tp" "$X"; then
	TP=$TINYPROXY_PID
	like_curl "--http2 through tinyproxy's CONNECT" "https://localhost:$S/" --http2 -x "127.0.0.1:$X"
fi

## Peers that speak no HTTP/2, and one that never answers.
h2_err() { # h2_err DESC WANT ARGS...
	local desc=$1 want=$2
	shift 2
	aw "$@"
	if [ "$rc" = 1 ] && [ "$(cat "$T/err")" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "rc=$rc" "got:  $(cat "$T/err")" "want: $want"
	fi
}
PN=${TESTD_PORT_normal:?}
h2_err "--http2-prior-knowledge to an HTTP/1 server: not HTTP/2" \
	"awget: http://127.0.0.1:$PN/: not an HTTP/2 answer (Remote peer returned unexpected data while we expected SETTINGS frame.  Perhaps, peer does not support HTTP/2 properly.)" \
	--http2-prior-knowledge "http://127.0.0.1:$PN/"
aw -j --http2-prior-knowledge "http://127.0.0.1:$PN/"
if [ "$(jq -c '[.error_class, .phase]' "$T/out")" = '["not_http","headers"]' ]; then
	ok "-j: an HTTP/1 answer to HTTP/2 has class not_http"
else
	not_ok "-j: not_http" "$(cat "$T/out")"
fi
h2_err "--http2-prior-knowledge, a server that says nothing: one deadline" \
	"awget: http://127.0.0.1:${TESTD_PORT_silent:?}/: timed out in phase headers" \
	-t 1 --http2-prior-knowledge "http://127.0.0.1:${TESTD_PORT_silent:?}/"
h2_err "--http2-prior-knowledge, a server that closes at once" \
	"awget: http://127.0.0.1:${TESTD_PORT_close_on_accept:?}/: connection closed before the end of the headers" \
	--http2-prior-knowledge "http://127.0.0.1:${TESTD_PORT_close_on_accept:?}/"
aw -0 --http2 "https://localhost:$S/"
if [ "$rc" = 2 ] && grep -q "^awget: cannot use -0 with --http2" "$T/err"; then
	ok "-0 with --http2: a usage error"
else
	not_ok "-0 --http2" "rc=$rc" "$(cat "$T/err")"
fi

## --stats counts HTTP/2 answers and failures as HTTP/1's.
aw --stats --http2-prior-knowledge "http://127.0.0.1:$C/" "http://127.0.0.1:$N/none" \
	"http://127.0.0.1:${TESTD_PORT_h2_goaway:?}/" "http://127.0.0.1:$PN/"
got=$(grep '^stats: ' "$T/err" | sed -E 's/retries 0, [0-9]+\.[0-9]{3} s, [0-9.]+ targets\/s$/retries 0, TIME/')
want='stats: targets 4, succeeded 2, failed 2, retries 0, TIME
stats: failed by class: closed 1, not_http 1
stats: responses by status: 2xx 1, 4xx 1'
if [ "$got" = "$want" ]; then
	ok "--stats over HTTP/2: targets, failures by class, statuses"
else
	not_ok "--stats over HTTP/2" "got:  $got" "want: $want" "$(cat "$T/err")"
fi

## Many targets over HTTP/2 at once: every one an answer.
for i in $(seq 1 300); do echo "https://localhost:$S/?$i"; done >"$T/list"
aw -j -c 100 "${CA[@]}" --http2 -i "$T/list"
n=$(jq -r 'select(.version == "HTTP/2" and .status == 200) | .target' "$T/out" | sort -u | wc -l)
if [ "$rc" = 0 ] && [ "$n" = 300 ]; then
	ok "--http2 -c 100, 300 targets: 300 HTTP/2 answers"
else
	not_ok "--http2, 300 targets" "rc=$rc n=$n" "$(head -3 "$T/err")"
fi

## The end of the headers: RST_STREAM (CANCEL) and GOAWAY (NO_ERROR),
## as nghttpd -v logs them; a window of 0, so no DATA was ever sent.
NV=$(free_port)
head -c 1048576 /dev/zero >"$T/htdocs/big"
/usr/sbin/nghttpd -v -a 127.0.0.1 -d "$T/htdocs" --no-tls "$NV" >"$T/nghttpd.log" 2>&1 &
NV_PID=$!
if wait_port "$NV"; then
	aw --http2-prior-knowledge "http://127.0.0.1:$NV/big"
	for _ in $(seq 1 50); do # nghttpd logs as it reads: up to 2.5 s
		grep -q 'recv GOAWAY' "$T/nghttpd.log" && break
		sleep 0.05
	done
	stop_pid "$NV_PID"
	log=$(grep -A1 -E 'recv (RST_STREAM|GOAWAY)|send DATA' "$T/nghttpd.log" | tr -s ' \n' ' ')
	if [ "$rc" = 0 ] && grep -q 'header > content-length: 1048576$' "$T/out" &&
		[[ $log == *"recv RST_STREAM frame <length=4, flags=0x00, stream_id=1> (error_code=CANCEL(0x08))"*"recv GOAWAY frame <length=8, flags=0x00, stream_id=0> (last_stream_id=0, error_code=NO_ERROR(0x00)"* ]] &&
		[[ $log != *"send DATA"* ]]; then
		ok "after the headers: RST_STREAM CANCEL, then GOAWAY NO_ERROR; no DATA sent"
	else
		not_ok "RST_STREAM and GOAWAY at the end" "rc=$rc" "$log" "$(head -3 "$T/out")"
	fi
else
	not_ok "nghttpd -v listens on $NV"
fi

## Hostile HTTP/2 (the test server's h2_* scenarios): one classed error
## line each, from nghttp2's framing and awget's own limits.
h2_bad() { # h2_bad SCENARIO CLASS MESSAGE [ARGS...]
	local sc=$1 class=$2 msg=$3 v=TESTD_PORT_$1 port
	shift 3
	port=${!v:?}
	aw --http2-prior-knowledge "$@" "http://127.0.0.1:$port/"
	if [ "$rc" = 1 ] && [ ! -s "$T/out" ] &&
		[ "$(cat "$T/err")" = "awget: http://127.0.0.1:$port/: $msg" ]; then
		aw -j --http2-prior-knowledge "$@" "http://127.0.0.1:$port/"
		if [ "$(jq -r .error_class "$T/out")" = "$class" ]; then
			ok "$sc: $class, \"$msg\""
		else
			not_ok "$sc: class $class" "$(cat "$T/out")"
		fi
	else
		not_ok "$sc: $msg" "rc=$rc" "got:  $(cat "$T/err")" "$(head -c 300 "$T/out")"
	fi
}
aw --http2-prior-knowledge "http://127.0.0.1:${TESTD_PORT_h2_normal:?}/"
if [ "$rc" = 0 ] && [ "$(sed 's/^[^ ]* header > //' "$T/out" | tr '\n' '|')" = "HTTP/2 200|server: testd|x-h2: yes|" ]; then
	ok "h2_normal: the test server's HTTP/2 answer"
else
	not_ok "h2_normal" "rc=$rc" "$(cat "$T/out" "$T/err")"
fi
aw --http2-prior-knowledge "http://127.0.0.1:${TESTD_PORT_h2_then_bad:?}/"
if [ "$rc" = 0 ] && [ ! -s "$T/err" ] &&
	[ "$(sed 's/^[^ ]* header > //' "$T/out" | tr '\n' '|')" = "HTTP/2 204|server: testd|" ]; then
	ok "h2_then_bad: a whole answer, then a bad frame in the same read: the answer counts"
else
	not_ok "h2_then_bad" "rc=$rc" "$(cat "$T/out" "$T/err")"
fi
h2_bad h2_bad_field not_http 'HTTP/2 protocol error (Invalid HTTP header field was received: frame type: 1, stream: 1, name: [x-bad\x1b]0;pwned\x07], value: [\x1b[2Jv])'
h2_bad h2_no_settings not_http "not an HTTP/2 answer (Remote peer returned unexpected data while we expected SETTINGS frame.  Perhaps, peer does not support HTTP/2 properly.)"
h2_bad h2_settings_only timeout "timed out in phase headers" -t 1
h2_bad h2_goaway closed "HTTP/2 GOAWAY before the headers: ENHANCE_YOUR_CALM"
h2_bad h2_rst closed "HTTP/2 stream closed before the headers: REFUSED_STREAM"
h2_bad h2_bad_frame not_http "HTTP/2 protocol error (PROTOCOL_ERROR: DATA: stream_id == 0)"
h2_bad h2_hpack_bomb too_large "headers larger than 262144 bytes"
h2_bad h2_big_headers too_large "headers larger than 262144 bytes"
h2_bad h2_continuation_flood too_large "more than 17 HTTP/2 CONTINUATION frames"
h2_bad h2_endless_1xx too_large "more than 16 interim responses"
h2_bad h2_ping_flood timeout "timed out in phase headers" -t 1
h2_bad h2_ping_noread too_large "HTTP/2 flood: more frames to acknowledge than it reads"

## Memory stays bounded: 400 hostile HTTP/2 targets at -c 100 (HPACK
## bombs of 8.7 MB each, CONTINUATION floods, endless 1xx, PING floods
## into a full socket): one error line each, and a peak RSS within 8 MiB
## of one normal HTTP/2 fetch.
for i in $(seq 1 100); do
	for sc in h2_hpack_bomb h2_continuation_flood h2_endless_1xx h2_ping_noread; do
		v=TESTD_PORT_$sc
		echo "http://127.0.0.1:${!v:?}/?$i"
	done
done >"$T/hostile"
if [ -x /usr/bin/time ] && ! sanitized; then
	/usr/bin/time -f '%M' -o "$T/rss0" "$AWGET" --http2-prior-knowledge \
		"http://127.0.0.1:$TESTD_PORT_h2_normal/" >/dev/null 2>&1
	/usr/bin/time -f '%M' -o "$T/rss" timeout -k 5 60 "$AWGET" -c 100 -t 10 \
		--http2-prior-knowledge -i "$T/hostile" >"$T/out" 2>"$T/err"
	base=$(tail -1 "$T/rss0") kib=$(tail -1 "$T/rss")
	n=$(sort -u "$T/err" | grep -c -E '(larger than|CONTINUATION|interim|flood)')
	if [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 400 ] && [ "$n" = 400 ] &&
		[ $((kib - base)) -le 8192 ]; then
		ok "400 hostile HTTP/2 targets at -c 100: 400 error lines, peak RSS $kib KiB ($((kib - base)) over one fetch)"
	else
		not_ok "400 hostile HTTP/2 targets" "$(wc -l <"$T/err") lines, $n distinct" \
			"rss $kib KiB, base $base" "$(sort "$T/err" | cut -c1-120 | uniq -c | sort -rn | head -5)"
	fi
else
	ok "# SKIP hostile HTTP/2 peak RSS: no /usr/bin/time, or a sanitizer build"
fi

## Memory errors under valgrind: HTTP/2 over TLS and in clear text, and a
## peer that is not HTTP/2.
if ! memcheck "${CA[@]}" --http2-prior-knowledge "https://localhost:$S/" \
	"http://127.0.0.1:$N/" "http://127.0.0.1:$PN/" \
	"http://127.0.0.1:${TESTD_PORT_h2_hpack_bomb:?}/" \
	"http://127.0.0.1:${TESTD_PORT_h2_continuation_flood:?}/" \
	"http://127.0.0.1:${TESTD_PORT_h2_bad_frame:?}/" \
	"http://127.0.0.1:${TESTD_PORT_h2_ping_noread:?}/"; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ "$rc" = 1 ] && [ -z "$memerr" ]; then
	ok "valgrind: HTTP/2 over TLS and clear text, a peer that is not HTTP/2, hostile HTTP/2"
else
	not_ok "valgrind: HTTP/2" "rc=$rc" "$memerr"
fi

echo "# http2: done"
