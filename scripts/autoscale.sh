#!/bin/sh
# The autoscaler's rule in plain POSIX shell over the /fog tree, an example
# of scripting fogfs with cat and echo: average each container's cpu_usage
# over a window; at threshold percent of its cpu_limit, multiply request and
# limit by factor (up to max_cpu_limit). See docs/autoscale.md.
#
# usage: scripts/autoscale.sh MOUNT NODE [--once] [--all] [--window S]
#            [--interval S] [--threshold P] [--factor F] [--max CPU]
#            [--warmup S] [--cooldown S]
# Defaults come from MOUNT/cluster/autoscale/*; --interval defaults to 1.
# It acts on the containers whose autoscale file reads 1, or on all with --all.
# Run it with the built-in autoscaler off (cluster/autoscale/enabled 0, no
# container's autoscale set to 1): two autoscalers would both act.

usage() {
    echo "usage: $0 MOUNT NODE [--once] [--all] [--window S] [--interval S] [--threshold P]" >&2
    echo "          [--factor F] [--max CPU] [--warmup S] [--cooldown S]" >&2
    exit 2
}

[ $# -ge 2 ] || usage
MOUNT=$1 NODE=$2
shift 2
C=$MOUNT/$NODE/containers
P=$MOUNT/cluster/autoscale
[ -d "$C" ] || { echo "$0: no $C" >&2; exit 1; }

# The policy files, when fogfs has them.
get() { if [ -f "$P/$1" ]; then cat "$P/$1"; else echo "$2"; fi; }
WINDOW=$(get window 60) THRESHOLD=$(get threshold 90) FACTOR=$(get factor 2)
MAX=$(get max_cpu_limit max) WARMUP=$(get warmup 60) COOLDOWN=$(get cooldown 60)
INTERVAL=1 ONCE=0 ALL=0
while [ $# -gt 0 ]; do
    case $1 in
    --once) ONCE=1 ;;
    --all) ALL=1 ;;
    --window) WINDOW=$2; shift ;;
    --interval) INTERVAL=$2; shift ;;
    --threshold) THRESHOLD=$2; shift ;;
    --factor) FACTOR=$2; shift ;;
    --max) MAX=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --cooldown) COOLDOWN=$2; shift ;;
    *) usage ;;
    esac
    [ $# -gt 0 ] || usage
    shift
done

# milli VALUE: a decimal ("1.5", "2", "0.25") or millicores ("250m") in
# thousandths, into M; returns 1 when it is neither (e.g. "max").
milli() {
    v=$1
    case $v in
    *[!0-9m.]* | "" | *m*m* | *.*.* | .* | *.) return 1 ;;
    *m) M=${v%m}; case $M in *.*) return 1 ;; esac ;;
    *.*) w=${v%%.*} f=${v#*.}000; f=${f%"${f#???}"}
         M=$(( w * 1000 + 1${f} - 1000 )) ;;
    *) M=$(( v * 1000 )) ;;
    esac
    M=$(( M + 0 ))
}

milli "$WINDOW" || usage; WINDOW_MS=$M
milli "$INTERVAL" || usage; INTERVAL_MS=$M
milli "$FACTOR" || usage; FACTOR_M=$M
milli "$WARMUP" || usage; WARMUP_MS=$M
milli "$COOLDOWN" || usage; COOLDOWN_MS=$M
if milli "$MAX"; then MAX_M=$M; else MAX_M=-1; fi
case $THRESHOLD in *[!0-9]* | "") usage ;; esac
[ "$INTERVAL_MS" -gt 0 ] && [ "$FACTOR_M" -gt 1000 ] || usage
NEED=$(( WINDOW_MS / INTERVAL_MS )); [ "$NEED" -ge 1 ] || NEED=1

# var NAME: a shell-safe variable suffix for a container name, into V
# (letters and digits stay; "_" "." "-" become "__" "_d" "_h").
var() {
    s=$1 V=
    while [ -n "$s" ]; do
        ch=${s%"${s#?}"} s=${s#?}
        case $ch in
        [A-Za-z0-9]) V=$V$ch ;;
        _) V=${V}__ ;;
        .) V=${V}_d ;;
        *) V=${V}_h ;;
        esac
    done
}

NOW=0        # milliseconds since the script started, counted in intervals

