#!/bin/sh
# `make run`: mounts fogfs on MNT (default /fog) with the embedded store and
# this host as the only node, then prints a short tour. Stop it with
# `fusermount3 -u MNT`.
set -eu
FOGFS=$1
MNT=${2:-/fog}
if grep -q " $MNT fuse" /proc/mounts; then
    echo "fogfs: something is already mounted on $MNT (fusermount3 -u $MNT to stop it)"
    exit 1
fi
mkdir -p "$MNT"
# LXC's stock config attaches containers to lxcbr0; without that bridge fogfs
# starts them without a network and says so in cluster/events.
"$FOGFS" "$MNT"
i=0
while [ ! -f "$MNT/README" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$MNT/README" ] || { echo "fogfs did not come up"; exit 1; }
NODE=$(ls "$MNT" | grep -v -e README -e cluster | head -1)
cat <<TOUR

fogfs is mounted on $MNT (node $NODE). Try:

  ls $MNT/$NODE                              # state arch cpus capacity metrics containers
  cat $MNT/$NODE/metrics/cpu                 # busy percent, live
  cat $MNT/$NODE/metrics/all.json
  mkdir $MNT/$NODE/containers/web            # a busybox container
  echo start > $MNT/$NODE/containers/web/state
  echo 250m  > $MNT/$NODE/containers/web/cpu_limit
  cat $MNT/$NODE/containers/web/status.json
  echo lots  > $MNT/$NODE/containers/web/cpu_limit   # fails: Invalid argument
  tail $MNT/cluster/events                   # ... and says why
  rmdir $MNT/$NODE/containers/web

Stop: fusermount3 -u $MNT
TOUR
