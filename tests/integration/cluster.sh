# A 3-node cluster on one etcd (scripts/cluster.sh), real containers:
# cross-node listing and reads, remote writes confirmed in the owner's cgroup,
# concurrent writers, rescale that migrates, ENOSPC, migration by `node` and
# by `mv`, drain and back, bad inputs. Faults are in cluster_faults.sh.
FOG_CLUSTER_LIB=1
. tests/cluster_lib.sh
cluster_require cluster
cluster_up cluster 3 --cpus 2 --lease-ttl 3 --write-timeout 5 --interval 1
M1=$(mnt node1) M2=$(mnt node2) M3=$(mnt node3)
A=a$SFX B=b$SFX C=c$SFX D=d$SFX R=r$SFX

# ---- every node sees every node ------------------------------------------
want=$(printf 'node1 up\nnode2 up\nnode3 up')
for k in 1 2 3; do
    check_eq "cluster_nodes_seen_by_node$k" "$(catf "$(mnt node$k)/cluster/nodes")" "$want"
done
check_eq cluster_ls_root "$(LC_ALL=C ls "$M2" | tr '\n' ' ')" "README cluster node1 node2 node3 "
check_eq cluster_store "$(catf "$M1/cluster/store")" "etcd $CL_ENDPOINTS"
check_eq cluster_remote_capacity "$(catf "$M1/node2/capacity")" "$(catf "$M2/node2/capacity")"
check_eq cluster_remote_capacity_cpu "$(catf "$M3/node1/capacity" | cut -d' ' -f1)" cpu=2000m
check_eq cluster_remote_arch "$(catf "$M1/node3/arch")" "$(uname -m)"
check_eq cluster_remote_cpus "$(catf "$M1/node2/cpus")" "$(catf "$M2/node2/cpus")"
check_eq cluster_remote_state "$(catf "$M3/node1/state")" up
check_eq cluster_remote_allocated "$(catf "$M1/node2/allocated" | cut -d' ' -f1)" cpu=0m
for f in cpu mem net_rx net_tx iops_read iops_write uptime containers; do
    check "cluster_remote_metric_$f" awk -v v="$(catf "$M1/node3/metrics/$f")" \
        'BEGIN { exit !(v ~ /^[0-9.]+$/) }'
done
check_eq cluster_remote_load_fields "$(catf "$M2/node1/metrics/load" | wc -w)" 3
check_eq cluster_remote_metric_mode "$(stat -c %a "$M1/node2/metrics/cpu")" 444
check_eq cluster_remote_state_mode "$(stat -c %a "$M1/node2/state")" 644
# Freshness: never older than two intervals, and it moves.
fresh() {   # fresh FILE: all.json's time is within 2 intervals (+ slack) of now
    python3 -c '
import json, sys, time
o = json.load(open(sys.argv[1]))
age = time.time() - o["time"]
assert -0.5 <= age <= 2 * 1.0 + 0.3, "age %.2f s (interval 1 s)" % age
' "$1"
}
check cluster_remote_sample_fresh fresh "$M1/node2/metrics/all.json"
t1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["time"])' "$M3/node2/metrics/all.json" 2>/dev/null)
sleep 1.5
t2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["time"])' "$M3/node2/metrics/all.json" 2>/dev/null)
check cluster_remote_sample_moves awk -v a="${t1:-0}" -v b="${t2:-0}" 'BEGIN { exit !(a > 0 && b > a) }'
check cluster_remote_sample_fresh_again fresh "$M3/node2/metrics/all.json"

# ---- a container on node2, seen and changed from node1 ---------------------
check cluster_mkctr_local mkctr node2 "$A"
check cluster_remote_listing wait_for 5 sh -c "ls '$M1/node2/containers' | grep -qx '$A'"
check_eq cluster_remote_container_state "$(wait_eq 5 RUNNING catf "$M1/node2/containers/$A/state")" RUNNING
check_eq cluster_remote_container_node "$(catf "$M1/node2/containers/$A/node")" node2
check_eq cluster_container_in_one_place "$(where "$M3" "$A")" node2
check cluster_remote_status_json python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["state"] == "RUNNING", o
' "$M1/node2/containers/$A/status.json"

