#!/usr/bin/env bash
# tests/proxy.sh: -x through a real tinyproxy (Debian's) on loopback, to a
# real nginx, plain targets in absolute form and HTTPS through CONNECT,
# with and without HTTP Basic; each compared with curl -x on the same
# proxy. The test server plays the proxies no real one is on demand: a
# CONNECT answered 403 or 407, one that closes, stalls or floods. Every
# server is started here on a free loopback port and stopped by its PID.
# Prints one TAP line per check.
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/proxy.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
TESTD=${TESTD:?set TESTD to the awget-testd binary}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/servers.sh
. "$HERE/lib/servers.sh"
# shellcheck source=tests/lib/tap.sh
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-proxy.XXXXXX)
chmod 755 "$T"
NGINX_PID='' NGINX_TLS_PID='' TESTD_PID='' TP1='' TP2=''
cleanup() {
	stop_pid "$NGINX_PID"
	stop_pid "$NGINX_TLS_PID"
	stop_pid "$TESTD_PID"
	stop_pid "$TP1"
	stop_pid "$TP2"
	rm -rf "$T"
}
trap cleanup EXIT

if ! [ -x /usr/bin/tinyproxy ]; then
	ok "# SKIP tinyproxy is not installed"
	exit 0
fi
P=$(free_port)
nginx_start "$T/nginx" "$P" >/dev/null 2>&1 || {
	not_ok "nginx starts on port $P"
	exit 1
}
nginx_tls_start "$T/tls" || {
	not_ok "nginx starts with TLS"
	exit 1
}
S=${TLS_PORT_valid:?}
CA=(--cacert "$T/tls/certs/ca.pem")
X=$(free_port)
if ! tinyproxy_start "$T/tp1" "$X"; then
	not_ok "tinyproxy starts on port $X"
	exit 1
fi
TP1=$TINYPROXY_PID
XA=$(free_port)
if ! tinyproxy_start "$T/tp2" "$XA" alice 's3cr.t'; then
	not_ok "tinyproxy with Basic starts on port $XA"
	exit 1
fi
TP2=$TINYPROXY_PID
testd_start "$TESTD" 120 connect_403 connect_407 close_on_accept slowloris \
	many_headers ssh_banner || {
	not_ok "awget-testd starts"
	exit 1
}
P403=${TESTD_PORT_connect_403:?}
P407=${TESTD_PORT_connect_407:?}
PCLOSE=${TESTD_PORT_close_on_accept:?}
PSLOW=${TESTD_PORT_slowloris:?}
PMANY=${TESTD_PORT_many_headers:?}
PSSH=${TESTD_PORT_ssh_banner:?}

# like_curl NAME URL PROXY [ARGS...]: through PROXY, awget's lines are
# curl -x's (curl_same, tests/lib/tap.sh).
like_curl() {
	local name=$1 url=$2 proxy=$3
	shift 3
	curl_same "-x $name" "$url" "${CA[@]}" -x "$proxy" "$@"
}
like_curl "tinyproxy, http:// in absolute form" "http://127.0.0.1:$P/" "127.0.0.1:$X"
like_curl "tinyproxy, https:// through CONNECT" "https://localhost:$S/" "http://127.0.0.1:$X"
like_curl "tinyproxy with Basic, the credentials in the URL" "http://127.0.0.1:$P/" \
	"http://alice:s3cr%2Et@127.0.0.1:$XA"
like_curl "tinyproxy with Basic, -U, through CONNECT" "https://localhost:$S/" \
	"127.0.0.1:$XA" -U 'alice:s3cr.t'

## What the server saw: the request line, through the proxy; the tunnel
## carries the plain request with --proxytunnel.
aw -x "127.0.0.1:$X" "http://127.0.0.1:$P/req"
if grep -q "^http://127.0.0.1:$P/req header > X-Req-Host: 127.0.0.1:$P$" "$T/out" &&
	grep -q "header > Via: .*tinyproxy" "$T/out"; then
	ok "-x: the server gets the request from the proxy, Host the target's"
else
	not_ok "-x: through the proxy" "$(cat "$T/out" "$T/err")"
fi
aw -v --proxytunnel -x "127.0.0.1:$X" "http://127.0.0.1:$P/req"
if [ "$rc" = 0 ] && grep -q "header > X-Req-Line: GET /req HTTP/1.1$" "$T/out" &&
	! grep -q "header > Via: " "$T/out" && grep -q ": proxy up$" "$T/err"; then
	ok "--proxytunnel: a plain target through CONNECT, origin form, no Via"
else
	not_ok "--proxytunnel" "rc=$rc" "$(cat "$T/out" "$T/err")"
fi

## JSON: proxy without credentials, ip and port the proxy's.
aw -j "${CA[@]}" -U 'alice:s3cr.t' -x "127.0.0.1:$XA" "https://localhost:$S/"
got=$(jq -c '[.status, .proxy, .ip, .port, .tls.verify, .proxy_connect.status]' "$T/out")
if [ "$rc" = 0 ] && [ "$got" = "[200,\"http://127.0.0.1:$XA\",\"127.0.0.1\",$XA,\"ok\",200]" ]; then
	ok "-x -j: proxy without credentials, proxy_connect, the far end's certificate verified"
