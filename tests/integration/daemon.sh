# fogfs without -f, as `make run` and the systemd unit start it: the command
# returns once the tree is mounted, and relative paths given on the command
# line still mean what they meant in the caller's directory (the daemon
# itself works from /).
. tests/lib.sh
fog_require daemon
cd "$FOG_TMP" || exit 1
mkdir dmnt
fog_lxc_config >/dev/null
FOG_MNT=$FOG_TMP/dmnt
FOG_MOUNTS="$FOG_MOUNTS $FOG_MNT"
check daemon_returns_mounted timeout 20 "$FOGFS" dmnt --node dnode --lxcpath lxc \
    --lxc-config lxc.conf --state settings/state.json --stop-timeout 3
# the daemon's pid, for the stop below and for cleanup: the process whose
# command line names this test's own mount point
FOG_PID=""
for d in /proc/[0-9]*; do
    { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF "$FOGFS dmnt --node dnode " &&
        FOG_PID=${d#/proc/}
done
FOG_PIDS="$FOG_PIDS $FOG_PID"
check daemon_found test -n "$FOG_PID"
check daemon_tree test -f dmnt/README
check daemon_relative_lxcpath sh -c "mkdir dmnt/dnode/containers/d1 && test -f lxc/d1/config"
check daemon_relative_state sh -c "echo 1.5 > dmnt/cluster/autoscale/factor && test -s settings/state.json"
check daemon_rmdir rmdir dmnt/dnode/containers/d1
fusermount3 -u dmnt
check daemon_exits_on_unmount wait_for 10 sh -c "! kill -0 $FOG_PID 2>/dev/null"
cd /
