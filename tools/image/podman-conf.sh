#!/usr/bin/env bash
# Tell podman the three things it needs on machines without CAP_SYS_RESOURCE and with a cgroup
# layout crun refuses (../shared/spec/measuring.md, "Containers and pods"): podman's default of
# raising nofile/nproc to a million fails with "setrlimit: operation not permitted", and crun
# refuses "hybrid mode". Writes /etc/containers/containers.conf only when it is missing, so a
# machine's own configuration is never overwritten (it is reported instead when it lacks a key).
set -euo pipefail
CONF=${HLS_SWARM_CONTAINERS_CONF:-/etc/containers/containers.conf}
if [[ -e $CONF ]]; then
  for key in default_ulimits cgroup_manager runtime; do
    grep -Eq "^[[:space:]]*$key[[:space:]]*=" "$CONF" ||
      echo "podman-conf.sh: warning: $CONF exists without $key; podman may fail here (see measuring.md)" >&2
  done
  exit 0
fi
mkdir -p "$(dirname "$CONF")"
cat >"$CONF.tmp" <<'CONFEOF'
# Written by hls-swarm's `make image` (tools/image/podman-conf.sh).
[containers]
default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
CONFEOF
mv -f "$CONF.tmp" "$CONF"
echo "podman-conf.sh: wrote $CONF" >&2
