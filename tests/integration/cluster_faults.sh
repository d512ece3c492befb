# Faults in a 2-node cluster on a 3-member etcd (scripts/cluster.sh): an etcd
# member killed mid-test, a node that does not answer (ETIMEDOUT), a node
# whose fogfs is killed (down within the lease TTL, EHOSTDOWN) and restarted
# (up, containers kept), kill -9 of the source or target fogfs mid-migration
# (at the stopping and at the handoff phase: exactly one running copy after
# restart), a target that cannot see the shared rootfs directory.
FOG_CLUSTER_LIB=1
. tests/cluster_lib.sh
cluster_require cluster_faults
TTL=5 WTO=3
cluster_up cluster_faults 2 --members 3 --cpus 2 --lease-ttl $TTL --write-timeout $WTO --interval 1
M1=$(mnt node1) M2=$(mnt node2)
F=f$SFX G=g$SFX K=k$SFX L=l$SFX H=h$SFX
both_up=$(printf 'node1 up\nnode2 up')

check cluster_faults_mkctr_f mkctr node2 "$F" 100m 300m
check cluster_faults_mkctr_g mkctr node1 "$G" 100m

# ---- one etcd member killed while writes and a migration are under way -------
# Member 0 is the first endpoint every fogfs was given (the one it prefers).
: >"$FOG_TMP/burst"
( i=0; while [ $i -lt 16 ]; do
      v=$((300 + (i % 2) * 100))m
      t=$(date +%s%N)
      r=$(write_errno "$M1/node2/containers/$F/cpu_limit" "$v")
      echo "$i $v $r $((($(date +%s%N) - t) / 1000000)) $t" >>"$FOG_TMP/burst"
      i=$((i + 1)); sleep 0.1
  done ) &
BURST=$!
sleep 0.3
# ... and a migration of G (node1 -> node2) under way at the kill.
slow_stop node1 "$G"
( write_errno "$M2/node1/containers/$G/node" node2 >"$FOG_TMP/gmig" ) &
GMIG=$!
i=0; while [ $i -lt 60 ] && [ -z "$(etcd_keys "migrations/$G")" ] && kill -0 $GMIG 2>/dev/null; do
    sleep 0.05; i=$((i + 1)); done
check cluster_faults_etcd_migration_under_way test -n "$(etcd_keys "migrations/$G")"
k0=$(date +%s%N)
check cluster_faults_etcd_kill_member scripts/etcd.sh kill-member "$CL/etcd" 0
k1=$(date +%s%N)
i=0; while [ $i -lt 150 ] && { kill -0 $BURST 2>/dev/null || kill -0 $GMIG 2>/dev/null; }; do
    sleep 0.1; i=$((i + 1)); done
kill $BURST $GMIG 2>/dev/null; wait $BURST $GMIG 2>/dev/null
check_eq cluster_faults_etcd_migration_done "$(cat "$FOG_TMP/gmig")" ok
check_eq cluster_faults_etcd_migration_one_copy "$(running_on "$G") $(cg_copies "$G")" "node2 1"
check_eq cluster_faults_etcd_migration_listed "$(wait_eq 2 node2 where "$M1" "$G")" node2
check_eq cluster_faults_etcd_migration_no_record "$(wait_eq 2 "" etcd_keys "migrations/$G")" ""
# Later sections want G on node1.
[ "$(where "$M1" "$G")" = node1 ] || echo node1 >"$M1/$(where "$M1" "$G")/containers/$G/node"
check_eq cluster_faults_g_back_on_node1 "$(running_on "$G")" node1
check_eq cluster_faults_etcd_writes_all_done "$(wc -l <"$FOG_TMP/burst")" 16
# A write whose proposal was in flight when the leader died may wait out
# etcd's own request timeout (5 s + 2 election timeouts) and so end in
# ETIMEDOUT: at most one, and only one started around the kill; every
# other write succeeds.
near() { awk -v a=$((k0 - 1000000000)) -v b=$((k1 + 500000000)) "$1" "$FOG_TMP/burst"; }
check_eq cluster_faults_etcd_writes_ok_away_from_kill \
    "$(near '($5 < a || $5 > b) && $3 != "ok"' | head -3 | tr '\n' ';')" ""
