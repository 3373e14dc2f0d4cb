#!/bin/sh
# Runs a command in a fresh network namespace that has only the loopback interface, so that
# tests and benchmarks (relay, nodes, Chromium's WebRTC) can reach nothing but 127.0.0.1.
# As root: unshare --net. Otherwise: a user namespace mapped to root, where the kernel allows it.
# Already inside one (LOOPBACK_NETNS=1): runs the command as it is.
set -eu
if [ "${LOOPBACK_NETNS:-0}" = 1 ]; then
  exec "$@"
fi
for tool in unshare ip; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "loopback-netns: '$tool' is missing (install util-linux and iproute2)" >&2
    exit 1
  fi
done
if [ "$(id -u)" = 0 ]; then
  ns="unshare --net"
else
  ns="unshare --user --map-root-user --net"
fi
export LOOPBACK_NETNS=1
exec $ns -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