check cluster_remote_rescale sh -c "echo 500m > '$M1/node2/containers/$A/cpu_limit'"
# The write returns once applied: the owner's cgroup has it now, no waiting.
check_eq cluster_remote_rescale_cgroup "$(cg_quota "$A")" 50000
check_eq cluster_remote_rescale_read_writer "$(catf "$M1/node2/containers/$A/cpu_limit")" 500m
check_eq cluster_remote_rescale_read_owner "$(catf "$M2/node2/containers/$A/cpu_limit")" 500m
check cluster_remote_rescale_config wait_for 3 grep -Eq '^lxc\.cgroup2?\.cpu\.(cfs_quota_us|max) *= *50000' \
    "$CL/lxc/node2/$A/config"
check cluster_remote_rescale_event wait_for 3 grep -q " $A rescale " "$M1/cluster/events"
check cluster_remote_mem sh -c "echo 256M > '$M3/node2/containers/$A/mem_limit'"
check_eq cluster_remote_mem_cgroup "$(cg_mem "$A")" 268435456
check cluster_remote_stop sh -c "echo stop > '$M1/node2/containers/$A/state'"
check_eq cluster_remote_stop_lxc "$(lxc_state node2 "$A")" STOPPED
check_eq cluster_remote_stop_read "$(catf "$M1/node2/containers/$A/state")" STOPPED
check cluster_remote_start sh -c "echo start > '$M1/node2/containers/$A/state'"
check_eq cluster_remote_start_lxc "$(wait_eq 5 RUNNING lxc_state node2 "$A")" RUNNING
check_eq cluster_remote_limit_kept_after_start "$(wait_eq 3 50000 cg_quota "$A")" 50000

# Remote mkdir and rmdir.
check cluster_remote_mkdir mkdir "$M1/node3/containers/$R"
check_eq cluster_remote_mkdir_lxc "$(lxc_state node3 "$R")" STOPPED
check cluster_remote_mkdir_writer_lists sh -c "ls '$M1/node3/containers' | grep -qx '$R'"
check_eq cluster_remote_mkdir_writer_state "$(catf "$M1/node3/containers/$R/state")" STOPPED
check cluster_remote_mkdir_owner_lists sh -c "ls '$M3/node3/containers' | grep -qx '$R'"
check cluster_remote_mkdir_taken_name sh -c "! mkdir '$M1/node1/containers/$R' 2>/dev/null"
# Remote rename: the writer's own listing shows the new name alone at once.
R2=r2$SFX
check cluster_remote_rename mv "$M1/node3/containers/$R" "$M1/node3/containers/$R2"
check_eq cluster_remote_rename_writer_listing "$(ls "$M1/node3/containers" | grep -x "r2\?$SFX" | tr '\n' ' ')" "$R2 "
check_eq cluster_remote_rename_lxc "$(lxc_state node3 "$R2") $(lxc_state node3 "$R")" "STOPPED ABSENT"
check_eq cluster_remote_rename_owner_listing "$(wait_eq 2 "$R2 " sh -c "ls '$M3/node3/containers' | grep -x 'r2\?$SFX' | tr '\n' ' '")" "$R2 "
R=$R2
check cluster_remote_rmdir rmdir "$M1/node3/containers/$R"
check_eq cluster_remote_rmdir_lxc "$(lxc_state node3 "$R")" ABSENT
check cluster_remote_rmdir_unlisted sh -c "! ls '$M3/node3/containers' | grep -qx '$R'"
check cluster_remote_rmdir_unlisted_writer sh -c "! ls '$M1/node3/containers' | grep -qx '$R'"

