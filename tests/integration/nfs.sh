# /fog over NFS: rpcbind + nfs-ganesha (FSAL VFS) in a private network
# namespace holding only lo export a fresh fogfs mount; a libnfs client
# (build/tools/nfsclient) lists, reads, writes, mkdirs over NFSv3 and NFSv4.
. tests/lib.sh
fog_require nfs
for t in ganesha.nfsd rpcbind unshare nsenter ip flock; do
    command -v "$t" >/dev/null || { skip nfs "$t not installed (nfs-ganesha nfs-ganesha-vfs rpcbind)"; exit 0; }
done
[ -e /usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so ] || ls /usr/lib/*/ganesha/libfsalvfs.so >/dev/null 2>&1 ||
    { skip nfs "no FSAL VFS (nfs-ganesha-vfs)"; exit 0; }
NFSC=$PWD/$B/tools/nfsclient
[ -x "$NFSC" ] || { fail nfs "no $NFSC (build first)"; exit 1; }
unshare -n true 2>/dev/null || { skip nfs "cannot create a network namespace"; exit 0; }

NFS_STATE=$FOG_TMP/nfs
nfs_cleanup() {
    [ -d "$NFS_STATE" ] && scripts/nfs-export.sh stop "$NFS_STATE" >/dev/null 2>&1
    fog_cleanup
}
trap nfs_cleanup EXIT

fog_mount --cpus 2 || { fail nfs_mount "fogfs did not mount"; exit 1; }
M=$FOG_MNT N=$FOG_NODE
if ! out=$(scripts/nfs-export.sh start --netns --state "$NFS_STATE" "$M" 2>&1); then
    fail nfs_export_start "$(echo "$out" | tail -5 | tr '\n' ' ')"
    exit 1
fi
ok nfs_export_start
eval "$(echo "$out" | grep -E '^[A-Z0-9_]+=')"
NFS_PIDS="$NETNS_PID $RPCBIND_PID $GANESHA_PID"

nc() { $CLIENT_PREFIX "$NFSC" -t 30 "$@"; }
cgquota() { cat "/sys/fs/cgroup/cpu/lxc.payload.$1/cpu.cfs_quota_us" 2>/dev/null ||
            cut -d' ' -f1 "/sys/fs/cgroup/lxc.payload.$1/cpu.max" 2>/dev/null; }
drop_caches() { sync; echo 2 > /proc/sys/vm/drop_caches 2>/dev/null; }

# wait_nfs SECONDS WANT CMD...: retries CMD until its output is WANT.
wait_nfs() {
    limit=$1 want=$2; shift 2
    i=0
    while [ $i -lt $((limit * 5)) ]; do
        got=$("$@" 2>/dev/null)
        [ "$got" = "$want" ] && return 0
        sleep 0.2; i=$((i + 1))
    done
    return 1
}

# hold_check NAME URL RESTART: the client keeps its root and file handles while
# the server drops its caches (and, for v3, ganesha restarts), then reuses them.
hold_check() {
    fifo=$FOG_TMP/hold.fifo out=$FOG_TMP/hold.out
    rm -f "$fifo"; mkfifo "$fifo"; : >"$out"
    nc hold "$2" <"$fifo" >"$out" 2>&1 &
    hp=$!
    exec 8>"$fifo"
    i=0
    while ! grep -q READY "$out" && [ $i -lt 150 ] && kill -0 $hp 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    if [ "$3" = restart ]; then
        scripts/nfs-export.sh restart "$NFS_STATE" >/dev/null 2>&1 || echo "restart failed" >>"$out"
        GANESHA_PID=$(sed -n 's/^GANESHA_PID=//p' "$NFS_STATE/env")
    fi
    drop_caches
    echo go >&8
    exec 8>&-
    i=0
    while kill -0 $hp 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    kill $hp 2>/dev/null
    wait $hp 2>/dev/null
    if grep -q '^OK' "$out"; then ok "$1"; else fail "$1" "$(tr '\n' ' ' <"$out" | head -c 300)"; fi
}

# Local names, as the reference for the recursive NFS listing.
(cd "$M" && find . -mindepth 1 | sed 's|^\./||' | grep -v '/containers/' | sort) >"$FOG_TMP/local.list"

for v in 3 4; do
    [ $v = 3 ] && A=$V3_ARGS || A=$V4_ARGS
    U=$NFS_URL
    W=web$v

    # list the tree recursively
    if nc lsr "$U$A" >"$FOG_TMP/nfs.list" 2>"$FOG_TMP/nfs.err"; then
        cut -d' ' -f1 "$FOG_TMP/nfs.list" | grep -v '/containers/' | sort >"$FOG_TMP/nfs.names"
        if cmp -s "$FOG_TMP/local.list" "$FOG_TMP/nfs.names"; then ok nfs_v${v}_list_recursive
        else fail nfs_v${v}_list_recursive "$(diff "$FOG_TMP/local.list" "$FOG_TMP/nfs.names" | head -5 | tr '\n' ' ')"; fi
    else
        fail nfs_v${v}_list_recursive "$(head -c 300 "$FOG_TMP/nfs.err")"
    fi

    # read metrics whole (exact st_size, nothing after it) and in odd chunks
    for f in cpu mem load uptime containers all.json; do
        if got=$(nc read "$U/$N/metrics/$f$A" 2>&1) && [ -n "$got" ]; then ok nfs_v${v}_read_exact_$f
        else fail nfs_v${v}_read_exact_$f "$got"; fi
    done
    check_eq nfs_v${v}_read_arch "$(nc read "$U/$N/arch$A")" "$(cat "$M/$N/arch")"
    check_eq nfs_v${v}_read_readme_chunks "$(nc cat "$U/README$A" 7 | cksum)" "$(cksum <"$M/README")"
    # the benchmark's clients (scripts/bench-nfs.sh) each time 3 rounds
    kinds="bench bench-cached bench-handle bench-null"
    [ $v = 4 ] && kinds=bench
    for k in $kinds; do
        check "nfs_v${v}_$k" sh -c "$CLIENT_PREFIX '$NFSC' $k '$U/$N/metrics/cpu$A' 3 | grep -q '^n=3 median_us='"
    done
    check nfs_v${v}_all_json_parses sh -c "$CLIENT_PREFIX '$NFSC' read '$U/$N/metrics/all.json$A' | python3 -c 'import json,sys; json.load(sys.stdin)'"
    # live files stay live: uptime moves between two reads
    u1=$(nc read "$U/$N/metrics/uptime$A"); sleep 2.2; u2=$(nc read "$U/$N/metrics/uptime$A")
    if [ -n "$u1" ] && [ "$u1" != "$u2" ]; then ok nfs_v${v}_read_fresh
    else fail nfs_v${v}_read_fresh "uptime read '$u1' then '$u2' 2.2 s later"; fi
    lu=$(cut -d. -f1 "$M/$N/metrics/uptime"); ru=$(nc read "$U/$N/metrics/uptime$A" | cut -d. -f1)
    if [ -n "$ru" ] && [ $((lu - ru)) -le 3 ] && [ $((ru - lu)) -le 3 ]; then ok nfs_v${v}_read_matches_local
    else fail nfs_v${v}_read_matches_local "local uptime $lu, over NFS $ru"; fi

    # mkdir a container; it shows in a listing; the directory's mtime moved
    m0=$(nc stat "$U/$N/containers$A" | sed 's/.*mtime=\([^ ]*\).*/\1/')
    sleep 1.1
    check_eq nfs_v${v}_mkdir "$(nc mkdir "$U/$N/containers/$W$A")" OK
    if nc ls "$U/$N/containers$A" | grep -q "^$W "; then ok nfs_v${v}_mkdir_listed
    else fail nfs_v${v}_mkdir_listed "$W not in $(nc ls "$U/$N/containers$A" | tr '\n' ' ')"; fi
    check nfs_v${v}_mkdir_local test -d "$M/$N/containers/$W"
    m1=$(nc stat "$U/$N/containers$A" | sed 's/.*mtime=\([^ ]*\).*/\1/')
    if [ -n "$m1" ] && [ "$m0" != "$m1" ]; then ok nfs_v${v}_dir_mtime_moves
    else fail nfs_v${v}_dir_mtime_moves "containers/ mtime $m0 before mkdir, $m1 after"; fi
    check_eq nfs_v${v}_mkdir_twice "$(nc mkdir "$U/$N/containers/$W$A")" EEXIST

    # start it, then cpu_limit over NFS lands in its cgroup
    check_eq nfs_v${v}_start "$(nc write "$U/$N/containers/$W/state$A" start)" OK
    if wait_nfs 20 RUNNING nc read "$U/$N/containers/$W/state$A"; then ok nfs_v${v}_running
    else fail nfs_v${v}_running "state $(cat "$M/$N/containers/$W/state")"; fi
    check_eq nfs_v${v}_cpu_limit_write "$(nc write "$U/$N/containers/$W/cpu_limit$A" 500m)" OK
    check_eq nfs_v${v}_cpu_limit_read "$(nc read "$U/$N/containers/$W/cpu_limit$A")" 500m
    check_eq nfs_v${v}_cpu_limit_local "$(cat "$M/$N/containers/$W/cpu_limit")" 500m
    check_eq nfs_v${v}_cpu_limit_cgroup "$(cgquota $W)" 50000
    # a write without O_TRUNC (no setattr) applies too: the value acts in write()
    check_eq nfs_v${v}_write_notrunc "$(nc write "$U/$N/containers/$W/cpu_limit$A" 250m notrunc)" OK
    check_eq nfs_v${v}_write_notrunc_cgroup "$(cgquota $W)" 25000
    check_eq nfs_v${v}_write_notrunc_read "$(nc read "$U/$N/containers/$W/cpu_limit$A")" 250m

    # errors come back as errnos; nothing changes
    check_eq nfs_v${v}_bad_write_einval "$(nc write "$U/$N/containers/$W/cpu_limit$A" bogus 2>/dev/null)" EINVAL
    check_eq nfs_v${v}_bad_write_unchanged "$(cat "$M/$N/containers/$W/cpu_limit")" 250m
    check_eq nfs_v${v}_readonly_write "$(nc write "$U/$N/metrics/cpu$A" 5 2>/dev/null)" EACCES
    check_eq nfs_v${v}_missing_enoent "$(nc stat "$U/$N/containers/nosuch$A" 2>/dev/null)" ENOENT

    # old handles after the server drops its caches (v3: and ganesha restarts;
    # libnfs' NFSv4 does not recover its session from a server restart)
    if drop_caches; then
        [ $v = 3 ] && how=restart || how=keep
        hold_check nfs_v${v}_handles_after_drop_caches "$U/$N/containers/$W/cpu_limit$A" $how
        hold_check nfs_v${v}_static_handle_after_drop_caches "$U/$N/metrics/uptime$A" $how
    else
        skip nfs_v${v}_handles_after_drop_caches "cannot write /proc/sys/vm/drop_caches"
    fi

    # rmdir over NFS destroys it (a running one is stopped first)
    check_eq nfs_v${v}_rmdir "$(nc rmdir "$U/$N/containers/$W$A")" OK
    if nc ls "$U/$N/containers$A" | grep -q "^$W "; then fail nfs_v${v}_rmdir_unlisted "$W still listed"
    else ok nfs_v${v}_rmdir_unlisted; fi
done

# stop everything the export started, by pid; unmount fogfs
scripts/nfs-export.sh stop "$NFS_STATE" >/dev/null 2>&1
left=""
for p in $NFS_PIDS $GANESHA_PID; do [ -d /proc/$p ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null && left="$left $p"; done
check_eq nfs_stopped_by_pid "$left" ""
fog_umount
if grep -q " $M " /proc/mounts; then fail nfs_unmounted "$M still mounted"; else ok nfs_unmounted; fi
