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
H2_PID='' NGHTTPD_PID='' NGHTTPD_TLS_PID='' TESTD_PID='' TP=''
cleanup() {
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
testd_start "$TESTD" 120 normal silent close_on_accept || {
	not_ok "awget-testd starts"
	exit 1
}
CA=(--cacert "$T/certs/ca.pem")

# like_curl NAME URL [ARGS...]: awget's lines, the target prefix taken off,
# are curl's with the same ARGS (curl ends HTTP/2's status line with a
# space, which awget does not write), Date values aside.
like_curl() {
	local name=$1 url=$2
	shift 2
	timeout 30 curl -sS "${CA[@]}" "$@" -D - -o /dev/null "$url" 2>"$T/curl.err" |
		tr -d '\r' | grep -v '^$' | sed -E 's/ +$//; s/^(date: |Date: ).*/\1D/' >"$T/want"
	aw "${CA[@]}" "$@" "$url"
	awk -v p="$url header > " 'index($0, p) == 1 { $0 = substr($0, length(p) + 1) } 1' \
		"$T/out" | sed -E 's/^(date: |Date: ).*/\1D/' >"$T/got"
	if [ "$rc" = 0 ] && [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then
		ok "$name: the lines curl prints"
	else
		not_ok "$name: as curl" "rc=$rc" "$(cat "$T/err" "$T/curl.err")" \
			"$(diff "$T/want" "$T/got" | head -10)"
	fi
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

## Many targets over HTTP/2 at once: every one an answer.
for i in $(seq 1 300); do echo "https://localhost:$S/?$i"; done >"$T/list"
aw -j -c 100 "${CA[@]}" --http2 -i "$T/list"
n=$(jq -r 'select(.version == "HTTP/2" and .status == 200) | .target' "$T/out" | sort -u | wc -l)
if [ "$rc" = 0 ] && [ "$n" = 300 ]; then
	ok "--http2 -c 100, 300 targets: 300 HTTP/2 answers"
else
	not_ok "--http2, 300 targets" "rc=$rc n=$n" "$(head -3 "$T/err")"
fi

## Memory errors under valgrind: HTTP/2 over TLS and in clear text, and a
## peer that is not HTTP/2.
if ! memcheck "${CA[@]}" --http2-prior-knowledge "https://localhost:$S/" \
	"http://127.0.0.1:$N/" "http://127.0.0.1:$PN/"; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ "$rc" = 1 ] && [ -z "$memerr" ]; then
	ok "valgrind: HTTP/2 over TLS and clear text, and a peer that is not HTTP/2"
else
	not_ok "valgrind: HTTP/2" "rc=$rc" "$memerr"
fi

echo "# http2: done"
