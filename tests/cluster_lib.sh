# Helpers of the cluster tests (tests/integration/cluster*.sh and
# scripts/bench-cluster.sh); not a test. Sourced with FOG_CLUSTER_LIB=1.
# It sources tests/lib.sh.
[ "${FOG_CLUSTER_LIB:-}" = 1 ] || exit 0

. tests/lib.sh
CL=$FOG_TMP/cluster                 # the cluster's DIR (state, mounts, lxcpaths, logs)
SFX=$$                              # container names carry it: cgroups are host-wide
CG=/sys/fs/cgroup
export ETCDCTL_API=3

cluster_cleanup() {
    if [ -f "$CL/state" ] || [ -d "$CL/etcd" ]; then
        scripts/cluster.sh down --dir "$CL" >/dev/null 2>&1
    fi
    # Logs (and what a sanitizer printed at exit) outlive the test if asked.
    [ -n "${CLUSTER_KEEP_LOGS:-}" ] && [ -d "$CL/log" ] && cp -r "$CL/log" "$CLUSTER_KEEP_LOGS" 2>/dev/null
    # Never let fog_cleanup's rm -rf walk into a mount that is still there.
    for m in $(awk -v t="$FOG_TMP/" 'index($2, t) == 1 { print $2 }' /proc/mounts); do
        fusermount3 -uz "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
}
trap 'cluster_cleanup; fog_cleanup' EXIT
# A closed pipe (| head) or a hangup must still stop the cluster.
trap 'exit 1' INT TERM HUP PIPE

# cluster_require NAME: root, FUSE, etcd, the busybox template.
cluster_require() {
    fog_require "$1"
    command -v etcd >/dev/null || { skip "$1" "etcd is not installed"; exit 0; }
    command -v etcdctl >/dev/null || { skip "$1" "etcdctl is not installed"; exit 0; }
    [ -e /usr/share/lxc/templates/lxc-busybox ] || { skip "$1" "no busybox LXC template"; exit 0; }
    "$FOGFS" --help 2>&1 | grep -q -- --shared-dir ||
        echo "# note: $FOGFS has no --shared-dir yet: the cluster checks will fail" >&2
}

# cluster_up NAME N [cluster.sh options]: starts the cluster or fails the test.
cluster_up() {
    name=$1 n=$2; shift 2
    if ! scripts/cluster.sh up "$n" --dir "$CL" --fogfs "$FOGFS" "$@" >"$FOG_TMP/up.log" 2>&1; then
        fail "${name}_up" "scripts/cluster.sh up $n $*: $(tail -5 "$FOG_TMP/up.log" | tr '\n' ' ')"
        for f in "$CL"/log/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done
        exit 1
    fi
    ok "${name}_up"
    . "$CL/state"
}

