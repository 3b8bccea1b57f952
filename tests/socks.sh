#!/usr/bin/env bash
# tests/socks.sh: -x socks4://, socks4a://, socks5:// and socks5h://.
# Through a real microsocks (Debian's SOCKS5 server), with and without
# RFC 1929's user name and password, to a real nginx, plain and HTTPS;
# through the test server's SOCKS proxy, which echoes what the handshake
# asked (SOCKS4 and 4a too, which microsocks does not speak), answers with
# each reply code, closes or stalls. Each way is compared with curl -x on
# the same proxy. A dnsmasq that logs its queries shows who resolved the
# name. Every server is started here on a free loopback port and stopped
# by its PID. Prints one TAP line per check.
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/socks.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
TESTD=${TESTD:?set TESTD to the awget-testd binary}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/servers.sh
. "$HERE/lib/servers.sh"
# shellcheck source=tests/lib/tap.sh
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-socks.XXXXXX)
chmod 755 "$T" # nginx workers and dnsmasq drop to nobody
NGINX_PID='' NGINX_TLS_PID='' TESTD_PID='' MS1='' MS2='' DNSMASQ_PID=''
cleanup() {
	stop_pid "$NGINX_PID"
	stop_pid "$NGINX_TLS_PID"
	stop_pid "$TESTD_PID"
	stop_pid "$MS1"
	stop_pid "$MS2"
	stop_pid "$DNSMASQ_PID"
	rm -rf "$T"
}
trap cleanup EXIT