# Concurrent writers: two files at once, nothing lost; one file at once, one wins.
F=$M1/node2/containers/$A
( sh -c "echo 300m > '$F/cpu_limit'"; echo $? >"$FOG_TMP/w1" ) &
( sh -c "echo 128M > '$M3/node2/containers/$A/mem_limit'"; echo $? >"$FOG_TMP/w2" ) &
wait
check_eq cluster_concurrent_both_ok "$(cat "$FOG_TMP/w1" "$FOG_TMP/w2" | tr '\n' ' ')" "0 0 "
check_eq cluster_concurrent_cpu_applied "$(cg_quota "$A")" 30000
check_eq cluster_concurrent_mem_applied "$(cg_mem "$A")" 134217728
( sh -c "echo 700m > '$F/cpu_limit'"; echo $? >"$FOG_TMP/w1" ) &
( sh -c "echo 400m > '$M3/node2/containers/$A/cpu_limit'"; echo $? >"$FOG_TMP/w2" ) &
wait
check_eq cluster_concurrent_same_file_ok "$(cat "$FOG_TMP/w1" "$FOG_TMP/w2" | tr '\n' ' ')" "0 0 "
final=$(catf "$M2/node2/containers/$A/cpu_limit")
check cluster_concurrent_one_wins sh -c "[ '$final' = 700m ] || [ '$final' = 400m ]"
check_eq cluster_concurrent_cgroup_is_winner "$(cg_quota "$A")" "$((${final%m} * 100))"
check_eq cluster_concurrent_views_agree "$(wait_eq 3 "$final" catf "$M1/node2/containers/$A/cpu_limit")" "$final"
limit=$final

# ---- rescale that migrates --------------------------------------------------
# node2: A + B (1200m); node3: C (300m); node1: nothing. A's request 1500m
# does not fit on node2 (2700m > 2000m): it moves to node1, least allocated.
check cluster_mkctr_b mkctr node2 "$B" 1200m
check cluster_mkctr_c mkctr node3 "$C" 300m
check_eq cluster_allocated_node3 "$(wait_eq 3 cpu=300m sh -c "cut -d' ' -f1 '$M1/node3/allocated'")" cpu=300m
e0=$(events_n "$M1" "$A" migrate)
check cluster_rescale_migrates sh -c "echo 1500m > '$M1/node2/containers/$A/cpu_request'"
check_eq cluster_rescale_migrates_listed "$(where "$M1" "$A")" node1
check_eq cluster_rescale_migrates_listed_owner "$(wait_eq 2 node1 where "$M2" "$A")" node1
check_eq cluster_rescale_migrates_running "$(running_on "$A")" node1
check_eq cluster_rescale_migrates_node_file "$(wait_eq 2 node1 catf "$M3/node1/containers/$A/node")" node1
check_eq cluster_rescale_migrates_request "$(catf "$M1/node1/containers/$A/cpu_request")" 1500m
check_eq cluster_rescale_migrates_limit_kept "$(catf "$M1/node1/containers/$A/cpu_limit")" "$limit"
check_eq cluster_rescale_migrates_cgroup "$(cg_quota "$A")" "$((${limit%m} * 100))"
check_eq cluster_rescale_migrates_allocated "$(wait_eq 3 cpu=1500m sh -c "cut -d' ' -f1 '$M2/node1/allocated'")" cpu=1500m
check_eq cluster_rescale_migrates_source_allocated "$(wait_eq 3 cpu=1200m sh -c "cut -d' ' -f1 '$M3/node2/allocated'")" cpu=1200m
check cluster_rescale_migrates_event wait_for 3 sh -c "[ \$(grep -c ' $A migrate ' '$M1/cluster/events') -gt $e0 ]"
check cluster_migrate_event_phases grep -Eq " $A migrate .* ms \((running|stopped); stopped and handed over in [0-9]+ ms, taken up by node[0-9] in [0-9]+ ms\)" "$M1/cluster/events"

# Later sections start from A on node1 with 1500m, however the above went.
if [ "$(where "$M1" "$A")" != node1 ]; then
    echo "# setup: moving $A to node1 by hand (the rescale did not)" >&2
    echo node1 >"$M1/$(where "$M1" "$A")/containers/$A/node"
    echo 1500m >"$M1/node1/containers/$A/cpu_request"
fi

