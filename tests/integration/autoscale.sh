# The autoscaler on a real mount with real busybox containers: the policy
# files (defaults, every bad input), a busy container raised 100m -> 200m ->
# 400m and held at max_cpu_limit (in the cgroup too), idle / warming-up /
# disabled ones left alone, ENOSPC logged when the doubled request does not
# fit, and scripts/autoscale.sh --once doing the same from the shell.
. tests/lib.sh
fog_require autoscale
fog_mount --cpus 2 --interval 0.5 || { fail autoscale_mount "fogfs did not mount"; exit 1; }
M=$FOG_MNT N=$FOG_NODE C=$M/$N/containers P=$M/cluster/autoscale
CG=/sys/fs/cgroup
quota() {   # quota NAME: the cgroup's cpu quota in microseconds per 100 ms
    if [ -d "$CG/cpu" ]; then cat "$CG/cpu/lxc.payload.$1/cpu.cfs_quota_us"
    else cut -d' ' -f1 "$CG/lxc.payload.$1/cpu.max"; fi
}
events() { wc -l < "$M/cluster/events"; }
ATTS=""
spin() {    # spin NAME: a busy loop inside the container while its /tmp/spin exists
    : > "$FOG_LXCPATH/$1/rootfs/tmp/spin"
    lxc-attach -P "$FOG_LXCPATH" -n "$1" -- sh -c 'while [ -e /tmp/spin ]; do :; done' \
        >/dev/null 2>&1 &
    ATTS="$ATTS $!"; FOG_PIDS="$FOG_PIDS $!"
}
unspin() { rm -f "$FOG_LXCPATH/$1/rootfs/tmp/spin"; }
limit_is() { [ "$(cat "$C/$1/cpu_limit")" = "$2" ]; }
count_autoscale() { grep -c " $1 autoscale avg=" "$M/cluster/events"; }

# The policy files and their defaults.
check_eq autoscale_files "$(ls "$P" | tr '\n' ' ')" \
    "cooldown down_threshold enabled factor max_cpu_limit threshold warmup window "
got=""
for f in enabled threshold factor window warmup cooldown max_cpu_limit down_threshold; do
    got="$got $(cat "$P/$f")"
done
check_eq autoscale_defaults "$got" " 0 90 2 60 60 60 max 0"
check_eq autoscale_mode "$(stat -c %a "$P/threshold")" 644

# Bad inputs: errno, nothing changed, one event line each.
bad() {   # bad NAME ERRNO FILE VALUE
    before=$(cat "$P/$3"); e0=$(events)
    expect_errno "autoscale_bad_$1" "$2" "$P/$3" "$4"
    check_eq "autoscale_bad_$1_unchanged" "$(cat "$P/$3")" "$before"
    check_eq "autoscale_bad_$1_one_event" "$(events)" $((e0 + 1))
}
bad enabled_garbage EINVAL enabled "yes"
bad enabled_range ERANGE enabled "2"
bad enabled_negative ERANGE enabled "-1"
bad threshold_garbage EINVAL threshold "90%"
bad threshold_zero ERANGE threshold "0"
bad threshold_range ERANGE threshold "101"
bad factor_garbage EINVAL factor "double"
bad factor_unit EINVAL factor "2000m"
bad factor_one ERANGE factor "1"
bad factor_range ERANGE factor "17"
bad factor_negative ERANGE factor "-2"
bad window_garbage EINVAL window "3s"
bad window_zero ERANGE window "0"
bad window_range ERANGE window "86401"
bad window_overflow ERANGE window "99999999999999999999"
bad warmup_garbage EINVAL warmup "soon"
bad warmup_negative ERANGE warmup "-5"
bad cooldown_garbage EINVAL cooldown "1.5"
bad cooldown_range ERANGE cooldown "86401"
bad max_garbage EINVAL max_cpu_limit "lots"
bad max_zero ERANGE max_cpu_limit "0"
bad max_negative ERANGE max_cpu_limit "-400m"
bad down_garbage EINVAL down_threshold "low"
bad down_range ERANGE down_threshold "100"
bad binary EINVAL threshold "$(printf '9\0010')"
bad blank EINVAL window " "
check autoscale_bad_event_text grep -q -- "- error autoscale/factor: out of range: \"17\"" "$M/cluster/events"