mnt() { eval "echo \$node${1#node}_mnt"; }                   # mnt nodeK
lxcp() { echo "$CL/lxc/$1"; }                                # lxcp nodeK
# lxc_state NODE NAME: STOPPED/RUNNING/... as liblxc sees it in NODE's lxcpath.
lxc_state() { lxc-info -P "$CL/lxc/$1" -n "$2" -s -H 2>/dev/null || echo ABSENT; }
# running_on NAME: every node whose lxcpath runs NAME, space separated.
running_on() {
    r=""
    for nd in $CL_NODES; do
        [ "$(lxc_state "$nd" "$1")" = RUNNING ] && r="$r $nd"
    done
    echo "${r# }"
}
# running_count NAME: how many copies of NAME run in the cluster's lxcpaths.
running_count() { set -- $(running_on "$1"); echo $#; }

# cg_copies NAME: running copies of NAME on this host, counted by the
# container cgroups that hold tasks (LXC names a second copy NAME-1, ...);
# sees a copy however it was started, linked in an lxcpath or not.
cg_copies() {
    if [ -d "$CG/pids" ]; then base=$CG/pids; else base=$CG; fi
    n=0
    for d in "$base/lxc.payload.$1" "$base/lxc.payload.$1"-[0-9]*; do
        [ -n "$(head -c 1 "$d/cgroup.procs" 2>/dev/null)" ] && n=$((n + 1))
    done
    echo $n
}

cg_quota() {   # cg_quota NAME: cpu quota in the container's cgroup (us per 100 ms)
    if [ -d "$CG/cpu" ]; then cat "$CG/cpu/lxc.payload.$1/cpu.cfs_quota_us" 2>/dev/null
    else cut -d' ' -f1 "$CG/lxc.payload.$1/cpu.max" 2>/dev/null; fi
}
cg_mem() {     # cg_mem NAME: memory limit in the container's cgroup, bytes
    if [ -d "$CG/memory" ]; then cat "$CG/memory/lxc.payload.$1/memory.limit_in_bytes" 2>/dev/null
    else cat "$CG/lxc.payload.$1/memory.max" 2>/dev/null; fi
}

# events_n MNT NAME ACTION: lines " NAME ACTION " in MNT's cluster/events.
events_n() { grep -c " $2 $3 " "$1/cluster/events" 2>/dev/null; }

# wait_eq SECONDS WANT CMD...: until CMD prints WANT (bounded); prints the last output.
wait_eq() {
    lim=$1 want=$2; shift 2
    i=0
    while :; do
        got=$("$@" 2>/dev/null)
        [ "$got" = "$want" ] && break
        [ $i -ge $((lim * 10)) ] && break
        sleep 0.1; i=$((i + 1))
    done
    echo "$got"
}

# catf FILE: the file's content, or ERR:<message> (so a failed read never equals a value).
catf() { cat "$1" 2>/dev/null || echo "ERR"; }

# ms_since T0: milliseconds since T0 (date +%s%N).
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

etcd_keys() { etcdctl --endpoints "$CL_ENDPOINTS" --dial-timeout 2s get --prefix "$1" --keys-only 2>/dev/null | grep -v '^$'; }

# mkctr NODE NAME [REQUEST LIMIT]: creates NAME on NODE through NODE's own
# mount, starts it, waits for RUNNING; prints nothing, fails on error.
mkctr() {
    m=$(mnt "$1")
    mkdir "$m/$1/containers/$2" || return 1
    if [ -n "${3:-}" ]; then echo "$3" >"$m/$1/containers/$2/cpu_request" || return 1; fi
    if [ -n "${4:-}" ]; then echo "$4" >"$m/$1/containers/$2/cpu_limit" || return 1; fi
    echo start >"$m/$1/containers/$2/state" || return 1
    wait_for 10 sh -c "[ \"\$(cat '$m/$1/containers/$2/state')\" = RUNNING ]" || return 1
    # Every node's view has it (statuses reach the others through the store).
    for nd in $CL_NODES; do
        wait_for 5 sh -c "[ \"\$(cat '$(mnt "$nd")/$1/containers/$2/state')\" = RUNNING ]" || return 1
    done
}

# rename_errno FROM TO: rename(2), prints "ok" or the errno name.
rename_errno() {
    python3 -c '
import errno, os, sys
try:
    os.rename(sys.argv[1], sys.argv[2]); print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
' "$1" "$2"
}

# mkdir_errno DIR: mkdir(2), prints "ok" or the errno name.
mkdir_errno() {
    python3 -c '
import errno, os, sys
try:
    os.mkdir(sys.argv[1]); print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
' "$1"
}

# where MNT NAME: the nodes whose containers/ lists NAME (readdir), as MNT sees them.
where() {
    r=""
    for nd in $CL_NODES; do ls "$1/$nd/containers" 2>/dev/null | grep -qx "$2" && r="$r $nd"; done
    echo "${r# }"
}

# kill_at_phase CTR PHASE PID MNT SECONDS READY: follows migrations/CTR with
# an etcd watch (every change arrives, however short the phase), touches
# READY once watching, and SIGKILLs PID (only if it is the fogfs of MNT) as
# soon as the record's phase is PHASE. Prints the phase it killed at, or
# "none" if the phase did not show within SECONDS.
kill_at_phase() {
    python3 - "$CL_ENDPOINTS" "migrations/$1" "$2" "$3" "$4" "$5" "$6" <<'PY'
import json, os, select, signal, subprocess, sys, time
eps, key, phase, pid, mnt, lim, ready = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], float(sys.argv[6]), sys.argv[7]
def ours():
    try:
        return ("fogfs\0%s\0" % mnt) in open("/proc/%d/cmdline" % pid).read()
    except OSError:
        return False
w = subprocess.Popen(["etcdctl", "--endpoints", eps, "watch", key], stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, env=dict(os.environ, ETCDCTL_API="3"), text=True, bufsize=1)
time.sleep(0.3)                       # the watch is established
open(ready, "w").close()
end = time.monotonic() + lim
seen = "none"
try:
    while time.monotonic() < end:
        r, _, _ = select.select([w.stdout], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        line = w.stdout.readline()
        if not line:
            break
        if line.startswith("{"):
            try:
                ph = json.loads(line).get("phase")
            except ValueError:
                continue
            if ph == phase and ours():
                os.kill(pid, signal.SIGKILL)
                seen = phase
                break
finally:
    w.kill()
    w.wait()
print(seen)
PY
}

# slow_stop NODE NAME: a process in the running container that ignores
# SIGTERM, so that a graceful stop of it lasts until busybox's init kills
# everything (about 1 s): a migration of it stays under way long enough to
# be seen and interfered with.
slow_stop() {
    lxc-attach -P "$CL/lxc/$1" -n "$2" -- sh -c 'trap "" TERM; while :; do sleep 1; done' \
        </dev/null >/dev/null 2>&1 &
    FOG_PIDS="$FOG_PIDS $!"
    sleep 0.3
}