# ---- ENOSPC -----------------------------------------------------------------
enospc() {   # enospc NAME NODE CTR VALUE: ENOSPC, nothing changed, one error line
    f=$(mnt node1)/$2/containers/$3/cpu_request
    before=$(catf "$f") e0=$(events_n "$M1" "$3" error)
    expect_errno "cluster_enospc_$1" ENOSPC "$f" "$4"
    check_eq "cluster_enospc_$1_unchanged" "$(catf "$f")" "$before"
    check_eq "cluster_enospc_$1_not_moved" "$(where "$M1" "$3")" "$2"
    check_eq "cluster_enospc_$1_running" "$(running_on "$3")" "$2"
    check_eq "cluster_enospc_$1_one_event" "$(events_n "$M1" "$3" error)" $((e0 + 1))
}
enospc beyond_any_node node1 "$A" 2500m
# node1 1500m, node2 B 1200m + D 500m, node3 300m -> 1600m: D at 900m fits nowhere.
check cluster_enospc_setup sh -c "echo 1600m > '$M3/node3/containers/$C/cpu_request'"
check cluster_mkctr_d mkctr node2 "$D" 500m
enospc no_node_has_room node2 "$D" 900m
check cluster_rmdir_d rmdir "$M1/node2/containers/$D"
check_eq cluster_rmdir_d_gone "$(lxc_state node2 "$D")" ABSENT

# ---- explicit migration: `node`, then `mv` ----------------------------------
check cluster_lower_c sh -c "echo 100m > '$M1/node3/containers/$C/cpu_request'"
check cluster_lower_a sh -c "echo 500m > '$M1/node1/containers/$A/cpu_request'"
pid0=$(lxc-info -P "$CL/lxc/node1" -n "$A" -p -H 2>/dev/null)
slow_stop node1 "$A"
: >"$FOG_TMP/seen"
( i=0; while [ $i -lt 100 ] && [ ! -f "$FOG_TMP/stopwatch" ]; do
      cat "$M1/node1/containers/$A/state" "$M1/node3/containers/$A/state" 2>/dev/null >>"$FOG_TMP/seen"
      sleep 0.05; i=$((i + 1)); done ) &
WATCH=$!
t0=$(date +%s%N)
( write_errno "$M2/node1/containers/$A/node" node3 >"$FOG_TMP/mig" ) &
MIG=$!
# While it moves: another move, or a rescale, of that container is EBUSY.
i=0; while [ $i -lt 40 ] && [ -z "$(etcd_keys "migrations/$A")" ] && kill -0 $MIG 2>/dev/null; do
    sleep 0.05; i=$((i + 1)); done
expect_errno cluster_migrate_busy_move EBUSY "$M3/node1/containers/$A/node" node2
expect_errno cluster_migrate_busy_rescale EBUSY "$M3/node1/containers/$A/cpu_limit" 900m
i=0; while [ $i -lt 150 ] && kill -0 $MIG 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill $MIG 2>/dev/null; wait $MIG 2>/dev/null
check_eq cluster_migrate_by_node "$(cat "$FOG_TMP/mig")" ok
echo "# migration by node took $(ms_since "$t0") ms" >&2
touch "$FOG_TMP/stopwatch"; wait $WATCH; rm -f "$FOG_TMP/stopwatch"
check_eq cluster_migrate_by_node_listed "$(where "$M2" "$A")" node3
check_eq cluster_migrate_by_node_listed_source_view "$(wait_eq 2 node3 where "$M1" "$A")" node3
check_eq cluster_migrate_by_node_running "$(running_on "$A")" node3
check_eq cluster_migrate_by_node_node_file "$(catf "$M2/node3/containers/$A/node")" node3
check_eq cluster_migrate_by_node_state "$(catf "$M2/node3/containers/$A/state")" RUNNING
check cluster_migrate_by_node_restarted sh -c "[ '$(lxc-info -P "$CL/lxc/node3" -n "$A" -p -H 2>/dev/null)' != '$pid0' ]"
check_eq cluster_migrate_by_node_limit "$(wait_eq 2 "$limit" catf "$M3/node3/containers/$A/cpu_limit")" "$limit"
check_eq cluster_migrate_by_node_cgroup "$(cg_quota "$A")" "$((${limit%m} * 100))"
check_eq cluster_migrate_by_node_mem "$(cg_mem "$A")" 134217728
check cluster_migrate_by_node_config wait_for 3 grep -Eq "^lxc\.cgroup2?\.cpu\.(cfs_quota_us|max) *= *$((${limit%m} * 100))" \
    "$CL/lxc/node3/$A/config"
