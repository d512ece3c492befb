# End to end: fogfs mounted with a busy container; ledd (on a FAKE GPIO
# chip: build/ledd-fakechip, no hardware here) reads the real
# /fog/<node>/led/rows and led/brightness through the mount, and the frame
# decoded from its MAX7219 wire trace equals what the rows file says.
. tests/lib.sh
fog_require ledd_fogfs
LEDD=$PWD/$B/ledd-fakechip
DECODE=$PWD/$B/tests/ledd/ledd-trace-decode
if [ ! -x "$LEDD" ] || [ ! -x "$DECODE" ]; then
    fail ledd_fogfs "build $LEDD and $DECODE first (make)"; exit 1
fi
echo "# GPIO chip: FAKE (no hardware); fogfs and LXC are real"
fog_mount --interval 0.5 || { fail ledd_fogfs_mount "fogfs did not mount"; exit 1; }
M=$FOG_MNT N=$FOG_NODE L=$FOG_MNT/$FOG_NODE/led
if [ ! -f "$L/rows" ]; then
    skip ledd_fogfs "this fogfs does not serve $N/led/rows yet"; exit 0
fi
export LEDD_FAKE_GPIO_CHIPS="gpiochip0=pinctrl-bcm2711:58"
NOCONF=$FOG_TMP/ledd.conf; : > "$NOCONF"

# A busy container: row 0 counts it, row 1 shows the CPU it burns.
mkdir "$M/$N/containers/busy" && echo start > "$M/$N/containers/busy/state" ||
    { fail ledd_fogfs_container "cannot start a container"; exit 1; }
lxc-attach -P "$FOG_LXCPATH" -n busy -- sh -c 'while :; do :; done' >/dev/null 2>&1 &
FOG_PIDS="$FOG_PIDS $!"
wait_for 10 sh -c "head -1 '$L/rows' | grep -q '^#'" &&
    ok ledd_fogfs_rows_counts_container || fail ledd_fogfs_rows_counts_container "$(cat "$L/rows")"

# ledd reads the mount; the rows may move between its read and ours, so
# take the frame as matched when it equals a read just before or after.
echo 4 > "$L/brightness"
matched=""
for try in 1 2 3 4 5; do
    before=$(cat "$L/rows")
    rm -f "$FOG_TMP/e2e.trace"
    LEDD_FAKE_GPIO_TRACE=$FOG_TMP/e2e.trace "$LEDD" -c "$NOCONF" -d max7219 \
        -r "$L/rows" -b "$L/brightness" --once 2>>"$FOG_TMP/ledd.log" || continue
    after=$(cat "$L/rows")
    out=$("$DECODE" max7219 "$FOG_TMP/e2e.trace" 10 8 11)
    frame=$(echo "$out" | head -8)
    if [ "$frame" = "$before" ] || [ "$frame" = "$after" ]; then matched=$frame; break; fi
done
if [ -n "$matched" ]; then ok ledd_fogfs_decoded_frame_is_rows
else fail ledd_fogfs_decoded_frame_is_rows "decoded '$frame', rows '$before' / '$after'"; fi
check_eq ledd_fogfs_rows_8x8 "$(echo "$matched" | grep -c '^[#.]\{8\}$')" 8
check_eq ledd_fogfs_state "$(echo "$out" | tail -1)" "shutdown=1 intensity=4 faults=0 released=1"
check_eq ledd_fogfs_row0_container "$(echo "$matched" | head -1)" "#......."

# A map change shows up in the frame ledd reads: row 7 lit by cpu.
if echo "7 containers count 8" > "$L/map" 2>/dev/null; then
    wait_for 5 sh -c "sed -n 8p '$L/rows' | grep -q '^#'"
    rm -f "$FOG_TMP/e2e.trace"
    LEDD_FAKE_GPIO_TRACE=$FOG_TMP/e2e.trace "$LEDD" -c "$NOCONF" -r "$L/rows" -b "" --once 2>>"$FOG_TMP/ledd.log"
    check_eq ledd_fogfs_map_row7 "$("$DECODE" max7219 "$FOG_TMP/e2e.trace" 10 8 11 | sed -n 8p)" "#......."
else
    fail ledd_fogfs_map_row7 "writing led/map failed"
fi
