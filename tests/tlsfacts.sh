#!/usr/bin/env bash
# tests/tlsfacts.sh: the JSON "tls" facts and "timing" of a target, and the
# TLS options (--cert, --key, --tlsv1.2/1.3, --tls-max, --ciphers,
# --tls13-ciphers, --sni). A test PKI made here by openssl: a CA, an EC
# intermediate, leaves with RSA and EC keys, an IP SAN, 150 SANs, a UTF-8
# subject, expired and not yet valid, a stapled OCSP response, and a
# location that wants a client certificate; served by a real nginx on
# loopback. Each fact is compared with what openssl x509 says of the
# certificate served. Prints one TAP line per check.
#
#   AWGET=build/awget TESTD=build/tests/server/awget-testd tests/tlsfacts.sh
set -u

AWGET=${AWGET:?set AWGET to the awget binary}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/servers.sh
. "$HERE/lib/servers.sh"
# shellcheck source=tests/lib/tap.sh
. "$HERE/lib/tap.sh"

T=$(mktemp -d /tmp/awget-tlsfacts.XXXXXX)
chmod 755 "$T" # nginx workers drop to nobody
FACTS_PID='' NGINX_PID=''
cleanup() {
	stop_pid "$FACTS_PID"
	stop_pid "$NGINX_PID"
	rm -rf "$T"
}
trap cleanup EXIT

## The PKI: openssl ca, for dates in the past and the future.
K=$T/pki
mkdir -p "$K"
cat >"$K/ca.cnf" <<'CNF'
[ca]
default_ca = d
[d]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = p
copy_extensions = copy
unique_subject = no
[p]
commonName = supplied
[int]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
[client]
extendedKeyUsage = clientAuth
CNF
: >"$K/index.txt"
echo 1000 >"$K/serial"
big_san=subjectAltName=
for i in $(seq 1 149); do big_san="${big_san}DNS:n$i.test,"; done
big_san="${big_san}DNS:localhost"
# sign NAME ISSUER START END [openssl ca options]: NAME.csr into NAME.pem
sign() {
	local n=$1 issuer=$2 start=$3 end=$4
	shift 4
	(cd "$K" && openssl ca -batch -config ca.cnf -cert "$issuer.pem" \
		-keyfile "$issuer.key" -in "$n.csr" -out "$n.pem" -notext \
		-startdate "$start" -enddate "$end" "$@" >/dev/null 2>&1)
}
now=$(date -u +%Y%m%d%H%M%SZ -d '-1 hour')
later=$(date -u +%Y%m%d%H%M%SZ -d '+30 days')
if ! (cd "$K" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
		-days 30 -subj "/CN=awget facts CA" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout int.key -out int.csr -subj "/CN=awget facts intermediate" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
		-keyout ec.key -out ec.csr -subj "/CN=localhost" \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" &&
	openssl req -newkey rsa:3072 -nodes -keyout rsa.key -out rsa.csr -utf8 \
		-subj "/CN=localhost/O=B$(printf '\303\274')cher $(printf '\342\230\203')" \
		-addext "$big_san" &&
	cp rsa.key old.key && cp rsa.csr old.csr &&
	cp rsa.key soon.key && cp rsa.csr soon.csr &&
	openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
		-subj "/CN=awget client") >/dev/null 2>&1 ||
	! sign int ca "$now" "$later" -extensions int ||
	! sign ec int "$now" "$later" || ! sign rsa ca "$now" "$later" ||
	! sign old ca 20200101000000Z 20200201000000Z ||
	! sign soon ca 20350101000000Z 20360101000000Z ||
	! sign client ca "$now" "$later" -extensions client; then
	not_ok "the test PKI is made by openssl"
	exit 1
fi
cat "$K/ec.pem" "$K/int.pem" >"$K/ec-chain.pem"
# A stapled OCSP response for ec.pem, made offline by openssl ocsp.
(cd "$K" && openssl ocsp -issuer int.pem -cert ec.pem -reqout req.der -no_nonce &&
	openssl ocsp -index index.txt -rsigner int.pem -rkey int.key -CA int.pem \
		-reqin req.der -respout ocsp.der -ndays 7) >/dev/null 2>&1 ||
	not_ok "openssl makes an OCSP response"