check_eq cluster_faults_etcd_writes_near_kill "$(near '$5 >= a && $5 <= b && $3 != "ok" && $3 != "ETIMEDOUT"' | head -3 | tr '\n' ';')" ""
check cluster_faults_etcd_writes_at_most_one_timeout test "$(grep -c ETIMEDOUT "$FOG_TMP/burst")" -le 1
grep -q ETIMEDOUT "$FOG_TMP/burst" &&
    echo "# a write in flight at the kill timed out: $(grep ETIMEDOUT "$FOG_TMP/burst" | cut -d' ' -f1-4)" >&2
echo "# write times during the member kill (ms): $(awk '{ printf "%s ", $4 }' "$FOG_TMP/burst")" >&2
last=$(tail -1 "$FOG_TMP/burst" | cut -d' ' -f2)
check_eq cluster_faults_etcd_last_write_applied "$(cg_quota "$F")" "$((${last%m} * 100))"
check cluster_faults_etcd_remote_mkdir mkdir "$M1/node2/containers/$H"
check_eq cluster_faults_etcd_remote_mkdir_lxc "$(lxc_state node2 "$H")" STOPPED
check cluster_faults_etcd_remote_rmdir rmdir "$M1/node2/containers/$H"
sleep $((TTL + 1))     # longer than a lease: keepalives go through the other members
check_eq cluster_faults_etcd_nodes_stay_up "$(catf "$M1/cluster/nodes")" "$both_up"
check_eq cluster_faults_etcd_nodes_stay_up_node2 "$(catf "$M2/cluster/nodes")" "$both_up"
check cluster_faults_etcd_sample_fresh python3 -c '
import json, sys, time
o = json.load(open(sys.argv[1]))
assert time.time() - o["time"] <= 2 * 1.0 + 0.3, o
' "$M1/node2/metrics/all.json"

# ---- a node that does not answer: ETIMEDOUT within the write timeout --------
e0=$(events_n "$M1" "$F" error)
kill -STOP "$node2_pid"
t0=$(date +%s%N)
got=$(write_errno "$M1/node2/containers/$F/cpu_limit" 250m)
ms=$(ms_since "$t0")
kill -CONT "$node2_pid"
check_eq cluster_faults_timeout_errno "$got" ETIMEDOUT
check cluster_faults_timeout_bounded awk -v ms="$ms" -v w=$WTO 'BEGIN { exit !(ms >= w * 1000 - 100 && ms <= w * 1000 + 1500) }'
check_eq cluster_faults_timeout_event "$(events_n "$M1" "$F" error)" $((e0 + 1))
# Once it answers again, the file and the cgroup agree (applied late or not at all).
agree() { v=$(cat "$M1/node2/containers/$F/cpu_limit") && [ "$(cg_quota "$F")" = "$((${v%m} * 100))" ]; }
check cluster_faults_timeout_converges wait_for 5 agree
check_eq cluster_faults_timeout_node_still_up "$(catf "$M1/node2/state")" up

