#!/bin/sh
# bench-write.sh: a cpu_limit write through fogfs (open+write+close, applied
# to the cgroup and persisted) against `lxc-cgroup` setting the same value,
# on a real busybox container. Medians, same run. Target ratio <= 0.1.
# Env: B (build dir), N (rounds, default 200).
set -u
B=${B:-build}
N=${N:-200}
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
fog_mount --cpus 2 >/dev/null || { echo "bench-write: fogfs did not mount" >&2; exit 1; }
C=$FOG_MNT/$FOG_NODE/containers
mkdir "$C/bench" && echo start > "$C/bench/state" || { echo "bench-write: no container" >&2; exit 1; }
fog=$($B/tools/timeloop write "$C/bench/cpu_limit" "$N" 500m 600m) || exit 1
ref=$($B/tools/timeloop exec "$N" lxc-cgroup -P "$FOG_LXCPATH" -n bench cpu.cfs_quota_us 50000) || exit 1
set -- $fog; f=$2
set -- $ref; r=$2
printf '%-44s %10s\n' "cpu_limit write" "median us"
printf '%-44s %10.1f\n' "fogfs: echo > cpu_limit (applied+persisted)" "$f"
printf '%-44s %10.1f\n' "lxc-cgroup cpu.cfs_quota_us" "$r"
awk -v f="$f" -v r="$r" 'BEGIN{printf "ratio fogfs/lxc-cgroup: %.3f (target <= 0.1)\n", f/r}'
rmdir "$C/bench"
