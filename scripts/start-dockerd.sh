#!/usr/bin/env bash
# Starts dockerd in the background as root, without systemd (these machines have none), unless a
# daemon already answers. If the daemon cannot start with its bridge network (no iptables in some
# sandboxes), it is started with neither, and the line `MORPHLING_DOCKER_NETWORK=host` is printed: the
# docker runner then needs `spec.runner.settings.network: host`, and the docker tests read that
# variable. Exits non-zero when no daemon answers after all.
# Usage: eval "$(scripts/start-dockerd.sh)"   (log: /tmp/dockerd.log)
set -uo pipefail

ready() {
  for _ in $(seq 1 "$1"); do
    docker version >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}

if docker version >/dev/null 2>&1; then exit 0; fi
if ! command -v dockerd >/dev/null; then
  echo "echo 'no dockerd on this machine (apt-get install docker.io)' >&2"
  exit 1
fi
dockerd >/tmp/dockerd.log 2>&1 &
if ready 30; then exit 0; fi
kill "$!" 2>/dev/null
wait "$!" 2>/dev/null
echo "echo 'dockerd did not start with its bridge network (see /tmp/dockerd.log); trying --iptables=false --bridge=none' >&2"
dockerd --iptables=false --bridge=none >>/tmp/dockerd.log 2>&1 &
if ready 30; then
  echo 'export MORPHLING_DOCKER_NETWORK=host'
  exit 0
fi
echo "echo 'dockerd did not start (see /tmp/dockerd.log)' >&2"
exit 1