# ---- node2's fogfs killed: down within the lease TTL, then back --------------
fpid=$(lxc-info -P "$CL/lxc/node2" -n "$F" -p -H 2>/dev/null)
t0=$(date +%s%N)
check cluster_faults_kill_node2 scripts/cluster.sh kill node2 --dir "$CL"
check_eq cluster_faults_node_down "$(wait_eq $((TTL + 3)) down catf "$M1/node2/state")" down
ms=$(ms_since "$t0")
echo "# node2 read down after $ms ms (lease TTL $TTL s)" >&2
check cluster_faults_node_down_within_ttl awk -v ms="$ms" -v t=$TTL 'BEGIN { exit !(ms <= t * 1000 + 2000) }'
check_eq cluster_faults_node_down_nodes "$(catf "$M1/cluster/nodes")" "$(printf 'node1 up\nnode2 down')"
check cluster_faults_node_down_event sh -c "grep ' node-down ' '$M1/cluster/events' | grep -q node2"
check cluster_faults_down_metrics_age python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o.get("age", 0) > 0 and o["time"] > 0, o
' "$M1/node2/metrics/all.json"
check cluster_faults_down_metric_readable awk -v v="$(catf "$M1/node2/metrics/cpu")" 'BEGIN { exit !(v ~ /^[0-9.]+$/) }'
check_eq cluster_faults_container_survives "$(lxc_state node2 "$F")" RUNNING
# Bad inputs against a down node: EHOSTDOWN, nothing changes.
expect_errno cluster_faults_down_write EHOSTDOWN "$M1/node2/containers/$F/cpu_limit" 500m
expect_errno cluster_faults_down_target EHOSTDOWN "$M1/node1/containers/$G/node" node2
check_eq cluster_faults_down_target_not_moved "$(running_on "$G")" node1
expect_errno cluster_faults_down_source EHOSTDOWN "$M1/node2/containers/$F/node" node1
check_eq cluster_faults_down_source_one_copy "$(running_on "$F")" node2
check_eq cluster_faults_down_mkdir "$(mkdir_errno "$M1/node2/containers/$H")" EHOSTDOWN

t0=$(date +%s%N)
check cluster_faults_restart_node2 scripts/cluster.sh restart node2 --dir "$CL"
. "$CL/state"
check_eq cluster_faults_node_up_again "$(wait_eq 10 up catf "$M1/node2/state")" up
echo "# node2 read up $(ms_since "$t0") ms after its restart began" >&2
check_eq cluster_faults_node_up_nodes "$(catf "$M1/cluster/nodes")" "$both_up"
check cluster_faults_node_up_event sh -c "grep ' node-up ' '$M1/cluster/events' | grep -q node2"
check_eq cluster_faults_restart_keeps_container "$(catf "$M1/node2/containers/$F/state")" RUNNING
check_eq cluster_faults_restart_did_not_restart_it "$(lxc-info -P "$CL/lxc/node2" -n "$F" -p -H 2>/dev/null)" "$fpid"
v=$(catf "$M2/node2/containers/$F/cpu_limit")
check_eq cluster_faults_restart_keeps_limit "$(cg_quota "$F")" "$((${v%m} * 100))"
check cluster_faults_restart_remote_write sh -c "echo 350m > '$M1/node2/containers/$F/cpu_limit'"
check_eq cluster_faults_restart_remote_write_cgroup "$(cg_quota "$F")" 35000

