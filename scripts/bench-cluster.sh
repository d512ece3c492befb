#!/bin/sh
# Cluster benchmarks (issue 3), on this machine with scripts/cluster.sh:
#  1. remote rescale: a cpu_limit write on node1 until node2's container
#     cgroup has it (median; target <= 20 ms);
#  2. migration of a running busybox container between two nodes, from the
#     write until the target reports RUNNING (median; target <= 1 s);
#  3. scale: tests/tools/fakenodes registers 500 nodes x 20 containers in etcd,
#     then one real fogfs: `ls /fog` (target <= 50 ms), a metrics read against
#     the same read in a 1-node cluster (target <= 2x), fogfs RSS (<= 64 MB).
# usage: scripts/bench-cluster.sh [--runs N] [--mig-runs N] [--nodes M] [--containers K]
# Needs root, /dev/fuse, LXC, etcd and a built tree (B=build by default).
cd "$(dirname "$0")/.." || exit 1
RUNS=21 MIG_RUNS=4 FAKE_M=500 FAKE_K=20
while [ $# -gt 0 ]; do
    case $1 in
    --runs) RUNS=$2; shift ;;
    --mig-runs) MIG_RUNS=$2; shift ;;
    --nodes) FAKE_M=$2; shift ;;
    --containers) FAKE_K=$2; shift ;;
    *) echo "usage: $0 [--runs N] [--mig-runs N] [--nodes M] [--containers K]" >&2; exit 2 ;;
    esac
    shift
done
FOG_CLUSTER_LIB=1
. tests/cluster_lib.sh
[ "$(id -u)" = 0 ] && [ -c /dev/fuse ] && [ -x "$FOGFS" ] && command -v etcd >/dev/null ||
    { echo "bench-cluster: needs root, /dev/fuse, etcd and $FOGFS" >&2; exit 1; }
for t in "$B/tools/fakenodes" "$B/tools/readloop" "$B/tools/timeloop"; do
    [ -x "$t" ] || { echo "bench-cluster: $t missing; run make first" >&2; exit 1; }
done
status=0
verdict() {   # verdict VALUE TARGET: "ok" or "MISSED"
    if awk -v v="$1" -v t="$2" 'BEGIN { exit !(v <= t) }'; then echo ok; else echo MISSED; fi
}

up() {   # up N [cluster.sh options]: a fresh cluster in $CL
    n=$1; shift
    scripts/cluster.sh up "$n" "$@" --dir "$CL" --fogfs "$FOGFS" --cpus 2 --interval 1 \
        >"$FOG_TMP/up.log" 2>&1 || { cat "$FOG_TMP/up.log" >&2; exit 1; }
    . "$CL/state"
}
down() { scripts/cluster.sh down --dir "$CL" >/dev/null 2>&1; }

# ---- 1 and 2: two nodes ------------------------------------------------------
up 2
M1=$(mnt node1) M2=$(mnt node2) W=bw$SFX
mkctr node2 "$W" || { echo "bench-cluster: cannot start a container on node2" >&2; exit 1; }
if [ -d "$CG/cpu" ]; then Q=$CG/cpu/lxc.payload.$W/cpu.cfs_quota_us; else Q=$CG/lxc.payload.$W/cpu.max; fi
cat >"$FOG_TMP/rescale.py" <<'EOF'
import os, statistics, sys, time
f, q, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
applied, returned, fails = [], [], 0
for i in range(n):
    v = ("200m", "300m")[i % 2]
    want = str(int(v[:-1]) * 100)
    t0 = time.monotonic()
    try:
        fd = os.open(f, os.O_WRONLY | os.O_TRUNC)
        try:
            os.write(fd, v.encode())
        finally:
            os.close(fd)
    except OSError as e:
        fails += 1
        print("remote rescale: write %d failed: %s" % (i, e))
        continue
    t1 = time.monotonic()
    while open(q).read().split()[0] != want and time.monotonic() < t0 + 10:
        time.sleep(0.0002)
    t2 = time.monotonic()
    returned.append((t1 - t0) * 1000)
    applied.append((t2 - t0) * 1000)
if not applied:
    sys.exit(1)
med = statistics.median(applied)
print("remote rescale (node1 -> node2's cgroup, %s): median %.1f ms, p90 %.1f ms, the write returned "
      "after %.1f ms (median), %d runs, %d failed; target <= 20 ms: %s (%.2fx the target)"
      % (sys.argv[4], med, sorted(applied)[int(len(applied) * 0.9) - 1 if len(applied) > 1 else 0],
         statistics.median(returned), len(applied), fails, "ok" if med <= 20 else "MISSED", med / 20))
sys.exit(0 if (med <= 20 or sys.argv[5] == "info") and not fails else 1)
EOF
python3 "$FOG_TMP/rescale.py" "$M1/node2/containers/$W/cpu_limit" "$Q" "$RUNS" "1-member etcd" target || status=1

