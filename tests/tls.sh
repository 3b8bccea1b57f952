#!/usr/bin/env bash
# tests/tls.sh: HTTPS end to end: a real nginx on loopback serving a test CA's
# certificates made now by openssl (valid, expired, wrong name, self-signed,
# TLS 1.0 only) and the scripted test server (silent, not TLS, closed),
# each case's exact outcome in text and in JSON.
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
NGINX_TLS_PID= TESTD_PID= TESTD_TLS_PID=
cleanup() {
	stop_pid "$NGINX_TLS_PID"
	stop_pid "$TESTD_PID"
	stop_pid "$TESTD_TLS_PID"
	rm -rf "$T"
}
trap cleanup EXIT

if ! nginx_tls_start "$T/nginx"; then
	not_ok "nginx serves HTTPS on loopback" "$(cat "$T/nginx/logs/error.log")"
	exit 1
fi
testd_start "$TESTD" 120 silent ssh_banner early_answer close_on_accept
testd_tls_start "$TESTD" 120 "$T/nginx/certs/valid.pem" \
	"$T/nginx/certs/server.key" normal close_mid_line no_blank_line \
	answer_rst rst_on_accept flaky_rst_first
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
done >"$T/want"
echo "https://localhost:$V/ header > X-SNI: localhost" >>"$T/want"
sort "$T/want" -o "$T/want"
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
tls_case "not TLS: an SSH banner" "https://127.0.0.1:$TESTD_PORT_ssh_banner/" \
	"TLS: handshake failed: wrong version number (the server does not speak TLS there)" "${CA[@]}" -t 5
tls_case "not TLS: an HTTP answer before the request" \
	"https://127.0.0.1:$TESTD_PORT_early_answer/" \
	"TLS: handshake failed: wrong version number (the server does not speak TLS there)" "${CA[@]}" -t 5
tls_case "closed on accept, before the handshake" \
	"https://127.0.0.1:$TESTD_PORT_close_on_accept/" \
	"TLS: handshake failed: connection closed" "${CA[@]}" -t 5

## The scripted server over TLS: its closes send no close_notify, as
## many servers' do not. Regress: mid-headers that was "TLS: unexpected
## eof while reading"; it is the same end as over plain HTTP.
tp() { # tp SCENARIO: the TLS test server's URL for it
	local v="TESTD_TLS_PORT_$1"
	echo "https://127.0.0.1:${!v}/"
}
aw "${CA[@]}" "$(tp normal)"
if [ "$rc" = 0 ] && grep -q ' header > Server: testd$' "$T/out"; then
	ok "scripted server over TLS: fetched"
else
	not_ok "scripted server over TLS: fetched" "rc=$rc" "$(cat "$T/err")"
fi
tls_case "closed mid-line, no close_notify" "$(tp close_mid_line)" \
	"connection closed before the end of the headers" "${CA[@]}"
tls_case "closed before the blank line, no close_notify" "$(tp no_blank_line)" \
	"connection closed before the end of the headers" "${CA[@]}"
aw -j "${CA[@]}" "$(tp close_mid_line)"
if [ "$(jq -c '[.error_class, .phase]' "$T/out")" = '["closed","headers"]' ]; then
	ok "-j closed mid-line over TLS: class closed, phase headers"
else
	not_ok "-j closed mid-line over TLS: class closed" "$(cat "$T/out")"
fi

## TLS follows plain HTTP's rules: a reset before any answer byte is
## retried; an answer before a failed write is the outcome.
aw -v --retry 1 "${CA[@]}" "$(tp rst_on_accept)"
n=$(grep -c ': connect 127.0.0.1 port ' "$T/err")
if [ "$rc" = 1 ] && [ "$n" = 2 ] &&
	grep -q ': connection reset by peer$' "$T/err"; then
	ok "--retry 1, reset during the handshake: retried once, then reset"
else
	not_ok "--retry 1, reset during the handshake: retried once" \
		"rc=$rc connects=$n" "$(grep awget: "$T/err")"
