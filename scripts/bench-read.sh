#!/bin/sh
# bench-read.sh: median and p90 of open+read+close of a fogfs metrics file,
# of /proc/stat and of trivialfs's one-value file (the floor any FUSE read
# pays), with ratios. Usage: scripts/bench-read.sh [FOGFS_MOUNT]
# Env: B (build dir, default build), N (iterations, default 2000), NODE.
set -u
B=${B:-build}
N=${N:-2000}
cd "$(dirname "$0")/.." || exit 1
READLOOP=$B/tools/readloop
TRIVIALFS=$B/tools/trivialfs
for t in "$READLOOP" "$TRIVIALFS"; do
    [ -x "$t" ] || { echo "bench-read: $t missing; run make first" >&2; exit 1; }
done

results=$(mktemp)
tmpmnt=
trivial_pid=
cleanup() {
    if [ -n "$tmpmnt" ]; then
        fusermount3 -u "$tmpmnt" 2>/dev/null || umount "$tmpmnt" 2>/dev/null
        [ -n "$trivial_pid" ] && kill "$trivial_pid" 2>/dev/null
        [ -n "$trivial_pid" ] && wait "$trivial_pid" 2>/dev/null
        rmdir "$tmpmnt" 2>/dev/null
    fi
    rm -f "$results"
}
trap cleanup EXIT INT TERM

# Files to time, with their labels; timed together, interleaved, below.
labels="/proc/stat"
files="/proc/stat"
add() { labels="$labels $1"; files="$files $2"; }

status=0
if [ -c /dev/fuse ]; then
    tmpmnt=$(mktemp -d)
    "$TRIVIALFS" "$tmpmnt" &
    trivial_pid=$!
    i=0
    while [ ! -f "$tmpmnt/value" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -f "$tmpmnt/value" ]; then
        add trivialfs "$tmpmnt/value"
    else
        echo "bench-read: trivialfs did not mount; its row is left out" >&2
    fi
else
    echo "bench-read: no /dev/fuse; trivialfs row left out" >&2
fi

if [ $# -ge 1 ]; then
    mnt=$1
    node=${NODE:-}
    [ -n "$node" ] || node=$(head -n 1 "$mnt/cluster/nodes" 2>/dev/null | cut -d' ' -f1)
    [ -n "$node" ] || node=$(hostname)
    add "fogfs:$node/metrics/cpu" "$mnt/$node/metrics/cpu"
fi

# One round reads each file once, so the machine's load falls on all alike.
out=$("$READLOOP" -n "$N" $files) || { echo "bench-read: a read failed" >&2; exit 1; }
set -- $labels
echo "$out" | while read -r _file _m med _p p90; do
    echo "$1 $med $p90"
    shift
done >"$results"

echo "open+read+close, $N iterations, microseconds"
awk '
    { label[NR] = $1; med[NR] = $2; p90[NR] = $3; if ($1 == "/proc/stat") proc = $2;
      if ($1 == "trivialfs") triv = $2 }
    END {
        printf "%-32s %10s %10s %12s %12s\n", "file", "median", "p90", "x /proc/stat", "x trivialfs"
        for (i = 1; i <= NR; i++) {
            rp = proc > 0 ? sprintf("%.2f", med[i] / proc) : "-"
            rt = triv > 0 ? sprintf("%.2f", med[i] / triv) : "-"
            printf "%-32s %10.2f %10.2f %12s %12s\n", label[i], med[i], p90[i], rp, rt
        }
    }' "$results"
exit $status