if ! [ -x /usr/bin/microsocks ]; then
	ok "# SKIP microsocks is not installed"
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
# microsocks_start PORT [USER PASSWORD]: sets MICROSOCKS_PID.
microsocks_start() {
	local port=$1
	shift
	if [ $# -ge 2 ]; then
		/usr/bin/microsocks -i 127.0.0.1 -p "$port" -u "$1" -P "$2" >/dev/null 2>&1 &
	else
		/usr/bin/microsocks -i 127.0.0.1 -p "$port" >/dev/null 2>&1 &
	fi
	MICROSOCKS_PID=$!
	wait_port "$port"
}
M=$(free_port)
microsocks_start "$M" || {
	not_ok "microsocks starts on port $M"
	exit 1
}
MS1=$MICROSOCKS_PID
MA=$(free_port)
microsocks_start "$MA" alice 's3cr:t' || {
	not_ok "microsocks with a password starts on port $MA"
	exit 1
}
MS2=$MICROSOCKS_PID
testd_start "$TESTD" 120 socks_echo socks_reply socks_close silent ssh_banner \
	close_on_accept || {
	not_ok "awget-testd starts"
	exit 1
}
E=${TESTD_PORT_socks_echo:?}
R=${TESTD_PORT_socks_reply:?}
PCLOSE=${TESTD_PORT_socks_close:?}
PSILENT=${TESTD_PORT_silent:?}
PSSH=${TESTD_PORT_ssh_banner:?}
PEOF=${TESTD_PORT_close_on_accept:?}
DNSPORT=$(free_port)
printf '127.0.0.9 far.test\n' >"$T/hosts"
dnsmasq_start "$T" "$DNSPORT" "$T/hosts" --log-queries || {
	not_ok "dnsmasq starts"
	exit 1
}

# like_curl NAME URL PROXY [ARGS...]: through PROXY, awget's lines are
# curl -x's (curl_same, tests/lib/tap.sh).
like_curl() {
	local name=$1 url=$2 proxy=$3
	shift 3
	curl_same "-x $name" "$url" "${CA[@]}" -x "$proxy" "$@"
}

## Through microsocks, to nginx: plain and HTTPS, the name resolved here
## (socks5) or by the proxy (socks5h), with and without a password.
like_curl "microsocks socks5, http://" "http://127.0.0.1:$P/" "socks5://127.0.0.1:$M"
like_curl "microsocks socks5h, http://localhost" "http://localhost:$P/" "socks5h://127.0.0.1:$M"
like_curl "microsocks socks5, https://localhost" "https://localhost:$S/" "socks5://127.0.0.1:$M"
like_curl "microsocks socks5h, https://localhost" "https://localhost:$S/" "socks5h://127.0.0.1:$M"
like_curl "microsocks with a password in the URL" "http://127.0.0.1:$P/" \
	"socks5h://alice:s3cr%3At@127.0.0.1:$MA"
like_curl "microsocks with -U, https://" "https://localhost:$S/" \
	"socks5://127.0.0.1:$MA" -U 'alice:s3cr:t'

## The test server's proxy echoes the handshake: awget's and curl's are
## the same bytes, for every kind, a name and an address, with a user.
like_curl "socks4, an address" "http://127.0.0.1:8/" "socks4://127.0.0.1:$E"
like_curl "socks4a, a name, a user" "http://localhost:81/" "socks4a://bob@127.0.0.1:$E"
like_curl "socks4, a name resolved here" "http://localhost:82/" "socks4://127.0.0.1:$E" -4
like_curl "socks5, an IPv6 address" "http://[::1]:83/" "socks5://127.0.0.1:$E"
like_curl "socks5h, a name, RFC 1929" "http://localhost:84/" "socks5h://bob:pw@127.0.0.1:$E"
like_curl "socks5h, a name --resolve pins is still sent as the name" "http://localhost:85/x" \
	"socks5h://127.0.0.1:$E" --resolve localhost:85:127.0.0.1

## Who resolves the name: socks4 and socks5 here, socks4a and socks5h at
## the proxy. dnsmasq knows far.test and logs every query it gets; it says
## NXDOMAIN for near.test, which only the proxy is to see.
DNS=(-r "127.0.0.1:$DNSPORT")
socks_dest() { # socks_dest DESC WANT_X_SOCKS PROXY_KIND URL
	aw "${DNS[@]}" -x "$3://127.0.0.1:$E" "$4"
	if [ "$rc" = 0 ] && grep -qx "$4 header > X-Socks: $2" "$T/out"; then
		ok "$1"
	else
		not_ok "$1" "rc=$rc" "$(cat "$T/out" "$T/err")" "want X-Socks: $2"
	fi
}
socks_dest "socks5: far.test resolved here, sent as an address" \
	"v5 cmd=1 atyp=1 addr=127.0.0.9 port=80" socks5 "http://far.test/"
socks_dest "socks4: far.test resolved here" \
	"v4 cmd=1 ip=127.0.0.9 port=80 user=" socks4 "http://far.test/"
socks_dest "socks5h: near.test sent as a name" \
	"v5 cmd=1 atyp=3 addr=near.test port=80" socks5h "http://near.test/"
socks_dest "socks4a: near.test sent as a name" \
	"v4a cmd=1 host=near.test port=80 user=" socks4a "http://near.test/"
# (evdns asks in mixed case, as 0x20 hardening does)
if grep -qi 'query.*far\.test' "$T/dnsmasq.log" && ! grep -qi 'query.*near\.test from' "$T/dnsmasq.log"; then
	ok "dnsmasq was asked for far.test (socks4, socks5), never for near.test (socks4a, socks5h)"
else
	not_ok "who resolved" "$(grep -i 'query' "$T/dnsmasq.log" | tail -5)"
fi
aw "${DNS[@]}" -x "socks5://127.0.0.1:$E" "http://near.test/"
if [ "$rc" = 1 ] && grep -q "^awget: http://near.test/: cannot resolve near.test: " "$T/err"; then
	ok "socks5: a name that does not resolve here is the target's resolve error"
else
	not_ok "socks5, near.test" "rc=$rc" "$(cat "$T/err")"
fi
aw --resolve far.test:80:127.0.0.7 "${DNS[@]}" -x "socks5://127.0.0.1:$E" "http://far.test/"
if grep -q "X-Socks: v5 cmd=1 atyp=1 addr=127.0.0.7 port=80$" "$T/out"; then
	ok "socks5: a --resolve pin is the address sent"
else
	not_ok "socks5 and --resolve" "$(cat "$T/out" "$T/err")"
fi

## The proxy's refusals: one error line each, class proxy.
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
check_err "microsocks, a wrong password" \
	"awget: http://127.0.0.1:$P/: SOCKS5 proxy: authentication failed" \
	-x "socks5://alice:wrong@127.0.0.1:$MA" "http://127.0.0.1:$P/"
check_err "microsocks wants a password, none given" \
	"awget: http://127.0.0.1:$P/: SOCKS5 proxy: no acceptable authentication method (it may want a user name and password: -U)" \
	-x "socks5://127.0.0.1:$MA" "http://127.0.0.1:$P/"
CLOSED=$(free_port)
check_err "microsocks, the far end refuses" \
	"awget: http://127.0.0.1:$CLOSED/: SOCKS5 proxy: connection refused (reply 5)" \
	-x "socks5://127.0.0.1:$M" "http://127.0.0.1:$CLOSED/"
check_err "a SOCKS proxy that refuses the connection" \
	"awget: http://127.0.0.1:$P/: proxy socks5h://127.0.0.1:$CLOSED: connection refused" \
	-x "socks5h://127.0.0.1:$CLOSED" "http://127.0.0.1:$P/"
for code in 1 2 3 4 5 6 7 8 9; do
	case $code in
	1) text="general SOCKS server failure" ;;
	2) text="connection not allowed by ruleset" ;;
	3) text="network unreachable" ;;
	4) text="host unreachable" ;;
	5) text="connection refused" ;;
	6) text="TTL expired" ;;
	7) text="command not supported" ;;
	8) text="address type not supported" ;;
	9) text="unknown error" ;;
	esac
	check_err "SOCKS5 reply $code" \
		"awget: http://127.0.0.1:$code/: SOCKS5 proxy: $text (reply $code)" \
		-x "socks5://127.0.0.1:$R" "http://127.0.0.1:$code/"
