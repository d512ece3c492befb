#!/bin/sh
# bench-nfs.sh: open+read+close of a metrics file over NFSv3 through ganesha
# (in a private netns, loopback) against the same on the local FUSE mount;
# medians from one run, and their ratio (target <= 5x). Stops what it started.
# usage: scripts/bench-nfs.sh [ITERATIONS]   (B=build dir; needs root)
set -u
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
ITER=${1:-2000}
NFSC=$PWD/$B/tools/nfsclient
FOGFS=$PWD/$B/fogfs
for t in "$NFSC" "$FOGFS"; do [ -x "$t" ] || { echo "bench-nfs: no $t (make first)" >&2; exit 1; }; done
command -v ganesha.nfsd >/dev/null || { echo "bench-nfs: SKIP: nfs-ganesha not installed"; exit 0; }

TMP=$(mktemp -d /tmp/fog-bench-nfs.XXXXXX)
MNT=$TMP/mnt FPID="" STATE=$TMP/nfs
mkdir -p "$MNT" "$TMP/lxc"
cleanup() {
    [ -d "$STATE" ] && scripts/nfs-export.sh stop "$STATE" >/dev/null 2>&1
    if [ -n "$FPID" ]; then
        fusermount3 -u "$MNT" 2>/dev/null
        i=0
        while kill -0 "$FPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -0 "$FPID" 2>/dev/null && kill -9 "$FPID"
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "lxc.net.0.type = empty" >"$TMP/lxc.conf"
"$FOGFS" "$MNT" -f --node bench --lxcpath "$TMP/lxc" --lxc-config "$TMP/lxc.conf" \
    --state "$TMP/state.json" \
    >"$TMP/fogfs.log" 2>&1 &
FPID=$!
i=0
while [ ! -f "$MNT/README" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$MNT/README" ] || { echo "bench-nfs: fogfs did not mount" >&2; tail "$TMP/fogfs.log" >&2; exit 1; }

out=$(scripts/nfs-export.sh start --netns --state "$STATE" "$MNT") || { echo "bench-nfs: export failed" >&2; exit 1; }
NFS_URL=$(echo "$out" | sed -n 's/^NFS_URL=//p')
NS=$(echo "$out" | sed -n 's/^NETNS_PID=//p')

FILE=bench/metrics/cpu
median() { sed -n 's/.*median_us=\([0-9.]*\).*/\1/p'; }
# warm up both paths, then measure: the client does ITER x (open, read, close)
"$NFSC" localbench "$MNT/$FILE" 50 >/dev/null
nsenter -t "$NS" -n "$NFSC" -t 300 bench "$NFS_URL/$FILE" 50 >/dev/null
local_out=$("$NFSC" -t 300 localbench "$MNT/$FILE" "$ITER")
nfs_out=$(nsenter -t "$NS" -n "$NFSC" -t 300 bench "$NFS_URL/$FILE" "$ITER")
lm=$(echo "$local_out" | median) nm=$(echo "$nfs_out" | median)
[ -n "$lm" ] && [ -n "$nm" ] || { echo "bench-nfs: measurement failed: $local_out / $nfs_out" >&2; exit 1; }
ratio=$(awk -v a="$nm" -v b="$lm" 'BEGIN { printf "%.1f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 5.0) ? "ok" : "over target" }')
echo "local FUSE  $FILE open+read+close: $local_out"
echo "NFSv3 (ganesha, loopback, libnfs): $nfs_out"
echo "bench-nfs: median local ${lm} us, NFSv3 ${nm} us, ratio ${ratio}x (target <= 5x: $verdict)"
