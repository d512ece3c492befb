# ledd as a whole program on a FAKE GPIO chip (build/ledd-fakechip: ledd
# linked with tests/ledd/fake_gpiod_v*.c; there is no GPIO hardware here):
# the trace it writes is decoded by tests/ledd/max7219_model.c and
# matrix_model.c (build/tests/ledd/ledd-trace-decode) and must show the
# rows file. Also --once, --test-pattern, SIGTERM, term, --help, bad config.
B=${B:-build}
LEDD=$B/ledd-fakechip
DECODE=$B/tests/ledd/ledd-trace-decode
T=$(mktemp -d /tmp/ledd-test.XXXXXX)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
ok()   { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi; }

if [ ! -x "$LEDD" ] || [ ! -x "$DECODE" ]; then
    fail ledd_fakechip "build $LEDD and $DECODE first (make)"; exit 1
fi
echo "# GPIO chip: FAKE (no hardware); LEDD_FAKE_GPIO_CHIPS gives a Pi 4's chips"
export LEDD_FAKE_GPIO_CHIPS="gpiochip0=pinctrl-bcm2711:58,gpiochip1=raspberrypi-exp-gpio:8"
ROWS=$T/rows
printf '%s\n' '###.....' '####....' '########' '#######.' '........' '##......' '######..' '#.#.#.#.' > "$ROWS"
echo 6 > "$T/brightness"
NOCONF=$T/none.conf; : > "$NOCONF"     # keep /etc/ledd.conf out of it

# max7219 --once: decoded frame = rows file, intensity from the brightness file.
LEDD_FAKE_GPIO_TRACE=$T/once.trace "$LEDD" -c "$NOCONF" -d max7219 -r "$ROWS" -b "$T/brightness" --once 2>"$T/once.err"
check_eq ledd_fakechip_once_exit $? 0
out=$("$DECODE" max7219 "$T/once.trace" 10 8 11)
check_eq ledd_fakechip_max7219_once_frame "$(echo "$out" | head -8)" "$(cat "$ROWS")"
check_eq ledd_fakechip_max7219_once_state "$(echo "$out" | tail -1)" "shutdown=1 intensity=6 faults=0 released=1"
grep -q "gpiochip0" "$T/once.err" && ok ledd_fakechip_auto_found_pi_chip || fail ledd_fakechip_auto_found_pi_chip "$(cat "$T/once.err")"

# Running: follows a change of the file, then SIGTERM blanks and releases.
LEDD_FAKE_GPIO_TRACE=$T/run.trace "$LEDD" -c "$NOCONF" -d max7219 -r "$ROWS" -b "" -i 0.1 2>"$T/run.err" &
P=$!; PIDS="$PIDS $P"
sleep 0.5
printf '%s\n' '########' '........' '########' '........' '#.......' '.#......' '..#.....' '...#....' > "$ROWS.new"
mv "$ROWS.new" "$ROWS"
sleep 0.5
out=$("$DECODE" max7219 "$T/run.trace" 10 8 11)
check_eq ledd_fakechip_max7219_follows_file "$(echo "$out" | head -8)" "$(cat "$ROWS")"
kill -TERM "$P"; wait "$P"; rc=$?
check_eq ledd_fakechip_sigterm_exit "$rc" 0
out=$("$DECODE" max7219 "$T/run.trace" 10 8 11)
check_eq ledd_fakechip_sigterm_blank "$(echo "$out" | head -8 | tr -d '.\n')" ""
check_eq ledd_fakechip_sigterm_state "$(echo "$out" | tail -1 | cut -d' ' -f1,3,4)" "shutdown=0 faults=0 released=1"

