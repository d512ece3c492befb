#!/bin/sh
# Runs every unit test binary and integration script, then prints the
# summary line CI reads: "N passed, N failed, N skipped".
# Each test prints "PASS: name", "FAIL: name: why" or "SKIP: name: why".
# A test program that exits non-zero without printing FAIL counts as one failure.
# TESTS="containers test_units 'cluster*'" runs only the tests so named (words
# are names or shell patterns: a unit test binary's name, a script's name
# without .sh).
B=${B:-build}
export B
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0 skip=0
log=$(mktemp)
run_one() {
    name=$1; shift
    echo "== $name"
    "$@" >"$log" 2>&1 </dev/null
    rc=$?
    cat "$log"
    p=$(grep -c '^PASS: ' "$log"); f=$(grep -c '^FAIL: ' "$log"); s=$(grep -c '^SKIP: ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL: $name: exited with status $rc"
        f=1
    fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}
only=${TESTS:-}
selected() {
    [ -z "$only" ] && return 0
    set -f
    for w in $only; do
        case $1 in $w) set +f; return 0 ;; esac
    done
    set +f
    return 1
}
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    selected "$(basename "$t")" && run_one "$(basename "$t")" "$t"
done
for t in tests/integration/*.sh; do
    [ -f "$t" ] || continue
    selected "$(basename "$t" .sh)" && run_one "$(basename "$t")" timeout 900 sh "$t"
done
rm -f "$log"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
