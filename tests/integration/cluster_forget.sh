# Forgetting a board that is gone: `rmdir /fog/<node>` of a node that is down
# removes it from every node's view; a node that is up, this node and an
# unknown name are refused; a forgotten board that comes back is listed again.
FOG_CLUSTER_LIB=1
. tests/cluster_lib.sh
cluster_require cluster_forget
TTL=2
cluster_up cluster_forget 3 --cpus 2 --lease-ttl $TTL --interval 1
M1=$(mnt node1) M3=$(mnt node3)

expect_rmdir() {   # expect_rmdir NAME ERRNO DIR
    got=$(python3 -c '
import errno, os, sys
try:
    os.rmdir(sys.argv[1]); print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))' "$3")
    check_eq "$1" "$got" "$2"
}

expect_rmdir cluster_forget_up_refused EBUSY "$M1/node2"
expect_rmdir cluster_forget_self_refused EBUSY "$M1/node1"
expect_rmdir cluster_forget_unknown ENOENT "$M1/nosuchnode"
check cluster_forget_refusal_event grep -q "rmdir node2: only a node that is down" "$M1/cluster/events"

scripts/cluster.sh kill node2 --dir "$CL" >/dev/null
check cluster_forget_down wait_for $((TTL + 4)) grep -qx "node2 down" "$M1/cluster/nodes"
expect_rmdir cluster_forget_tree_dir_refused EPERM "$M1/node2/containers"
check cluster_forget_rmdir rmdir "$M1/node2"
check_eq cluster_forget_gone_here "$(ls "$M1" | tr '\n' ' ')" "README cluster node1 node3 "
check cluster_forget_gone_elsewhere wait_for 3 sh -c "! ls '$M3' | grep -qx node2"
check_eq cluster_forget_store_clean "$(etcd_keys nodes/node2/)" ""
check cluster_forget_event grep -q "node2 forgotten" "$M1/cluster/events"

scripts/cluster.sh restart node2 --dir "$CL" >/dev/null
. "$CL/state"
check cluster_forget_back wait_for 10 grep -qx "node2 up" "$M1/cluster/nodes"
