# Settings outlive a restart on the embedded store: an autoscale policy value
# and the LED settings written through the mount are back after fogfs stops
# and mounts again with the same state file; a refused write changes nothing
# there; a corrupt state file is moved aside and fogfs still starts.
. tests/lib.sh
fog_require settings_persist
FOG_STATE=$FOG_TMP/settings/state.json    # a directory fogfs has to create
P() { echo "$FOG_MNT/cluster/autoscale/$1"; }
L() { echo "$FOG_MNT/$FOG_NODE/led/$1"; }
mount_or_exit() {
    fog_mount --interval 0.5 || { fail "settings_persist_mount_$1" "fogfs did not mount"; exit 1; }
}

check settings_persist_help sh -c "'$FOGFS' --help | grep -q -- '--state FILE'"

mount_or_exit first
map0=$(cat "$(L map)")
echo 1.5 > "$(P factor)"
echo 75 > "$(P threshold)"
echo 3 > "$(L brightness)"
echo "7 cpu linear 100" > "$(L map)"
map1=$(cat "$(L map)")
check settings_persist_map_changed test "$map1" != "$map0"
check_eq settings_persist_brightness_set "$(cat "$(L brightness)")" 3
# Refused writes: errno, and nothing reaches the state file.
expect_errno settings_persist_bad_factor ERANGE "$(P factor)" "17"
expect_errno settings_persist_bad_brightness ERANGE "$(L brightness)" "99"
expect_errno settings_persist_bad_map EINVAL "$(L map)" "7 nothing linear 1"
check settings_persist_file_written test -s "$FOG_STATE"
check_eq settings_persist_no_temp_file "$(ls "$(dirname "$FOG_STATE")")" state.json
check settings_persist_file_is_json python3 -c '
import json, sys
keys = [k["key"] for k in json.load(open(sys.argv[1]))["keys"]]
want = {"config/autoscale/factor", "config/autoscale/threshold",
        "nodes/%s/led/brightness" % sys.argv[2], "nodes/%s/led/map" % sys.argv[2]}
sys.exit(0 if set(keys) == want else "keys: %s" % keys)' "$FOG_STATE" "$FOG_NODE"

pid=$FOG_PID
fog_umount
check settings_persist_stopped sh -c "! kill -0 $pid 2>/dev/null"

mount_or_exit second
check_eq settings_persist_factor_back "$(cat "$(P factor)")" 1.5
check_eq settings_persist_threshold_back "$(cat "$(P threshold)")" 75
check_eq settings_persist_brightness_back "$(cat "$(L brightness)")" 3
check_eq settings_persist_map_back "$(cat "$(L map)")" "$map1"
check_eq settings_persist_window_default "$(cat "$(P window)")" 60
check settings_persist_no_error_event sh -c "! grep -q ' error store:' '$FOG_MNT/cluster/events'"
fog_umount

# A corrupt state file: fogfs starts with defaults, says why, and keeps the
# file aside; the next settings write makes a new one.
echo '{"format": "fogfs-state 1", "keys": [' > "$FOG_STATE"
mount_or_exit corrupt
check_eq settings_persist_corrupt_defaults "$(cat "$(L brightness)")" 8
check settings_persist_corrupt_event grep -q \
    " error store: state file $FOG_STATE: not a fogfs state file; moved aside to $FOG_STATE.bad-" \
    "$FOG_MNT/cluster/events"
check settings_persist_corrupt_stderr grep -q "state file $FOG_STATE: not a fogfs state file" \
    "$FOG_TMP/fogfs.log"
bad=$(ls "$(dirname "$FOG_STATE")" | grep '^state.json.bad-')
check settings_persist_corrupt_kept_aside grep -q '"keys": \[' "$(dirname "$FOG_STATE")/$bad"
echo 5 > "$(L brightness)"
fog_umount
mount_or_exit after_corrupt
check_eq settings_persist_after_corrupt "$(cat "$(L brightness)")" 5
fog_umount

# --state none: nothing is kept.
FOG_STATE=none
mount_or_exit none
echo 6 > "$(L brightness)"
fog_umount
mount_or_exit none_again
check_eq settings_persist_none_keeps_nothing "$(cat "$(L brightness)")" 8
fog_umount