else
	not_ok "-x -j: the proxy member" "rc=$rc" "$got"
fi

## Credentials never appear: -v, -j and errors, to a proxy that refuses.
aw -v -j -U 'alice:s3cr.t' -x "127.0.0.1:$P407" "https://localhost:$S/" \
	"http://127.0.0.1:$P/"
if grep -qE 's3cr|alice|YWxpY2' "$T/out" "$T/err"; then
	not_ok "-U: the credentials appear in the output" "$(grep -E 's3cr|alice|YWxpY2' "$T/out" "$T/err")"
else
	ok "-U: the credentials appear nowhere in -v, -j or an error"
fi

## A proxy's refusals, each one classed error line naming the proxy.
check_err() { # check_err DESC WANT_ERR ARGS...
	local desc=$1 want=$2
	shift 2
	aw "$@"
	if [ "$rc" = 1 ] && [ "$(cat "$T/err")" = "$want" ] && [ ! -s "$T/out" ]; then
		ok "$desc"
	else
		not_ok "$desc" "rc=$rc" "got:  $(cat "$T/err")" "want: $want"
	fi
}
CLOSED=$(free_port)
check_err "a proxy that refuses the connection" \
	"awget: http://127.0.0.1:$P/: proxy http://127.0.0.1:$CLOSED: connection refused" \
	-x "127.0.0.1:$CLOSED" "http://127.0.0.1:$P/"
check_err "CONNECT answered 403" \
	"awget: https://localhost:$S/: proxy answered 403 Forbidden to CONNECT localhost:$S" \
	-x "127.0.0.1:$P403" "https://localhost:$S/"
check_err "CONNECT answered 407 by tinyproxy without credentials" \
	"awget: https://localhost:$S/: proxy answered 407 Proxy Authentication Required to CONNECT localhost:$S" \
	-x "127.0.0.1:$XA" "https://localhost:$S/"
check_err "CONNECT answered 407 by the test server" \
	"awget: https://localhost:$S/: proxy answered 407 Proxy Authentication Required to CONNECT localhost:$S" \
	-x "127.0.0.1:$P407" "https://localhost:$S/"
check_err "a proxy that closes before answering" \
	"awget: https://localhost:$S/: proxy http://127.0.0.1:$PCLOSE closed the connection before answering CONNECT" \
	-x "127.0.0.1:$PCLOSE" "https://localhost:$S/"
check_err "a proxy that is not HTTP" \
	"awget: https://localhost:$S/: proxy http://127.0.0.1:$PSSH: not an HTTP answer to CONNECT" \
	-x "127.0.0.1:$PSSH" "https://localhost:$S/"
check_err "a proxy whose answer floods past the limits" \
	"awget: https://localhost:$S/: proxy http://127.0.0.1:$PMANY: its answer to CONNECT is over the limits" \
	-x "127.0.0.1:$PMANY" "https://localhost:$S/"
check_err "a proxy that stalls: one deadline, phase proxy" \
	"awget: https://localhost:$S/: timed out in phase proxy" \
	-t 1.5 -x "127.0.0.1:$PSLOW" "https://localhost:$S/"
aw -j -x "127.0.0.1:$P403" "https://localhost:$S/"
if [ "$(jq -c '[.error_class, .phase, .proxy]' "$T/out")" = "[\"proxy\",\"proxy\",\"http://127.0.0.1:$P403\"]" ]; then
	ok "-j: a proxy's refusal has class proxy, phase proxy"
else
	not_ok "-j: class proxy" "$(cat "$T/out")"
fi

## Usage errors: an empty SOCKS5 user, a malformed URL, -U alone.
usage_err() { # usage_err URL MESSAGE
	aw -x "$1" "http://127.0.0.1:$P/"
	if [ "$rc" = 2 ] && [ "$(cat "$T/err")" = "awget: $2 (try 'awget --help')" ]; then
		ok "-x $1: '$2'"
	else
		not_ok "-x $1: a usage error" "rc=$rc" "got:  $(cat "$T/err")" "want: $2"
	fi
}
usage_err "socks5://:pw@127.0.0.1:1" "proxy: a SOCKS5 user name cannot be empty"
usage_err ftp://127.0.0.1:1 "proxy: unknown proxy scheme (http, socks4, socks4a, socks5 or socks5h)"
usage_err 127.0.0.1:0 "proxy: invalid proxy port"
usage_err "http://u:p@[::1" "proxy: missing ']' after the proxy's IPv6 address"
usage_err "http://127.0.0.1:1/x" "proxy: a proxy URL has no path"
usage_err "http://u:%zz@127.0.0.1:1" "proxy: proxy credentials are not percent-encoded text"
aw -x '' "http://127.0.0.1:$P/"
if [ "$rc" = 0 ] && ! grep -q 'Via:' "$T/out"; then
	ok "-x '': no proxy"