# Good writes read back in their own form, with an event line.
check autoscale_write_factor sh -c "echo 1.5 > '$P/factor'"
check_eq autoscale_factor_readback "$(cat "$P/factor")" 1.5
check autoscale_policy_event grep -q -- "- autoscale policy factor 2 -> 1.5" "$M/cluster/events"
check autoscale_write_max sh -c "echo 0.4 > '$P/max_cpu_limit'"
check_eq autoscale_max_readback "$(cat "$P/max_cpu_limit")" 400m
for kv in factor=2 window=3 warmup=600 cooldown=0 threshold=90; do
    echo "${kv#*=}" > "$P/${kv%=*}"
done
check_eq autoscale_window_readback "$(cat "$P/window")" 3

# Three containers at 100m: busy (spins), idle, off (spins, autoscale 0).
for c in busy idle off; do
    mkdir "$C/$c" && echo 100m > "$C/$c/cpu_limit" && echo start > "$C/$c/state" ||
        fail "autoscale_setup_$c" "cannot create and start $c"
done
check_eq autoscale_container_default_off "$(cat "$C/idle/autoscale")" 0
echo 1 > "$P/enabled"
check_eq autoscale_container_follows_enabled "$(cat "$C/idle/autoscale")" 1
check autoscale_container_off sh -c "echo 0 > '$C/off/autoscale'"
check_eq autoscale_container_off_read "$(cat "$C/off/autoscale")" 0
spin busy
spin off

# Inside its warmup (600 s): left alone although it runs at its limit.
sleep 4.5
u=$(cat "$C/busy/cpu_usage")
check autoscale_busy_is_busy awk -v u="${u%m}" 'BEGIN{exit !(u >= 90)}'
check_eq autoscale_warmup_left_alone "$(cat "$C/busy/cpu_limit")" 100m
check_eq autoscale_warmup_no_event "$(count_autoscale busy)" 0

# Warmup over: 100m -> 200m -> 400m, then held at max_cpu_limit 400m.
echo 2 > "$P/warmup"
if wait_for 15 limit_is busy 200m; then
    ok autoscale_raised_200
    t0=$(date +%s.%N)
    check_eq autoscale_raised_200_request "$(cat "$C/busy/cpu_request")" 0m
else
    fail autoscale_raised_200 "limit $(cat "$C/busy/cpu_limit") after 15 s"
fi
if wait_for 15 limit_is busy 400m; then
    ok autoscale_raised_400
    t1=$(date +%s.%N)
        # The window fills again after an action: 3 s of samples at 0.5 s.
    check autoscale_window_between_actions awk -v a="$t0" -v b="$t1" 'BEGIN{exit !(b - a >= 2.5)}'
else
    fail autoscale_raised_400 "limit $(cat "$C/busy/cpu_limit") after 15 s"
fi
check_eq autoscale_cgroup_400 "$(quota busy)" 40000
check autoscale_event_line grep -Eq \
    " busy autoscale avg=[0-9]+m threshold=90% window=3s request=0m limit=100m mem=max -> request=0m limit=200m mem=max on $N\$" \
    "$M/cluster/events"
check autoscale_event_line_400 grep -q " busy autoscale avg=.* limit=200m .* -> .* limit=400m mem=max on $N\$" \
    "$M/cluster/events"
sleep 5
check_eq autoscale_held_at_max "$(cat "$C/busy/cpu_limit")" 400m
check_eq autoscale_held_at_max_events "$(count_autoscale busy)" 2
check_eq autoscale_idle_left_alone "$(cat "$C/idle/cpu_limit")" 100m
check_eq autoscale_idle_cgroup "$(quota idle)" 10000
u=$(cat "$C/off/cpu_usage")
check autoscale_off_is_busy awk -v u="${u%m}" 'BEGIN{exit !(u >= 90)}'
check_eq autoscale_disabled_left_alone "$(cat "$C/off/cpu_limit")" 100m
check_eq autoscale_disabled_no_event "$(count_autoscale off)" 0

# Scale-down (down_threshold 20): idle now, the busy one comes back down a
# factor per window, to the values it had before the first raise, no lower.
echo 20 > "$P/down_threshold"
unspin busy
if wait_for 10 limit_is busy 200m; then ok autoscale_down_200
else fail autoscale_down_200 "limit $(cat "$C/busy/cpu_limit")"; fi
if wait_for 10 limit_is busy 100m; then ok autoscale_down_100
else fail autoscale_down_100 "limit $(cat "$C/busy/cpu_limit")"; fi
check autoscale_down_event grep -Eq \
    " busy autoscale avg=[0-9]+m down_threshold=20% window=3s request=0m limit=400m mem=max -> request=0m limit=200m mem=max on $N\$" \
    "$M/cluster/events"
