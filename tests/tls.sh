#!/usr/bin/env bash
# tests/tls.sh: HTTPS end to end: a real nginx on loopback serving a test CA's
# certificates made now by openssl (valid, expired, wrong name, self-signed,
# TLS 1.0 only), each case's exact outcome in text and in JSON.
# Prints one TAP line per check.
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/tls.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
TESTD=${TESTD:?set TESTD to the awget-testd binary}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/servers.sh"
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-tls.XXXXXX)
chmod 755 "$T" # nginx workers drop to nobody
NGINX_TLS_PID= TESTD_PID=
cleanup() {
	stop_pid "$NGINX_TLS_PID"
	stop_pid "$TESTD_PID"
	rm -rf "$T"
}
trap cleanup EXIT

if ! nginx_tls_start "$T/nginx"; then
	not_ok "nginx serves HTTPS on loopback" "$(cat "$T/nginx/logs/error.log")"
	exit 1
fi
testd_start "$TESTD" 120 silent
CA=(--cacert "$T/nginx/certs/ca.pem")
V=$TLS_PORT_valid

## A valid certificate, by name and by address: the headers, as for HTTP.
aw "${CA[@]}" "https://localhost:$V/" "https://127.0.0.1:$V/x"
nodate "$T/out" | sort >"$T/got"
for t in "https://localhost:$V/" "https://127.0.0.1:$V/x"; do
	printf '%s header > %s\n' "$t" "HTTP/1.1 200 OK" "$t" "Server: nginx" \
		"$t" "Date: DATE" "$t" "Content-Type: text/plain" \
		"$t" "Content-Length: 3" "$t" "Connection: close" \
		"$t" "X-Test: awget-tls"
done | sort >"$T/want"
check_file "valid certificate (name and IP): exact headers" "$T/want" "$T/got"
if [ "$rc" = 0 ] && [ ! -s "$T/err" ]; then ok "valid certificate: exit 0"; else
	not_ok "valid certificate: exit 0" "rc=$rc" "$(cat "$T/err")"
fi

## Each failure: one line saying why.
tls_case() { # tls_case DESC TARGET MESSAGE [OPTIONS...]
	local desc=$1 t=$2 msg=$3
	shift 3
	aw "$@" "$t"
	echo "awget: $t: $msg" >"$T/want"
	if cmp -s "$T/want" "$T/err" && [ "$rc" = 1 ] && [ ! -s "$T/out" ]; then
		ok "$desc"
	else
		not_ok "$desc" "rc=$rc" "$(cat "$T/err")"
	fi
}
tls_case "expired certificate" "https://localhost:$TLS_PORT_expired/" \
	"TLS: certificate verification failed: certificate has expired" "${CA[@]}"
tls_case "wrong name" "https://localhost:$TLS_PORT_wrong/" \
	"TLS: certificate verification failed: hostname mismatch" "${CA[@]}"
tls_case "wrong address" "https://127.0.0.1:$TLS_PORT_wrong/" \
	"TLS: certificate verification failed: IP address mismatch" "${CA[@]}"
tls_case "self-signed certificate" "https://localhost:$TLS_PORT_self/" \
	"TLS: certificate verification failed: self-signed certificate" "${CA[@]}"
tls_case "unknown CA (the system store does not know the test CA)" \
	"https://localhost:$V/" \
	"TLS: certificate verification failed: unable to get local issuer certificate"
tls_case "protocol version (server speaks TLS 1.0 only)" \
	"https://localhost:$TLS_PORT_old/" \
	"TLS: handshake failed: tlsv1 alert protocol version" "${CA[@]}"
tls_case "the handshake is inside the deadline" \
	"https://127.0.0.1:$TESTD_PORT_silent/" "timed out in phase tls" -t 1

## Regress: out of descriptors, HTTPS targets wait too. libevent closes an
## OpenSSL bufferevent's socket in a finalizer, after the fetch has ended;
## with one descriptor to spare, the next targets must wait for it, not
## fail. The spare count depends on the machine: try a few limits.
bad=
for n in 7 8 9 10 11 12; do
	# Too few for the sanitizers' own files, the run aborts: got 0.
	{ (
		ulimit -n "$n"
		exec "$AWGET" "${CA[@]}" "https://127.0.0.1:$V/a" \
			"https://127.0.0.1:$V/b" "https://127.0.0.1:$V/c"
	) >"$T/out" 2>"$T/err"; } 2>/dev/null
	got=$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")
	[ "$got" != 0 ] && [ "$got" != 3 ] && bad="$bad ulimit-$n:$got/3"
done
if [ -z "$bad" ]; then
	ok "out of descriptors: HTTPS targets wait for one (ulimit -n 7-12)"
else
	not_ok "out of descriptors: HTTPS targets wait for one" "$bad"
fi

## -k skips verification.
aw -k "https://localhost:$TLS_PORT_self/" "https://localhost:$TLS_PORT_expired/"
if [ "$rc" = 0 ] && [ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 2 ]; then
	ok "-k: self-signed and expired are fetched"
else
	not_ok "-k: self-signed and expired are fetched" "rc=$rc" "$(cat "$T/err")"
fi

## --cacert that cannot be read: a usage error, nothing fetched.
aw --cacert "$T/none.pem" "https://localhost:$V/"
if [ "$rc" = 2 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 1 ]; then
	ok "--cacert with a missing file: exit 2, one line"
else
	not_ok "--cacert with a missing file: exit 2" "rc=$rc" "$(cat "$T/err")"
fi

## JSON: the tls object, and TLS failures by class and phase.
aw -j "${CA[@]}" "https://localhost:$V/" "https://localhost:$TLS_PORT_expired/" \
	"https://localhost:$TLS_PORT_wrong/"
jq -c 'select(.status) | [.url, .ip, .port, .status, .tls.verify,
	.tls.subject, .tls.issuer, .tls.san, (.tls.version | test("^TLSv1\\.[23]$")),
	(.tls.cipher | length > 0), (.tls.not_after | test("GMT$"))]' \
	"$T/out" >"$T/got"
printf '["https://localhost:%s/","127.0.0.1",%s,200,"ok","CN=localhost","CN=awget test CA",["localhost","127.0.0.1","::1"],true,true,true]\n' \
	"$V" "$V" >"$T/want"
check_file "-j: the tls object of a verified server" "$T/want" "$T/got"
jq -c 'select(.error) | [.error_class, .phase, .ip, .error]' "$T/out" |
	sort >"$T/got"
sort >"$T/want" <<EOF
["tls","tls","127.0.0.1","TLS: certificate verification failed: certificate has expired"]
["tls","tls","127.0.0.1","TLS: certificate verification failed: hostname mismatch"]
EOF
check_file "-j: TLS failures by class and phase" "$T/want" "$T/got"

echo "# tls: done"
