#!/bin/sh
# A fogfs cluster on one machine: etcd (1 or 3 members on free loopback ports)
# and N fogfs nodes (node1..nodeN), each with its own mountpoint, lxcpath and
# capacity, all sharing one rootfs directory. For trying a cluster and for tests.
#
#   scripts/cluster.sh up N [--members 1|3] [--cpus C] [--dir DIR] [--fogfs PATH]
#                         [--interval S] [--lease-ttl S] [--write-timeout S]
#                         [--stop-timeout S] [--wait S] [-- FOGFS_ARGS...]
#   scripts/cluster.sh down    [--dir DIR]
#   scripts/cluster.sh status  [--dir DIR]
#   scripts/cluster.sh kill    NODE [--dir DIR]   SIGKILL that node's fogfs (fault tests)
#   scripts/cluster.sh restart NODE [--dir DIR]   start it again with the same options
#   scripts/cluster.sh env     [--dir DIR]        prints the state file (shell syntax)
#
# DIR (default /tmp/fogcluster) holds: state (sourceable: endpoints, pids,
# mounts), etcd/ (data, logs, pids), mnt/nodeK, lxc/nodeK, shared/ (the rootfs
# directory every node uses), log/nodeK.log, lxc.conf (the base LXC config:
# no network). `down` stops exactly the processes `up` started, checked
# against their command lines, and destroys the containers of the cluster.
set -u

ME=$0
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

DIR=/tmp/fogcluster
FOGFS=
MEMBERS=1
CPUS=
INTERVAL=
LEASE_TTL=
WRITE_TIMEOUT=
STOP_TIMEOUT=3
WAIT=30
EXTRA=

usage() {
    sed -n '6,13p' "$ME" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
die() { echo "cluster.sh: $*" >&2; exit 1; }
say() { echo "cluster.sh: $*" >&2; }

# ---- parsing -------------------------------------------------------------

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
ARG=
while [ $# -gt 0 ]; do
    case $1 in
    --dir) DIR=${2:?}; shift ;;
    --dir=*) DIR=${1#*=} ;;
    --fogfs) FOGFS=${2:?}; shift ;;
    --fogfs=*) FOGFS=${1#*=} ;;
    --members) MEMBERS=${2:?}; shift ;;
    --members=*) MEMBERS=${1#*=} ;;
    --cpus) CPUS=${2:?}; shift ;;
    --cpus=*) CPUS=${1#*=} ;;
    --interval) INTERVAL=${2:?}; shift ;;
    --interval=*) INTERVAL=${1#*=} ;;
    --lease-ttl) LEASE_TTL=${2:?}; shift ;;
    --lease-ttl=*) LEASE_TTL=${1#*=} ;;
    --write-timeout) WRITE_TIMEOUT=${2:?}; shift ;;
    --write-timeout=*) WRITE_TIMEOUT=${1#*=} ;;
    --stop-timeout) STOP_TIMEOUT=${2:?}; shift ;;
    --stop-timeout=*) STOP_TIMEOUT=${1#*=} ;;
    --wait) WAIT=${2:?}; shift ;;
    --wait=*) WAIT=${1#*=} ;;
    --) shift; EXTRA=$*; break ;;
    -h|--help) usage ;;
    -*) say "unknown option $1"; usage ;;
    *) [ -z "$ARG" ] || usage; ARG=$1 ;;
    esac
    shift
done

