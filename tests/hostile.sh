#!/usr/bin/env bash
# tests/hostile.sh: awget against every scenario of the scripted test server
# (tests/server/testd.c): broken, slow and malicious servers. Each scenario's
# exact stdout, stderr and exit status is checked; then all of them at once.
# Prints one TAP line per check.
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/hostile.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
TESTD=${TESTD:?set TESTD to the awget-testd binary}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/servers.sh"
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-hostile.XXXXXX)
TESTD_PID=
cleanup() {
	stop_pid "$TESTD_PID"
	rm -rf "$T"
}
trap cleanup EXIT

# The HTTP scenarios (dns_* ones are UDP name servers, for integration.sh;
# flaky_* ones keep state across connections, for longrun.sh).
mapfile -t SCENARIOS < <("$TESTD" -L | grep -vE "^(dns|flaky)_")
testd_start "$TESTD" 300 "${SCENARIOS[@]}"
port() {
	local v="TESTD_PORT_$1"
	echo "${!v}"
}

# Expected lines of a target: "T header > LINE" for each argument.
block() {
	local t=$1
	shift
	local l
	for l in "$@"; do printf '%s header > %s\n' "$t" "$l"; done
}

# scenario NAME RC [PATH]: run awget -t ${TMO:-3} on one scenario; compare stdout
# with $T/want.out and stderr with $T/want.err (both made by the caller,
# with @T@ standing for the target).
scenario() {
	local name=$1 want_rc=$2 path=${3:-} t
	t="127.0.0.1:$(port "$name")$path"
	timeout -k 5 30 "$AWGET" -t "${TMO:-3}" "$t" >"$T/out" 2>"$T/err"
	local rc=$?
	sed "s|@T@|$t|g" "$T/want.out" >"$T/w.out"
	sed "s|@T@|$t|g" "$T/want.err" >"$T/w.err"
	if cmp -s "$T/w.out" "$T/out" && cmp -s "$T/w.err" "$T/err" &&
		[ "$rc" = "$want_rc" ]; then
		ok "$name$path: exact stdout, stderr, exit $want_rc"
	else
		not_ok "$name$path: exact stdout, stderr, exit $want_rc" "exit $rc" \
			"$(diff "$T/w.out" "$T/out" | head -5 | cut -c1-200)" \
			"$(diff "$T/w.err" "$T/err" | head -5 | cut -c1-200)"
	fi
}
success() { # success NAME [PATH] < lines
	sed 's/^/@T@ header > /' >"$T/want.out"
	: >"$T/want.err"
	scenario "$1" 0 "${2:-}"
}
failure() { # failure NAME MESSAGE [PATH]
	: >"$T/want.out"
	echo "awget: @T@: $2" >"$T/want.err"
	scenario "$1" 1 "${3:-}"
}

NORMAL='HTTP/1.1 200 OK
Server: testd
Content-Length: 2'

echo "$NORMAL" | success normal
echo "$NORMAL" | success bare_lf
printf 'HTTP/1.1 100 Continue\n%s\n' "$NORMAL" | success continue100
printf 'HTTP/1.1 103 Early Hints\nLink: </style.css>; rel=preload\n%s\n' \
	"$NORMAL" | success early_hints
printf '%s\n' 'HTTP/1.1 200 OK' 'X-Folded: first' '  second part' \
	"$(printf '\tthird')" 'Server: testd' | success obs_fold
printf '%s\n' 'HTTP/1.1 200 OK' 'Set-Cookie: a=1' 'Server: testd' \
	'Set-Cookie: b=2' | success dup_headers
printf '%s\n' 'HTTP/1.1 999 Very Unusual' 'Server: testd' | success status999
{
	printf 'HTTP/1.1 200 %s\n' "$(head -c 1000 /dev/zero | tr '\0' R)"
	printf 'X-Long: %s\n' "$(head -c 4000 /dev/zero | tr '\0' v)"
} | success long_reason