done
for code in 91 92 93; do
	case $code in
	91) text="request rejected or failed" ;;
	92) text="cannot reach the client's identd" ;;
	93) text="the client's identd gave another user id" ;;
	esac
	check_err "SOCKS4 reply $code" \
		"awget: http://127.0.0.1:$code/: SOCKS4 proxy: $text (reply $code)" \
		-x "socks4a://127.0.0.1:$R" "http://127.0.0.1:$code/"
done
check_err "SOCKS5, a bound address of an unknown type" \
	"awget: http://127.0.0.1:1009/: SOCKS5 proxy socks5://127.0.0.1:$R: address type 9 in its reply" \
	-x "socks5://127.0.0.1:$R" "http://127.0.0.1:1009/"
check_err "the test server's proxy, a wrong password" \
	"awget: http://127.0.0.1:8/: SOCKS5 proxy: authentication failed" \
	-x "socks5://bob:bad@127.0.0.1:$E" "http://127.0.0.1:8/"
check_err "a SOCKS5 proxy that closes instead of answering CONNECT" \
	"awget: http://127.0.0.1:8/: SOCKS5 proxy socks5://127.0.0.1:$PCLOSE closed the connection during the handshake" \
	-x "socks5://127.0.0.1:$PCLOSE" "http://127.0.0.1:8/"
check_err "a SOCKS4 proxy that closes at once" \
	"awget: http://127.0.0.1:8/: SOCKS4 proxy socks4://127.0.0.1:$PEOF closed the connection during the handshake" \
	-x "socks4://127.0.0.1:$PEOF" "http://127.0.0.1:8/"
check_err "a SOCKS proxy that is not one" \
	"awget: http://127.0.0.1:8/: SOCKS5 proxy socks5://127.0.0.1:$PSSH: not a SOCKS5 answer" \
	-x "socks5://127.0.0.1:$PSSH" "http://127.0.0.1:8/"
check_err "a SOCKS proxy that stalls: one deadline, phase proxy" \
	"awget: http://127.0.0.1:8/: timed out in phase proxy" \
	-t 1 -x "socks5://127.0.0.1:$PSILENT" "http://127.0.0.1:8/"
check_err "socks4 cannot carry an IPv6 address" \
	"awget: http://[::1]:8/: SOCKS4 proxy socks4://127.0.0.1:$E: cannot reach an IPv6 address" \
	-x "socks4://127.0.0.1:$E" "http://[::1]:8/"