isnum() { case $1 in ''|*[!0-9.]*) return 1 ;; esac; return 0; }
# Paths go through word splitting in this script: refuse white space and quotes.
plain() { case $1 in *[[:space:]\'\"\\]*|'') return 1 ;; esac; return 0; }

plain "$DIR" || die "--dir must be a path without white space or quotes"
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
STATE=$DIR/state

# ---- process checks ------------------------------------------------------

# our_fogfs PID MNT: true if PID is alive and is a fogfs serving MNT.
our_fogfs() {
    [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
    c=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    case "$c " in *fogfs" $2 "*) return 0 ;; esac
    return 1
}

# alive PID: the process exists and is not a zombie.
alive() {
    [ -n "$1" ] && [ -r "/proc/$1/status" ] || return 1
    ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# wait_gone PID MNT TENTHS: waits until PID is no longer our fogfs.
wait_gone() {
    i=0
    while [ "$i" -lt "$3" ] && our_fogfs "$1" "$2"; do sleep 0.1; i=$((i + 1)); done
    ! our_fogfs "$1" "$2"
}

# unmount MNT: also clears a dead mount (fogfs killed: "not connected").
unmount() {
    if grep -q " $1 fuse" /proc/mounts 2>/dev/null; then
        fusermount3 -u "$1" 2>/dev/null || fusermount3 -uz "$1" 2>/dev/null || umount -l "$1" 2>/dev/null
    fi
}

# stop_nodes K...: unmount each (fogfs exits), then TERM, then KILL what is
# left; only our pids; the nodes stop side by side (bounded: about 10 s).
stop_nodes() {
    for k in "$@"; do
        eval "pid=\${node${k}_pid:-} mnt=\${node${k}_mnt:-}"
        [ -n "$mnt" ] || continue
        unmount "$mnt"
    done
    for sig in none TERM KILL; do
        left=""
        for k in "$@"; do
            eval "pid=\${node${k}_pid:-} mnt=\${node${k}_mnt:-}"
            our_fogfs "$pid" "$mnt" && left="$left $k"
        done
        [ -n "$left" ] || break
        for k in $left; do
            eval "pid=\${node${k}_pid:-}"
            [ $sig = none ] || kill -$sig "$pid" 2>/dev/null
        done
        for k in $left; do
            eval "pid=\${node${k}_pid:-} mnt=\${node${k}_mnt:-}"
            case $sig in none) t=50 ;; TERM) t=30 ;; *) t=20 ;; esac
            wait_gone "$pid" "$mnt" $t
        done
    done
    for k in "$@"; do
        eval "mnt=\${node${k}_mnt:-}"
        [ -n "$mnt" ] && unmount "$mnt"
    done
}

# ---- state ---------------------------------------------------------------

load_state() {
    [ -f "$STATE" ] || die "no cluster in $DIR (no $STATE); start one with: $ME up N --dir $DIR"
    # shellcheck disable=SC1090
    . "$STATE"
}

# set_state KEY VALUE: replaces (or adds) one line of the state file.
set_state() {
    tmp=$STATE.tmp.$$
    grep -v "^$1=" "$STATE" >"$tmp" 2>/dev/null
    echo "$1='$2'" >>"$tmp"
    mv "$tmp" "$STATE"
}

node_index() {   # node_index NAME -> K, or fails
    case $1 in node[1-9]|node[1-9][0-9]) ;; *) return 1 ;; esac
    k=${1#node}
    [ "$k" -le "${CL_N:-0}" ] || return 1
    echo "$k"
}

# ---- starting a node -----------------------------------------------------

has_opt() { "$CL_FOGFS" --help 2>&1 | grep -q -- "$1"; }

