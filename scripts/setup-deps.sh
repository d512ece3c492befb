#!/bin/sh
# Installs the Debian packages listed in scripts/packages.txt that are missing.
# Used by `make run` and `make check`; safe to run again (does nothing then).
set -eu
here=$(dirname "$0")
missing=""
for p in $(grep -v '^#' "$here/packages.txt"); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "setup-deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
    echo "setup-deps: must run as root to install packages" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends $missing </dev/null >/dev/null
# The Debian services these packages start are not needed: tests and
# scripts start their own instances on free ports.
for s in etcd nfs-ganesha rpcbind rpcbind.socket lxc-net; do
    systemctl disable --now "$s" >/dev/null 2>&1 || true
done
