#!/usr/bin/env bash
# Make the Containerfile's base image locally, without a registry: a debootstrap root of Debian
# trixie (minbase, with ffmpeg, tini and ca-certificates) imported into podman under the name the
# Containerfile's FROM uses. A user elsewhere pulls the real debian:trixie-slim instead, and the
# Containerfile's RUN step installs the three packages there; on this base they are already in, so
# that step is a no-op and the build needs no network.
#
#   tools/image/base.sh [TAG]   TAG defaults to docker.io/library/debian:trixie-slim
#
# Idempotent: an image that exists is kept; a root with a stamp is imported again without a new
# debootstrap. The root lives outside every clone, in ${HLS_SWARM_IMAGE_DIR:-/var/cache/hls-swarm/image}/trixie.
# The Debian mirror is the machine's own (tools/ffmpeg-matrix/chroot.sh's rule; override:
# HLS_SWARM_DEBIAN_MIRROR). Must run as root.
set -euo pipefail

TAG=${1:-docker.io/library/debian:trixie-slim}
DIR=${HLS_SWARM_IMAGE_DIR:-/var/cache/hls-swarm/image}/trixie
ROOT=$DIR/root
STAMP=$DIR/stamp
log() { echo "base.sh: $*" >&2; }
die() {
  log "$*"
  exit 1
}

[[ $(id -u) == 0 ]] || die "must run as root (debootstrap and podman import)"
if podman image exists "$TAG"; then
  log "$TAG exists; kept"
  exit 0
fi

# The machine's Debian archive: the first deb822 URIs or one-line `deb` entry ending in /debian.
mirror() {
  if [[ -n ${HLS_SWARM_DEBIAN_MIRROR:-} ]]; then
    echo "$HLS_SWARM_DEBIAN_MIRROR"
    return
  fi
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*//Ip' |
    tr ' ' '\n' | grep -Ev 'security|backports' | grep -E '/debian/?$' | head -n1 || true)
  if [[ -z $uri ]]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' |
      grep -Ev 'security|backports' | grep -E '/debian/?$' | head -n1 || true)
  fi
  [[ -n $uri ]] || die "no Debian archive URI in the apt sources; set HLS_SWARM_DEBIAN_MIRROR"
  echo "${uri%/}"
}

if [[ ! -f $STAMP ]]; then
  # A half-built root is removed, but never while something is mounted in it (debootstrap mounts
  # proc and sys while it runs): rm -rf would walk into them.
  if [[ -e $ROOT ]]; then
    if awk '{ print $5 }' /proc/self/mountinfo | grep -q "^$ROOT/"; then
      die "$ROOT has mounts under it; unmount them first"
    fi
    log "removing half-built $ROOT"
    rm -rf --one-file-system "$ROOT"
  fi
  mkdir -p "$DIR"
  command -v debootstrap >/dev/null || die "debootstrap is missing (make image installs it)"
  m=$(mirror)
  log "debootstrap trixie from $m into $ROOT (a few minutes)"
  start=$(date +%s)
  debootstrap --variant=minbase --include=ffmpeg,tini,ca-certificates trixie "$ROOT" "$m" >&2 ||
    die "debootstrap failed; see $ROOT/debootstrap/debootstrap.log"
  # Downloaded packages and package lists are not part of an image (debian:trixie-slim has neither).
  chroot "$ROOT" /usr/bin/apt-get clean
  rm -rf "$ROOT"/var/lib/apt/lists/*
  {
    echo "mirror=$m"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "build_seconds=$(($(date +%s) - start))"
    echo "size_mb=$(du -sx --block-size=1M "$ROOT" | cut -f1)"
  } >"$STAMP.tmp"
  mv -f "$STAMP.tmp" "$STAMP"
fi

# An imported image has no PATH in its config (measuring.md); the Containerfile sets one too.
log "importing $ROOT as $TAG"
tar -C "$ROOT" --exclude=./proc --exclude=./sys --exclude=./dev --exclude=./tmp --numeric-owner -c . |
  podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$TAG" >/dev/null
podman image exists "$TAG" || die "podman import did not produce $TAG"
log "$TAG imported"