# start_node K: starts fogfs for nodeK in the background, records its pid.
start_node() {
    k=$1
    mnt=$DIR/mnt/node$k lxcpath=$DIR/lxc/node$k log=$DIR/log/node$k.log
    mkdir -p "$mnt" "$lxcpath" "$DIR/log"
    set -- "$mnt" -f --node "node$k" --lxcpath "$lxcpath" --lxc-config "$DIR/lxc.conf" \
        --store "etcd://$CL_ENDPOINTS" --stop-timeout "$CL_STOP_TIMEOUT"
    [ -n "$CL_CPUS" ] && set -- "$@" --cpus "$CL_CPUS"
    [ -n "$CL_INTERVAL" ] && set -- "$@" --interval "$CL_INTERVAL"
    if [ "$CL_CLUSTER" = 1 ]; then
        set -- "$@" --shared-dir "$DIR/shared"
        [ -n "$CL_LEASE_TTL" ] && set -- "$@" --lease-ttl "$CL_LEASE_TTL"
        [ -n "$CL_WRITE_TIMEOUT" ] && set -- "$@" --write-timeout "$CL_WRITE_TIMEOUT"
    fi
    # shellcheck disable=SC2086
    set -- "$@" $CL_EXTRA
    echo "== $(date -u +%FT%TZ) $CL_FOGFS $*" >>"$log"
    "$CL_FOGFS" "$@" </dev/null >>"$log" 2>&1 &
    pid=$!
    set_state "node${k}_pid" "$pid"
    set_state "node${k}_mnt" "$mnt"
    set_state "node${k}_lxcpath" "$lxcpath"
    set_state "node${k}_log" "$log"
    eval "node${k}_pid=$pid node${k}_mnt=$mnt"
}

# mounted K: nodeK's mount answers.
mounted() {
    eval "m=\$node$1_mnt p=\$node$1_pid"
    our_fogfs "$p" "$m" && [ -f "$m/README" ]
}

# sees K J: nodeK's cluster/nodes lists nodeJ as up.
sees() {
    eval "m=\$node$1_mnt"
    grep -qx "node$2 up" "$m/cluster/nodes" 2>/dev/null
}

# wait_mounts K...: bounded wait for each mount; fails with the log's tail.
wait_mounts() {
    for k in "$@"; do
        i=0
        while [ $i -lt 150 ] && ! mounted "$k"; do
            eval "p=\$node${k}_pid"
            # Alive, not "ours" by command line: a child that has not yet
            # exec'd fogfs still shows this script's command line.
            alive "$p" || break
            sleep 0.1; i=$((i + 1))
        done
        if ! mounted "$k"; then
            say "node$k did not mount; the end of $DIR/log/node$k.log:"
            tail -15 "$DIR/log/node$k.log" >&2
            return 1
        fi
    done
}