# Control bytes: every one escaped, never raw.
cat <<'EOF' | success control_bytes
HTTP/1.1 200 OK
Server: testd
X-Title: \x1b]0;pwned\x07
X-Clear: \x1b[2J
X-Nul: a\x00b
X-Del: a\x7fb
X-Vt: a\x0bb
X-Ff: a\x0cb
X-Cr: a\x0db
X-Bs: abc\x08\x08\x08
X-Csi: a\x9b31mred
X-Backslash: a\\x41
EOF
# Invalid UTF-8 escaped byte by byte; valid UTF-8 and TAB unchanged.
{
	cat <<'EOF'
HTTP/1.1 200 OK
Server: testd
X-Overlong: \xc0\xaf
X-Overlong3: \xe0\x80\xaf
X-Surrogate: \xed\xa0\x80
X-Above: \xf4\x90\x80\x80
X-Truncated: \xe2\x82
X-Cont: \x80\xbf
EOF
	printf 'X-Valid: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n'
	printf 'X-Tab: a\tb\n'
} | success bad_utf8

# No raw control byte reaches stdout, whatever the server sent.
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/out" ||
	tr -d '\n\t -~\200-\377' <"$T/out" | LC_ALL=C grep -q .; then
	not_ok "bad_utf8: no control byte on stdout"
else
	ok "bad_utf8: no control byte on stdout"
fi

echo "$NORMAL" | TMO=8 success slow_headers # its lines come 1 s apart
printf '%s\n' 'HTTP/1.1 200 OK' 'Server: testd' | success endless_body
echo "$NORMAL" | success early_answer

failure silent "timed out in phase headers"
failure slowloris "timed out in phase headers"
failure close_mid_line "connection closed before the end of the headers"
failure no_blank_line "connection closed before the end of the headers"
failure ssh_banner "not an HTTP response"
failure http09 "not an HTTP response"
failure binary "not an HTTP response"
failure huge_line "header line longer than 65536 bytes"
failure many_headers "headers larger than 262144 bytes"
failure huge_reason "header line longer than 65536 bytes"
failure endless_1xx "more than 16 interim responses"
failure close_on_accept "connection closed before the end of the headers"
failure rst_on_accept "connection reset by peer"

# The limits, at limit - 1, limit and limit + 1.
for len in 65535 65536; do
	{
		echo 'HTTP/1.1 200 OK'
		printf 'X-L: %s\n' "$(head -c $((len - 5)) /dev/zero | tr '\0' l)"
	} | success limit_line "/$len"
done
failure limit_line "header line longer than 65536 bytes" /65537
# limit_total's lines, as testd cuts them: 1002 bytes each with their
# CRLF, the last two sharing what is left so that each holds its
# "X-T-<i>: " prefix; the status line and the blank line make up the rest.
total_lines() {
	awk -v n="$1" 'BEGIN {
		print "HTTP/1.1 200 OK"
		left = n - 17 - 2
		for (i = 1; left > 0; i++) {
			if (left <= 1002) len = left
			else if (left - 1002 < 18) len = left - 18
			else len = 1002
			p = "X-T-" i ": "
			v = sprintf("%*s", len - 2 - length(p), "")
			gsub(/ /, "t", v)
			print p v
			left -= len
		}
	}'
}
for total in 262143 262144; do
	total_lines "$total" | success limit_total "/$total"
	# Every line as sent with its CRLF, and the blank line's.
	sum=$(sed 's/^[^ ]* header > //' "$T/out" | awk '{ s += length($0) + 2 } END { print s + 2 }')
	if [ "$sum" = "$total" ]; then
		ok "limit_total/$total: its head holds $total bytes, line ends too"
	else
		not_ok "limit_total/$total: its head holds $total bytes" "sum=$sum"
	fi
done
failure limit_total "headers larger than 262144 bytes" /262145
for k in 15 16; do
	{
		for i in $(seq 1 "$k"); do echo 'HTTP/1.1 100 Continue'; done
		echo "$NORMAL"
	} | success interim_n "/$k"
done
failure interim_n "more than 16 interim responses" /17