# ---- kill -9 of a fogfs in the middle of a migration ------------------------
# kill_mid NAME CTR SRC DST VICTIM PHASE: migrates CTR from SRC to DST
# (written on DST's mount), SIGKILLs VICTIM's fogfs when the migration record
# shows PHASE (stopping: the source is halting it; handoff: the source has
# released it, the target is adopting it), restarts it; then exactly one
# copy runs, where every view says it is, and no migration record is left.
# A sampler checks that two copies never ran at once.
other_of() { if [ "$1" = node1 ]; then echo node2; else echo node1; fi; }
kill_mid() {
    n=$1 c=$2 src=$3 dst=$4 victim=$5 phase=$6
    dm=$(mnt "$dst")
    eval "vpid=\$${victim}_pid vmnt=\$${victim}_mnt"
    : >"$FOG_TMP/max_$n"
    ( mx=0; while [ ! -f "$FOG_TMP/stop_$n" ]; do
          k=$(cg_copies "$c"); [ "$k" -gt "$mx" ] && mx=$k && echo "$mx" >"$FOG_TMP/max_$n"
          sleep 0.02; done ) &
    sampler=$!
    [ "$phase" = stopping ] && slow_stop "$src" "$c"
    rm -f "$FOG_TMP/ready_$n"
    kill_at_phase "$c" "$phase" "$vpid" "$vmnt" 10 "$FOG_TMP/ready_$n" >"$FOG_TMP/seen_$n" &
    killer=$!
    wait_for 5 test -f "$FOG_TMP/ready_$n"
    ( write_errno "$dm/$src/containers/$c/node" "$dst" >"$FOG_TMP/mig_$n" ) &
    writer=$!
    i=0; while [ $i -lt 120 ] && kill -0 $killer 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    wait $killer 2>/dev/null
    seen=$(cat "$FOG_TMP/seen_$n")
    check_eq "cluster_faults_${n}_killed_at_$phase" "$seen" "$phase"
    [ "$seen" = none ] && scripts/cluster.sh kill "$victim" --dir "$CL" >/dev/null
    i=0; while [ $i -lt $(((WTO + TTL + 5) * 10)) ] && kill -0 $writer 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    kill $writer 2>/dev/null; wait $writer 2>/dev/null
    echo "# $n: killed $victim's fogfs at '$seen'; the write returned '$(cat "$FOG_TMP/mig_$n")'" >&2
    check "cluster_faults_${n}_restart" scripts/cluster.sh restart "$victim" --dir "$CL"
    . "$CL/state"
    settled() {
        r=$(running_on "$c")
        [ -n "$r" ] && [ "$(running_count "$c")" = 1 ] && [ "$(cg_copies "$c")" = 1 ] && [ "$(where "$M1" "$c")" = "$r" ] &&
            [ "$(where "$M2" "$c")" = "$r" ] && [ -z "$(etcd_keys "migrations/$c")" ]
    }
    wait_for 20 settled
    sleep 1
    r=$(running_on "$c")
    check_eq "cluster_faults_${n}_one_copy" "$(running_count "$c")" 1
    check_eq "cluster_faults_${n}_one_copy_on_host" "$(cg_copies "$c")" 1
    check "cluster_faults_${n}_on_src_or_dst" sh -c "[ '$r' = '$src' ] || [ '$r' = '$dst' ]"
    check_eq "cluster_faults_${n}_listed_once_node1" "$(where "$M1" "$c")" "$r"
    check_eq "cluster_faults_${n}_listed_once_node2" "$(where "$M2" "$c")" "$r"
    check_eq "cluster_faults_${n}_node_file" "$(catf "$M1/$r/containers/$c/node")" "$r"
    check_eq "cluster_faults_${n}_state" "$(catf "$M2/$r/containers/$c/state")" RUNNING
    check_eq "cluster_faults_${n}_no_record" "$(etcd_keys "migrations/$c")" ""
    touch "$FOG_TMP/stop_$n"; wait $sampler 2>/dev/null
    check_eq "cluster_faults_${n}_never_two" "$(cat "$FOG_TMP/max_$n")" 1
    # And it can move again afterwards.
    other=$src; [ "$r" = "$src" ] && other=$dst
    check "cluster_faults_${n}_moves_again" sh -c "echo $other > '$M1/$r/containers/$c/node'"
    check_eq "cluster_faults_${n}_moves_again_running" "$(running_on "$c")" "$other"
    [ "$(running_on "$c")" = "$other" ] ||
        grep " $c " "$M1/cluster/events" | tail -6 | sed "s/^/# $n events: /" >&2
}
check cluster_faults_mkctr_k mkctr node2 "$K" 100m
kill_mid kill_source "$K" node2 node1 node2 stopping
check cluster_faults_mkctr_l mkctr node1 "$L" 100m
kill_mid kill_target "$L" node1 node2 node2 stopping
# The same container, whose last move ended on node1 or node2: the moment
# the target takes over, then the source at that moment.
kill_mid kill_target_handoff "$L" "$(where "$M1" "$L")" "$(other_of "$(where "$M1" "$L")")" \
    "$(other_of "$(where "$M1" "$L")")" handoff