aw -j -x "socks5://127.0.0.1:$R" "http://127.0.0.1:4/"
if [ "$(jq -c '[.error_class, .phase, .proxy, .port]' "$T/out")" = "[\"proxy\",\"proxy\",\"socks5://127.0.0.1:$R\",$R]" ]; then
	ok "-j: a SOCKS refusal has class proxy, phase proxy, the proxy's URL"
else
	not_ok "-j: SOCKS class proxy" "$(cat "$T/out")"
fi

## Credentials never appear, and a user name too long for SOCKS is refused.
aw -v -j -x "socks5://alice:wrong@127.0.0.1:$MA" "http://127.0.0.1:$P/" \
	"https://localhost:$S/"
if grep -qE 'wrong|alice' "$T/out" "$T/err"; then
	not_ok "SOCKS credentials appear in the output" "$(grep -E 'wrong|alice' "$T/out" "$T/err")"
else
	ok "SOCKS credentials appear nowhere in -v, -j or an error"
fi
long=$(printf 'u%.0s' $(seq 1 256))
aw -x "socks5://$long:p@127.0.0.1:$M" "http://127.0.0.1:$P/"
if [ "$rc" = 2 ] && grep -q "^awget: proxy: a SOCKS user name or password is longer than 255 bytes" "$T/err"; then
	ok "a SOCKS user name of 256 bytes: a usage error"
else
	not_ok "a SOCKS user name of 256 bytes" "rc=$rc" "$(cat "$T/err")"
fi

## The environment carries SOCKS too; -v names the proxy.
env "ALL_PROXY=socks5h://127.0.0.1:$M" timeout 20 "$AWGET" -v -j "${CA[@]}" \
	"https://localhost:$S/" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && [ "$(jq -r .proxy "$T/out")" = "socks5h://127.0.0.1:$M" ] &&
	grep -q ": through proxy socks5h://127.0.0.1:$M$" "$T/err" &&
	grep -q ": socks up$" "$T/err"; then
	ok "ALL_PROXY=socks5h://: used, named by -v and -j"
else
	not_ok "ALL_PROXY=socks5h" "rc=$rc" "$(cat "$T/out" "$T/err")"
fi

## Many targets through microsocks; --retry through a refused one.
for i in $(seq 1 200); do echo "http://127.0.0.$((i % 200 + 1)):$P/"; done >"$T/list"
aw -j -c 50 -x "socks5://127.0.0.1:$M" -i "$T/list"
n=$(jq -r 'select(.status == 200) | .target' "$T/out" | sort -u | wc -l)
if [ "$rc" = 0 ] && [ "$n" = 200 ]; then
	ok "-x socks5 -c 50, 200 targets through microsocks: 200 answers"
else
	not_ok "-x socks5, 200 targets" "rc=$rc n=$n" "$(head -3 "$T/err")"
fi
aw -v --retry 2 -x "socks5://127.0.0.1:$CLOSED" "http://127.0.0.1:$P/"
if [ "$rc" = 1 ] && [ "$(grep -c ': retry [0-9]* in ' "$T/err")" = 2 ]; then
	ok "--retry 2, the SOCKS proxy refuses: two retries"
else
	not_ok "--retry with a refused SOCKS proxy" "rc=$rc" "$(cat "$T/err")"
fi

## Memory errors under valgrind: SOCKS5 with a password, plain and TLS,
## SOCKS4a, and a refusal.
if ! memcheck "${CA[@]}" -x "socks5://alice:s3cr%3At@127.0.0.1:$MA" \
	"http://127.0.0.1:$P/" "https://localhost:$S/"; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ "$rc" = 0 ] && [ -z "$memerr" ]; then
	ok "valgrind: through microsocks with a password, plain and TLS"
else
	not_ok "valgrind: through microsocks" "rc=$rc" "$memerr"
fi
if memcheck -x "socks4a://bob@127.0.0.1:$R" "http://localhost:91/" \
	"http://127.0.0.1:92/"; then
	if [ "$rc" = 1 ] && [ -z "$memerr" ]; then
		ok "valgrind: SOCKS4a refusals"
	else
		not_ok "valgrind: SOCKS4a refusals" "rc=$rc" "$memerr"
	fi
fi

echo "# socks: done"