## Memory stays bounded by the limits whatever a server sends: the peak
## RSS of a run against the servers that send most (a 10 MiB line, a
## 1 MiB reason, 100,000 headers, an endless body, endless 1xx blocks) is
## within 4 MiB of a run against a normal server (the limits allow about
## 1.3 MiB; the sanitizers' allocator keeps some more).
if [ -x /usr/bin/time ]; then
	rss() { # rss TARGET...: peak RSS in KiB
		/usr/bin/time -f '%M' -o "$T/rss" timeout 30 "$AWGET" -t 5 "$@" \
			>/dev/null 2>&1
		tail -1 "$T/rss" # after "Command exited with ..."
	}
	base=$(rss "127.0.0.1:$(port normal)")
	big=$(rss "127.0.0.1:$(port huge_line)" "127.0.0.1:$(port huge_reason)" \
		"127.0.0.1:$(port many_headers)" "127.0.0.1:$(port endless_body)" \
		"127.0.0.1:$(port endless_1xx)")
	if [ $((big - base)) -le 4096 ]; then
		ok "hostile servers: peak RSS $big KiB, $((big - base)) KiB over a normal fetch"
	else
		not_ok "hostile servers: peak RSS within 4 MiB of a normal fetch" \
			"normal $base KiB, hostile $big KiB"
	fi
else
	ok "# SKIP peak RSS: no /usr/bin/time"
fi

## Regress: an answer that came before a failed write is the outcome.
## answer_rst answers at once and resets the connection: the request's
## write fails or not as the timing falls, and the 503 is read either way,
## once, and never sent for again.
for i in $(seq 1 300); do echo "127.0.0.1:$(port answer_rst)/"; done >"$T/rst"
aw -c 1 -t 5 -i "$T/rst"
n=$(grep -c ' header > HTTP/1.1 503 Service Unavailable$' "$T/out")
if [ "$rc" = 0 ] && [ "$n" = 300 ] && [ ! -s "$T/err" ]; then
	ok "answer, then reset: 300 of 300 answers kept at -c 1"
else
	not_ok "answer, then reset: 300 of 300 answers kept" "rc=$rc answers=$n" \
		"$(sort "$T/err" | uniq -c | head -3)"
fi
# A request of 60 KB, whose write the reset cuts short for certain.
big="X-Big: $(head -c 60000 /dev/zero | tr '\0' b)"
head -100 "$T/rst" >"$T/rst100"
aw -c 1 -t 5 -H "$big" -i "$T/rst100"
n=$(grep -c ' header > HTTP/1.1 503 Service Unavailable$' "$T/out")
if [ "$rc" = 0 ] && [ "$n" = 100 ] && [ ! -s "$T/err" ]; then
	ok "answer, then reset, a 60 KB request cut short: 100 of 100 kept"
else
	not_ok "answer, then reset, a 60 KB request: 100 of 100 kept" \
		"rc=$rc answers=$n" "$(sort "$T/err" | uniq -c | head -3)"
fi
aw -j -c 1 -t 5 --retry 3 -H "$big" -i "$T/rst100"
got=$(jq -c '[.status, .retries, .error]' "$T/out" | sort | uniq -c |
	sed 's/^ *//')
if [ "$rc" = 0 ] && [ "$got" = "100 [503,null,null]" ]; then
	ok "-j --retry 3, answer then reset: 100 answers, none retried"
else
	not_ok "-j --retry 3, answer then reset: none retried" "rc=$rc" "$got"
fi
aw -v -c 1 -t 5 --retry 3 -H "$big" -i "$T/rst100"
n=$(grep -c ": connect 127.0.0.1 port $(port answer_rst)\$" "$T/err")
if [ "$rc" = 0 ] && [ "$n" = 100 ]; then
	ok "-v --retry 3, answer then reset: one connection per target"
else
	not_ok "-v --retry 3, answer then reset: one connection per target" \
		"rc=$rc connects=$n"
fi

## Memory follows the bytes held: 1000 targets in flight at once, each
## to hold a head of 262,100 bytes of NULs (which print as 4 bytes each).
if [ ! -x /usr/bin/time ]; then
	ok "# SKIP NUL-filled heads: no /usr/bin/time"
elif sanitized; then
	ok "# SKIP NUL-filled heads' peak RSS: the sanitizers' own memory"
else
	for i in $(seq 1 1000); do
		echo "127.0.0.1:$(port nul_block)/262100"
	done >"$T/nul"
	/usr/bin/time -f '%M' -o "$T/rss" timeout -k 5 120 "$AWGET" -c 1000 \
		-t 60 -i "$T/nul" 2>"$T/err" | grep -c ' header > HTTP/1.1 200 OK$' \
		>"$T/n"
	kib=$(tail -1 "$T/rss")
	if [ "$(cat "$T/n")" = 1000 ] && [ ! -s "$T/err" ] &&
		[ "$kib" -le $((300 * 1024)) ]; then
		ok "1000 NUL-filled heads of 262,100 bytes at -c 1000: peak RSS $((kib / 1024)) MiB"
	else
		not_ok "1000 NUL-filled heads at -c 1000: peak RSS at most 300 MiB" \
			"$(cat "$T/n") answers, $kib KiB" "$(head -3 "$T/err")"
	fi
