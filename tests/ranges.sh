#!/usr/bin/env bash
# tests/ranges.sh: targets the way recon lists come, against a real nginx
# on loopback: network ranges (127.x only: nginx on 0.0.0.0 answers every
# 127.x address), -p port lists with schemes, --shard over a range, an
# international name pinned with --resolve, --connect-to with TLS, a byte
# order mark. Every name used is pinned or redirected: no DNS is asked.
# Prints one TAP line per check.
#
#   AWGET=build/awget tests/ranges.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/servers.sh
. "$HERE/lib/servers.sh"
# shellcheck source=tests/lib/tap.sh
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-ranges.XXXXXX)
chmod 755 "$T"
NGINX_PID=''
NGINX_TLS_PID=''
cleanup() {
	stop_pid "$NGINX_PID"
	stop_pid "$NGINX_TLS_PID"
	rm -rf "$T"
}
trap cleanup EXIT

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
W=${TLS_PORT_wrong:?}
CA=(--cacert "$T/tls/certs/ca.pem")

# targets_of FILE: the targets that got a 200, one per line, in order.
targets_of() {
	sed -n 's/ header > HTTP\/1.1 200 OK$//p' "$1"
}

## Ranges: every address once, in ascending order (-c 1 keeps the order).
seq_of() { # seq_of A.B.C FIRST LAST: the addresses with port P
	local i
	for i in $(seq "$2" "$3"); do echo "$1.$i:$P"; done
}
aw -c 1 -p "$P" 127.0.1.0/28
seq_of 127.0.1 0 15 >"$T/want"
targets_of "$T/out" >"$T/got"
if [ "$rc" = 0 ] && cmp -s "$T/want" "$T/got"; then
	ok "127.0.1.0/28 -p PORT: 16 addresses in order, each answered"
else
	not_ok "127.0.1.0/28: 16 addresses" "rc=$rc" "$(diff "$T/want" "$T/got" | head -5)"
fi
aw -c 1 -p "$P" 127.0.2.250-127.0.3.2 127.0.9.7-9
{ seq_of 127.0.2 250 255; seq_of 127.0.3 0 2; seq_of 127.0.9 7 9; } >"$T/want"
targets_of "$T/out" >"$T/got"
if [ "$rc" = 0 ] && cmp -s "$T/want" "$T/got"; then
	ok "127.0.2.250-127.0.3.2 and 127.0.9.7-9: across an octet, and the last octet"
else
	not_ok "A-B ranges" "rc=$rc" "$(diff "$T/want" "$T/got" | head -5)"
fi
printf '127.0.4.8/30\n' >"$T/list"
aw -j -c 1 -p "$P" -i "$T/list"
got=$(jq -r '[.target, .url, .status] | @tsv' "$T/out" | head -1)
if [ "$rc" = 0 ] && [ "$(wc -l <"$T/out")" = 4 ] &&
	[ "$got" = "$(printf '127.0.4.8:%s\thttp://127.0.4.8:%s/\t200' "$P" "$P")" ]; then
	ok "a range in a file, -j: one object per address, target the address and port"
else
	not_ok "a range in a file, -j" "rc=$rc" "$got"
fi
if [ -e /proc/net/if_inet6 ] && grep -q ' lo$' /proc/net/if_inet6; then
	aw -p "$P" "[::1]/128"
	if [ "$rc" = 0 ] && [ "$(targets_of "$T/out")" = "[::1]:$P" ]; then
		ok "[::1]/128 -p PORT: the one address, bracketed with its port"
	else
		not_ok "[::1]/128" "rc=$rc" "$(cat "$T/err")"
	fi
else
	ok "# SKIP [::1]/128: no IPv6 on lo"
fi

## A malformed range is one invalid target, and nothing is lost around it.
aw -p "$P" 127.0.0.0/33 127.0.0.9-1 "[::1]/95" 127.0.5.1-2
want="awget: 127.0.0.0/33: invalid target: prefix length above 32
awget: 127.0.0.9-1: invalid target: the start of the range is above its end
awget: [::1]/95: invalid target: an IPv6 range must be /96 or longer"
if [ "$rc" = 1 ] && [ "$(cat "$T/err")" = "$want" ] &&
	[ "$(targets_of "$T/out" | sort | tr '\n' ' ')" = "127.0.5.1:$P 127.0.5.2:$P " ]; then
	ok "malformed ranges: one error line each naming the problem, the good range answered"
else
	not_ok "malformed ranges" "rc=$rc" "$(cat "$T/err")"
fi

