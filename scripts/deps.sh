# shellcheck shell=bash disable=SC2034 # the lists are for the scripts that source this
# scripts/deps.sh: install Debian packages by name, idempotently.
# Sourced by scripts/run, scripts/test and scripts/bench.
#
# Debian's nginx and dnsmasq packages would start system services on a
# machine with a service manager: while installing, a temporary
# policy-rc.d (only if none exists) forbids that. Our own instances run on
# loopback ports, started and stopped by the test scripts.

AWGET_BUILD_PKGS="gcc meson ninja-build pkg-config libevent-dev libssl-dev
libidn2-dev libunistring-dev libnghttp2-dev"
AWGET_TEST_PKGS="check nginx libnginx-mod-http-echo dnsmasq-base mandoc
clang-format strace iproute2 procps jq openssl ca-certificates time
valgrind shellcheck tinyproxy microsocks nghttp2-server"

deps_install() {
	local missing=() p sudo='' made_policy=0
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "deps: installing ${missing[*]}" >&2
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
		$sudo chmod +x /usr/sbin/policy-rc.d
		made_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	local rc=0
	if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
		$sudo apt-get update -qq >/dev/null
		$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=1
	fi
	[ "$made_policy" = 1 ] && $sudo rm -f /usr/sbin/policy-rc.d
	return $rc
}