fi

## A longest line trickled 1 KiB a tick to 1000 targets at once. Each
## byte is searched for a line end once (check_http counts the bytes), so
## the work grows with the bytes, not with the bytes times the reads.
for i in $(seq 1 1000); do echo "127.0.0.1:$(port trickle_line)/"; done >"$T/trickle"
start=$(date +%s%N)
timeout -k 5 120 "$AWGET" -c 1000 -t 60 -i "$T/trickle" 2>"$T/err" |
	grep ' header > X-Long: ' | awk '{ print length($0) }' | sort | uniq -c |
	sed 's/^ *//' >"$T/lens"
ms=$((($(date +%s%N) - start) / 1000000))
tp=$(port trickle_line)
want="1000 $((11 + ${#tp} + 10 + 65536))"
if [ "$(cat "$T/lens")" = "$want" ] && [ ! -s "$T/err" ]; then
	ok "trickled 64 KiB lines, 1000 at -c 1000: every line whole (${ms} ms)"
else
	not_ok "trickled 64 KiB lines, 1000 at -c 1000: every line whole" \
		"got: $(head -3 "$T/lens")" "want: $want" "$(head -3 "$T/err")"
fi

## Every scenario in one run at -c 4: exactly one outcome per target.
: >"$T/all"
for s in "${SCENARIOS[@]}"; do
	echo "127.0.0.1:$(port "$s")" >>"$T/all"
done
start=$(date +%s)
timeout -k 5 120 "$AWGET" -c 4 -t 3 -i "$T/all" >"$T/out" 2>"$T/err"
rc=$?
elapsed=$(($(date +%s) - start))
if [ "$rc" = 1 ]; then ok "all scenarios at -c 4: exit 1"; else
	not_ok "all scenarios at -c 4: exit 1" "exit $rc"
fi
# Each target: either lines on stdout or exactly one line on stderr.
bad=
while read -r t; do
	o=$(grep -c "^$t header > " "$T/out")
	e=$(grep -c "^awget: $t: " "$T/err")
	if ! { [ "$o" -gt 0 ] && [ "$e" = 0 ]; } && ! { [ "$o" = 0 ] && [ "$e" = 1 ]; }; then
		bad="$bad $t(out=$o,err=$e)"
	fi
done <"$T/all"
lines=$(wc -l <"$T/err")
failures=$(grep -c . <<<"$(sed 's/^awget: \([^:]*:[0-9]*\): .*/\1/' "$T/err" | sort -u)")
if [ -z "$bad" ] && [ "$lines" = "$failures" ]; then
	ok "all scenarios at -c 4: one outcome per target (${#SCENARIOS[@]} targets, $lines errors)"
else
	not_ok "all scenarios at -c 4: one outcome per target" "$bad" "err lines $lines, targets $failures"
fi
# Slowloris and silent are cut at the deadline: a generous bound, the run
# takes a few rounds of -t 3 at -c 4, never the servers' "forever".
if [ "$elapsed" -le 60 ]; then ok "all scenarios at -c 4: ended in ${elapsed}s"; else
	not_ok "all scenarios at -c 4: ended in time" "${elapsed}s"
fi

## JSON Lines: every scenario at once, read back by jq.
timeout -k 5 120 "$AWGET" -j -c 4 -t 3 -i "$T/all" >"$T/json" 2>"$T/err"
rc=$?
objects=$(jq -c . <"$T/json" 2>/dev/null | wc -l)
if [ "$rc" = 1 ] && [ "$objects" = "${#SCENARIOS[@]}" ] &&
	[ "$(wc -l <"$T/json")" = "$objects" ] && [ ! -s "$T/err" ]; then
	ok "-j, all scenarios: one valid JSON object per target ($objects), stderr empty"
