# The tree of one node on a real FUSE mount: every file of TREE.md there with
# its mode, sizes equal to content, odd-sized reads, metrics against /proc,
# read-only files refusing writes, and inode numbers stable across a remount.
. tests/lib.sh
fog_require tree
fog_mount --cpus 2 || { fail tree_mount "fogfs did not mount"; exit 1; }
M=$FOG_MNT N=$FOG_NODE

missing=""
for f in README cluster/nodes cluster/events cluster/store \
         $N/state $N/arch $N/cpus $N/capacity $N/allocated \
         $N/metrics/cpu $N/metrics/mem $N/metrics/net_rx $N/metrics/net_tx \
         $N/metrics/iops_read $N/metrics/iops_write $N/metrics/load $N/metrics/uptime \
         $N/metrics/containers $N/metrics/all.json $N/led/rows $N/led/map $N/led/brightness; do
    [ -f "$M/$f" ] || missing="$missing $f"
done
check_eq tree_files_present "$missing" ""
check_eq tree_dirs "$(cd "$M" && ls -d cluster $N $N/metrics $N/containers | tr '\n' ' ')" \
    "cluster $N $N/containers $N/metrics "
if [ -d /sys/class/thermal/thermal_zone0 ]; then
    check tree_temp_present test -f "$M/$N/metrics/temp"
else
    check tree_temp_absent_without_sensor test ! -e "$M/$N/metrics/temp"
fi
check_eq tree_root_listing "$(ls "$M" | tr '\n' ' ')" "README cluster $N "
check_eq tree_mode_readonly "$(stat -c %a "$M/$N/metrics/cpu")" 444
check_eq tree_mode_writable "$(stat -c %a "$M/$N/state")" 644
check_eq tree_mode_dir "$(stat -c %a "$M/$N/containers")" 755

# st_size equals what a read returns, for every file; 1-byte and 7-byte reads agree.
bad=""
for f in $(cd "$M" && find . -type f); do
    a=$(stat -c %s "$M/$f"); b=$(cat "$M/$f" | wc -c)
    [ "$a" = "$b" ] || bad="$bad $f($a/$b)"
done
check_eq tree_sizes_equal_content "$bad" ""
bad=""
for f in README $N/capacity cluster/nodes; do
    whole=$(cat "$M/$f" | md5sum)
    one=$(dd if="$M/$f" bs=1 2>/dev/null | md5sum)
    odd=$(dd if="$M/$f" bs=7 2>/dev/null | md5sum)
    [ "$whole" = "$one" ] && [ "$whole" = "$odd" ] || bad="$bad $f"
done
check_eq tree_chunked_reads "$bad" ""

check_eq tree_cluster_store "$(cat "$M/cluster/store")" local
check_eq tree_cluster_nodes "$(cat "$M/cluster/nodes")" "$N up"
check_eq tree_node_state "$(cat "$M/$N/state")" up
check_eq tree_arch "$(cat "$M/$N/arch")" "$(uname -m)"
check_eq tree_cpus "$(cat "$M/$N/cpus")" "$(nproc --all 2>/dev/null || nproc)"
check_eq tree_capacity_override "$(cut -d' ' -f1 "$M/$N/capacity")" "cpu=2000m"
check_eq tree_allocated_empty "$(cut -d' ' -f1 "$M/$N/allocated")" "cpu=0m"

# Metrics against /proc, within tolerance.
sleep 1.5
mem=$(cat "$M/$N/metrics/mem")
ref=$(awk '/^MemTotal:/{t=$2} /^MemAvailable:/{a=$2} END{printf "%.1f", (t-a)*100/t}' /proc/meminfo)
check tree_metrics_mem_matches_proc awk -v a="$mem" -v b="$ref" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(d < 3)}'
up=$(cat "$M/$N/metrics/uptime"); pup=$(cut -d. -f1 /proc/uptime)
check tree_metrics_uptime_matches_proc awk -v a="$up" -v b="$pup" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(d <= 3)}'
check tree_metrics_cpu_is_percent awk -v a="$(cat "$M/$N/metrics/cpu")" 'BEGIN{exit !(a >= 0 && a <= 100)}'
load=$(cat "$M/$N/metrics/load"); pload=$(cut -d' ' -f1 /proc/loadavg)
check tree_metrics_load_matches_proc awk -v a="${load%% *}" -v b="$pload" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(d < 1)}'
check tree_all_json_parses python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
for k in ("time", "interval", "cpu", "mem", "net_rx", "net_tx", "iops_read", "iops_write", "load", "uptime", "containers"):
    assert k in o, k
assert abs(o["interval"] - 1) < 0.5, o["interval"]
' "$M/$N/metrics/all.json"
# A sample moves the mtime of a changing file together with its content.
t1=$(stat -c %Y "$M/$N/metrics/uptime"); sleep 2.2; t2=$(stat -c %Y "$M/$N/metrics/uptime")
check tree_mtime_moves_with_value test "$t2" -gt "$t1"

# Read-only files refuse writes, even root's; the tree refuses new files.
expect_errno tree_readonly_write_refused EACCES "$M/$N/metrics/cpu" "5"
check tree_no_new_files sh -c "! touch '$M/$N/newfile' 2>/dev/null"
expect_errno tree_node_state_garbage EINVAL "$M/$N/state" "sideways"

# The LED matrix: an 8x8 frame, a validated map and brightness.
check tree_led_rows_8x8 sh -c "test \$(grep -Ec '^[#.]{8}\$' '$M/$N/led/rows') = 8"
check_eq tree_led_map_default_row1 "$(sed -n 2p "$M/$N/led/map")" "1 cpu linear 100"
check tree_led_brightness_write sh -c "echo 4 > '$M/$N/led/brightness'"
check_eq tree_led_brightness_read "$(cat "$M/$N/led/brightness")" 4
expect_errno tree_led_brightness_range ERANGE "$M/$N/led/brightness" "16"
expect_errno tree_led_brightness_garbage EINVAL "$M/$N/led/brightness" "bright"
expect_errno tree_led_map_garbage EINVAL "$M/$N/led/map" "1 cpu sideways 100"
expect_errno tree_led_map_row_range ERANGE "$M/$N/led/map" "9 cpu linear 100"
check_eq tree_led_map_unchanged "$(sed -n 2p "$M/$N/led/map")" "1 cpu linear 100"
check tree_led_map_write sh -c "echo '1 cpu log 100' > '$M/$N/led/map'"
check_eq tree_led_map_changed "$(sed -n 2p "$M/$N/led/map")" "1 cpu log 100"

# Inode numbers are the same after a remount.
before=$(cd "$M" && find . -exec stat -c '%n %i' {} + | sort)
fog_umount
check tree_unmounted sh -c "! grep -q ' $M ' /proc/mounts"
fog_mount --cpus 2 || { fail tree_remount "fogfs did not mount again"; exit 1; }
M=$FOG_MNT
after=$(cd "$M" && find . -exec stat -c '%n %i' {} + | sort)
check_eq tree_inodes_stable_across_remount "$(echo "$after" | md5sum)" "$(echo "$before" | md5sum)"

# SIGTERM unmounts cleanly.
kill -TERM "$FOG_PID"
wait_for 10 sh -c "! grep -q ' $M ' /proc/mounts"
check tree_sigterm_unmounts sh -c "! grep -q ' $M ' /proc/mounts"