## --shard counts expanded positions: three shards of a /26 are the /26.
for k in 1 2 3; do
	aw -j --shard "$k/3" -p "$P" 127.0.6.0/26
	jq -r .target "$T/out" >"$T/shard$k"
done
sort "$T/shard1" "$T/shard2" "$T/shard3" >"$T/got"
seq_of 127.0.6 0 63 | sort >"$T/want"
if cmp -s "$T/want" "$T/got" && [ "$(wc -l <"$T/shard1")" = 22 ] &&
	[ "$(wc -l <"$T/shard3")" = 21 ]; then
	ok "--shard k/3 over 127.0.6.0/26: 22+21+21, the union is every address once"
else
	not_ok "--shard over a range" "$(diff "$T/want" "$T/got" | head -5)"
fi

## -p: each target without a port on each item, with its scheme; one with
## its own port once.
aw "${CA[@]}" -p "http:$P,https:$S" 127.0.0.1 "127.0.0.2:$P" localhost
got=$(targets_of "$T/out" | sort | tr '\n' ' ')
want="127.0.0.2:$P http://127.0.0.1:$P http://localhost:$P https://127.0.0.1:$S https://localhost:$S "
if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
	ok "-p http:P,https:S: both schemes for each portless target, a target with a port once"
else
	not_ok "-p with schemes" "rc=$rc" "got:  $got" "want: $want" "$(cat "$T/err")"
fi
aw "${CA[@]}" -p "$S" https://localhost/x
if [ "$rc" = 0 ] && [ "$(targets_of "$T/out")" = "https://localhost:$S/x" ] &&
	grep -q "^https://localhost:$S/x header > X-SNI: localhost$" "$T/out"; then
	ok "-p PORT on https://localhost/x: the target's scheme and path kept"
else
	not_ok "-p keeps the scheme" "rc=$rc" "$(cat "$T/err")"
fi

## International names: IDNA 2008 (UTS#46) for DNS, Host and SNI; the
## target printed as written, JSON url in ASCII. Compared with curl.
name=$'b\xc3\xbccher.test'
aw -j --resolve "xn--bcher-kva.test:$P:127.0.0.1" "http://$name:$P/req"
got=$(jq -r '[.target, .url, (.headers[] | select(.[0] == "X-Req-Host") | .[1])] | @tsv' "$T/out")
want=$(printf 'http://%s:%s/req\thttp://xn--bcher-kva.test:%s/req\txn--bcher-kva.test:%s' "$name" "$P" "$P" "$P")
if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
	ok "http://bücher.test/req: Host xn--bcher-kva.test, url in ASCII, target as written"
else
	not_ok "IDN: Host in ASCII" "rc=$rc" "got:  $got" "want: $want" "$(cat "$T/err")"
fi
curl_host=$(timeout 20 curl -sS -D - -o /dev/null --resolve "xn--bcher-kva.test:$P:127.0.0.1" \
	"http://$name:$P/req" 2>&1 | tr -d '\r' | sed -n 's/^X-Req-Host: //p')
aw --resolve "xn--bcher-kva.test:$P:127.0.0.1" "http://$name:$P/req"
if [ -n "$curl_host" ] && grep -qxF "http://$name:$P/req header > X-Req-Host: $curl_host" "$T/out"; then
	ok "IDN: the Host awget sends is the one curl sends ($curl_host)"
else
	not_ok "IDN: Host as curl's" "curl: $curl_host" "$(cat "$T/out" "$T/err")"
fi
aw -k --resolve "xn--bcher-kva.test:$S:127.0.0.1" "https://$name:$S/"
if [ "$rc" = 0 ] && grep -qxF "https://$name:$S/ header > X-SNI: xn--bcher-kva.test" "$T/out"; then
	ok "IDN over TLS: the SNI sent is the ASCII name"
else
	not_ok "IDN over TLS: SNI in ASCII" "rc=$rc" "$(cat "$T/out" "$T/err")"
fi
aw "${CA[@]}" --resolve "xn--bcher-kva.test:$S:127.0.0.1" "https://$name:$S/"
if [ "$rc" = 1 ] && grep -q "^awget: https://$name:$S/: TLS: certificate verification failed: hostname mismatch$" "$T/err"; then
	ok "IDN over TLS: the certificate (for localhost) is checked against the name, and fails"
else
	not_ok "IDN over TLS: the certificate checked" "rc=$rc" "$(cat "$T/err")"
fi
aw $'a\xe2\x92\x88.test' $'a\xd7\x90.test'
want="awget: a⒈.test: invalid target: international name has a disallowed character
awget: aא.test: invalid target: international name mixes right-to-left and left-to-right in a way IDNA forbids"
if [ "$rc" = 1 ] && [ "$(cat "$T/err")" = "$want" ]; then
	ok "names IDNA rejects: one error line each, saying why, nothing asked of DNS"