else
	not_ok "-j, all scenarios: one JSON object per target" "rc=$rc objects=$objects" \
		"$(head -c 300 "$T/err")"
fi
distinct=$(jq -r .target <"$T/json" | sort -u | wc -l)
each=$(jq -r 'if .error then (.error_class != null and .status == null)
	else (.status != null and .error_class == null) end' <"$T/json" | sort -u)
if [ "$distinct" = "${#SCENARIOS[@]}" ] && [ "$each" = true ]; then
	ok "-j: every target once, each either a response or an error_class"
else
	not_ok "-j: every target once" "distinct=$distinct each=$each"
fi
# jq_of SCENARIO FILTER: the filter over that scenario's object.
jq_of() {
	jq -c --arg t "127.0.0.1:$(port "$1")" "select(.target == \$t) | $2" "$T/json"
}
check_jq() { # check_jq DESC SCENARIO FILTER WANT
	local got
	got=$(jq_of "$2" "$3")
	if [ "$got" = "$4" ]; then ok "-j $2: $1"; else
		not_ok "-j $2: $1" "got:  $got" "want: $4"
	fi
}
check_jq "status, version, reason, headers" normal \
	'[.status, .version, .reason, .headers]' \
	'[200,"HTTP/1.1","OK",[["Server","testd"],["Content-Length","2"]]]'
check_jq "interim 100, then the final" continue100 \
	'[.interim[].status, .status]' '[100,200]'
check_jq "103 with its Link header" early_hints \
	'.interim[0].headers' '[["Link","</style.css>; rel=preload"]]'
check_jq "obs-fold joined with one space" obs_fold \
	'.headers[0]' '["X-Folded","first second part third"]'
check_jq "repeated headers kept in order" dup_headers \
	'[.headers[] | select(.[0] == "Set-Cookie") | .[1]]' '["a=1","b=2"]'
check_jq "control bytes decoded exactly" control_bytes \
	'[.headers[1:4][][1]]' '["\u001b]0;pwned\u0007","\u001b[2J","a\u0000b"]'
check_jq "a server's backslash is one backslash" control_bytes \
	'.headers[-1][1]' '"a\\x41"'
check_jq "invalid UTF-8 as U+FFFD, valid UTF-8 and TAB kept" bad_utf8 \
	'[.headers[1][1], .headers[-2][1], .headers[-1][1]]' \
	"$(printf '["\xef\xbf\xbd\xef\xbf\xbd","caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80","a\\tb"]')"

## JSON strings carry the exact text: decoded, each value is byte for byte
## what the server sent (the bytes below are testd's json_text scenario).
jt="127.0.0.1:$(port json_text)"
json_value() { # json_value NAME: the decoded value of header NAME, raw
	jq -j --arg t "$jt" --arg n "$1" \
		'select(.target == $t) | .headers[] | select(.[0] == $n) | .[1]' "$T/json"
}
exact() { # exact DESC NAME PRINTF-FORMAT: header NAME decodes to those bytes
	json_value "$2" >"$T/got.bin"
	# shellcheck disable=SC2059 # the format is the bytes
	printf "$3" >"$T/want.bin"
	if cmp -s "$T/want.bin" "$T/got.bin"; then ok "-j json_text: $1"; else
		not_ok "-j json_text: $1" "got:  $(od -An -c "$T/got.bin" | head -3)" \
			"want: $(od -An -c "$T/want.bin" | head -3)"
	fi
}
exact "a quote" X-Quote 'say "hi"'
exact "backslashes, and \\x41 that is text" X-Backslash 'C:\\Windows\\ a\\x41'
exact "every C0 control, DEL and NUL" X-C0 \
	'a\001\002\003\004\005\006\007\010\013\014\015\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177\000\tb'
exact "C1 controls" X-C1 'a\302\200\302\233\302\237b'
exact "U+2028 and U+2029" X-Sep 'a\342\200\250\342\200\251b'
exact "UTF-8" X-Utf8 'caf\303\251 \342\202\254 \360\237\230\200'
jq -j --arg t "$jt" 'select(.target == $t) | .reason' "$T/json" >"$T/got.bin"
printf 'O"K\\' >"$T/want.bin"
if cmp -s "$T/want.bin" "$T/got.bin"; then ok "-j json_text: the reason phrase exactly"; else
	not_ok "-j json_text: the reason phrase exactly" "$(od -An -c "$T/got.bin")"
fi
exact "invalid UTF-8: U+FFFD for each byte" X-Bad 'a\357\277\275\357\277\275\357\277\275b'
# ... and the whole head's exact bytes beside, in base64.
jq -r --arg t "$jt" 'select(.target == $t) | .head_b64' "$T/json" |
	base64 -d >"$T/got.bin" 2>/dev/null
printf '%s\r\n' 'HTTP/1.1 200 O"K\' 'X-Quote: say "hi"' 'X-Backslash: C:\Windows\ a\x41' >"$T/want.bin"
printf 'X-C0: a\001\002\003\004\005\006\007\010\013\014\015\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177\000\tb\r\n' >>"$T/want.bin"
printf 'X-C1: a\302\200\302\233\302\237b\r\nX-Sep: a\342\200\250\342\200\251b\r\n' >>"$T/want.bin"
printf 'X-Utf8: caf\303\251 \342\202\254 \360\237\230\200\r\nX-Bad: a\377\300\257b\r\n\r\n' >>"$T/want.bin"
if cmp -s "$T/want.bin" "$T/got.bin"; then
	ok "-j json_text: head_b64 is the head as the server sent it"
else
	not_ok "-j json_text: head_b64 is the head as sent" "$(cmp "$T/want.bin" "$T/got.bin" 2>&1)"
fi
# Only a head with such a byte carries head_b64 (no scenario sends a real
# U+FFFD), and three scenarios do.
odd=$(jq -r 'select(.status != null) | select((.head_b64 != null) !=
	([.reason, (.interim // [] | .[] | .reason, .headers[][]), .headers[][]] |
	map(select(contains("\ufffd"))) | length > 0)) | .target' "$T/json")
n=$(jq -r 'select(.head_b64 != null) | .target' "$T/json" | wc -l)
if [ -z "$odd" ] && [ "$n" -ge 3 ]; then
	ok "-j: head_b64 exactly where a string of the head is not valid UTF-8 ($n)"
else
	not_ok "-j: head_b64 exactly where needed" "odd: $odd" "n=$n"
fi
# The JSON text itself stays safe on a terminal: no raw C0, DEL or C1.
if LC_ALL=C grep -qaP '[\x00-\x1f\x7f]|\xc2[\x80-\x9f]' "$T/json"; then
	not_ok "-j: no raw control byte in the JSON text" \
		"$(LC_ALL=C grep -naP '[\x00-\x1f\x7f]|\xc2[\x80-\x9f]' "$T/json" | head -2 | od -c | head -3)"
else
	ok "-j: no raw control byte in the JSON text"
fi
check_jq "timeout: class and phase" silent '[.error_class, .phase]' \
	'["timeout","headers"]'
check_jq "not HTTP" ssh_banner '[.error, .error_class]' \
	'["not an HTTP response","not_http"]'
check_jq "too large" huge_line '.error_class' '"too_large"'
check_jq "connected: ip and port" normal '[.ip, .port]' \
	"[\"127.0.0.1\",$(port normal)]"

## The deadline is one per target, not an idle timeout.
start=$(date +%s%N)
timeout -k 5 30 "$AWGET" -t 1.5 "127.0.0.1:$(port slowloris)" \
	"127.0.0.1:$(port silent)" >/dev/null 2>"$T/err"
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$(grep -c 'timed out in phase headers' "$T/err")" = 2 ] && [ "$ms" -lt 5000 ]; then
	ok "slowloris and silent are cut at -t 1.5 (${ms} ms)"
else
	not_ok "slowloris and silent are cut at -t 1.5" "${ms} ms" "$(cat "$T/err")"
fi

## Every scenario at once under valgrind, text and JSON.
for mode in text json; do
	args=()
	[ "$mode" = json ] && args=(-j)
	if ! memcheck "${args[@]}" -c 4 -t 3 -i "$T/all"; then
		ok "# SKIP valgrind: not installed, or a sanitizer build"
	elif [ "$rc" = 1 ] && [ -z "$memerr" ]; then
		ok "valgrind, all scenarios ($mode): no invalid read or write"
	else
		not_ok "valgrind, all scenarios ($mode)" "rc=$rc" "$memerr"
	fi
done

echo "# hostile: done"