# One sample of every container: sum and count of cpu_usage while RUNNING.
sample() {
    for d in "$C"/*/; do
        [ -d "$d" ] || continue
        n=${d%/} n=${n##*/}
        var "$n"
        state=$(cat "$d/state" 2>/dev/null) || continue
        if [ "$state" != RUNNING ]; then
            eval "up_$V=; sum_$V=0 cnt_$V=0"
            continue
        fi
        # First seen running after being seen stopped: its warmup starts now.
        # Containers already running when the script starts count as warm.
        eval "u=\${up_$V-unset}"
        [ "$u" = unset ] && eval "up_$V=-999999999"
        [ -z "$u" ] && eval "up_$V=$NOW"
        usage_m=$(cat "$d/cpu_usage" 2>/dev/null) || continue
        usage_m=${usage_m%m}
        eval "sum_$V=\$(( \${sum_$V:-0} + usage_m )) cnt_$V=\$(( \${cnt_$V:-0} + 1 ))"
    done
}

# At the end of a window: the rule, once per container; then a new window.
decide() {
    for d in "$C"/*/; do
        [ -d "$d" ] || continue
        n=${d%/} n=${n##*/}
        var "$n"
        eval "sum=\${sum_$V:-0} cnt=\${cnt_$V:-0} up=\${up_$V:-} last=\${last_$V:--999999999}"
        eval "sum_$V=0 cnt_$V=0"
        [ "$cnt" -ge "$NEED" ] || continue
        if [ "$ALL" = 0 ]; then
            [ "$(cat "$d/autoscale" 2>/dev/null)" = 1 ] || continue
        fi
        [ -n "$up" ] && [ $(( NOW - up )) -ge "$WARMUP_MS" ] || continue
        [ $(( NOW - last )) -ge "$COOLDOWN_MS" ] || continue
        lim=$(cat "$d/cpu_limit" 2>/dev/null) || continue
        req=$(cat "$d/cpu_request" 2>/dev/null) || continue
        milli "$lim" || continue            # "max": nothing to raise
        lim=$M
        milli "$req" || req=0m
        req=$M
        avg=$(( sum / cnt ))
        [ $(( avg * 100 )) -ge $(( THRESHOLD * lim )) ] || continue
        if [ "$MAX_M" -gt 0 ] && [ "$lim" -ge "$MAX_M" ]; then
            echo "$n: avg=${avg}m, at the ceiling ${MAX_M}m"
            continue
        fi
        nlim=$(( (lim * FACTOR_M + 500) / 1000 ))
        [ "$nlim" -gt "$lim" ] || nlim=$(( lim + 1 ))
        [ "$MAX_M" -gt 0 ] && [ "$nlim" -gt "$MAX_M" ] && nlim=$MAX_M
        nreq=$(( (req * FACTOR_M + 500) / 1000 ))
        [ "$nreq" -gt "$nlim" ] && nreq=$nlim
        eval "last_$V=$NOW"
        # The request first: when no node has room it fails (ENOSPC) and
        # nothing has changed; cluster/events says why.
        if [ "$nreq" -ne "$req" ] && ! echo "${nreq}m" > "$d/cpu_request"; then
            echo "$n: avg=${avg}m >= $THRESHOLD% of ${lim}m, request ${nreq}m refused; see cluster/events"
            continue
        fi
        if ! echo "${nlim}m" > "$d/cpu_limit"; then
            echo "$n: avg=${avg}m >= $THRESHOLD% of ${lim}m, limit ${nlim}m refused; see cluster/events"
            continue
        fi
        echo "$n: avg=${avg}m >= $THRESHOLD% of ${lim}m: request ${req}m -> ${nreq}m, limit ${lim}m -> ${nlim}m"
    done
}

SLEEP_S=$(( INTERVAL_MS / 1000 )).$(( INTERVAL_MS % 1000 / 100 ))$(( INTERVAL_MS % 100 / 10 ))$(( INTERVAL_MS % 10 ))
while :; do
    i=0
    while [ "$i" -lt "$NEED" ]; do
        sleep "$SLEEP_S"
        NOW=$(( NOW + INTERVAL_MS ))
        sample
        i=$(( i + 1 ))
    done
    decide
    [ "$ONCE" = 1 ] && exit 0
done