check cluster_migrate_shows_transition grep -Eq 'STOPPING|STARTING' "$FOG_TMP/seen"
check_eq cluster_migrate_no_record_left "$(wait_eq 3 "" etcd_keys "migrations/$A")" ""

# A stopped container moves and stays stopped.
check cluster_stop_c sh -c "echo stop > '$M3/node3/containers/$C/state'"
check cluster_migrate_stopped sh -c "echo node1 > '$M1/node3/containers/$C/node'"
check_eq cluster_migrate_stopped_listed "$(where "$M1" "$C")" node1
check_eq cluster_migrate_stopped_listed_elsewhere "$(wait_eq 2 node1 where "$M2" "$C")" node1
# Right after the write, the old path no longer resolves on the writer's mount
# (a kernel dentry cached by the write itself must have been invalidated).
check cluster_migrate_stopped_old_path_gone test ! -d "$M1/node3/containers/$C"
check_eq cluster_migrate_stopped_state "$(catf "$M1/node1/containers/$C/state")" STOPPED
check_eq cluster_migrate_stopped_lxc "$(lxc_state node1 "$C")" STOPPED
check_eq cluster_migrate_stopped_nowhere_running "$(running_count "$C")" 0

# mv /fog/node3/containers/A /fog/node2/containers/  (node2: B 1200m + A 500m)
check cluster_migrate_by_mv mv "$M3/node3/containers/$A" "$M3/node2/containers/"
check_eq cluster_migrate_by_mv_listed "$(where "$M3" "$A")" node2
check_eq cluster_migrate_by_mv_listed_elsewhere "$(wait_eq 2 node2 where "$M1" "$A")" node2
check_eq cluster_migrate_by_mv_running "$(running_on "$A")" node2
check_eq cluster_migrate_by_mv_node_file "$(catf "$M3/node2/containers/$A/node")" node2
check_eq cluster_migrate_by_mv_cgroup "$(cg_quota "$A")" "$((${limit%m} * 100))"
check_eq cluster_migrate_by_mv_allocated "$(wait_eq 3 cpu=1700m sh -c "cut -d' ' -f1 '$M1/node2/allocated'")" cpu=1700m

# ---- drain node2 and take it back -------------------------------------------
# A (500m) and B (1200m) leave node2; node1 holds C (100m), node3 nothing.
check cluster_drain sh -c "echo drain > '$M1/node2/state'"
check_eq cluster_drain_state "$(catf "$M1/node2/state")" draining
check_eq cluster_drain_state_elsewhere "$(wait_eq 2 draining catf "$M3/node2/state")" draining
check cluster_drain_nodes_line grep -qx "node2 draining" "$M1/cluster/nodes"
check_eq cluster_drain_empty "$(ls "$M1/node2/containers" | wc -l)" 0
check_eq cluster_drain_empty_owner_view "$(wait_eq 2 0 sh -c "ls '$M2/node2/containers' | wc -l")" 0
check_eq cluster_drain_a_running_once "$(running_count "$A")" 1
check_eq cluster_drain_b_running_once "$(running_count "$B")" 1
check cluster_drain_not_on_node2 sh -c "! echo '$(running_on "$A") $(running_on "$B")' | grep -q node2"
check_eq cluster_drain_allocated "$(wait_eq 3 cpu=0m sh -c "cut -d' ' -f1 '$M1/node2/allocated'")" cpu=0m
an=$(where "$M1" "$A")
got=$(write_errno "$M1/$an/containers/$A/node" node2)
check cluster_migrate_to_draining_refused sh -c "[ '$got' != ok ]"
check_eq cluster_migrate_to_draining_not_moved "$(where "$M1" "$A")" "$an"
check cluster_undrain sh -c "echo up > '$M3/node2/state'"
check_eq cluster_undrain_state "$(catf "$M3/node2/state")" up
check_eq cluster_undrain_state_elsewhere "$(wait_eq 2 up catf "$M1/node2/state")" up
check_eq cluster_undrain_nodes "$(wait_eq 2 "$want" catf "$M2/cluster/nodes")" "$want"
check cluster_migrate_back sh -c "echo node2 > '$M1/$an/containers/$A/node'"
check_eq cluster_migrate_back_running "$(running_on "$A")" node2

