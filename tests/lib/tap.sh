# tests/lib/tap.sh: what every end-to-end test script shares: TAP lines,
# running awget bounded in time, and comparing files. Sourced after $T (the
# script's temporary directory) and $AWGET are set. Checks may run in
# pipelines' subshells, so nothing is counted here: scripts/test counts
# the "ok" and "not ok" lines.

ok() {
	echo "ok - $1"
}

# not_ok DESC [DETAIL...]: each detail on its own "#" line.
not_ok() {
	echo "not ok - $1"
	shift
	local l
	for l in "$@"; do echo "#   $l"; done
}

# aw ARGS...: run awget (bounded to 60 s); stdout in $T/out, stderr in
# $T/err, exit status in $rc. Standard input is as the caller gives it.
aw() {
	timeout -k 5 60 "$AWGET" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# check_file DESC EXPECTED_FILE ACTUAL_FILE
check_file() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "$(diff -u "$2" "$3" | head -20 | sed 's/^/  /')"
	fi
}

# check_rc DESC WANT: $rc, from aw.
check_rc() {
	if [ "$rc" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "exit status $rc, want $2" "stderr: $(head -3 "$T/err")"
	fi
}

# Whether $AWGET is the sanitizer build, which valgrind cannot run.
sanitized() {
	ldd "$AWGET" 2>/dev/null | grep -q libasan
}

# memcheck ARGS...: run awget under valgrind's memcheck (bounded to 180 s),
# which sees the reads libevent and OpenSSL make for awget, where the
# sanitizers do not look: stdout in $T/out, stderr in $T/err, exit status
# in $rc, valgrind's report (empty if clean) in $memerr. Fails without
# running when valgrind cannot: not installed, or a sanitizer build.
memcheck() {
	command -v valgrind >/dev/null && ! sanitized || return 1
	timeout -k 5 180 valgrind -q --error-exitcode=99 --leak-check=no \
		"$AWGET" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	memerr=$(grep '^==[0-9]*==' "$T/err" | head -8)
}

# Replace the Date header's value, the one thing nginx varies per response.
nodate() {
	sed -E 's/^(.* header > Date: ).*/\1DATE/' "$@"
}

# curl_same DESC URL ARGS...: awget's lines for URL with ARGS, the target
# prefix taken off, are those curl -sS -D - prints with the same ARGS, Date
# values aside, and trailing blanks (curl ends HTTP/2's status line with a
# space, which awget does not write). Uses $T and aw.
curl_same() {
	local desc=$1 url=$2
	shift 2
	timeout 30 curl -sS "$@" -D - -o /dev/null "$url" 2>"$T/curl.err" |
		tr -d '\r' | grep -v '^$' | sed -E 's/ +$//; s/^([Dd]ate: ).*/\1D/' >"$T/want"
	aw "$@" "$url"
	awk -v p="$url header > " 'index($0, p) == 1 { $0 = substr($0, length(p) + 1) } 1' \
		"$T/out" | sed -E 's/ +$//; s/^([Dd]ate: ).*/\1D/' >"$T/got"
	if [ "$rc" = 0 ] && [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then
		ok "$desc: the lines curl prints"
	else
		not_ok "$desc: as curl" "rc=$rc" "$(cat "$T/err" "$T/curl.err")" \
			"$(diff "$T/want" "$T/got" | head -10)"
	fi
}
