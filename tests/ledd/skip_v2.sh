#!/bin/sh
# Stands in for test_ledd_wire_v2 when no libgpiod v2 headers were found.
echo "SKIP: ledd_v2_fakechip: no libgpiod v2 headers: this Debian 12 archive (bookworm, -updates, -security) ships libgpiod 1.6.3 only and no backports are configured; run 'make ledd-gpiod-v2' where a v2 libgpiod-dev package is in reach, or set LEDD_GPIOD_V2_INCLUDE=<dir with a v2 gpiod.h>"