python3 - "$M1" "$M2" "$W" "$MIG_RUNS" "$CL/lxc" <<'EOF' || status=1
import os, statistics, subprocess, sys, time
m = {"node1": sys.argv[1], "node2": sys.argv[2]}
name, n, lxc = sys.argv[3], int(sys.argv[4]), sys.argv[5]
src, dst = "node2", "node1"
times, returned = [], []
for i in range(n):
    f = "%s/%s/containers/%s/node" % (m["node1"], src, name)
    st = "%s/%s/containers/%s/state" % (m[dst], dst, name)
    t0 = time.monotonic()
    try:
        fd = os.open(f, os.O_WRONLY | os.O_TRUNC)
        try:
            os.write(fd, dst.encode())
        finally:
            os.close(fd)
    except OSError as e:
        print("migration %s -> %s failed: %s" % (src, dst, e))
        sys.exit(1)
    t1 = time.monotonic()
    seen = ""
    while time.monotonic() < t0 + 30:
        try:
            seen = open(st).read().strip()
        except OSError:
            seen = ""
        if seen == "RUNNING":
            break
        time.sleep(0.002)
    t2 = time.monotonic()
    real = subprocess.run(["lxc-info", "-P", "%s/%s" % (lxc, dst), "-n", name, "-s", "-H"],
                          capture_output=True, text=True).stdout.strip()
    if seen != "RUNNING" or real != "RUNNING":
        print("migration %s -> %s: the target shows %r, liblxc %r" % (src, dst, seen, real))
        sys.exit(1)
    times.append((t2 - t0) * 1000)
    returned.append((t1 - t0) * 1000)
    src, dst = dst, src
med = statistics.median(times)
print("migration of a running busybox container: median %.0f ms (runs: %s ms), the write returned "
      "after %.0f ms (median); target <= 1000 ms: %s (%.2fx the target)"
      % (med, " ".join("%.0f" % t for t in times), statistics.median(returned),
         "ok" if med <= 1000 else "MISSED", med / 1000))
sys.exit(0 if med <= 1000 else 1)
EOF
down

# The same remote rescale on a 3-member etcd (each put waits for a quorum).
up 2 --members 3
M1=$(mnt node1)
mkctr node2 "$W" || { echo "bench-cluster: cannot start a container on node2" >&2; exit 1; }
python3 "$FOG_TMP/rescale.py" "$M1/node2/containers/$W/cpu_limit" "$Q" "$RUNS" "3-member etcd" info || status=1
down

# ---- 3: scale ----------------------------------------------------------------
up 1
M=$(mnt node1)
rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$node1_pid/status"; }
med_us() { "$@" | awk '{ print $2 }'; }   # the median of readloop/timeloop output
sleep 2    # a few samples in
base_local=$(med_us "$B/tools/readloop" "$M/node1/metrics/cpu" 2000)
base_json=$(med_us "$B/tools/readloop" "$M/node1/metrics/all.json" 2000)
base_ls=$(med_us "$B/tools/timeloop" exec 20 ls "$M")
base_rss=$(rss)
"$B/tools/fakenodes" "$CL_STORE" "$FAKE_M" "$FAKE_K" >"$FOG_TMP/fake.log" 2>&1 &
FAKE=$!
FOG_PIDS="$FOG_PIDS $FAKE"
wait_for 180 grep -q registered "$FOG_TMP/fake.log" ||
    { echo "bench-cluster: fakenodes did not finish: $(cat "$FOG_TMP/fake.log")" >&2; exit 1; }
echo "fakenodes: $(head -1 "$FOG_TMP/fake.log")"
want=$((FAKE_M + 3))      # README, cluster, node1 and the fake nodes
t0=$(date +%s%N)
wait_for 60 sh -c "[ \$(ls '$M' | wc -l) -ge $want ]" ||
    { echo "bench-cluster: fogfs lists $(ls "$M" | wc -l) entries, not $want" >&2; status=1; }