kill_mid kill_source_handoff "$K" "$(where "$M1" "$K")" "$(other_of "$(where "$M1" "$K")")" \
    "$(where "$M1" "$K")" handoff

# ---- a target that cannot see the shared rootfs directory -------------------
mkdir -p "$FOG_TMP/elsewhere"
FOG_NODE=node4 FOG_LXCPATH=$CL/lxc/node4 fog_mount --cpus 2 --store "$CL_STORE" \
    --shared-dir "$FOG_TMP/elsewhere" --lease-ttl $TTL --write-timeout $WTO ||
    fail cluster_faults_node4_mount "fogfs did not mount"
check_eq cluster_faults_node4_seen "$(wait_eq 5 up catf "$M1/node4/state")" up
expect_errno cluster_faults_no_shared_rootfs_refused EXDEV "$M1/node1/containers/$G/node" node4
check_eq cluster_faults_no_shared_rootfs_not_moved "$(running_on "$G")" node1
check_eq cluster_faults_no_shared_rootfs_node_file "$(catf "$M2/node1/containers/$G/node")" node1
fog_umount
check_eq cluster_faults_end_one_copy_each "$(running_count "$F") $(running_count "$G") $(running_count "$K") $(running_count "$L")" "1 1 1 1"
check_eq cluster_faults_end_one_copy_each_on_host "$(cg_copies "$F") $(cg_copies "$G") $(cg_copies "$K") $(cg_copies "$L")" "1 1 1 1"

# ---- etcd gone altogether (the two other members killed) ---------------------
# Reads render from each node's cached view and never wait on the network;
# a write to another node fails within its timeout instead of hanging; a
# local write still reaches the container's cgroup.
check cluster_faults_etcd_kill_member1 scripts/etcd.sh kill-member "$CL/etcd" 1
check cluster_faults_etcd_kill_member2 scripts/etcd.sh kill-member "$CL/etcd" 2
t0=$(date +%s%N)
timeout 5 cat "$M1/node2/metrics/cpu" "$M1/node2/containers/$F/cpu_limit" "$M1/cluster/nodes" >/dev/null 2>&1
rc=$? ms=$(ms_since "$t0")
check cluster_faults_no_etcd_reads sh -c "[ $rc = 0 ] && [ $ms -lt 1000 ]"
check_eq cluster_faults_no_etcd_ls "$(timeout 5 ls "$M2" | tr '\n' ' ')" "README cluster node1 node2 node4 "
t0=$(date +%s%N)
got=$(timeout 20 python3 -c '
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC); os.write(fd, b"450m"); os.close(fd); print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
' "$M1/node2/containers/$F/cpu_limit")
ms=$(ms_since "$t0")
echo "# a remote write without etcd returned '$got' after $ms ms" >&2
check_eq cluster_faults_no_etcd_remote_write_fails "$got" ETIMEDOUT
check cluster_faults_no_etcd_remote_write_bounded awk -v ms="$ms" -v w=$WTO 'BEGIN { exit !(ms <= w * 1000 + 2000) }'
# This node's own containers do not depend on the store.
t0=$(date +%s%N)
check cluster_faults_no_etcd_local_write timeout 15 sh -c "echo 150m > '$M1/node1/containers/$G/cpu_limit'"
ms=$(ms_since "$t0")
echo "# a local write without etcd took $ms ms" >&2
check cluster_faults_no_etcd_local_write_prompt awk -v ms="$ms" 'BEGIN { exit !(ms <= 2000) }'
check_eq cluster_faults_no_etcd_local_write_cgroup "$(cg_quota "$G")" 15000
sleep $((TTL + 1))
echo "# without etcd for longer than a lease, node1 shows: $(timeout 5 cat "$M1/cluster/nodes" | tr '\n' ' ')" >&2
check cluster_faults_no_etcd_reads_later timeout 2 cat "$M1/node2/metrics/cpu" "$M2/node1/containers/$G/cpu_limit"
