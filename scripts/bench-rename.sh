#!/bin/sh
# bench-rename.sh: `mv` of a stopped container through fogfs (its directory
# renamed in place) against liblxc's own rename (`lxc-copy -R`: a clone and
# a destroy) of the same container, whose rootfs carries SIZE_MB of data as
# a real one would. Same run, one round each: the copy grows with the data.
# Env: B (build dir), SIZE_MB (default 256).
set -u
B=${B:-build}
SIZE_MB=${SIZE_MB:-256}
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
fog_mount >/dev/null || { echo "bench-rename: fogfs did not mount" >&2; exit 1; }
C=$FOG_MNT/$FOG_NODE/containers
mkdir "$C/rn1" || { echo "bench-rename: no container" >&2; exit 1; }
head -c $((SIZE_MB * 1048576)) /dev/zero > "$FOG_LXCPATH/rn1/rootfs/payload" && sync
ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(ms); mv "$C/rn1" "$C/rn2" || exit 1; t1=$(ms)
fog_umount   # liblxc alone on the lxcpath for its turn
t2=$(ms); lxc-copy -P "$FOG_LXCPATH" -n rn2 -N rn3 -R >/dev/null 2>&1 || exit 1; t3=$(ms)
f=$((t1 - t0)) r=$((t3 - t2))
printf '%-48s %8s\n' "rename, stopped, ${SIZE_MB} MB rootfs" "ms"
printf '%-48s %8d\n' "fogfs: mv (directory renamed in place)" "$f"
printf '%-48s %8d\n' "lxc-copy -R (liblxc rename: clone + destroy)" "$r"
awk -v f="$f" -v r="$r" 'BEGIN{printf "ratio fogfs/lxc-copy -R: %.3f\n", (f ? f : 1) / (r ? r : 1)}'
lxc-destroy -P "$FOG_LXCPATH" -n rn3 >/dev/null 2>&1