echo "fogfs listed every fake node $(ms_since "$t0") ms after fakenodes finished"
FAKE1=$(printf 'fake%04d' $(((FAKE_M + 1) / 2)))
ls_us=$(med_us "$B/tools/timeloop" exec 20 ls "$M")
ls_py=$(python3 -c '
import os, statistics, sys, time
t = []
for _ in range(20):
    t0 = time.monotonic(); os.listdir(sys.argv[1]); t.append((time.monotonic() - t0) * 1e6)
print("%.0f" % statistics.median(t))' "$M")
lsl_us=$(med_us "$B/tools/timeloop" exec 10 ls -l "$M")
nodes_us=$(med_us "$B/tools/readloop" "$M/cluster/nodes" 200)
local_us=$(med_us "$B/tools/readloop" "$M/node1/metrics/cpu" 2000)
json_us=$(med_us "$B/tools/readloop" "$M/node1/metrics/all.json" 2000)
remote_us=$(med_us "$B/tools/readloop" "$M/$FAKE1/metrics/cpu" 2000)
ctr_us=$(med_us "$B/tools/readloop" "$M/$FAKE1/containers/$FAKE1-c01/cpu_limit" 2000)
ls_ctr_us=$(med_us "$B/tools/timeloop" exec 20 ls "$M/$FAKE1/containers")
sleep 2
rss_mb=$(rss)
ls_ms=$(awk -v l="$ls_us" 'BEGIN { printf "%.1f", l / 1000 }')
r_local=$(awk -v a="$local_us" -v b="$base_local" 'BEGIN { printf "%.2f", a / b }')
r_remote=$(awk -v a="$remote_us" -v b="$base_local" 'BEGIN { printf "%.2f", a / b }')
v_ls=$(verdict "$ls_ms" 50); [ "$v_ls" = ok ] || status=1
v_local=$(verdict "$r_local" 2); [ "$v_local" = ok ] || status=1
v_remote=$(verdict "$r_remote" 2); [ "$v_remote" = ok ] || status=1
v_rss=$(verdict "$rss_mb" 64); [ "$v_rss" = ok ] || status=1
echo "scale $FAKE_M nodes x $FAKE_K containers: ls /fog median $ls_ms ms (readdir alone" \
    "$(awk -v p="$ls_py" 'BEGIN { printf "%.1f", p / 1000 }') ms; $(awk -v b="$base_ls" 'BEGIN { printf "%.1f", b / 1000 }') ms" \
    "with 1 node); target <= 50 ms: $v_ls; ls -l /fog $(awk -v a="$lsl_us" 'BEGIN { printf "%.1f", a / 1000 }') ms"
echo "metrics/cpu read (this node): $local_us us vs $base_local us in a 1-node cluster: ratio $r_local; target <= 2: $v_local"
echo "metrics/all.json read (this node): $json_us us vs $base_json us in a 1-node cluster:" \
    "ratio $(awk -v a="$json_us" -v b="$base_json" 'BEGIN { printf "%.2f", a / b }')"
echo "metrics/cpu read (a fake node, from the store cache): $remote_us us, ratio $r_remote to the 1-node read; target <= 2: $v_remote"
echo "cluster/nodes read: $nodes_us us; a fake container's cpu_limit read: $ctr_us us;" \
    "ls of its containers/: $(awk -v a="$ls_ctr_us" 'BEGIN { printf "%.1f", a / 1000 }') ms"
echo "fogfs RSS: $rss_mb MB with the fake nodes ($base_rss MB before); target <= 64 MB: $v_rss"
# Live: the fake nodes publish a sample every second (FAKE_M puts/s), as
# real nodes do; fogfs follows them from its watch.
kill "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null
"$B/tools/fakenodes" "$CL_STORE" "$FAKE_M" "$FAKE_K" --samples-every 1 >"$FOG_TMP/fake.log" 2>&1 &
FAKE=$!
FOG_PIDS="$FOG_PIDS $FAKE"
if wait_for 180 grep -q registered "$FOG_TMP/fake.log"; then
    sleep 2
    cpu0=$(awk '{ print $14 + $15 }' "/proc/$node1_pid/stat")
    sleep 5
    cpu1=$(awk '{ print $14 + $15 }' "/proc/$node1_pid/stat")
    live_local=$(med_us "$B/tools/readloop" "$M/node1/metrics/cpu" 2000)
    live_remote=$(med_us "$B/tools/readloop" "$M/$FAKE1/metrics/cpu" 2000)
    live_ls=$(med_us "$B/tools/timeloop" exec 20 ls "$M")
    echo "live ($FAKE_M samples/s): fogfs CPU $(awk -v a="$cpu0" -v b="$cpu1" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.1f", (b - a) / hz / 5 * 100 }')% of one core; metrics/cpu read $live_local us" \
        "(ratio $(awk -v a="$live_local" -v b="$base_local" 'BEGIN { printf "%.2f", a / b }')), a fake node's" \
        "$live_remote us (ratio $(awk -v a="$live_remote" -v b="$base_local" 'BEGIN { printf "%.2f", a / b }'));" \
        "ls /fog $(awk -v a="$live_ls" 'BEGIN { printf "%.1f", a / 1000 }') ms; RSS $(rss) MB"
else
    echo "bench-cluster: live fakenodes did not register: $(cat "$FOG_TMP/fake.log")" >&2
    status=1
fi

# A cold start into the big cluster: load everything, then serve.
t0=$(date +%s%N)
scripts/cluster.sh restart node1 --dir "$CL" >/dev/null 2>&1 || { echo "bench-cluster: restart failed" >&2; status=1; }
. "$CL/state"
wait_for 60 sh -c "[ \$(ls '$M' | wc -l) -ge $want ]"
echo "restart of fogfs into the big cluster: every node listed after $(ms_since "$t0") ms; RSS then $(rss) MB"
kill "$FAKE" 2>/dev/null; wait "$FAKE" 2>/dev/null
"$B/tools/fakenodes" "$CL_STORE" --remove >/dev/null 2>&1
down
exit $status
