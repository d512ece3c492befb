#!/bin/sh
# `make bench`: runs every scripts/bench-*.sh; each prints its own figures
# and ratios against a reference measured in the same run.
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
export B
. tests/lib.sh
fog_mount >/dev/null || { echo "bench: fogfs did not mount" >&2; exit 1; }
status=0
echo "== bench-read.sh"
scripts/bench-read.sh "$FOG_MNT" || status=1
fog_umount
for s in scripts/bench-*.sh; do
    [ "$s" = scripts/bench-read.sh ] && continue
    echo "== $(basename "$s")"
    sh "$s" || status=1
done
exit $status