fi
aw -j --retry 1 "${CA[@]}" "$(tp flaky_rst_first)"
if [ "$rc" = 0 ] && [ "$(jq -c '[.status, .retries]' "$T/out")" = "[200,1]" ]; then
	ok "--retry 1, the first handshake reset: fetched on the retry"
else
	not_ok "--retry 1, the first handshake reset: fetched on the retry" \
		"rc=$rc" "$(cat "$T/out" "$T/err")"
fi
big="X-Big: $(head -c 60000 /dev/zero | tr '\0' b)"
for i in $(seq 1 50); do tp answer_rst; done >"$T/rst"
aw -c 1 -H "$big" "${CA[@]}" -i "$T/rst"
n=$(grep -c ' header > HTTP/1.1 503 Service Unavailable$' "$T/out")
if [ "$rc" = 0 ] && [ "$n" = 50 ]; then
	ok "answer, then reset, over TLS with a 60 KB request: 50 of 50 kept"
else
	not_ok "answer, then reset, over TLS: 50 of 50 kept" "rc=$rc answers=$n" \
		"$(sort "$T/err" | uniq -c | head -3)"
fi

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

## Regress: the system trust store is read before the first HTTPS
## socket; read at the handshake, with no descriptor left, it failed the
## run's every HTTPS target ("cannot load the system trust store").
## Without --cacert the test CA is unknown: each target fails, but on
## verification, not on the store.
bad=
for n in 8 9 10 11 12; do
	{ (
		ulimit -n "$n"
		exec "$AWGET" "https://127.0.0.1:$V/a" "https://127.0.0.1:$V/b"
	) >"$T/out" 2>"$T/err"; } 2>/dev/null
	grep -q 'trust store' "$T/err" && bad="$bad ulimit-$n"
done
if [ -z "$bad" ]; then
	ok "out of descriptors: the system trust store is still read (ulimit -n 8-12)"
else
	not_ok "out of descriptors: the system trust store is still read" "$bad"
fi

## The system store as OpenSSL finds it: SSL_CERT_FILE, or a hashed
## directory alone (SSL_CERT_DIR), which loads nothing until verification
## asks for an issuer. Regress: that empty-looking store was refused.
mkdir -p "$T/hashed"
cp "$T/nginx/certs/ca.pem" "$T/hashed/"
if openssl rehash "$T/hashed" 2>/dev/null; then
	SSL_CERT_FILE=/nonexistent SSL_CERT_DIR="$T/hashed" aw "https://localhost:$V/"
	if [ "$rc" = 0 ] && [ ! -s "$T/err" ]; then
		ok "SSL_CERT_DIR alone: a hashed directory verifies the server"
	else
		not_ok "SSL_CERT_DIR alone: a hashed directory verifies" "rc=$rc" \
			"$(cat "$T/err")"
	fi
else
	ok "# SKIP SSL_CERT_DIR: openssl rehash is missing"
fi
SSL_CERT_FILE="$T/nginx/certs/ca.pem" SSL_CERT_DIR=/nonexistent \
	aw "https://localhost:$V/"
if [ "$rc" = 0 ] && [ ! -s "$T/err" ]; then
	ok "SSL_CERT_FILE: the file given stands for the system store"
else
	not_ok "SSL_CERT_FILE: the file stands for the system store" "rc=$rc" \
		"$(cat "$T/err")"
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
	(.tls.cipher | length > 0), (.tls.not_after | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))]' \
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

## No TLS field is cut: a 400-byte UTF-8 subject whole, all 150 names.
aw -j "${CA[@]}" "https://localhost:$TLS_PORT_big/"
openssl x509 -in "$T/nginx/certs/big.pem" -noout -subject -nameopt RFC2253 \
	-nameopt -esc_msb | sed 's/^subject=//' >"$T/want"