# wait_converged SECONDS: every mount lists every node as up.
wait_converged() {
    i=0
    while [ $i -lt $(($1 * 10)) ]; do
        all=1
        for k in $CL_NODES_K; do
            for j in $CL_NODES_K; do
                sees "$k" "$j" || { all=0; break 2; }
            done
        done
        [ $all = 1 ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    for k in $CL_NODES_K; do
        eval "m=\$node${k}_mnt"
        say "node$k sees: $(tr '\n' ' ' <"$m/cluster/nodes" 2>&1)"
    done
    return 1
}

# ---- commands ------------------------------------------------------------

cmd_up() {
    n=$ARG
    case $n in ''|*[!0-9]*) die "usage: $ME up N (N nodes, 1..99)" ;; esac
    [ "$n" -ge 1 ] && [ "$n" -le 99 ] || die "N must be 1..99"
    case $MEMBERS in 1|3) ;; *) die "--members must be 1 or 3" ;; esac
    [ -z "$CPUS" ] || isnum "$CPUS" || die "--cpus must be a number of cores"
    for v in "$INTERVAL" "$LEASE_TTL" "$WRITE_TIMEOUT" "$STOP_TIMEOUT" "$WAIT"; do
        [ -z "$v" ] || isnum "$v" || die "a timing option is not a number: $v"
    done
    [ "$(id -u)" = 0 ] || die "needs root (FUSE mounts and LXC containers)"
    [ -c /dev/fuse ] || die "no /dev/fuse"
    command -v etcd >/dev/null || die "etcd is not installed (scripts/setup-deps.sh)"
    [ -n "$FOGFS" ] || FOGFS=$ROOT/build/fogfs
    case $FOGFS in /*) ;; *) FOGFS=$PWD/$FOGFS ;; esac
    plain "$FOGFS" || die "--fogfs must be a path without white space or quotes"
    [ -x "$FOGFS" ] || die "no fogfs at $FOGFS (run make, or pass --fogfs PATH)"
    if [ -f "$STATE" ]; then
        (
            . "$STATE"
            for k in $CL_NODES_K; do
                eval "our_fogfs \"\$node${k}_pid\" \"\$node${k}_mnt\"" && exit 1
            done
            exit 0
        ) || die "a cluster is already up in $DIR; stop it first: $ME down --dir $DIR"
        say "a stale state file in $DIR: cleaning up after it"
        "$ME" down --dir "$DIR" >/dev/null 2>&1
    fi
    mkdir -p "$DIR/shared" "$DIR/log" "$DIR/mnt" "$DIR/lxc" || die "cannot create $DIR"
    echo "lxc.net.0.type = empty" >"$DIR/lxc.conf"

    endpoints=$("$HERE/etcd.sh" start "$DIR/etcd" --members "$MEMBERS") ||
        die "etcd did not start (see $DIR/etcd/m*.log)"
    cluster=0
    "$FOGFS" --help 2>&1 | grep -q -- --shared-dir && cluster=1
    ks=$(seq 1 "$n" | tr '\n' ' ')
    cat >"$STATE" <<EOF
# The local fogfs cluster started by scripts/cluster.sh (shell syntax; source it).
CL_DIR='$DIR'
CL_N='$n'
CL_NODES='$(for k in $ks; do printf 'node%s ' "$k"; done)'
CL_NODES_K='$ks'
CL_FOGFS='$FOGFS'
CL_MEMBERS='$MEMBERS'
CL_ENDPOINTS='$endpoints'
CL_STORE='etcd://$endpoints'
CL_ETCD_DIR='$DIR/etcd'
CL_SHARED='$DIR/shared'
CL_CPUS='$CPUS'
CL_INTERVAL='$INTERVAL'
CL_LEASE_TTL='$LEASE_TTL'
CL_WRITE_TIMEOUT='$WRITE_TIMEOUT'
CL_STOP_TIMEOUT='$STOP_TIMEOUT'
CL_EXTRA='$EXTRA'
CL_CLUSTER='$cluster'
EOF
    . "$STATE"
    [ "$cluster" = 1 ] ||
        say "warning: $FOGFS has no cluster options yet (--shared-dir): each node will show only itself"
    for k in $ks; do start_node "$k"; done
    if ! wait_mounts $ks; then
        say "stopping what was started"
        "$ME" down --dir "$DIR" >/dev/null 2>&1
        exit 1
    fi
    if [ "$cluster" = 1 ] && [ "$WAIT" != 0 ]; then
        if ! wait_converged "${WAIT%.*}"; then
            say "the nodes did not all see each other within ${WAIT}s; logs in $DIR/log"
            say "stopping what was started"
            "$ME" down --dir "$DIR" >/dev/null 2>&1
            exit 1
        fi
    fi
    cat <<EOF
fogfs cluster up: $n node(s), etcd $endpoints ($MEMBERS member(s))
$(for k in $ks; do eval "printf '  node%s  pid %-7s %s\n' $k \$node${k}_pid \$node${k}_mnt"; done)
  rootfs dir  $DIR/shared     logs $DIR/log/     state $STATE
Try:
  ls $DIR/mnt/node1                       every node, seen from node1
  cat $DIR/mnt/node1/node2/metrics/cpu     node2's cpu, read on node1
  mkdir $DIR/mnt/node1/node2/containers/web && echo start > $DIR/mnt/node1/node2/containers/web/state
  echo node1 > $DIR/mnt/node1/node2/containers/web/node     migrate it
  $ME status --dir $DIR        $ME kill node2 / restart node2 --dir $DIR
Stop it all:
  $ME down --dir $DIR
EOF
}

cmd_down() {
    if [ -f "$STATE" ]; then
        . "$STATE"
        stop_nodes $CL_NODES_K
        # The shared dir last: containers no node links (a move cut short).
        for lp in $(for k in $CL_NODES_K; do echo "$DIR/lxc/node$k"; done) "$DIR/shared"; do
            [ -d "$lp" ] || continue
            for c in $(lxc-ls -1 -P "$lp" 2>/dev/null); do
                lxc-stop -P "$lp" -n "$c" -k >/dev/null 2>&1
                # A link into the shared dir: destroyed there, once.
                if [ -L "$lp/$c" ]; then rm -f "$lp/$c"; continue; fi
                lxc-destroy -P "$lp" -n "$c" >/dev/null 2>&1 ||
                    say "could not destroy container $c in $lp"
            done
        done
    fi
    [ -d "$DIR/etcd" ] && "$HERE/etcd.sh" stop "$DIR/etcd"
    # What lxc-destroy left (a migrated copy's config, rootfs in the shared dir).
    # Only inside a directory that holds our state file or our layout.
    if [ -f "$STATE" ] || [ -d "$DIR/etcd" ]; then
        # Mountpoints by rmdir only: never recurse into a mount still there.
        rmdir "$DIR"/mnt/* "$DIR/mnt" 2>/dev/null
        rm -rf "$DIR/lxc" "$DIR/shared" "$DIR/etcd"
        rm -f "$STATE" "$DIR/lxc.conf"
    fi
    echo "fogfs cluster in $DIR is down (logs kept in $DIR/log)"
}

cmd_status() {
    load_state
    rc=0
    echo "etcd: $CL_ENDPOINTS ($CL_MEMBERS member(s))"
    for ep in $(echo "$CL_ENDPOINTS" | tr ',' ' '); do
        h=$(curl -s -m 1 "http://$ep/health" 2>/dev/null)
        case $h in *'"health":"true"'*) echo "  $ep healthy" ;; *) echo "  $ep not answering"; rc=1 ;; esac
    done
    for k in $CL_NODES_K; do
        eval "pid=\$node${k}_pid mnt=\$node${k}_mnt"
        if ! our_fogfs "$pid" "$mnt"; then
            echo "node$k: fogfs not running (pid $pid), $mnt"
            rc=1
        elif ! timeout 3 test -f "$mnt/README"; then
            echo "node$k: pid $pid, $mnt not answering"
            rc=1
        else
            echo "node$k: pid $pid, $mnt, sees: $(timeout 3 cat "$mnt/cluster/nodes" | tr '\n' ' ')"
        fi
    done
    return $rc
}

cmd_kill() {
    load_state
    k=$(node_index "$ARG") || die "no node '$ARG' in this cluster ($CL_NODES)"
    eval "pid=\$node${k}_pid mnt=\$node${k}_mnt"
    our_fogfs "$pid" "$mnt" || die "node$k's fogfs is not running"
    kill -KILL "$pid"
    wait_gone "$pid" "$mnt" 50 || die "node$k's fogfs (pid $pid) did not die"
    echo "killed node$k's fogfs (pid $pid); its mount $mnt is dead until: $ME restart node$k --dir $DIR"
}

cmd_restart() {
    load_state
    k=$(node_index "$ARG") || die "no node '$ARG' in this cluster ($CL_NODES)"
    stop_nodes "$k"
    start_node "$k"
    wait_mounts "$k" || exit 1
    if [ "$CL_CLUSTER" = 1 ]; then
        i=0
        while [ $i -lt $((${WAIT%.*} * 10)) ] && ! sees "$k" "$k"; do sleep 0.1; i=$((i + 1)); done
        sees "$k" "$k" || die "node$k restarted but does not list itself as up"
    fi
    eval "echo \"node$k restarted: pid \$node${k}_pid\""
}

case $cmd in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
kill) cmd_kill ;;
restart) cmd_restart ;;
env) load_state; cat "$STATE" ;;
-h|--help|help) usage ;;
*) usage ;;
esac
