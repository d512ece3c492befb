#!/bin/sh
# nfs-export.sh: export a mounted /fog over NFSv3 and NFSv4 with nfs-ganesha
# (FSAL VFS) plus rpcbind, optionally inside a private network namespace
# (tests); prints what it started. Also prints the kernel nfsd alternative.
set -u

usage() {
    cat <<'EOF'
usage: scripts/nfs-export.sh start [options] MOUNTPOINT
       scripts/nfs-export.sh stop STATE_DIR
       scripts/nfs-export.sh restart STATE_DIR   (ganesha alone, e.g. after
                                                  fogfs restarted)
       scripts/nfs-export.sh exports-line MOUNTPOINT [FSID] [CLIENTS]

start options:
  --state DIR      config, logs, pid files and v4 recovery go here
                   (default: a new /tmp/fog-nfs.XXXXXX); nothing under /var
  --pseudo PATH    export path seen by clients, v3 and v4 (default /fog)
  --proto LIST     3,4 (default), 3 or 4; NFSv4 alone needs no rpcbind
  --port N         NFS port (default 2049)
  --mnt-port N     MOUNT port (default: any free one, found through rpcbind);
                   ganesha will not serve NFSv3 without rpcbind, so rpcbind
                   runs whenever 3 is in --proto
  --clients LIST   who may mount (default *)
  --netns          start everything in a new network namespace holding only
                   lo, so ports 111 and 2049 clash with nothing; clients run
                   with: nsenter -t NETNS_PID -n CMD
  --netns-pid PID  use the network namespace of an existing process
  --mntns          also a private mount namespace with its own /run (for a
                   host whose own rpcbind holds /run/rpcbind.sock); the fog
                   mount must exist before start, and a restarted fogfs needs
                   a restarted export. Chosen by itself when rpcbind runs.
  --log-level L    ganesha log level (default EVENT; FULL_DEBUG for tracing)

start prints KEY=VALUE lines (also written to STATE_DIR/env, sourceable):
STATE_DIR NETNS_PID RPCBIND_PID GANESHA_PID NFS_URL V3_ARGS V4_ARGS
CLIENT_PREFIX; a client URL is "$NFS_URL/some/path$V4_ARGS".
stop kills exactly the pids start recorded, waits for them, and removes
the state directory.
EOF
}

say() { printf '%s\n' "$*"; }
die() { printf 'nfs-export: %s\n' "$*" >&2; exit 1; }

# Kernel nfsd alternative: a FUSE file system has no stable device UUID, so
# the export needs an explicit fsid= or clients get ESTALE after a restart.
exports_line() {
    mp=$1 fsid=${2:-4242} clients=${3:-*}
    say "# /etc/exports (kernel nfsd; then: exportfs -ra)"
    say "$mp  $clients(rw,sync,no_subtree_check,no_root_squash,fsid=$fsid)"
    say "# fogfs must be mounted with -o allow_other for users other than root"
}

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
    [ -d "/proc/$1" ] || return 1
    _pst=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [ -n "$_pst" ] && [ "$_pst" != Z ]
}

# listening NETNS_PID PORT: a TCP socket listens on PORT in that netns.
listening() {
    hex=$(printf '%04X' "$2")
    for f in "/proc/$1/net/tcp" "/proc/$1/net/tcp6"; do
        [ -r "$f" ] && awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' "$f" && return 0
    done
    return 1
}

# stop_pid PID NAME: TERM, wait up to 10 s, then KILL; only that pid.
stop_pid() {
    _sp=$1
    [ -n "$_sp" ] || return 0
    pid_alive "$_sp" || return 0
    kill -TERM "$_sp" 2>/dev/null
    _si=0
    while pid_alive "$_sp" && [ $_si -lt 100 ]; do sleep 0.1; _si=$((_si + 1)); done
    if pid_alive "$_sp"; then
        kill -KILL "$_sp" 2>/dev/null
        _si=0
        while pid_alive "$_sp" && [ $_si -lt 50 ]; do sleep 0.1; _si=$((_si + 1)); done
    fi
    say "stopped $2 pid $_sp"
}

# start_ganesha STATE: runs ganesha.nfsd on STATE/ganesha.conf in the recorded
# namespaces and waits (up to 30 s) until it serves.
start_ganesha() {
    st=$1
    en=$(cat "$st/enter") ns=$(cat "$st/nspid") pt=$(cat "$st/port")
    lv=$(sed -n 's/^ *Default_Log_Level = \([A-Z_]*\);/\1/p' "$st/ganesha.conf")
    : >"$st/ganesha.log"
    # -F: stays in the foreground, so $! is ganesha itself
    $en ganesha.nfsd -F -f "$st/ganesha.conf" -L "$st/ganesha.log" \
        -p "$st/ganesha.nfsd.pid" -N "NIV_${lv:-EVENT}" </dev/null >"$st/ganesha.out" 2>&1 &
    echo $! >"$st/ganesha.pid"
    gp=$!
    i=0
    while [ $i -lt 300 ]; do
        pid_alive "$gp" || break
        listening "$ns" "$pt" && grep -q 'NFS SERVER INITIALIZED' "$st/ganesha.log" 2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    tail -n 20 "$st/ganesha.log" >&2 2>/dev/null
    return 1
}

