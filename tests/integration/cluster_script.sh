# scripts/cluster.sh itself: up writes a usable state file and refuses a
# second cluster in the same dir; kill and restart act on one node; down
# stops exactly what up started (not a process whose pid it was handed),
# unmounts, destroys the containers and stops etcd.
FOG_CLUSTER_LIB=1
. tests/cluster_lib.sh
cluster_require cluster_script
cluster_up cluster_script 2 --cpus 1 --lease-ttl 3
S=scripts/cluster.sh
# A zombie (reaped late by whoever adopted it) has an empty cmdline: not alive.
alive_fogfs() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "fogfs $2 "; }

check cluster_script_state_nodes test "$CL_NODES" = "node1 node2 "
check cluster_script_node1_pid alive_fogfs "$node1_pid" "$node1_mnt"
check cluster_script_node2_pid alive_fogfs "$node2_pid" "$node2_mnt"
check cluster_script_mounted sh -c "grep -q ' $node1_mnt fuse' /proc/mounts && grep -q ' $node2_mnt fuse' /proc/mounts"
check_eq cluster_script_capacity "$(catf "$node1_mnt/node2/capacity" | cut -d' ' -f1)" cpu=1000m
check_eq cluster_script_store "$(catf "$node2_mnt/cluster/store")" "etcd $CL_ENDPOINTS"
check cluster_script_shared_dir grep -q "shared-dir $CL/shared" "$CL/log/node1.log"
check cluster_script_no_network grep -qx "lxc.net.0.type = empty" "$CL/lxc.conf"
etcd_pids=$(cat "$CL/etcd/pids")
check cluster_script_etcd_running sh -c "for p in $etcd_pids; do kill -0 \$p || exit 1; done"
check cluster_script_status $S status --dir "$CL"
check cluster_script_second_up_refused sh -c "! $S up 2 --dir '$CL' --fogfs '$FOGFS' >/dev/null 2>&1"
check cluster_script_second_up_harmless alive_fogfs "$node1_pid" "$node1_mnt"
check cluster_script_bad_n sh -c "! $S up x --dir '$FOG_TMP/other' >/dev/null 2>&1"
check cluster_script_bad_node sh -c "! $S kill node9 --dir '$CL' >/dev/null 2>&1"

# A container, so that down has one to destroy.
check cluster_script_mkctr mkctr node2 "s$SFX"

old=$node2_pid
check cluster_script_kill $S kill node2 --dir "$CL"
check cluster_script_kill_gone sh -c "! tr '\\0' ' ' </proc/$old/cmdline 2>/dev/null | grep -q fogfs"
check cluster_script_kill_other_alive alive_fogfs "$node1_pid" "$node1_mnt"
check cluster_script_status_reports_dead sh -c "! $S status --dir '$CL' >/dev/null 2>&1"
check cluster_script_restart $S restart node2 --dir "$CL"
. "$CL/state"
check cluster_script_restart_new_pid sh -c "[ '$node2_pid' != '$old' ]"
check cluster_script_restart_alive alive_fogfs "$node2_pid" "$node2_mnt"
check_eq cluster_script_restart_container "$(catf "$node2_mnt/node2/containers/s$SFX/state")" RUNNING
check_eq cluster_script_restart_seen "$(wait_eq 5 up catf "$node1_mnt/node2/state")" up

# down must not kill a process that is not ours, even if the state names it.
sleep 60 &
DECOY=$!
FOG_PIDS="$FOG_PIDS $DECOY"
real2=$node2_pid
sed -i "s/^node2_pid=.*/node2_pid='$DECOY'/" "$CL/state"
check cluster_script_down $S down --dir "$CL"
check cluster_script_down_spares_decoy kill -0 "$DECOY"
kill "$DECOY" 2>/dev/null
check cluster_script_down_node1_gone sh -c "! tr '\\0' ' ' </proc/$node1_pid/cmdline 2>/dev/null | grep -q fogfs"
# node2's real fogfs exits when its mount goes (down unmounts every mountpoint).
check cluster_script_down_node2_gone wait_for 5 sh -c "! tr '\\0' ' ' </proc/$real2/cmdline 2>/dev/null | grep -q fogfs"
check cluster_script_down_unmounted sh -c "! grep -q ' $CL/mnt/' /proc/mounts"
check cluster_script_down_etcd_gone sh -c "for p in $etcd_pids; do tr '\\0' ' ' </proc/\$p/cmdline 2>/dev/null | grep -q etcd && exit 1; done; exit 0"
check_eq cluster_script_down_container_gone "$(cg_copies "s$SFX")" 0
check cluster_script_down_no_state test ! -e "$CL/state"
check cluster_script_down_logs_kept test -s "$CL/log/node1.log"
check cluster_script_down_twice $S down --dir "$CL"