jq -r .tls.subject "$T/out" >"$T/got"
check_file "-j: a 400-byte UTF-8 subject, whole (as openssl x509 -nameopt RFC2253 prints it)" \
	"$T/want" "$T/got"
{
	for i in $(seq 1 149); do echo "n$i.test"; done
	echo localhost
} >"$T/want"
jq -r '.tls.san[]' "$T/out" >"$T/got"
check_file "-j: all 150 subjectAltNames, in order" "$T/want" "$T/got"
if [ "$(jq -r '[.status, .tls.subject_b64, .tls.san_b64] | @tsv' "$T/out")" = "200		" ]; then
	ok "-j: valid UTF-8 certificate names carry no _b64 member"
else
	not_ok "-j: valid UTF-8 certificate names carry no _b64 member" "$(head -c 300 "$T/out")"
fi

## A name that is not UTF-8: U+FFFD in san, the exact bytes in san_b64.
aw -j "${CA[@]}" "https://localhost:$TLS_PORT_odd/"
got=$(jq -c '[.status, .tls.san]' "$T/out")
want="[200,[\"localhost\",\"x"$'\xef\xbf\xbd'"y.test\"]]"
hex=$(jq -r '.tls.san_b64[]' "$T/out" | while read -r b; do
	printf '%s' "$b" | base64 -d | od -An -tx1 | tr -d ' \n'
	echo
done | tr '\n' ' ')
if [ "$got" = "$want" ] && [ "$hex" = "6c6f63616c686f7374 78ff792e74657374 " ]; then
	ok "-j: a subjectAltName not UTF-8: U+FFFD in san, exact bytes in san_b64"
else
	not_ok "-j: a subjectAltName not UTF-8" "got: $got" "san_b64: $hex"
fi

## JSON for every other failure above: class, phase and the same message.
aw -j -t 1 "${CA[@]}" "https://localhost:$TLS_PORT_self/" \
	"https://localhost:$TLS_PORT_old/" "https://127.0.0.1:$TLS_PORT_wrong/" \
	"https://127.0.0.1:$TESTD_PORT_silent/" \
	"https://127.0.0.1:$TESTD_PORT_ssh_banner/" \
	"https://127.0.0.1:$TESTD_PORT_early_answer/" \
	"https://127.0.0.1:$TESTD_PORT_close_on_accept/"
cp "$T/out" "$T/json"
aw -j "https://localhost:$V/" # no --cacert: the test CA is unknown
cat "$T/out" >>"$T/json"
jq -c '[.target, .error_class, .phase, .ip, .error]' "$T/json" | sort >"$T/got"
sort >"$T/want" <<EOF
["https://localhost:$TLS_PORT_self/","tls","tls","127.0.0.1","TLS: certificate verification failed: self-signed certificate"]
["https://localhost:$V/","tls","tls","127.0.0.1","TLS: certificate verification failed: unable to get local issuer certificate"]
["https://localhost:$TLS_PORT_old/","tls","tls","127.0.0.1","TLS: handshake failed: tlsv1 alert protocol version"]
["https://127.0.0.1:$TLS_PORT_wrong/","tls","tls","127.0.0.1","TLS: certificate verification failed: IP address mismatch"]
["https://127.0.0.1:$TESTD_PORT_silent/","timeout","tls","127.0.0.1","timed out in phase tls"]
["https://127.0.0.1:$TESTD_PORT_ssh_banner/","tls","tls","127.0.0.1","TLS: handshake failed: wrong version number (the server does not speak TLS there)"]
["https://127.0.0.1:$TESTD_PORT_early_answer/","tls","tls","127.0.0.1","TLS: handshake failed: wrong version number (the server does not speak TLS there)"]
["https://127.0.0.1:$TESTD_PORT_close_on_accept/","tls","tls","127.0.0.1","TLS: handshake failed: connection closed"]
EOF
check_file "-j: self-signed, unknown CA, TLS 1.0, IP mismatch, handshake timeout, not TLS, closed" \
	"$T/want" "$T/got"