else
	not_ok "-x '': no proxy" "rc=$rc"
fi

## The environment, with curl's names; -x and --noproxy over it.
via() { # via ENV... -- ARGS...: "proxy" or "direct" for each target's answer
	local e=()
	while [ "$1" != -- ]; do e+=("$1") && shift; done
	shift
	env "${e[@]}" timeout -k 5 60 "$AWGET" -j "${CA[@]}" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	local urls=() a # in the order given: answers come as they end
	for a; do [[ $a != http* ]] || urls+=("$a"); done
	jq -r -s 'map({(.target): (if .proxy then "proxy" else "direct" end)}) | add as $m |
		$ARGS.positional | map($m[.] // "none") | join(" ")' --args "${urls[@]}" <"$T/out" |
		sed 's/$/ /'
}
H="http://127.0.0.1:$P/" HS="https://localhost:$S/"
envcase() { # envcase DESC WANT ENV... -- ARGS...
	local desc=$1 want=$2 got
	shift 2
	got=$(via "$@")
	if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "rc=$rc got: $got want: $want" "$(cat "$T/err")"
	fi
}
envcase "http_proxy: http:// through it, https:// direct" "proxy direct " \
	"http_proxy=http://127.0.0.1:$X" -- "$H" "$HS"
envcase "HTTP_PROXY (upper case) is not read" "direct " \
	"HTTP_PROXY=http://127.0.0.1:$X" -- "$H"
envcase "HTTPS_PROXY: https:// through it, http:// direct" "proxy direct " \
	"HTTPS_PROXY=127.0.0.1:$X" -- "$HS" "$H"
envcase "ALL_PROXY: both" "proxy proxy " "ALL_PROXY=127.0.0.1:$X" -- "$H" "$HS"
envcase "NO_PROXY=localhost: https://localhost direct" "proxy direct " \
	"ALL_PROXY=127.0.0.1:$X" "NO_PROXY=localhost" -- "$H" "$HS"
envcase "no_proxy=127.0.0.0/8 (a CIDR block)" "direct proxy " \
	"all_proxy=127.0.0.1:$X" "no_proxy=127.0.0.0/8" -- "$H" "$HS"
envcase "--noproxy '*' over the environment" "direct direct " \
	"ALL_PROXY=127.0.0.1:$X" -- --noproxy '*' "$H" "$HS"
envcase "--noproxy over NO_PROXY" "direct proxy " \
	"ALL_PROXY=127.0.0.1:$X" "NO_PROXY=localhost" -- --noproxy 127.0.0.1 "$H" "$HS"
envcase "-x '' turns the environment off" "direct direct " \
	"ALL_PROXY=127.0.0.1:$X" -- -x '' "$H" "$HS"
envcase "-x over the environment (which points nowhere)" "proxy " \
	"http_proxy=http://127.0.0.1:$CLOSED" -- -x "127.0.0.1:$X" "$H"
env "http_proxy=ftp://127.0.0.1:1" timeout 20 "$AWGET" "$H" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 2 ] && grep -q "^awget: proxy in http_proxy: unknown proxy scheme" "$T/err"; then
	ok "a bad http_proxy: a usage error naming the variable"
else
	not_ok "a bad http_proxy" "rc=$rc" "$(cat "$T/err")"
fi

## --retry applies to a refused proxy: each attempt a connection.
aw -v --retry 2 -x "127.0.0.1:$CLOSED" "http://127.0.0.1:$P/"
if [ "$rc" = 1 ] && [ "$(grep -c ': retry [0-9]* in ' "$T/err")" = 2 ] &&
	grep -q "^awget: http://127.0.0.1:$P/: proxy http://127.0.0.1:$CLOSED: connection refused$" "$T/err"; then
	ok "--retry 2, the proxy refuses: two retries, then one proxy error"
else
	not_ok "--retry with a refused proxy" "rc=$rc" "$(cat "$T/err")"
fi

## Many targets through one proxy: every one an outcome.
for i in $(seq 1 200); do echo "http://127.0.0.$((i % 200 + 1)):$P/"; done >"$T/list"
aw -j -c 50 -x "127.0.0.1:$X" -i "$T/list"
n=$(jq -r 'select(.status == 200) | .target' "$T/out" | sort -u | wc -l)
if [ "$rc" = 0 ] && [ "$n" = 200 ]; then
	ok "-x -c 50, 200 targets through tinyproxy: 200 answers"
else
	not_ok "-x, 200 targets" "rc=$rc n=$n" "$(head -3 "$T/err")"
fi

## Memory errors under valgrind: both ways through the proxy, a refusal.
if ! memcheck "${CA[@]}" -U 'alice:s3cr.t' -x "127.0.0.1:$XA" "http://127.0.0.1:$P/" \
	"https://localhost:$S/"; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ "$rc" = 0 ] && [ -z "$memerr" ]; then
	ok "valgrind: through tinyproxy, plain and CONNECT, no invalid read or write"
else
	not_ok "valgrind: through tinyproxy" "rc=$rc" "$memerr"
fi

echo "# proxy: done"