# Restarts ganesha alone (same config, namespaces, rpcbind): what to do after
# fogfs itself restarted, and how tests make ganesha forget its handle cache.
do_restart() {
    state=$1
    [ -f "$state/ganesha.pid" ] || die "no ganesha recorded in $state"
    stop_pid "$(cat "$state/ganesha.pid")" ganesha
    start_ganesha "$state" || die "ganesha did not restart (log above)"
    sed -i "s/^GANESHA_PID=.*/GANESHA_PID=$(cat "$state/ganesha.pid")/" "$state/env"
    say "GANESHA_PID=$(cat "$state/ganesha.pid")"
}

do_stop() {
    state=$1
    [ -d "$state" ] || die "no state directory $state"
    for name in ganesha rpcbind netns; do
        [ -f "$state/$name.pid" ] && stop_pid "$(cat "$state/$name.pid")" "$name"
    done
    if [ -f "$state/rpcbind.files" ] && flock -n /run/rpcbind.lock true 2>/dev/null; then
        while read -r f; do rm -f "$f"; done <"$state/rpcbind.files"
    fi
    rm -rf "$state"
}

do_start() {
    state="" pseudo=/fog proto=3,4 port=2049 mntport=0 rpcbind=1 clients='*'
    netns=0 netns_pid="" mntns=0 level=EVENT
    while [ $# -gt 1 ]; do
        case $1 in
            --state) state=$2; shift 2 ;;
            --pseudo) pseudo=$2; shift 2 ;;
            --proto) proto=$2; shift 2 ;;
            --port) port=$2; shift 2 ;;
            --mnt-port) mntport=$2; shift 2 ;;
            --clients) clients=$2; shift 2 ;;
            --netns) netns=1; shift ;;
            --netns-pid) netns_pid=$2; shift 2 ;;
            --mntns) mntns=1; shift ;;
            --log-level) level=$2; shift 2 ;;
            *) die "unknown option $1 (try --help)" ;;
        esac
    done
    [ $# -eq 1 ] || { usage >&2; exit 2; }
    mp=$(cd "$1" 2>/dev/null && pwd -P) || die "no such directory $1"
    command -v ganesha.nfsd >/dev/null || die "ganesha.nfsd not installed (apt-get install nfs-ganesha nfs-ganesha-vfs)"
    case ,$proto, in *,3,*) ;; *) rpcbind=0 ;; esac
    [ $rpcbind -eq 0 ] || command -v rpcbind >/dev/null || die "rpcbind not installed"
    # a running rpcbind (the host's, or another export's) holds the lock on
    # /run/rpcbind.lock and owns /run/rpcbind.sock: keep ours apart
    if [ $rpcbind -eq 1 ] && [ $mntns -eq 0 ] && [ $netns -eq 1 ] &&
        [ -e /run/rpcbind.lock ] && ! flock -n /run/rpcbind.lock true; then
        mntns=1
        say "# host rpcbind found: using a private mount namespace too"
    fi

    if [ -z "$state" ]; then
        state=$(mktemp -d /tmp/fog-nfs.XXXXXX) || die "mktemp failed"
    fi
    mkdir -p "$state/recovery" || die "cannot create $state"
    state=$(cd "$state" && pwd -P)

    enter=""
    if [ -n "$netns_pid" ]; then
        pid_alive "$netns_pid" || die "no process $netns_pid"
        enter="nsenter -t $netns_pid -n"
    elif [ $netns -eq 1 ]; then
        if [ $mntns -eq 1 ]; then
            unshare -n -m --propagation private sh -c \
                'ip link set lo up && mount -t tmpfs -o mode=0755 fog-nfs-run /run && mkdir -p /run/rpcbind && exec sleep 86400' \
                </dev/null >"$state/netns.log" 2>&1 &
        else
            unshare -n sh -c 'ip link set lo up && exec sleep 86400' \
                </dev/null >"$state/netns.log" 2>&1 &
        fi
        netns_pid=$!
        echo "$netns_pid" >"$state/netns.pid"
        # wait until lo is up inside (bounded: 5 s)
        i=0
        while [ $i -lt 50 ]; do
            pid_alive "$netns_pid" || die "network namespace holder died: $(cat "$state/netns.log")"
            [ "$(readlink "/proc/$netns_pid/ns/net")" != "$(readlink /proc/self/ns/net)" ] &&
                nsenter -t "$netns_pid" -n ip -o link show lo 2>/dev/null | grep -q 'UP' && break
            sleep 0.1; i=$((i + 1))
        done
        [ $mntns -eq 1 ] && enter="nsenter -t $netns_pid -n -m" || enter="nsenter -t $netns_pid -n"
    fi
    nspid=${netns_pid:-self}

    listening "$nspid" "$port" && die "port $port is already in use"

    if [ $rpcbind -eq 1 ]; then
        if listening "$nspid" 111; then
            say "# rpcbind already listening on 111: using it"
        else
            # rpcbind leaves its socket and lock in /run: remove them at stop
            # when they were not there before (and /run is the host's)
            if [ $mntns -eq 0 ]; then
                for f in /run/rpcbind.sock /run/rpcbind.lock /run/rpcbind/rpcbind.xdr /run/rpcbind/portmap.xdr; do
                    [ -e "$f" ] || echo "$f" >>"$state/rpcbind.files"
                done
            fi
            $enter rpcbind -f </dev/null >"$state/rpcbind.log" 2>&1 &
            echo $! >"$state/rpcbind.pid"
            i=0
            while ! listening "$nspid" 111 && [ $i -lt 50 ]; do
                pid_alive "$(cat "$state/rpcbind.pid")" || break
                sleep 0.1; i=$((i + 1))
            done
            listening "$nspid" 111 || { do_stop "$state" >/dev/null; die "rpcbind did not start"; }
        fi
    fi

    access=RW client_block=""
    if [ "$clients" != '*' ]; then
        access=None
        client_block="    CLIENT { Clients = $clients; Access_Type = RW; Squash = No_Root_Squash; }"
    fi
    cat >"$state/ganesha.conf" <<EOF