## -k: fetched, and tls.verify keeps what OpenSSL found.
aw -j -k "${CA[@]}" "https://localhost:$TLS_PORT_self/" \
	"https://localhost:$TLS_PORT_expired/"
jq -c '[.target, .status, .tls.verify]' "$T/out" | sort >"$T/got"
sort >"$T/want" <<EOF
["https://localhost:$TLS_PORT_self/",200,"self-signed certificate"]
["https://localhost:$TLS_PORT_expired/",200,"certificate has expired"]
EOF
check_file "-j -k: tls.verify says self-signed certificate, certificate has expired" \
	"$T/want" "$T/got"

## SNI: the name for a name, nothing for an address (RFC 6066). nginx
## echoes $ssl_server_name as X-SNI and omits the header when it is empty.
sni() { # each target and its X-SNI values, from -j output
	jq -c '[.target, [.headers[] | select(.[0] == "X-SNI")[1]]]' "$T/out"
}
aw -j "${CA[@]}" "https://localhost:$V/" "https://127.0.0.1:$V/"
sni | sort >"$T/got"
sort >"$T/want" <<EOF
["https://localhost:$V/",["localhost"]]
["https://127.0.0.1:$V/",[]]
EOF
check_file "SNI: localhost sends \"localhost\", 127.0.0.1 sends none" \
	"$T/want" "$T/got"

## HTTPS over [::1]: the address is checked against the IP:::1 SAN.
if grep -q ' lo$' /proc/net/if_inet6 2>/dev/null; then
	aw -j "${CA[@]}" "https://[::1]:$V/"
	jq -c '[.ip, .status, .tls.verify]' "$T/out" >"$T/got"
	sni >>"$T/got"
	printf '["::1",200,"ok"]\n["https://[::1]:%s/",[]]\n' "$V" >"$T/want"
	check_file "https://[::1]: verified against IP:::1, no SNI" "$T/want" "$T/got"
else
	ok "# SKIP https://[::1]: this kernel has no IPv6 loopback"
fi

## One SSL_CTX per run: the CA file is read once, not per target.
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
	# LeakSanitizer cannot run under ptrace: no leak check in this run.
	ASAN_OPTIONS=detect_leaks=0 timeout 60 strace -f -e trace=openat \
		-o "$T/strace" "$AWGET" "${CA[@]}" "https://localhost:$V/a" \
		"https://127.0.0.1:$V/b" "https://localhost:$V/c" \
		"https://localhost:$TLS_PORT_expired/" >"$T/out" 2>/dev/null
	opens=$(grep -cF "\"$T/nginx/certs/ca.pem\"" "$T/strace")
	got=$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")
	if [ "$opens" = 1 ] && [ "$got" = 3 ]; then
		ok "--cacert: the CA file is opened once for four targets"
	else
		not_ok "--cacert: the CA file is opened once" \
			"$opens opens, $got of 3 fetched"
	fi
else
	ok "# SKIP --cacert opened once: no strace, or it cannot trace here"
fi

## Memory errors under valgrind, which sees what libevent and OpenSSL do
## with the SSL and the socket once awget has freed the bufferevent from
## inside its own callback (the sanitizers see only awget's own code).
if ! memcheck "${CA[@]}" -c 4 -t 20 "https://localhost:$V/a" \
	"https://127.0.0.1:$V/b" "https://localhost:$V/c" \
	"https://localhost:$TLS_PORT_expired/" "https://localhost:$TLS_PORT_old/" \
	"https://127.0.0.1:$TESTD_PORT_close_on_accept/" \
	"https://127.0.0.1:$TESTD_PORT_ssh_banner/"; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ "$rc" = 1 ] && [ -z "$memerr" ] &&
	[ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 3 ]; then
	ok "valgrind: HTTPS, fetched and failed, with no invalid read or write"
else
	not_ok "valgrind: HTTPS with no invalid read or write" "rc=$rc" "$memerr"
fi

echo "# tls: done"