# ---- bad inputs ---------------------------------------------------------------
bad_node() {   # bad_node NAME ERRNO VALUE: a write to A's node file; nothing changes
    f=$M1/node2/containers/$A/node
    e0=$(events_n "$M1" "$A" error)
    expect_errno "cluster_bad_$1" "$2" "$f" "$3"
    check_eq "cluster_bad_$1_not_moved" "$(where "$M1" "$A")" node2
    check_eq "cluster_bad_$1_running" "$(running_on "$A")" node2
    check_eq "cluster_bad_$1_one_event" "$(events_n "$M1" "$A" error)" $((e0 + 1))
}
bad_node unknown_node EINVAL nosuchnode
bad_node dotdot EINVAL ../node1
bad_node slash EINVAL node1/containers
bad_node blank EINVAL " "
bad_node dash EINVAL -node1
bad_node too_long EINVAL "$(head -c 64 /dev/zero | tr '\0' n)"
bad_node control_char EINVAL "$(printf 'node\0011')"
# The same node: already there; nothing moves, nothing restarts.
pid0=$(lxc-info -P "$CL/lxc/node2" -n "$A" -p -H 2>/dev/null)
m0=$(events_n "$M1" "$A" migrate)
expect_errno cluster_same_node ok "$M1/node2/containers/$A/node" node2
check_eq cluster_same_node_not_restarted "$(lxc-info -P "$CL/lxc/node2" -n "$A" -p -H 2>/dev/null)" "$pid0"
check_eq cluster_same_node_no_migration "$(events_n "$M1" "$A" migrate)" "$m0"
# A remote write that does not parse: EINVAL, nothing changes.
before=$(catf "$M1/node2/containers/$A/cpu_limit")
expect_errno cluster_bad_remote_value EINVAL "$M1/node2/containers/$A/cpu_limit" fast
check_eq cluster_bad_remote_value_unchanged "$(catf "$M2/node2/containers/$A/cpu_limit")" "$before"
expect_errno cluster_bad_remote_range ERANGE "$M1/node2/containers/$A/cpu_limit" -1
# Names: mkdir of a bad name on another node, mv that renames while migrating.
check_eq cluster_bad_remote_mkdir "$(mkdir_errno "$M1/node2/containers/-bad")" EINVAL
check cluster_mkdir_unknown_node sh -c "! mkdir '$M1/nosuchnode' 2>/dev/null"
check_eq cluster_mv_rename_and_migrate "$(rename_errno "$M1/node2/containers/$A" "$M1/node1/containers/x$SFX")" EINVAL
check_eq cluster_mv_rename_and_migrate_not_moved "$(where "$M1" "$A")" node2
check_eq cluster_mv_to_unknown_node "$(rename_errno "$M1/node2/containers/$A" "$M1/nosuchnode/containers/$A")" ENOENT
check_eq cluster_end_one_copy_each "$(running_count "$A") $(running_count "$B")" "1 1"
check_eq cluster_end_one_copy_each_on_host "$(cg_copies "$A") $(cg_copies "$B") $(cg_copies "$C")" "1 1 0"

# ---- cluster/events: every node's lines everywhere, in time order ------------
for k in 1 2 3; do
    ev=$(mnt node$k)/cluster/events
    check "cluster_events_from_all_nodes_on_node$k" sh -c \
        "grep -q 'Z node1 ' '$ev' && grep -q 'Z node2 ' '$ev' && grep -q 'Z node3 ' '$ev'"
    check "cluster_events_format_node$k" sh -c \
        "! grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z [^ ]+ [^ ]+ [a-z-]+ ' '$ev'"
    check "cluster_events_newest_last_node$k" sh -c "cut -d' ' -f1 '$ev' | LC_ALL=C sort -c"
done
# The owner applied the remote rescale: its line names node2 as the writer.
check cluster_events_owner_line grep -q "Z node2 $A rescale " "$M1/cluster/events"