# written by scripts/nfs-export.sh for $mp
NFS_CORE_PARAM {
    Protocols = $proto;
    NFS_Port = $port;
    MNT_Port = $mntport;
    Enable_NLM = false;
    Enable_RQUOTA = false;
    Enable_UDP = false;
    # v3 clients mount the same path as v4 ones: $pseudo
    mount_path_pseudo = true;
    # no extra GETATTR after each READ (each is a render in fogfs)
    Getattrs_In_Complete_Read = false;
}
NFSv4 {
    # no 90 s grace period after start: clients work at once
    Graceless = true;
    RecoveryBackend = fs;
    RecoveryRoot = "$state/recovery";
    Only_Numeric_Owners = true;
}
NFS_KRB5 {
    Active_krb5 = false;
}
MDCACHE {
    # no dirent caching: a new container shows up in the next listing
    Dir_Chunk = 0;
}
EXPORT_DEFAULTS {
    Attr_Expiration_Time = 0;
}
EXPORT {
    Export_Id = 1;
    Path = "$mp";
    Pseudo = "$pseudo";
    Protocols = $proto;
    Transports = TCP;
    Access_Type = $access;
    # else ganesha maps root to nobody and its own mode check refuses writes
    Squash = No_Root_Squash;
    SecType = sys;
$client_block
    # live files: size and mtime must come from fogfs on every request
    Attr_Expiration_Time = 0;
    FSAL { Name = VFS; }
}
LOG {
    Default_Log_Level = $level;
}
EOF
    echo "$enter" >"$state/enter"
    echo "$nspid" >"$state/nspid"
    echo "$port" >"$state/port"
    start_ganesha "$state" || { do_stop "$state" >/dev/null; die "ganesha did not start (log above)"; }
    gpid=$(cat "$state/ganesha.pid")

    host=127.0.0.1
    v3q=""
    case ,$proto, in *,3,*) ;; *) v3q="(no NFSv3)" ;; esac
    v4q="?version=4"
    [ "$port" != 2049 ] && v4q="?version=4&nfsport=$port"
    case ,$proto, in *,4,*) ;; *) v4q="(no NFSv4)" ;; esac
    {
        say "STATE_DIR=$state"
        say "NETNS_PID=${netns_pid}"
        say "RPCBIND_PID=$(cat "$state/rpcbind.pid" 2>/dev/null)"
        say "GANESHA_PID=$gpid"
        say "NFS_URL=nfs://$host$pseudo"
        say "V3_ARGS='$v3q'"
        say "V4_ARGS='$v4q'"
        say "CLIENT_PREFIX='${netns_pid:+nsenter -t $netns_pid -n}'"
    } >"$state/env"
    cat "$state/env"
    say "# exported $mp as $host:$pseudo (NFS $proto); stop with: $0 stop $state"
    say "# a client with kernel NFS: mount -t nfs -o vers=3,actimeo=0 HOST:$pseudo /mnt/fog"
}

case ${1:-} in
    start) shift; do_start "$@" ;;
    stop) [ $# -eq 2 ] || { usage >&2; exit 2; }; do_stop "$2" ;;
    restart) [ $# -eq 2 ] || { usage >&2; exit 2; }; do_restart "$2" ;;
    exports-line) [ $# -ge 2 ] || { usage >&2; exit 2; }; shift; exports_line "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac
