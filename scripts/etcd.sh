#!/bin/sh
# Starts and stops a throwaway etcd cluster (1 or 3 members) on free
# 127.0.0.1 ports, for tests and the local multi-node cluster.
#   scripts/etcd.sh start DIR [--members 1|3]   prints "h:p,h:p,..."; writes DIR/endpoints, DIR/pids
#   scripts/etcd.sh stop DIR                    kills exactly the pids it started
#   scripts/etcd.sh kill-member DIR I           SIGKILLs member I (0-based), for fault tests
set -u

usage() {
    echo "usage: $0 start DIR [--members 1|3] | stop DIR | kill-member DIR I" >&2
    exit 2
}

# True if the pid is alive and is an etcd we started with data under DIR.
is_our_etcd() {
    pid=$1 dir=$2
    [ -r "/proc/$pid/cmdline" ] || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    case "$cmd" in
        *etcd*"--data-dir $dir/"*) return 0 ;;
    esac
    return 1
}

# Kills one pid if it is ours; waits (bounded) for it to go.
kill_pid() {
    pid=$1 dir=$2 sig=$3
    is_our_etcd "$pid" "$dir" || return 0
    kill "-$sig" "$pid" 2>/dev/null
    i=0
    while [ $i -lt 50 ] && is_our_etcd "$pid" "$dir"; do
        sleep 0.1
        i=$((i + 1))
    done
    if is_our_etcd "$pid" "$dir"; then
        kill -KILL "$pid" 2>/dev/null
        sleep 0.2
    fi
}

# Prints N distinct ports that nothing listens on now.
free_ports() {
    want=$1
    used=$(ss -Htan 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
    picked=""
    count=0 tries=0
    while [ $count -lt "$want" ] && [ $tries -lt 1000 ]; do
        tries=$((tries + 1))
        p=$(shuf -i 20000-45000 -n 1)
        case " $picked " in *" $p "*) continue ;; esac
        if printf '%s\n' "$used" | grep -qx "$p"; then continue; fi
        picked="$picked $p"
        count=$((count + 1))
    done
    echo $picked
}

healthy() {
    out=$(curl -s -m 1 "http://$1/health" 2>/dev/null) || return 1
    case "$out" in *'"health":"true"'*) return 0 ;; esac
    return 1
}

start_once() {
    dir=$1 members=$2
    ports=$(free_ports $((members * 2)))
    set -- $ports
    [ $# -eq $((members * 2)) ] || return 1
    cluster="" endpoints="" i=0
    i=0
    client_ports="" peer_ports=""
    while [ $i -lt "$members" ]; do
        client_ports="$client_ports $1"
        peer_ports="$peer_ports $2"
        cluster="${cluster:+$cluster,}m$i=http://127.0.0.1:$2"
        endpoints="${endpoints:+$endpoints,}127.0.0.1:$1"
        shift 2
        i=$((i + 1))
    done
    : >"$dir/pids"
    token="fog-$$-$(date +%s%N)"
    i=0
    set -- $peer_ports
    for cp in $client_ports; do
        pp=$1
        shift
        rm -rf "$dir/m$i"
        etcd --name "m$i" --data-dir "$dir/m$i" \
            --listen-client-urls "http://127.0.0.1:$cp" \
            --advertise-client-urls "http://127.0.0.1:$cp" \
            --listen-peer-urls "http://127.0.0.1:$pp" \
            --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
            --initial-cluster "$cluster" --initial-cluster-state new \
            --initial-cluster-token "$token" \
            --heartbeat-interval 50 --election-timeout 500 \
            --logger zap --log-outputs stderr --log-level warn \
            </dev/null >"$dir/m$i.log" 2>&1 &
        echo $! >>"$dir/pids"
        i=$((i + 1))
    done
    echo "$endpoints" >"$dir/endpoints"
    # Bounded wait: every member must answer /health with true.
    tries=0
    while [ $tries -lt 100 ]; do
        all=1
        for ep in $(echo "$endpoints" | tr ',' ' '); do
            healthy "$ep" || { all=0; break; }
        done
        [ $all -eq 1 ] && return 0
        for pid in $(cat "$dir/pids"); do
            is_our_etcd "$pid" "$dir" || return 1
        done
        sleep 0.2
        tries=$((tries + 1))
    done
    return 1
}

stop_all() {
    dir=$1
    [ -f "$dir/pids" ] || return 0
    for pid in $(cat "$dir/pids"); do
        kill_pid "$pid" "$dir" TERM
    done
    rm -f "$dir/pids"
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || usage
case "$cmd" in
start)
    members=1
    shift 2
    while [ $# -gt 0 ]; do
        case "$1" in
            --members) members=${2:-}; shift 2 || usage ;;
            --members=*) members=${1#--members=}; shift ;;
            *) usage ;;
        esac
    done
    case "$members" in 1|3|5) ;; *) echo "$0: --members must be 1, 3 or 5" >&2; exit 2 ;; esac
    command -v etcd >/dev/null || { echo "$0: etcd is not installed" >&2; exit 1; }
    mkdir -p "$dir" || exit 1
    dir=$(cd "$dir" && pwd)
    [ -f "$dir/pids" ] && stop_all "$dir"
    attempt=0
    while [ $attempt -lt 5 ]; do
        if start_once "$dir" "$members"; then
            cat "$dir/endpoints"
            exit 0
        fi
        stop_all "$dir"
        attempt=$((attempt + 1))
    done
    echo "$0: etcd did not become healthy; see $dir/m*.log" >&2
    exit 1
    ;;
stop)
    [ -d "$dir" ] || exit 0
    dir=$(cd "$dir" && pwd)
    stop_all "$dir"
    ;;
kill-member)
    idx=${3:-}
    [ -n "$idx" ] || usage
    dir=$(cd "$dir" && pwd) || exit 1
    pid=$(sed -n "$((idx + 1))p" "$dir/pids" 2>/dev/null)
    [ -n "$pid" ] || { echo "$0: no member $idx" >&2; exit 1; }
    is_our_etcd "$pid" "$dir" || { echo "$0: member $idx is not running" >&2; exit 1; }
    kill_pid "$pid" "$dir" KILL
    ;;
*)
    usage
    ;;
esac
