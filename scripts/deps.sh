#!/bin/sh
# Installs the Debian packages the build and the tests need, if missing.
set -e
pkgs="build-essential pkg-config clang libclang-rt-14-dev
libcurl4-openssl-dev libssl-dev libxml2-dev libzstd-dev zlib1g-dev
libjansson-dev libcmocka-dev libmicrohttpd-dev
zstd tar gzip libarchive-tools python3 python3-boto3 curl mandoc"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
