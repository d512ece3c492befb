# Shell helpers for integration tests: mount a fresh fogfs on a temp dir with
# a temp lxcpath, report results as PASS/FAIL/SKIP lines, clean up by pid.
# Source it: . tests/lib.sh   (B=build dir, from tests/run.sh or make)

B=${B:-build}
FOGFS=${FOGFS:-$PWD/$B/fogfs}
FOG_TMP=$(mktemp -d /tmp/fogtest.XXXXXX)
FOG_PIDS=""
FOG_MOUNTS=""
FOG_STATES=0

ok()   { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
skip() { echo "SKIP: $1: $2"; }

# check NAME CMD...: PASS if CMD succeeds.
check() {
    name=$1; shift
    if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$(echo "$* -> $out" | head -c 300)"; fi
}

# check_eq NAME GOT WANT
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# write_errno FILE VALUE: writes VALUE (printf %s) to FILE, prints "ok" or
# the errno name (EINVAL, ERANGE, ...) the write failed with.
write_errno() {
    python3 -c '
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
    try:
        os.write(fd, sys.argv[2].encode("latin-1"))
    finally:
        os.close(fd)
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
' "$1" "$2"
}

# expect_errno NAME ERRNO FILE VALUE
expect_errno() {
    got=$(write_errno "$3" "$4")
    check_eq "$1" "$got" "$2"
}

# wait_for SECONDS CMD...: retries CMD every 0.1 s until it succeeds or time runs out.
wait_for() {
    limit=$1; shift
    i=0
    while [ "$i" -lt $((limit * 10)) ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# A base LXC config for test containers: no network (no lxcbr0 here).
fog_lxc_config() {
    f=$FOG_TMP/lxc.conf
    [ -f "$f" ] || echo "lxc.net.0.type = empty" > "$f"
    echo "$f"
}

# fog_mount [fogfs options...]: mounts a fresh fogfs on $FOG_TMP/mnt<N> with
# lxcpath $FOG_TMP/lxc (unless given) and the state file $FOG_STATE (unless
# set, a new one under $FOG_TMP for each mount: never /var/lib/fogfs).
# Sets FOG_MNT, FOG_PID, FOG_NODE, FOG_LXCPATH.
fog_mount() {
    n=$(echo "$FOG_MOUNTS" | wc -w)
    FOG_MNT=$FOG_TMP/mnt$n
    FOG_LXCPATH=${FOG_LXCPATH:-$FOG_TMP/lxc}
    FOG_NODE=${FOG_NODE:-testnode}
    FOG_STATES=$((FOG_STATES + 1))
    case " $* " in     # --state is for the local store only
        *" --store etcd://"*) ;;
        *) set -- --state "${FOG_STATE:-$FOG_TMP/state$FOG_STATES.json}" "$@" ;;
    esac
    mkdir -p "$FOG_MNT" "$FOG_LXCPATH"
    "$FOGFS" "$FOG_MNT" -f --node "$FOG_NODE" --lxcpath "$FOG_LXCPATH" \
        --lxc-config "$(fog_lxc_config)" --stop-timeout 3 "$@" \
        >>"$FOG_TMP/fogfs.log" 2>&1 &
    FOG_PID=$!
    FOG_PIDS="$FOG_PIDS $FOG_PID"
    FOG_MOUNTS="$FOG_MOUNTS $FOG_MNT"
    if ! wait_for 10 test -f "$FOG_MNT/README"; then
        echo "fog_mount: fogfs did not come up; log:" >&2
        tail -20 "$FOG_TMP/fogfs.log" >&2
        return 1
    fi
}

# fog_umount: unmounts the last mount and waits for its fogfs to exit.
fog_umount() {
    fusermount3 -u "$FOG_MNT" 2>/dev/null
    i=0
    while kill -0 "$FOG_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$FOG_PID" 2>/dev/null && kill -9 "$FOG_PID" 2>/dev/null
    wait "$FOG_PID" 2>/dev/null
    FOG_MOUNTS=$(echo "$FOG_MOUNTS" | sed "s|$FOG_MNT||")
}

# Called on exit: stops what this test started and removes its containers.
fog_cleanup() {
    for m in $FOG_MOUNTS; do fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
    for p in $FOG_PIDS; do kill "$p" 2>/dev/null; done
    sleep 0.2
    for p in $FOG_PIDS; do kill -9 "$p" 2>/dev/null; done
    if [ -d "$FOG_TMP/lxc" ]; then
        for c in $(lxc-ls -P "$FOG_TMP/lxc" 2>/dev/null); do
            lxc-stop -P "$FOG_TMP/lxc" -n "$c" -k >/dev/null 2>&1
            lxc-destroy -P "$FOG_TMP/lxc" -n "$c" >/dev/null 2>&1
        done
    fi
    rm -rf "$FOG_TMP"
}
trap fog_cleanup EXIT
trap 'exit 1' INT TERM

# Needs root, /dev/fuse and LXC; prints SKIP and exits otherwise.
fog_require() {
    if [ "$(id -u)" != 0 ]; then skip "$1" "needs root"; exit 0; fi
    if [ ! -c /dev/fuse ]; then skip "$1" "no /dev/fuse"; exit 0; fi
    if [ ! -x "$FOGFS" ]; then fail "$1" "no $FOGFS (build first)"; exit 1; fi
}