else
	not_ok "IDNA rejections" "rc=$rc" "$(cat "$T/err")"
fi

## --connect-to: the socket goes elsewhere, Host, SNI and the certificate
## check stay on HOST1. Compared with curl on the same server.
aw "${CA[@]}" --connect-to "localhost:443:127.0.0.1:$S" https://localhost/
if [ "$rc" = 0 ] && grep -q '^https://localhost/ header > X-SNI: localhost$' "$T/out"; then
	ok "--connect-to localhost:443:127.0.0.1:S: TLS to S, SNI localhost, certificate accepted"
else
	not_ok "--connect-to with TLS" "rc=$rc" "$(cat "$T/err")"
fi
timeout 20 curl -sS -D - -o /dev/null "${CA[@]}" --connect-to "localhost:443:127.0.0.1:$S" \
	https://localhost/ 2>&1 | tr -d '\r' | grep -v '^$' | sed -E 's/^(Date: ).*/\1D/' >"$T/want"
sed 's|^https://localhost/ header > ||' "$T/out" | sed -E 's/^(Date: ).*/\1D/' >"$T/got"
check_file "--connect-to: awget's lines are curl's" "$T/want" "$T/got"
aw "${CA[@]}" --connect-to "wrong.test:443:127.0.0.1:$S" https://wrong.test/
if [ "$rc" = 1 ] && grep -q '^awget: https://wrong.test/: TLS: certificate verification failed' "$T/err"; then
	ok "--connect-to wrong.test: the certificate is still checked for wrong.test, and fails"
else
	not_ok "--connect-to: the check stays on HOST1" "rc=$rc" "$(cat "$T/err")"
fi
aw "${CA[@]}" --connect-to "wrong.test::127.0.0.1:$W" --connect-to "::127.0.0.1:$S" \
	https://wrong.test/ https://localhost/
if [ "$rc" = 0 ] && [ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 2 ] &&
	grep -q '^https://wrong.test/ header > X-SNI: wrong.test$' "$T/out"; then
	ok "--connect-to with empty fields: any port, then any host; the first match wins"
else
	not_ok "--connect-to empty fields" "rc=$rc" "$(cat "$T/err")"
fi
aw -j --connect-to "::127.0.0.1:" "http://localhost:$P/req"
got=$(jq -r '[.ip, .port, (.headers[] | select(.[0] == "X-Req-Host") | .[1])] | @tsv' "$T/out")
if [ "$rc" = 0 ] && [ "$got" = "$(printf '127.0.0.1\t%s\tlocalhost:%s' "$P" "$P")" ]; then
	ok "--connect-to ::127.0.0.1: (port kept): Host localhost:PORT, ip and port the socket's"
else
	not_ok "--connect-to keeps the port" "rc=$rc" "$got" "$(cat "$T/err")"
fi
aw --connect-to "localhost:80" http://localhost/
if [ "$rc" = 2 ] && grep -q 'connect-to is not HOST1:PORT1:HOST2:PORT2: localhost:80' "$T/err"; then
	ok "--connect-to with two fields: a usage error"
else
	not_ok "--connect-to malformed" "rc=$rc" "$(cat "$T/err")"
fi

## A UTF-8 byte order mark at the start of the input is not a target's.
printf '\xef\xbb\xbf127.0.0.1:%s\n127.0.0.2:%s\n' "$P" "$P" >"$T/bom"
aw -i "$T/bom"
if [ "$rc" = 0 ] && [ "$(targets_of "$T/out" | sort | tr '\n' ' ')" = "127.0.0.1:$P 127.0.0.2:$P " ]; then
	ok "a list starting with a byte order mark: the first target is read as written after it"
else
	not_ok "byte order mark" "rc=$rc" "$(cat "$T/err")"
fi

## Memory errors under valgrind: ranges, ports, an IDN, --connect-to.
if ! memcheck -p "$P,https:$S" "${CA[@]}" --resolve "xn--bcher-kva.test:$P:127.0.0.1" \
	--connect-to "localhost:443:127.0.0.1:$S" 127.0.7.0/30 "http://$name:$P/" \
	127.0.0.0/33 https://localhost/; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ -z "$memerr" ]; then
	ok "valgrind: ranges, ports, an IDN and --connect-to, no invalid read or write"
else
	not_ok "valgrind: ranges and ports" "rc=$rc" "$memerr"
fi

echo "# ranges: done"