## nginx: one port per certificate, a TLS 1.2-only one, and one that
## wants a client certificate.
servers=
declare -A PORT
for c in ec rsa old soon tls12 client; do
	p=$(free_port)
	PORT[$c]=$p
	cert=$c key=$c extra="ssl_protocols TLSv1.2 TLSv1.3;"
	case $c in
	ec) cert=ec-chain extra="$extra ssl_stapling on; ssl_stapling_file $K/ocsp.der;" ;;
	tls12) cert=rsa key=rsa extra="ssl_protocols TLSv1.2;" ;;
	client) cert=rsa key=rsa extra="$extra ssl_verify_client on; ssl_client_certificate $K/ca.pem;" ;;
	esac
	servers="$servers
	server {
		listen 127.0.0.1:$p ssl;
		ssl_certificate $K/$cert.pem;
		ssl_certificate_key $K/$key.key;
		$extra
		location / {
			add_header X-SNI \$ssl_server_name always;
			return 200 \"ok\\n\";
		}
	}"
done
mkdir -p "$T/nginx/logs" "$T/nginx/tmp"
cat >"$T/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log crit;
events { worker_connections 1024; }
http {
$(nginx_http_common "$T/nginx")
$servers
}
CONF
/usr/sbin/nginx -p "$T/nginx" -e "$T/nginx/logs/error.log" -c "$T/nginx/nginx.conf" 2>/dev/null &
FACTS_PID=$!
if ! wait_port "${PORT[client]}"; then
	not_ok "nginx serves the test PKI" "$(cat "$T/nginx/logs/error.log")"
	exit 1
fi
HP=$(free_port)
nginx_start "$T/http" "$HP" >/dev/null 2>&1 || not_ok "nginx starts on $HP"
CA=(--cacert "$K/ca.pem")

