# tests/lib/servers.sh: the real servers the integration tests talk to, each
# on loopback ports under a temporary directory, each stopped by the PID we
# started (never by name). Sourced by tests/integration.sh and scripts/bench.

# A TCP port on 127.0.0.1 that nothing listens on now, below the kernel's
# ephemeral range (32768 on): a port a client used can stay in TIME_WAIT
# there, and some kernels (gVisor's) then refuse to bind it.
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((10000 + (RANDOM * 32768 + RANDOM) % 22768))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Wait up to 5 s for 127.0.0.1:$1 to accept connections.
wait_port() {
	local i
	for i in $(seq 1 100); do
		(exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# Stop a process we started: TERM, wait up to 5 s, then KILL that PID only.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# The http-level lines every test nginx shares: its own temp paths under
# DIR, no logs, and one response per connection.
nginx_http_common() {
	cat <<CONF
	access_log off;
	server_tokens off;
	keepalive_timeout 0;
	client_body_temp_path $1/tmp/body;
	proxy_temp_path $1/tmp/proxy;
	fastcgi_temp_path $1/tmp/fastcgi;
	uwsgi_temp_path $1/tmp/uwsgi;
	scgi_temp_path $1/tmp/scgi;
	default_type text/plain;
CONF
}

# nginx_start DIR PORT: nginx in the foreground of its own master process
# (daemon off), answering on every 127.x.y.z:PORT and on [::1]:PORT when the
# kernel has IPv6. Sets NGINX_PID.
#   /         200 "ok\n" with X-Test: awget
#   /req      echoes what awget sent as X-Req-* headers
#   /sleep    answers after 5 s (the deadline case)
#   /missing  404
nginx_start() {
	local dir=$1 port=$2 v6=
	mkdir -p "$dir/logs" "$dir/tmp"
	if [ -e /proc/net/if_inet6 ] && grep -q ' lo$' /proc/net/if_inet6; then
		v6="listen [::1]:$port;"
	fi
	cat >"$dir/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
$(nginx_http_common "$dir")
	server {
		listen 0.0.0.0:$port backlog=4096 default_server;
		$v6
		location / {
			add_header X-Test awget always;
			return 200 "ok\n";
		}
		location /req {
			add_header X-Req-Line "\$request" always;
			add_header X-Req-Protocol "\$server_protocol" always;
			add_header X-Req-Host "\$http_host" always;
			add_header X-Req-UA "\$http_user_agent" always;
			add_header X-Req-Accept "\$http_accept" always;
			add_header X-Req-Connection "\$http_connection" always;
			add_header X-Req-Custom "\$http_x_custom" always;
			return 200 "ok\n";
		}
		location /sleep {
			echo_sleep 5;
			echo ok;
		}
		location /missing {
			return 404;
		}
	}
}
CONF
	/usr/sbin/nginx -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" &
	NGINX_PID=$!
	wait_port "$port" || { cat "$dir/logs/error.log" >&2; return 1; }
}

# dnsmasq_start DIR PORT HOSTSFILE [OPTION...]: a resolver on 127.0.0.1:PORT
# that knows only HOSTSFILE, answers NXDOMAIN for *.invalid and for unknown
# *.test names (and NODATA for a missing type), refuses the rest, and asks
# nobody; it logs to DIR/dnsmasq.log. Sets DNSMASQ_PID.
dnsmasq_start() {
	local dir=$1 port=$2 hosts=$3 i
	shift 3
	chmod a+r "$hosts"
	dnsmasq --keep-in-foreground --conf-file=/dev/null --port="$port" \
		--listen-address=127.0.0.1 --bind-interfaces --no-resolv \
		--no-hosts --addn-hosts="$hosts" --address=/invalid/ --local=/test/ \
		--pid-file="$dir/dnsmasq.pid" --log-facility="$dir/dnsmasq.log" "$@" &
	DNSMASQ_PID=$!
	wait_port "$port" || return 1
}

# testd_launch PREFIX BINARY LIFETIME ARGS...: run the scripted test server
# with ARGS (options, then scenarios); sets ${PREFIX}_PID, and
# ${PREFIX}_PORT_<scenario> for every scenario.
testd_launch() {
	local prefix=$1 bin=$2 life=$3 name port fifo
	shift 3
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	"$bin" -l "$life" "$@" >"$fifo" &
	printf -v "${prefix}_PID" '%s' "$!"
	while read -r name port; do
		[ "$name" = ready ] && break
		printf -v "${prefix}_PORT_$name" '%s' "$port"
	done <"$fifo"
	rm -f "$fifo"
}

# testd_start BINARY LIFETIME SCENARIO...: the scripted test server; sets
# TESTD_PID and TESTD_PORT_<scenario> for every scenario.
testd_start() {
	local bin=$1 life=$2
	shift 2
	testd_launch TESTD "$bin" "$life" "$@"
}

# testd_tls_start BINARY LIFETIME CERT KEY SCENARIO...: the same scenarios
# over TLS (no close_notify on close); sets TESTD_TLS_PID and
# TESTD_TLS_PORT_<scenario>.
testd_tls_start() {
	local bin=$1 life=$2 cert=$3 key=$4
	shift 4
	testd_launch TESTD_TLS "$bin" "$life" -C "$cert" -K "$key" "$@"
}

# tls_certs DIR: a test CA and server certificates made now by openssl:
# valid.pem (localhost, 127.0.0.1, ::1), expired.pem (the same names, but
# expired), wrong.pem (only wrong.test), self.pem (self-signed localhost),
# big.pem (a subject of 400 bytes of UTF-8, and 150 names: n1.test ...
# n149.test, then localhost), odd.pem (the names localhost and x\377y.test,
# a byte that is not UTF-8).
tls_certs() {
	local d=$1 ext
	mkdir -p "$d"
	ext="$d/ext"
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' >"$ext"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" \
		-out "$d/ca.pem" -days 30 -subj "/CN=awget test CA" 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" \
		-out "$d/server.csr" -subj "/CN=localhost" 2>/dev/null &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" \
		-CAkey "$d/ca.key" -CAcreateserial -days 30 -extfile "$ext" \
		-out "$d/valid.pem" 2>/dev/null &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" \
		-CAkey "$d/ca.key" -CAcreateserial -days -1 -extfile "$ext" \
		-out "$d/expired.pem" 2>/dev/null &&
	printf 'subjectAltName=DNS:wrong.test\n' >"$d/ext.wrong" &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" \
		-CAkey "$d/ca.key" -CAcreateserial -days 30 \
		-extfile "$d/ext.wrong" -out "$d/wrong.pem" 2>/dev/null &&
	openssl req -x509 -key "$d/server.key" -out "$d/self.pem" -days 30 \
		-subj "/CN=localhost" -addext \
		"subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null &&
	tls_big_cert "$d" &&
	printf 'subjectAltName=DER:301582096c6f63616c686f7374820878ff792e74657374\n' \
		>"$d/ext.odd" &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" \
		-CAkey "$d/ca.key" -CAcreateserial -days 30 \
		-extfile "$d/ext.odd" -out "$d/odd.pem" 2>/dev/null
}

# The certificate no field of awget may cut: three OUs of 63 two-byte
# characters each, and 150 subjectAltNames.
tls_big_cert() {
	local d=$1 ou i san=subjectAltName=
	ou=$(printf '\303\251%.0s' $(seq 1 63))
	for i in $(seq 1 149); do san="${san}DNS:n$i.test,"; done
	printf '%sDNS:localhost\n' "$san" >"$d/ext.big"
	openssl req -new -utf8 -key "$d/server.key" -out "$d/big.csr" \
		-subj "/CN=localhost/OU=a$ou/OU=b$ou/OU=c$ou" 2>/dev/null &&
	openssl x509 -req -in "$d/big.csr" -CA "$d/ca.pem" \
		-CAkey "$d/ca.key" -CAcreateserial -days 30 \
		-extfile "$d/ext.big" -out "$d/big.pem" 2>/dev/null
}

# nginx_tls_start DIR: nginx serving HTTPS on 127.0.0.1 with each of
# tls_certs's certificates on its own port (TLS_PORT_valid, ...), and
# TLS 1.0 only on TLS_PORT_old; the valid one on [::1] too when the kernel
# has IPv6. Each answer has X-SNI: the name the client sent (nginx omits
# the header when none was sent). Sets NGINX_TLS_PID.
# free_port sees only listeners: a port it gives can still fail to bind
# (a TIME_WAIT socket blocks it on some kernels, gVisor's for one), so
# when nginx exits at start it is tried again on new ports, three times.
nginx_tls_start() {
	local dir=$1 servers c p v6 try i
	mkdir -p "$dir/logs" "$dir/tmp"
	tls_certs "$dir/certs" || return 1
	for try in 1 2 3; do
		servers=
		for c in valid expired wrong self old big odd; do
			p=$(free_port)
			printf -v "TLS_PORT_$c" '%s' "$p"
			local cert=$c proto="TLSv1.2 TLSv1.3"
			[ "$c" = old ] && cert=valid proto=TLSv1
			v6=
			if [ "$c" = valid ] && [ -e /proc/net/if_inet6 ] &&
				grep -q ' lo$' /proc/net/if_inet6; then
				v6="listen [::1]:$p ssl;"
			fi
			servers="$servers
	server {
		listen 127.0.0.1:$p ssl;
		$v6
		ssl_certificate $dir/certs/$cert.pem;
		ssl_certificate_key $dir/certs/server.key;
		ssl_protocols $proto;
		location / {
			add_header X-Test awget-tls always;
			add_header X-SNI \$ssl_server_name always;
			return 200 \"ok\\n\";
		}
	}"
		done
		cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log crit;
events { worker_connections 1024; }
http {
$(nginx_http_common "$dir")
$servers
}
CONF
		# Its start-up errors are in error.log too.
		/usr/sbin/nginx -p "$dir" -e "$dir/logs/error.log" \
			-c "$dir/nginx.conf" 2>/dev/null &
		NGINX_TLS_PID=$!
		# nginx binds every port before it accepts on any.
		for i in $(seq 1 100); do
			(exec 3<>"/dev/tcp/127.0.0.1/$TLS_PORT_valid") 2>/dev/null &&
				wait_port "$TLS_PORT_old" && return 0
			kill -0 "$NGINX_TLS_PID" 2>/dev/null || break
			sleep 0.05
		done
		stop_pid "$NGINX_TLS_PID"
		NGINX_TLS_PID=
	done
	return 1
}

# tinyproxy_start DIR PORT [USER PASSWORD]: Debian's tinyproxy in the
# foreground (-d) on 127.0.0.1:PORT with its own config, for clients on
# 127.0.0.1 only; with USER and PASSWORD, HTTP Basic is required. Sets
# TINYPROXY_PID.
tinyproxy_start() {
	local dir=$1 port=$2 auth=
	mkdir -p "$dir"
	[ $# -ge 4 ] && auth="BasicAuth $3 $4"
	cat >"$dir/tinyproxy.conf" <<CONF
Port $port
Listen 127.0.0.1
Timeout 30
MaxClients 500
Allow 127.0.0.1
LogLevel Error
LogFile "$dir/tinyproxy.log"
PidFile "$dir/tinyproxy.pid"
$auth
CONF
	/usr/bin/tinyproxy -d -c "$dir/tinyproxy.conf" 2>/dev/null &
	TINYPROXY_PID=$!
	wait_port "$port"
}