sleep 4
check_eq autoscale_down_not_below_original "$(cat "$C/busy/cpu_limit")" 100m
check_eq autoscale_down_cgroup "$(quota busy)" 10000
echo 0 > "$P/down_threshold"

# A restart starts the warmup again. With warmup 10 s the long-running one
# is raised as soon as it is allowed; restarted, it is left alone again.
echo 10 > "$P/warmup"
echo 1 > "$C/off/autoscale"
if wait_for 10 limit_is off 200m; then ok autoscale_enabled_again_raised
else fail autoscale_enabled_again_raised "limit $(cat "$C/off/cpu_limit")"; fi
echo restart > "$C/off/state"
spin off
sleep 5
check_eq autoscale_restart_warmup "$(cat "$C/off/cpu_limit")" 200m

# The shell example, built-in autoscaler off: one window, the busy one raised.
echo 0 > "$P/enabled"
spin busy
echo 100m > "$C/busy/cpu_limit"
echo 0 > "$C/off/autoscale"
out=$(timeout 30 sh scripts/autoscale.sh "$M" "$N" --once --all --window 3 --interval 0.5 \
      --warmup 0 --max 1 2>&1)
check_eq autoscale_script_raised "$(cat "$C/busy/cpu_limit")" 200m
check autoscale_script_says grep -q "^busy: avg=[0-9]*m >= 90% of 100m: request 0m -> 0m, limit 100m -> 200m" \
    -- <<EOF
$out
EOF
check_eq autoscale_script_idle "$(cat "$C/idle/cpu_limit")" 100m
check_eq autoscale_script_cgroup "$(quota busy)" 20000
# Without --all it follows each container's autoscale file (all 0 here).
echo 100m > "$C/busy/cpu_limit"
timeout 30 sh scripts/autoscale.sh "$M" "$N" --once --window 2 --interval 0.5 --warmup 0 >/dev/null 2>&1
check_eq autoscale_script_respects_autoscale_file "$(cat "$C/busy/cpu_limit")" 100m
check autoscale_script_usage sh -c "! sh scripts/autoscale.sh '$M' 2>/dev/null"

for c in busy idle off; do unspin $c; done
for p in $ATTS; do kill "$p" 2>/dev/null; done
for c in busy idle off; do echo stop > "$C/$c/state"; done

# One node, no room (1 cpu): the doubled request 1200m does not fit;
# ENOSPC is logged once per window and nothing changes.
fog_umount
fog_mount --cpus 1 --interval 0.5 || { fail autoscale_mount_1cpu "fogfs did not mount"; exit 1; }
M=$FOG_MNT C=$M/$N/containers P=$M/cluster/autoscale
for kv in window=3 warmup=0 cooldown=0 enabled=1; do echo "${kv#*=}" > "$P/${kv%=*}"; done
mkdir "$C/big" && echo 600m > "$C/big/cpu_limit" && echo 600m > "$C/big/cpu_request" &&
    echo start > "$C/big/state" || fail autoscale_setup_big "cannot create big"
spin big
enospc() { grep -c " big error autoscale: request 1200m does not fit.*(No space left on device)" "$M/cluster/events"; }
if wait_for 15 sh -c "[ \$(grep -c ' big error autoscale: request 1200m does not fit.*(No space left on device)' '$M/cluster/events') -ge 1 ]"; then
    ok autoscale_enospc_logged
    sleep 1.5
    check_eq autoscale_enospc_once_per_window "$(enospc)" 1
else
    fail autoscale_enospc_logged "no ENOSPC line: $(tail -3 "$M/cluster/events")"
fi
check_eq autoscale_enospc_limit_unchanged "$(cat "$C/big/cpu_limit")" 600m
check_eq autoscale_enospc_request_unchanged "$(cat "$C/big/cpu_request")" 600m
check_eq autoscale_enospc_cgroup "$(quota big)" 60000
unspin big
for p in $ATTS; do kill "$p" 2>/dev/null; done
echo stop > "$C/big/state"
