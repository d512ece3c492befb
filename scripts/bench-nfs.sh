#!/bin/sh
# bench-nfs.sh: open+read+close of a metrics file over NFSv3 through ganesha
# (in a private netns, loopback) against the same on the local FUSE mount;
# medians from one run, and their ratio (target <= 5x), with what bounds it:
# a client that caches handles, the least a close-to-open client sends, and
# a NULL RPC. Stops what it started.
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
ROUNDS=5
# Each kind is measured in ROUNDS interleaved slices of ITER/ROUNDS, so a
# burst of load on this machine hits every kind alike; each kind's figure is
# the median of its slices' medians.
#   local   open+read+close on the local FUSE mount (the reference)
#   walk    libnfs open+read+close: LOOKUP per path component from the root,
#           ACCESS, READ (the benchmark the target is about)
#   cached  a client that keeps handles as the kernel's dentry cache does,
#           with actimeo=0: GETATTR per path component (close-to-open), READ
#   handle  GETATTR + READ of one kept handle: the least a close-to-open
#           client can send for open+read+close
#   null    one NULL RPC: loopback TCP and ganesha's dispatch alone
KINDS="local walk cached handle null"
nfs_run() { nsenter -t "$NS" -n "$NFSC" -t 300 "$@"; }
one_slice() {
    case $1 in
    local) "$NFSC" -t 300 localbench "$MNT/$FILE" "$2" ;;
    walk) nfs_run bench "$NFS_URL/$FILE" "$2" ;;
    *) nfs_run "bench-$1" "$NFS_URL/$FILE" "$2" ;;
    esac
}
slice=$(( (ITER + ROUNDS - 1) / ROUNDS ))
for k in $KINDS; do one_slice "$k" 20 >/dev/null || { echo "bench-nfs: $k failed" >&2; exit 1; }; done
for r in $(seq "$ROUNDS"); do
    for k in $KINDS; do
        out=$(one_slice "$k" "$slice") || { echo "bench-nfs: $k failed: $out" >&2; exit 1; }
        echo "$out" | sed -n "s/.*median_us=\([0-9.]*\).*/\1/p" >>"$TMP/$k"
    done
done
med() { sort -n "$TMP/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
lm=$(med local)
[ -n "$lm" ] || { echo "bench-nfs: no local measurement" >&2; exit 1; }
echo "bench-nfs: $FILE, $ROUNDS rounds x $slice per kind, medians of the rounds' medians"
for k in $KINDS; do
    m=$(med "$k")
    printf '  %-7s %9s us  %6sx local\n' "$k" "$m" "$(awk -v a="$m" -v b="$lm" 'BEGIN { printf "%.1f", a / b }')"
done
nm=$(med walk)
ratio=$(awk -v a="$nm" -v b="$lm" 'BEGIN { printf "%.1f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 5.0) ? "ok" : "over target" }')
echo "bench-nfs: median local ${lm} us, NFSv3 ${nm} us, ratio ${ratio}x (target <= 5x: $verdict)"
