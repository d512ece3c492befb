#!/bin/sh
# Fetches libgpiod v2 headers for the v2 wire test without touching the
# system's v1: `apt-get download` of a 2.x libgpiod-dev from the configured
# Debian archive, extracted into $B/gpiod-v2 with dpkg-deb -x.
# Prints why not and exits 1 when no 2.x package is in reach.
set -eu
B=${B:-build}
ver=$(apt-cache madison libgpiod-dev 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' |
      grep -E '^2\.' | head -n1 || true)
if [ -z "$ver" ]; then
    echo "get-gpiod-v2: no libgpiod-dev 2.x in the configured archive (apt-cache madison libgpiod-dev)" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download "libgpiod-dev=$ver" >/dev/null)
mkdir -p "$B/gpiod-v2"
dpkg-deb -x "$tmp"/libgpiod-dev_*.deb "$B/gpiod-v2"
test -f "$B/gpiod-v2/usr/include/gpiod.h"
echo "get-gpiod-v2: libgpiod-dev $ver headers in $B/gpiod-v2/usr/include"