# matrix16 --once with its own lines, rows active-low, turned 180 degrees.
cat > "$T/m16.conf" <<CONF
driver = matrix16
chip = label:pinctrl-bcm2711
row_lines = 2 3 4 17 27 22 5 6
col_lines = 13 19 26 12 16 20 21 18
row_active_low = yes
rotate = 180
interval = 0.4
brightness_file =
CONF
LEDD_FAKE_GPIO_TRACE=$T/m16.trace "$LEDD" -c "$T/m16.conf" -r "$ROWS" --once 2>"$T/m16.err"
check_eq ledd_fakechip_matrix16_once_exit $? 0
out=$("$DECODE" matrix16 "$T/m16.trace" 2 3 4 17 27 22 5 6 13 19 26 12 16 20 21 18 1 0)
turned=$(rev "$ROWS" | tac)
check_eq ledd_fakechip_matrix16_frame_rotated "$(echo "$out" | head -8)" "$turned"
fps=$(echo "$out" | tail -1 | sed 's/fps=\([0-9]*\).*/\1/')
faults=$(echo "$out" | tail -1 | sed 's/.*faults=//')
check_eq ledd_fakechip_matrix16_no_faults "$faults" 0
[ "${fps:-0}" -ge 100 ] && ok ledd_fakechip_matrix16_100fps || fail ledd_fakechip_matrix16_100fps "fps=$fps"

# term: the same frame as text when stdout is not a terminal.
out=$("$LEDD" -c "$NOCONF" -d term -r "$ROWS" -b "" --once 2>/dev/null)
check_eq ledd_fakechip_term_once "$out" "$(cat "$ROWS")"
out=$("$LEDD" -c "$NOCONF" -d term -r "$ROWS" -b "" -s mirror=horizontal --once 2>/dev/null)
check_eq ledd_fakechip_term_mirror "$out" "$(rev "$ROWS")"

# --test-pattern --once walks through every pattern and ends on the mark.
LEDD_FAKE_GPIO_TRACE=$T/tp.trace "$LEDD" -c "$NOCONF" -r /nonexistent -b "" -i 0.01 --test-pattern --once 2>/dev/null
check_eq ledd_fakechip_test_pattern_exit $? 0
out=$("$DECODE" max7219 "$T/tp.trace" 10 8 11)
check_eq ledd_fakechip_test_pattern_mark "$(echo "$out" | head -3)" "$(printf '%s\n' '########' '#.......' '#...#...')"

# Errors: a missing rows file fails --once (dark display), a bad config is
# status 2 with the line named, no Pi chip is a clear message.
"$LEDD" -c "$NOCONF" -r "$T/missing" -b "" --once 2>"$T/err"
check_eq ledd_fakechip_missing_rows_status $? 1
grep -q "missing: No such file" "$T/err" && ok ledd_fakechip_missing_rows_message || fail ledd_fakechip_missing_rows_message "$(cat "$T/err")"
printf 'driver = max7219\nrotate = 45\n' > "$T/bad.conf"
"$LEDD" -c "$T/bad.conf" --once 2>"$T/err"
check_eq ledd_fakechip_bad_config_status $? 2
grep -q "bad.conf:2:" "$T/err" && ok ledd_fakechip_bad_config_line || fail ledd_fakechip_bad_config_line "$(cat "$T/err")"
LEDD_FAKE_GPIO_CHIPS="gpiochip0=gpio-mockup-A:8" "$LEDD" -c "$NOCONF" -r "$ROWS" --once 2>"$T/err"
check_eq ledd_fakechip_no_pi_chip_status $? 1
grep -q "gpiochip0=gpio-mockup-A" "$T/err" && ok ledd_fakechip_no_pi_chip_message || fail ledd_fakechip_no_pi_chip_message "$(cat "$T/err")"
"$LEDD" --help | grep -q -- "--test-pattern" && ok ledd_fakechip_help || fail ledd_fakechip_help "no --test-pattern in --help"
"$LEDD" --bogus >/dev/null 2>&1
check_eq ledd_fakechip_bad_option_status $? 2

# The shipped example config is valid as it stands.
out=$("$LEDD" -c scripts/ledd.conf.example -d term -r "$ROWS" -b "" --once 2>"$T/err")
check_eq ledd_fakechip_example_config "$out" "$(cat "$ROWS")"
