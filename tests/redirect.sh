#!/usr/bin/env bash
# tests/redirect.sh: -L against a real nginx on loopback serving redirect
# chains (return 301 and friends): relative and absolute, across ports and
# hosts, from its plain listener to its TLS one (the test CA) and back, a
# loop, a chain longer than --max-redirs, a 3xx without Location, a
# Location to ftp://. awget's text is compared with curl -sS -L -D - on
# the same chain, line for line. Prints one TAP line per check.
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/redirect.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
TESTD=${TESTD:?set TESTD to the awget-testd binary}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/servers.sh
. "$HERE/lib/servers.sh"
# shellcheck source=tests/lib/tap.sh
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-redirect.XXXXXX)
chmod 755 "$T"
NGINX_PID=''
TESTD_PID=''
cleanup() {
	stop_pid "$NGINX_PID"
	stop_pid "$TESTD_PID"
	rm -rf "$T"
}
trap cleanup EXIT

# nginx: P plain on every 127.x address, S TLS on 127.0.0.1 (localhost in
# the certificate). Relative Locations stay relative (absolute_redirect
# off); /req echoes the request line and the credentials it got.
redirect_nginx() {
	local d=$T/nginx
	mkdir -p "$d/logs" "$d/tmp"
	tls_certs "$d/certs" || return 1
	cat >"$d/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 1024; }
http {
$(nginx_http_common "$d")
	absolute_redirect off;
	server {
		listen 0.0.0.0:$P;
		listen 127.0.0.1:$P2;
		listen 127.0.0.1:$S ssl;
		ssl_certificate $d/certs/valid.pem;
		ssl_certificate_key $d/certs/server.key;
		location = /final { add_header X-Final yes always; return 200 "ok\n"; }
		location = /abs { return 301 http://127.0.0.1:$P/final; }
		location = /rel { return 302 final; }
		location = /dots { return 301 a/b/../../final?x=1#frag; }
		location = /query {
			if (\$args = "") { return 302 ?q=2; }
			return 200 "q\\n";
		}
		location = /scheme-rel { return 308 //127.0.0.2:$P/final; }
		location = /c3 { return 301 /c2; }
		location = /c2 { return 302 c1; }
		location = /c1 { return 307 http://127.0.0.3:$P/final; }
		location = /to-tls { return 301 https://localhost:$S/from-tls; }
		location = /from-tls { return 302 http://127.0.0.1:$P/final; }
		location = /loop { return 302 /loop; }
		location = /noloc { return 301; }
		location = /ftp { return 301 ftp://127.0.0.1/x; }
		location = /303 { return 303 /req; }
		location = /302 { return 302 /req; }
		location = /307 { return 307 /req; }
		location = /301 { return 301 /req; }
		location = /308 { return 308 /req; }
		location = /other-port { return 302 http://127.0.0.1:$P2/req; }
		location = /other-host { return 302 http://127.0.0.2:$P/req; }
		location = /same-host { return 302 /req; }
		location = /req {
			add_header X-Req-Line "\$request" always;
			add_header X-Req-Host "\$http_host" always;
			add_header X-Req-Auth "\$http_authorization" always;
			add_header X-Req-Cookie "\$http_cookie" always;
			add_header X-Req-Custom "\$http_x_custom" always;
			return 200 "ok\n";
		}
		location = /s1 { return 302 /s2; }
		location = /s2 { return 302 /sleep; }
		location = /sleep { echo_sleep 5; echo ok; }
	}
}
CONF
	/usr/sbin/nginx -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" &
	NGINX_PID=$!
	wait_port "$P" && wait_port "$P2" && wait_port "$S"
}

P=$(free_port)
P2=$(free_port)
S=$(free_port)
redirect_nginx || {
	not_ok "nginx starts on 127.0.0.1:$P and :$S"
	exit 1
}
CA=(--cacert "$T/nginx/certs/ca.pem")
testd_start "$TESTD" 120 redirect_total slow_redirect ctl_location || {
	not_ok "awget-testd starts"
	exit 1
}
# (testd_start sets TESTD_PORT_<scenario> by name: declared here.)
CTL_PORT=${TESTD_PORT_ctl_location:?}
BIG_PORT=${TESTD_PORT_redirect_total:?}
SLOW_PORT=${TESTD_PORT_slow_redirect:?}

# like_curl NAME URL: awget -L's lines, target prefix taken off, are the
# lines curl -sS -L -D - prints for URL (CRs and blank lines removed), the
# Date values aside.
like_curl() {
	local name=$1 url=$2
	timeout 30 curl -sS -L --cacert "$T/nginx/certs/ca.pem" -D - \
		-o /dev/null "$url" 2>"$T/curl.err" |
		tr -d '\r' | grep -v '^$' | sed -E 's/^(Date: ).*/\1DATE/' >"$T/want"
	aw -L "${CA[@]}" "$url"
	sed "s|^$url header > ||" "$T/out" | sed -E 's/^(Date: ).*/\1DATE/' >"$T/got"
	if [ "$rc" = 0 ] && [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then
		ok "-L $name: every hop's lines, as curl -sS -L -D - prints them"
	else
		not_ok "-L $name: as curl -sS -L -D -" "rc=$rc" "$(cat "$T/err" "$T/curl.err")" \
			"$(diff "$T/want" "$T/got" | head -10)"
	fi
}
like_curl "absolute" "http://127.0.0.1:$P/abs"
like_curl "relative" "http://127.0.0.1:$P/rel"
like_curl "dot segments, fragment dropped" "http://127.0.0.1:$P/dots"
like_curl "?query only" "http://127.0.0.1:$P/query"
like_curl "scheme-relative //host" "http://127.0.0.1:$P/scheme-rel"
like_curl "three hops across hosts" "http://127.0.0.1:$P/c3"
like_curl "http to https and back" "http://127.0.0.1:$P/to-tls"

## The JSON shape: the final answer at the top, the hops before it.
aw -L -j "${CA[@]}" "http://127.0.0.1:$P/c3"
got=$(jq -c '[.target, .url, .final_url, .status, .headers[-1],
	[.redirects[] | [.url, .ip, .status, (.headers[] | select(.[0] == "Location") | .[1])]]]' "$T/out")
want="[\"http://127.0.0.1:$P/c3\",\"http://127.0.0.1:$P/c3\",\"http://127.0.0.3:$P/final\",200,[\"X-Final\",\"yes\"],[[\"http://127.0.0.1:$P/c3\",\"127.0.0.1\",301,\"/c2\"],[\"http://127.0.0.1:$P/c2\",\"127.0.0.1\",302,\"c1\"],[\"http://127.0.0.1:$P/c1\",\"127.0.0.1\",307,\"http://127.0.0.3:$P/final\"]]]"
if [ "$got" = "$want" ]; then
	ok "-L -j: final answer, final_url, and each hop's url, ip, status, Location"
else
	not_ok "-L -j: the chain's shape" "got:  $got" "want: $want"
fi
aw -L -j "${CA[@]}" "http://127.0.0.1:$P/to-tls"
got=$(jq -c '[.final_url, .tls.verify, .ip, [.redirects[].url]]' "$T/out")
want="[\"http://127.0.0.1:$P/final\",null,\"127.0.0.1\",[\"http://127.0.0.1:$P/to-tls\",\"https://localhost:$S/from-tls\"]]"
if [ "$got" = "$want" ]; then
	ok "-L -j: through https and back, the final answer's facts"
else
	not_ok "-L -j: through https and back" "got:  $got" "want: $want"
fi
aw -L -j "http://127.0.0.1:$P/to-tls" # no CA: the TLS hop on port S fails
got=$(jq -c '[.error_class, .ip, .port, .final_url, (.redirects | length)]' "$T/out")
if [ "$got" = "[\"tls\",\"127.0.0.1\",$S,\"https://localhost:$S/from-tls\",1]" ]; then
	ok "-L -j, a hop fails: the failed hop's ip, port and URL, the hop before kept"
else
	not_ok "-L -j, a hop fails: the failed hop's port" "got: $got"
fi
aw -j "http://127.0.0.1:$P/abs"
if [ "$(jq -c '[.status, .final_url, .redirects]' "$T/out")" = '[301,null,null]' ]; then
	ok "without -L: the 3xx is the answer, no chain members"
else
	not_ok "without -L: the 3xx is the answer" "$(cat "$T/out")"
fi

## A loop, and --max-redirs: class redirect, the hops so far shown.
aw -L "http://127.0.0.1:$P/loop"
hops=$(grep -c ' header > HTTP/1.1 302 ' "$T/out")
if [ "$rc" = 1 ] && [ "$hops" = 11 ] &&
	[ "$(cat "$T/err")" = "awget: http://127.0.0.1:$P/loop: too many redirects (10)" ]; then
	ok "-L loop: 'too many redirects (10)' after 11 answers, all shown"
else
	not_ok "-L loop: too many redirects (10)" "rc=$rc hops=$hops" "$(cat "$T/err")"
fi
aw -L -j --max-redirs 1 "http://127.0.0.1:$P/c3"
got=$(jq -c '[.error_class, .error, .status, [.redirects[].status]]' "$T/out")
if [ "$rc" = 1 ] && [ "$got" = '["redirect","too many redirects (1)",null,[301,302]]' ]; then
	ok "-L --max-redirs 1 on three hops: class redirect, two answers kept"
else
	not_ok "-L --max-redirs 1: class redirect" "rc=$rc" "$got"
fi
aw -L --max-redirs 0 "http://127.0.0.1:$P/abs"
if [ "$rc" = 1 ] && grep -q 'too many redirects (0)$' "$T/err" &&
	[ "$(grep -c ' header > HTTP/1.1 301 ' "$T/out")" = 1 ]; then
	ok "-L --max-redirs 0: the first 301 shown, then 'too many redirects (0)'"
else
	not_ok "-L --max-redirs 0" "rc=$rc" "$(cat "$T/err")"
fi
aw -L --max-redirs 3 "http://127.0.0.1:$P/c3"
if [ "$rc" = 0 ] && [ "$(grep -c ' header > HTTP/1.1 ' "$T/out")" = 4 ] &&
	grep -q ' header > X-Final: yes$' "$T/out"; then
	ok "-L --max-redirs 3 on three hops: four blocks, the final 200"
else
	not_ok "-L --max-redirs 3 on three hops: followed" "rc=$rc"
fi

## Locations that end the chain: that 3xx is the answer, JSON says why.
for c in "noloc:empty Location" "ftp:Location is not an http or https URL"; do
	aw -L -j "http://127.0.0.1:$P/${c%%:*}"
	got=$(jq -c '[.status, .redirect_error, .redirects]' "$T/out")
	if [ "$rc" = 0 ] && [ "$got" = "[301,\"${c#*:}\",[]]" ]; then
		ok "-L /${c%%:*}: the 301 is final, redirect_error '${c#*:}'"
	else
		not_ok "-L /${c%%:*}: the 301 is final" "rc=$rc" "$got"
	fi
done
aw -L "http://127.0.0.1:$P/ftp"
if [ "$rc" = 0 ] && [ "$(grep -c ' header > ' "$T/out")" -gt 3 ] &&
	grep -q ' header > Location: ftp://127.0.0.1/x$' "$T/out"; then
	ok "-L /ftp in text: the 301's block, exit 0"
else
	not_ok "-L /ftp in text: the 301's block" "rc=$rc"
fi

## Methods: 303 makes GET, 301/302 make GET of POST, 307 keeps it; HEAD
## stays HEAD.
method() { # method ARGS...: the request line the last hop got
	aw -L "$@"
	grep -o 'X-Req-Line: .*' "$T/out"
}
for c in "303:-X POST:GET /req HTTP/1.1" "302:-X POST:GET /req HTTP/1.1" \
	"307:-X POST:POST /req HTTP/1.1" "303:-I:HEAD /req HTTP/1.1" \
	"301:-X POST:GET /req HTTP/1.1" "308:-X POST:POST /req HTTP/1.1" \
	"301:-X DELETE:DELETE /req HTTP/1.1" "303:-X GET:GET /req HTTP/1.1" \
	"302:-X PUT:PUT /req HTTP/1.1"; do
	IFS=: read -r code opt want <<<"$c"
	# shellcheck disable=SC2086 # the option and its value are two words
	got=$(method $opt "http://127.0.0.1:$P/$code")
	if [ "$got" = "X-Req-Line: $want" ]; then
		ok "-L $opt, $code: then $want"
	else
		not_ok "-L $opt, $code: then $want" "got: $got"
	fi
done

## -H on every hop; Authorization, Cookie and a custom Host only while the
## origin stays the target's (curl's rule). Host follows the hop.
hdrs=(-H "Authorization: Basic eDp5" -H "Cookie: c=1" -H "X-Custom: kept")
aw -L "${hdrs[@]}" "http://127.0.0.1:$P/same-host"
got=$(grep -o 'X-Req-[A-Za-z]*: .*' "$T/out" | grep -v Line | tr '\n' '|')
want="X-Req-Host: 127.0.0.1:$P|X-Req-Auth: Basic eDp5|X-Req-Cookie: c=1|X-Req-Custom: kept|"
if [ "$got" = "$want" ]; then
	ok "-L, same origin: Authorization, Cookie and -H kept"
else
	not_ok "-L, same origin: credentials kept" "got:  $got" "want: $want"
fi
aw -L "${hdrs[@]}" "http://127.0.0.1:$P/other-host"
got=$(grep -o 'X-Req-[A-Za-z]*: .*' "$T/out" | grep -v Line | tr '\n' '|')
want="X-Req-Host: 127.0.0.2:$P|X-Req-Custom: kept|" # nginx omits empty ones
if [ "$got" = "$want" ]; then
	ok "-L, another host: no Authorization or Cookie, -H X-Custom kept, Host follows"
else
	not_ok "-L, another host: credentials dropped" "got:  $got" "want: $want"
fi

aw -L "${hdrs[@]}" "http://127.0.0.1:$P/other-port"
got=$(grep -o 'X-Req-[A-Za-z]*: .*' "$T/out" | grep -v Line | tr '\n' '|')
want="X-Req-Host: 127.0.0.1:$P2|X-Req-Custom: kept|"
if [ "$got" = "$want" ]; then
	ok "-L, same host, another port: another origin, credentials dropped"
else
	not_ok "-L, another port: credentials dropped" "got:  $got" "want: $want"
fi
for h in "Host: custom.test" "Host:"; do # (HTTP/1.0: no Host is allowed)
	aw -L -0 -H "$h" "http://127.0.0.1:$P/other-host"
	got=$(grep -o 'X-Req-Host: .*' "$T/out")
	if [ "$rc" = 0 ] && [ "$got" = "X-Req-Host: 127.0.0.2:$P" ]; then
		ok "-L -H '$h', another host: that hop gets its own Host"
	else
		not_ok "-L -H '$h', another host: its own Host" "rc=$rc got: $got"
	fi
done
aw -L -H "Host: custom.test" "http://127.0.0.1:$P/same-host"
if [ "$(grep -o 'X-Req-Host: .*' "$T/out")" = "X-Req-Host: custom.test" ]; then
	ok "-L -H 'Host: custom.test', same origin: the custom Host kept"
else
	not_ok "-L -H Host, same origin: kept" "$(grep -o 'X-Req-Host: .*' "$T/out")"
fi

## A Location with a control byte ends the chain, as unparseable.
aw -L -j "http://127.0.0.1:$CTL_PORT/"
got=$(jq -c '[.status, .redirect_error, (.redirects | length)]' "$T/out")
if [ "$rc" = 0 ] && [ "$got" = '[302,"control character in Location",0]' ]; then
	ok "-L, Location with a control byte: the 302 is final, redirect_error says why"
else
	not_ok "-L, control byte in Location" "rc=$rc" "$got"
fi

## The heads of a chain share one target's limit (262,144 bytes): a 302
## of 150,000 bytes back to itself is followed once, not ten times.
aw -L -j "http://127.0.0.1:$BIG_PORT/150000"
got=$(jq -c '[.error_class, .error, (.redirects | length)]' "$T/out")
if [ "$rc" = 1 ] &&
	[ "$got" = '["too_large","headers of the redirect chain larger than 262144 bytes",1]' ]; then
	ok "-L, two 150,000-byte heads: too_large for the chain, the first kept"
else
	not_ok "-L, the chain's heads bounded" "rc=$rc" "$got"
fi
aw -L --max-redirs 2 "http://127.0.0.1:$BIG_PORT/80000"
if [ "$rc" = 1 ] && grep -q 'too many redirects (2)$' "$T/err"; then
	ok "-L, three 80,000-byte heads fit the limit: followed to --max-redirs"
else
	not_ok "-L, heads under the limit followed" "rc=$rc" "$(cat "$T/err")"
fi

## One deadline covers the chain: each hop answers after 0.7 s, -t 2;
## deadlines per hop would follow ten hops and fail "too many redirects".
start=$(date +%s%N)
aw -L -t 2 "http://127.0.0.1:$SLOW_PORT/"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$rc" = 1 ] && grep -q 'timed out in phase headers$' "$T/err" &&
	[ "$(grep -c ' header > HTTP/1.1 302 ' "$T/out")" = 2 ] &&
	[ "$ms" -ge 1900 ] && [ "$ms" -lt 3500 ]; then
	ok "-L -t 2, every hop 0.7 s: timed out at ${ms} ms after two hops"
else
	not_ok "-L -t 2, slow hops: one deadline" "rc=$rc ${ms} ms" "$(cat "$T/err")"
fi

## One deadline covers the chain: the third hop is slow (5 s), -t 2.
start=$(date +%s%N)
aw -L -t 2 "http://127.0.0.1:$P/s1"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$rc" = 1 ] && grep -q 'timed out in phase headers$' "$T/err" &&
	[ "$(grep -c ' header > HTTP/1.1 302 ' "$T/out")" = 2 ] &&
	[ "$ms" -ge 1900 ] && [ "$ms" -lt 4000 ]; then
	ok "-L -t 2, third hop slow: one deadline, timed out at ${ms} ms, two hops shown"
else
	not_ok "-L -t 2: one deadline for the chain" "rc=$rc ${ms} ms" "$(cat "$T/err")"
fi

## A failing hop is the target's outcome: refused on the second.
CLOSED=$(free_port)
aw -L -j "http://127.0.0.1:$P/abs" "http://127.0.0.1:$CLOSED/"
got=$(jq -c '[.status // .error_class, (.redirects | length)]' "$T/out" | sort | tr '\n' ' ')
if [ "$got" = '["refused",0] [200,1] ' ]; then
	ok "-L -j: a chain beside a refused target, one object each"
else
	not_ok "-L -j: a chain beside a refused target" "$got"
fi
aw -L "http://127.0.0.1:$P/to-tls" # the test CA is not given: the TLS hop fails
if [ "$rc" = 1 ] && [ "$(grep -c ' header > HTTP/1.1 301 ' "$T/out")" = 1 ] &&
	grep -q 'TLS: certificate verification failed' "$T/err"; then
	ok "-L, the second hop fails TLS: the first hop shown, one error line"
else
	not_ok "-L, the second hop fails TLS" "rc=$rc" "$(cat "$T/err")"
fi

## --rate counts every hop's connection: 30 targets of two hops each at
## 20 a second take about 3 s (1.5 s if hops were free).
for i in $(seq 1 30); do echo "http://127.0.0.1:$P/rel?$i"; done >"$T/rate"
start=$(date +%s%N)
aw -L --rate 20 -i "$T/rate"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$rc" = 0 ] && [ "$ms" -ge 2500 ] && [ "$ms" -lt 8000 ] &&
	[ "$(grep -c ' header > HTTP/1.1 200 OK$' "$T/out")" = 30 ]; then
	ok "-L --rate 20: 30 two-hop targets in ${ms} ms, every hop's connection counted"
else
	not_ok "-L --rate 20: every hop counted" "rc=$rc ${ms} ms"
fi

## Many chains at once: every target one outcome, each with its hop.
for i in $(seq 1 300); do echo "http://127.0.$((i / 250)).$((i % 250 + 1)):$P/rel"; done >"$T/list"
aw -L -j -c 50 -i "$T/list"
n=$(jq -r 'select(.status == 200 and (.redirects | length) == 1) | .target' "$T/out" | sort -u | wc -l)
if [ "$rc" = 0 ] && [ "$n" = 300 ] && [ "$(wc -l <"$T/out")" = 300 ]; then
	ok "-L -c 50, 300 targets: 300 outcomes, each one hop then 200"
else
	not_ok "-L -c 50, 300 targets" "rc=$rc n=$n" "$(head -3 "$T/err")"
fi

## Memory errors under valgrind, a chain through TLS.
if ! memcheck -L "${CA[@]}" "http://127.0.0.1:$P/to-tls" "http://127.0.0.1:$P/loop" \
	"http://127.0.0.1:$P/ftp"; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ "$rc" = 1 ] && [ -z "$memerr" ]; then
	ok "valgrind: -L chains, followed, looped and ended, no invalid read or write"
else
	not_ok "valgrind: -L chains" "rc=$rc" "$memerr"
fi

echo "# redirect: done"
