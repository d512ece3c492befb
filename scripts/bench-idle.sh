#!/bin/sh
# bench-idle.sh: resident memory and CPU of an idle fogfs with 20 running
# busybox containers at the default interval (1 s), measured over 30 s from
# /proc/<pid>. Targets: <= 8 MB RSS, <= 0.5% of one core.
# Env: B (build dir), COUNT (containers, default 20), SECONDS_IDLE (default 30).
set -u
B=${B:-build}
COUNT=${COUNT:-20}
IDLE=${SECONDS_IDLE:-30}
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
fog_mount >/dev/null || { echo "bench-idle: fogfs did not mount" >&2; exit 1; }
C=$FOG_MNT/$FOG_NODE/containers
i=0
while [ $i -lt "$COUNT" ]; do
    mkdir "$C/idle$i" && echo start > "$C/idle$i/state" || { echo "bench-idle: container $i failed" >&2; exit 1; }
    i=$((i + 1))
done
sleep 3
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$FOG_PID/stat"; }
t0=$(ticks); s0=$(date +%s.%N)
sleep "$IDLE"
t1=$(ticks); s1=$(date +%s.%N)
rss=$(awk '/^Rss:/{print $2}' "/proc/$FOG_PID/smaps_rollup")
pss=$(awk '/^Pss:/{print $2}' "/proc/$FOG_PID/smaps_rollup")
anon=$(awk '/^Anonymous:/{print $2}' "/proc/$FOG_PID/smaps_rollup")
running=$(cat "$FOG_MNT/$FOG_NODE/metrics/containers")
awk -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v hz="$hz" -v rss="$rss" -v n="$running" \
    -v pss="$pss" -v anon="$anon" 'BEGIN{
    cpu = (t1 - t0) / hz / (s1 - s0) * 100
    printf "idle fogfs, %d running containers, %.0f s\n", n, s1 - s0
    printf "  RSS: %.1f MB (target <= 8 MB); PSS %.1f MB; private anonymous %.1f MB\n", rss / 1024, pss / 1024, anon / 1024
    printf "  CPU: %.2f%% of one core (target <= 0.5%%)\n", cpu
}'
i=0
while [ $i -lt "$COUNT" ]; do rmdir "$C/idle$i"; i=$((i + 1)); done