# x509 FILE ARGS...: openssl x509's answer for the leaf in FILE.
x509() { openssl x509 -in "$1" -noout "${@:2}"; }
rfc3339() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
# facts_like_openssl DESC PEM PORT [AWGET ARGS...]: every fact of the
# certificate awget was served is what openssl x509 says of PEM.
facts_like_openssl() {
	local desc=$1 pem=$2 port=$3 want got
	shift 3
	aw -j "$@" "https://localhost:$port/"
	want=$(
		printf '%s\n' "$(x509 "$pem" -subject -nameopt RFC2253,-esc_msb | sed 's/^subject=//')"
		printf '%s\n' "$(x509 "$pem" -issuer -nameopt RFC2253,-esc_msb | sed 's/^issuer=//')"
		x509 "$pem" -serial | sed 's/^serial=//'
		rfc3339 "$(x509 "$pem" -startdate | sed 's/^notBefore=//')"
		rfc3339 "$(x509 "$pem" -enddate | sed 's/^notAfter=//')"
		x509 "$pem" -fingerprint -sha256 | sed 's/^.*=//; s/://g' | tr 'A-F' 'a-f'
		x509 "$pem" -ext subjectAltName | tail -n +2 | tr ',' '\n' |
			sed 's/^ *//; s/^DNS://; s/^IP Address://' | paste -sd' '
		x509 "$pem" -text | sed -n 's/^ *Signature Algorithm: //p' | head -1
	)
	got=$(jq -r '.tls | .subject, .issuer, .serial, .not_before, .not_after,
		.sha256, (.san | join(" ")), .signature' "$T/out")
	if [ "$want" = "$got" ]; then
		ok "$desc: subject, issuer, serial, dates, sha256, SANs, signature as openssl x509 says"
	else
		not_ok "$desc: the facts" "$(diff <(echo "$want") <(echo "$got") | head -12)"
	fi
}

## Each certificate's facts, compared with openssl x509's.
facts_like_openssl "EC P-384 under an EC intermediate" "$K/ec.pem" "${PORT[ec]}" "${CA[@]}"
facts_like_openssl "RSA 3072, 150 SANs, a UTF-8 subject" "$K/rsa.pem" "${PORT[rsa]}" "${CA[@]}"
facts_like_openssl "expired" "$K/old.pem" "${PORT[old]}" "${CA[@]}"
facts_like_openssl "not yet valid" "$K/soon.pem" "${PORT[soon]}" "${CA[@]}"

## What the session and the certificate say besides.
aw -j "${CA[@]}" "https://localhost:${PORT[ec]}/"
got=$(jq -c '[.status, .tls.version, .tls.alpn, .tls.sni, .tls.verify, .tls.chain, .tls.key, .tls.ocsp_stapled]' "$T/out")
if [ "$got" = '[200,"TLSv1.3","http/1.1","localhost","ok",2,"EC P-384",true]' ]; then
	ok "EC leaf: TLS 1.3, ALPN http/1.1, SNI, verified, a chain of 2, EC P-384, OCSP stapled"
else
	not_ok "EC leaf: session facts" "$got" "$(cat "$T/err")"
fi
aw -j "${CA[@]}" "https://localhost:${PORT[rsa]}/"
got=$(jq -c '[.tls.chain, .tls.key, .tls.ocsp_stapled, (.tls.san | length)]' "$T/out")
if [ "$got" = '[1,"RSA 3072",false,150]' ]; then
	ok "RSA leaf: a chain of 1, RSA 3072, no OCSP response, 150 SANs"
else
	not_ok "RSA leaf: facts" "$got"
fi

## A certificate that fails verification: the target's error, and its
## tls object all the same.
tls_fail() { # tls_fail DESC PORT VERIFY ARGS...
	local desc=$1 port=$2 verify=$3 got
	shift 3
	aw -j "$@" "https://localhost:$port/"
	got=$(jq -c '[.error_class, .phase, .tls.verify, (.tls.sha256 | length), .status]' "$T/out")
	if [ "$rc" = 1 ] && [ "$got" = "[\"tls\",\"tls\",\"$verify\",64,null]" ] &&
		[ "$(jq -r .error "$T/out")" = "TLS: certificate verification failed: $verify" ]; then
		ok "$desc: error class tls, and the tls facts, verify '$verify'"
	else
		not_ok "$desc" "rc=$rc" "$got" "$(jq -r .error "$T/out")"
	fi
}
tls_fail "expired" "${PORT[old]}" "certificate has expired" "${CA[@]}"
tls_fail "not yet valid" "${PORT[soon]}" "certificate is not yet valid" "${CA[@]}"
tls_fail "an unknown CA" "${PORT[rsa]}" "unable to get local issuer certificate"
aw -j -k "${CA[@]}" "https://localhost:${PORT[old]}/"
if [ "$rc" = 0 ] && [ "$(jq -c '[.status, .tls.verify]' "$T/out")" = '[200,"certificate has expired"]' ]; then
	ok "-k: the request goes, and tls.verify still says why it would not"
else
	not_ok "-k and an expired certificate" "rc=$rc" "$(cat "$T/out")"
fi

## --sni: another name, or none.
aw -j "${CA[@]}" --sni localhost "https://127.0.0.1:${PORT[rsa]}/"
got=$(jq -c '[.status, .tls.sni, .tls.verify, (.headers | map(select(.[0] == "X-SNI")) | .[0][1])]' "$T/out")
if [ "$got" = '[200,"localhost","ok","localhost"]' ]; then
	ok "--sni NAME for an address: sent, and the certificate checked for it"
else
	not_ok "--sni localhost" "$got" "$(cat "$T/err")"
fi
aw -j "${CA[@]}" --sni '' "https://localhost:${PORT[rsa]}/"
got=$(jq -c '[.status, .tls.sni, .tls.verify, (.headers | map(select(.[0] == "X-SNI")) | length)]' "$T/out")
if [ "$got" = '[200,null,"ok",0]' ]; then
	ok "--sni '': no SNI sent; the certificate still checked for the URL's name"
else
	not_ok "--sni ''" "$got"
fi
aw -j "${CA[@]}" --sni wrong.test "https://localhost:${PORT[rsa]}/"
if [ "$rc" = 1 ] && [ "$(jq -r .tls.verify "$T/out")" = "hostname mismatch" ]; then
	ok "--sni wrong.test: the certificate is checked for that name"
else
	not_ok "--sni wrong.test" "rc=$rc" "$(cat "$T/out")"
fi

## Versions and ciphers, as curl names them.
aw -j "${CA[@]}" --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256 "https://localhost:${PORT[rsa]}/"
if [ "$(jq -c '[.status, .tls.version, .tls.cipher]' "$T/out")" = '[200,"TLSv1.2","ECDHE-RSA-AES128-GCM-SHA256"]' ]; then
	ok "--tls-max 1.2 --ciphers: the cipher asked for"
else
	not_ok "--ciphers" "$(cat "$T/out" "$T/err")"
fi
aw -j "${CA[@]}" --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256 "https://localhost:${PORT[rsa]}/"
if [ "$(jq -c '[.status, .tls.version, .tls.cipher]' "$T/out")" = '[200,"TLSv1.3","TLS_CHACHA20_POLY1305_SHA256"]' ]; then
	ok "--tls13-ciphers: the suite asked for"
else
	not_ok "--tls13-ciphers" "$(cat "$T/out" "$T/err")"
fi
aw -j "${CA[@]}" --tlsv1.3 "https://localhost:${PORT[tls12]}/"
if [ "$rc" = 1 ] && [ "$(jq -r '.error_class' "$T/out")" = tls ] && [ "$(jq -r '.tls' "$T/out")" = null ]; then
	ok "--tlsv1.3 to a TLS 1.2 server: a handshake failure, no tls facts"
else
	not_ok "--tlsv1.3" "rc=$rc" "$(cat "$T/out")"
fi
aw -j "${CA[@]}" --tlsv1.2 "https://localhost:${PORT[tls12]}/"
if [ "$(jq -c '[.status, .tls.version]' "$T/out")" = '[200,"TLSv1.2"]' ]; then
	ok "--tlsv1.2 to a TLS 1.2 server"
else
	not_ok "--tlsv1.2" "$(cat "$T/out")"
fi
aw --ciphers NOSUCH "https://localhost:${PORT[rsa]}/"
if [ "$rc" = 1 ] && grep -q "^awget: https://localhost:${PORT[rsa]}/: TLS: --ciphers NOSUCH: " "$T/err"; then
	ok "--ciphers NOSUCH: each HTTPS target says so"
else
	not_ok "--ciphers NOSUCH" "rc=$rc" "$(cat "$T/err")"
fi
aw "${CA[@]}" --tls13-ciphers NOSUCH "https://localhost:${PORT[rsa]}/"
if [ "$rc" = 2 ] && grep -q "^awget: --tls13-ciphers NOSUCH: " "$T/err"; then
	ok "--tls13-ciphers NOSUCH with --cacert: a usage error at the start"
else
	not_ok "--tls13-ciphers NOSUCH" "rc=$rc" "$(cat "$T/err")"
fi
aw --tlsv1.3 --tls-max 1.2 "https://localhost:${PORT[rsa]}/"
if [ "$rc" = 2 ] && grep -q "^awget: --tlsv1.3 with --tls-max 1.2" "$T/err"; then
	ok "--tlsv1.3 --tls-max 1.2: a usage error"
else
	not_ok "--tlsv1.3 --tls-max 1.2" "rc=$rc" "$(cat "$T/err")"
fi

## A client certificate, where nginx wants one; curl on the same.
aw -j "${CA[@]}" "https://localhost:${PORT[client]}/"
st_none=$(jq -r '.status // .error_class' "$T/out")
aw -j "${CA[@]}" --cert "$K/client.pem" --key "$K/client.key" "https://localhost:${PORT[client]}/"
st_cert=$(jq -r '.status // .error' "$T/out")
curl_none=$(timeout 20 curl -s -o /dev/null -w '%{http_code}' --cacert "$K/ca.pem" "https://localhost:${PORT[client]}/")
curl_cert=$(timeout 20 curl -s -o /dev/null -w '%{http_code}' --cacert "$K/ca.pem" \
	--cert "$K/client.pem" --key "$K/client.key" "https://localhost:${PORT[client]}/")
if [ "$st_cert" = 200 ] && [ "$curl_cert" = 200 ] && [ "$st_none" != 200 ] && [ "$curl_none" != 200 ]; then
	ok "--cert --key: the location that wants a client certificate answers 200 (curl too); without, not ($st_none, curl $curl_none)"
else
	not_ok "--cert --key" "awget: $st_none, $st_cert; curl: $curl_none, $curl_cert"
fi
cat "$K/client.pem" "$K/client.key" >"$K/client-both.pem"
aw -j "${CA[@]}" --cert "$K/client-both.pem" "https://localhost:${PORT[client]}/"
if [ "$(jq -r .status "$T/out")" = 200 ]; then
	ok "--cert with its key in the same file"
else
	not_ok "--cert with the key inside" "$(cat "$T/out")"
fi
aw --cert "$T/nonexistent.pem" "https://localhost:${PORT[rsa]}/"
if [ "$rc" = 1 ] && grep -q "TLS: --cert $T/nonexistent.pem: " "$T/err"; then
	ok "--cert of a missing file: each HTTPS target says so"
else
	not_ok "--cert missing" "rc=$rc" "$(cat "$T/err")"
fi
aw --key "$K/client.key" "https://localhost:${PORT[rsa]}/"
if [ "$rc" = 2 ] && grep -q "^awget: --key needs --cert" "$T/err"; then
	ok "--key without --cert: a usage error"
else
	not_ok "--key alone" "rc=$rc" "$(cat "$T/err")"
fi

## timing: the phases in order, appconnect 0 over plain HTTP; a failure
## has the phases it reached.
monotone='.timing | [.namelookup, .connect, .appconnect, .pretransfer, .starttransfer, .total] |
	(map(. != null) | all) and (. == sort)'
aw -j "${CA[@]}" "https://localhost:${PORT[rsa]}/"
if [ "$(jq "$monotone" "$T/out")" = true ] && [ "$(jq '.timing.appconnect > .timing.connect' "$T/out")" = true ]; then
	ok "timing over HTTPS: all six phases, in order, the handshake after the connect"
else
	not_ok "timing over HTTPS" "$(jq -c .timing "$T/out")"
fi
aw -j "http://127.0.0.1:$HP/"
if [ "$(jq '.timing | [.namelookup, .connect, .pretransfer, .starttransfer, .total] |
	(map(. != null) | all) and (. == sort)' "$T/out")" = true ] &&
	[ "$(jq .timing.appconnect "$T/out")" = 0 ]; then
	ok "timing over HTTP: in order, appconnect 0 as curl's"
else
	not_ok "timing over HTTP" "$(jq -c .timing "$T/out")"
fi
aw -j "${CA[@]}" "https://localhost:${PORT[old]}/"
if [ "$(jq -c '.timing | keys_unsorted' "$T/out")" = '["namelookup","connect","appconnect","total"]' ]; then
	ok "timing of a certificate refused: up to the handshake, then total"
else
	not_ok "timing of a refused certificate" "$(jq -c .timing "$T/out")"
fi
CLOSED=$(free_port)
aw -j "http://127.0.0.1:$CLOSED/"
if [ "$(jq -c '.timing | keys_unsorted' "$T/out")" = '["namelookup","total"]' ]; then
	ok "timing of a refused connection: the name, and total"
else
	not_ok "timing of a refused connection" "$(jq -c .timing "$T/out")"
fi
aw "${CA[@]}" "https://localhost:${PORT[rsa]}/"
if [ "$rc" = 0 ] && ! grep -q '{' "$T/out" && grep -q 'header > HTTP/1.1 200 OK' "$T/out"; then
	ok "text mode is unchanged: the header lines only"
else
	not_ok "text mode" "$(cat "$T/out")"
fi

## Memory errors under valgrind: facts of a chain with OCSP, and of a
## certificate refused.
if ! memcheck -j "${CA[@]}" "https://localhost:${PORT[ec]}/" "https://localhost:${PORT[old]}/" \
	--cert "$K/client.pem" --key "$K/client.key"; then
	ok "# SKIP valgrind: not installed, or a sanitizer build"
elif [ "$rc" = 1 ] && [ -z "$memerr" ]; then
	ok "valgrind: the facts of a chain with OCSP and of a refused certificate"
else
	not_ok "valgrind: tls facts" "rc=$rc" "$memerr"
fi

echo "# tlsfacts: done"
