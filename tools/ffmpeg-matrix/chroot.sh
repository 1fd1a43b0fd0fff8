#!/usr/bin/env bash
# Build, once and cached, a Debian chroot with a newer FFmpeg than the host's, and write wrappers
# that run it in place of the host's ffmpeg/ffprobe.
#
#   tools/ffmpeg-matrix/chroot.sh build   trixie|sid [DIR]   build (or reuse) the chroot, print a summary
#   tools/ffmpeg-matrix/chroot.sh wrapper trixie|sid [DIR]   print the ffmpeg wrapper's path (builds first if needed)
#   tools/ffmpeg-matrix/chroot.sh mount   trixie|sid [DIR]   (re)mount proc, /dev, /dev/pts and /tmp into the chroot
#   tools/ffmpeg-matrix/chroot.sh umount  trixie|sid [DIR]   unmount them again
#
# trixie is Debian 13 (FFmpeg 7.1.x), sid is unstable (FFmpeg 9.0.x at the time of writing).
# DIR defaults to ${HLS_SWARM_CHROOT_DIR:-/var/cache/hls-swarm/ffmpeg}/<suite>, outside every clone of
# the repository (see below: a clone with a mounted chroot inside must never be rm -rf'd), and holds:
#   DIR/root/         the chroot (debootstrap --variant=minbase --include=ffmpeg,ca-certificates)
#   DIR/.hls-swarm-chroot  the marker: written when chroot.sh takes DIR (new or empty); chroot.sh
#                     deletes, rebuilds and mounts into a DIR only if it is there
#   DIR/stamp         written last; a DIR/root without it is a half-built chroot and is rebuilt
#   DIR/bin/ffmpeg    #!/bin/sh wrapper: exec chroot DIR/root /usr/bin/ffmpeg "$@"
#   DIR/bin/ffprobe   the same for ffprobe
# The wrappers `exec`, so FFmpeg keeps the wrapper's PID: process groups, signals and
# `setpriv --pdeathsig` behave as with the host's ffmpeg. The host's /tmp is bind-mounted read-write
# at the chroot's /tmp, so files passed by an absolute path under /tmp (a CA file, say) resolve to
# the same file. Other host paths are NOT visible, and FFmpeg starts in the chroot's `/`, so relative
# paths do not work either. If the mounts are gone (after a reboot), the wrapper remounts them.
# To delete DIR, run `chroot.sh umount SUITE` first: while /tmp is bind-mounted, `rm -rf DIR` would
# also delete the host's /tmp (it is the same filesystem, so --one-file-system does not stop it).
#
# DIR is checked before anything else is done (no mkdir, no lock, no root check): `/`, anything
# that resolves to a system folder (/usr, /var, /home, …; symlinks and `..` resolved), and a
# non-empty folder without the marker are refused with exit 2. A chroot built before the marker
# existed (DIR holds only root/, bin/, stamp, chroot.sh and .lock, and stamp says suite=SUITE) is
# adopted: the marker is added. umount needs no marker, only a DIR that is not a system folder.
#
# The Debian mirror is read from the machine's apt sources (override: HLS_SWARM_DEBIAN_MIRROR).
# Must run as root (debootstrap, mount and chroot need it). Needs about 0.5-0.6 GB per suite.
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")

usage() {
  sed -n '5,8s/^#   /usage: /p' "$SELF" >&2
  exit 2
}

die() {
  echo "chroot.sh: $*" >&2
  exit 1
}

# Bad input: exit 2, as hls-swarm does.
refuse() {
  echo "chroot.sh: refusing $DIR: $*" >&2
  exit 2
}

log() { echo "chroot.sh: $*" >&2; }

[[ $# -ge 2 && $# -le 3 ]] || usage
CMD=$1
SUITE=$2
case "$SUITE" in trixie | sid) ;; *) usage ;; esac
case "$CMD" in build | wrapper | mount | umount) ;; *) usage ;; esac

# An empty DIR argument (an unset variable, say) is an error, not a request for the default.
if [[ $# -eq 3 && -z $3 ]]; then
  echo 'chroot.sh: refusing "": DIR is empty; leave it out for the default' >&2
  exit 2
fi
DIR=${3:-${HLS_SWARM_CHROOT_DIR:-/var/cache/hls-swarm/ffmpeg}/$SUITE}
MARKER_NAME=.hls-swarm-chroot

# Folders that are never a chroot's DIR, however they are spelled (checked after resolving).
SYSTEM_DIRS=(/ /bin /boot /dev /etc /home /lib /lib32 /lib64 /libx32 /media /mnt /opt /proc /root
  /run /sbin /srv /sys /tmp /usr /usr/bin /usr/include /usr/lib /usr/lib64 /usr/libexec /usr/local
  /usr/sbin /usr/share /usr/src /var /var/backups /var/cache /var/lib /var/local /var/log /var/mail
  /var/opt /var/spool /var/tmp /nix /nix/store /snap)

# The entries a chroot.sh DIR may hold; a marker-less DIR with only these and a matching stamp is
# one an older chroot.sh built.
OWN_ENTRIES=" root bin stamp chroot.sh .lock $MARKER_NAME "

# Sets DIR to its resolved absolute path and checks that chroot.sh may use it, before anything
# touches the file system. `need_marker`: the command deletes, builds or mounts there.
check_dir() {
  local need_marker=$1 resolved sys entry foreign=
  [[ -n $DIR ]] || { DIR='""'; refuse "an empty path (HLS_SWARM_CHROOT_DIR?)"; }
  resolved=$(realpath -m -- "$DIR") || refuse "cannot resolve it"
  DIR=$resolved
  for sys in "${SYSTEM_DIRS[@]}"; do
    [[ $DIR != "$sys" ]] || refuse "it is a system folder; give a folder of its own, e.g. /var/cache/hls-swarm/ffmpeg/$SUITE"
  done
  [[ -z ${HOME:-} || $DIR != "$(realpath -m -- "$HOME")" ]] || refuse "it is \$HOME"
  if [[ -e $DIR && ! -d $DIR ]]; then refuse "not a folder"; fi
  [[ ! -L $DIR/root && ! -L $DIR/bin ]] || refuse "DIR/root or DIR/bin is a symlink"
  [[ -d $DIR && ! -e $DIR/$MARKER_NAME ]] || return 0
  [[ $need_marker == yes ]] || return 0
  # An existing folder without the marker: empty is fine (taken by take_dir), and so is a whole
  # chroot an older chroot.sh built (its entries only, and its stamp); anything else is not ours.
  shopt -s nullglob dotglob
  local entries=("$DIR"/*)
  shopt -u nullglob dotglob
  [[ ${#entries[@]} -gt 0 ]] || return 0
  for entry in "${entries[@]}"; do
    [[ $OWN_ENTRIES == *" ${entry##*/} "* ]] || foreign+=" ${entry##*/}"
  done
  if [[ -n $foreign || ! -f $DIR/stamp ]] || ! grep -qx "suite=$SUITE" "$DIR/stamp"; then
    refuse "it is not empty and has no $MARKER_NAME marker, so chroot.sh did not make it" \
      "(it holds:$(printf ' %s' "${entries[@]##*/}" | cut -c1-200)); give a new or empty folder"
  fi
}

case "$CMD" in umount) check_dir no ;; *) check_dir yes ;; esac
ROOT=$DIR/root
STAMP=$DIR/stamp
BIN=$DIR/bin

# Root, DIR (created and marked if new or empty: check_dir allowed nothing else), and DIR's lock,
# which serialises everything that touches DIR: two builds at once, or many wrappers remounting
# after a reboot.
take_dir() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, mount and chroot need it)"
  if [[ $CMD != umount ]]; then
    [[ -d $DIR ]] || mkdir -p -- "$DIR"
    [[ -e $DIR/$MARKER_NAME ]] ||
      echo "made by tools/ffmpeg-matrix/chroot.sh for Debian $SUITE" >"$DIR/$MARKER_NAME"
  fi
  exec 9>"$DIR/.lock"
  flock 9
}

# The Debian archive URI from the machine's apt sources: deb822 *.sources first, then one-line *.list.
# Security and backports archives are skipped.
debian_mirror() {
  if [[ -n ${HLS_SWARM_DEBIAN_MIRROR:-} ]]; then
    echo "$HLS_SWARM_DEBIAN_MIRROR"
    return
  fi
  local f uri
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    for uri in $(sed -n 's/^URIs:[[:space:]]*//Ip' "$f"); do
      case "$uri" in *security* | *backports* | *ports.*) continue ;; esac
      case "$uri" in */debian | */debian/) echo "${uri%/}"; return ;; esac
    done
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' "$f" |
      grep -Ev 'security|backports' | grep -E '/debian/?$' | head -n1 || true)
    if [[ -n $uri ]]; then
      echo "${uri%/}"
      return
    fi
  done
  shopt -u nullglob
  die "no Debian archive URI in /etc/apt/sources.list{,.d/*.sources,.d/*.list}; set HLS_SWARM_DEBIAN_MIRROR"
}

# Every mount point at or under $ROOT, deepest first (from /proc/self/mountinfo; `\040` etc. decoded).
mounts_under_root() {
  awk '{ print $5 }' /proc/self/mountinfo | while IFS= read -r m; do
    m=$(printf '%b' "$m")
    case "$m" in "$ROOT" | "$ROOT"/*) echo "$m" ;; esac
  done | sort -r
}

do_umount() {
  local m
  while IFS= read -r m; do
    [[ -n $m ]] || continue
    umount "$m" 2>/dev/null || umount -l "$m" || die "cannot unmount $m"
  done < <(mounts_under_root)
  [[ -z $(mounts_under_root) ]] || die "mounts remain under $ROOT: $(mounts_under_root | tr '\n' ' ')"
}

# Idempotent: each mount is made only if its target is not a mount point yet.
do_mount() {
  [[ -x $ROOT/usr/bin/ffmpeg ]] || die "$ROOT has no /usr/bin/ffmpeg; run: $SELF build $SUITE"
  mkdir -p "$ROOT/proc" "$ROOT/dev" "$ROOT/tmp"
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
  if [[ -d /dev/pts ]] && mountpoint -q /dev/pts; then
    mkdir -p "$ROOT/dev/pts" 2>/dev/null || true
    mountpoint -q "$ROOT/dev/pts" || mount --bind /dev/pts "$ROOT/dev/pts"
  fi
  # The host's /tmp, read-write, so absolute /tmp paths mean the same file inside and outside.
  mountpoint -q "$ROOT/tmp" || mount --bind /tmp "$ROOT/tmp"
  # Name resolution as on the host (localhost, DNS). Copied, not bind-mounted: cheap and unmount-free.
  local f
  for f in /etc/hosts /etc/resolv.conf; do
    if [[ -f $f ]] && ! cmp -s "$f" "$ROOT$f" 2>/dev/null; then
      rm -f "$ROOT$f"
      cp "$f" "$ROOT$f"
    fi
  done
}

# Single-quote a string for /bin/sh.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

write_wrappers() {
  local chroot_bin tool tmp
  chroot_bin=$(command -v chroot) || die "no chroot(8) on PATH"
  mkdir -p "$BIN"
  # The wrappers remount with a copy of this script kept beside the chroot: the clone that built
  # it may be gone (CI deletes its clone, and unmounts on exit) when the next one runs them.
  install -m 755 "$SELF" "$DIR/chroot.sh.$$"
  mv -f "$DIR/chroot.sh.$$" "$DIR/chroot.sh"
  for tool in ffmpeg ffprobe; do
    tmp=$BIN/.$tool.$$
    cat >"$tmp" <<EOF
#!/bin/sh
# Written by tools/ffmpeg-matrix/chroot.sh: Debian $SUITE's $tool in a chroot. exec keeps this PID.
[ -e $(sq "$ROOT/proc/self") ] || $(sq "$DIR/chroot.sh") mount $(sq "$SUITE") $(sq "$DIR") >&2 || exit 1
exec $(sq "$chroot_bin") $(sq "$ROOT") /usr/bin/$tool "\$@"
EOF
    chmod 755 "$tmp"
    mv -f "$tmp" "$BIN/$tool"
  done
}

do_build() {
  if [[ -f $STAMP && -x $ROOT/usr/bin/ffmpeg ]]; then
    do_mount
    write_wrappers
    return 0
  fi

  if [[ -e $ROOT ]]; then
    log "removing half-built chroot $ROOT (no stamp)"
    do_umount
    rm -rf --one-file-system "$ROOT"
  fi
  rm -f "$STAMP"

  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap >&2 ||
      die "apt-get install debootstrap failed"
  fi

  local mirror start secs size version
  mirror=$(debian_mirror)
  log "debootstrap $SUITE from $mirror into $ROOT (a few minutes)"
  start=$(date +%s)
  if ! debootstrap --variant=minbase --include=ffmpeg,ca-certificates "$SUITE" "$ROOT" "$mirror" >&2; then
    echo "chroot.sh: debootstrap $SUITE failed; the half-built chroot stays in $ROOT for inspection" \
      "and is removed by the next build" >&2
    if [[ -f $ROOT/debootstrap/debootstrap.log ]]; then
      echo "chroot.sh: last lines of $ROOT/debootstrap/debootstrap.log:" >&2
      tail -n 20 "$ROOT/debootstrap/debootstrap.log" >&2
    fi
    do_umount || true
    exit 1
  fi
  # The downloaded .debs are not needed any more.
  chroot "$ROOT" /usr/bin/apt-get clean >&2 || true
  # Measured before the mounts: the bind-mounted /tmp is on the same filesystem, so du -x would count it.
  size=$(du -sx --block-size=1M "$ROOT" | cut -f1)

  do_mount
  if ! version=$(chroot "$ROOT" /usr/bin/ffmpeg -hide_banner -version 2>&1 | head -n1) ||
    [[ $version != "ffmpeg version "* ]]; then
    die "the chroot was built, but its ffmpeg does not run: $version"
  fi
  secs=$(($(date +%s) - start))
  write_wrappers
  {
    echo "suite=$SUITE"
    echo "mirror=$mirror"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "build_seconds=$secs"
    echo "size_mb=$size"
    echo "ffmpeg=$version"
  } >"$STAMP.tmp"
  mv -f "$STAMP.tmp" "$STAMP"
  log "built $SUITE in ${secs}s, ${size} MB: $version"
}

case "$CMD" in
  umount)
    # Nothing mounted (or no DIR): nothing to do, and no need for root.
    [[ -d $DIR && -n $(mounts_under_root) ]] || exit 0
    take_dir
    do_umount
    exit 0
    ;;
  mount)
    [[ -d $ROOT ]] || die "no chroot at $DIR; run: $SELF build $SUITE"
    ;;
esac
take_dir

case "$CMD" in
  build)
    do_build
    cat "$STAMP"
    echo "wrapper=$BIN/ffmpeg"
    ;;
  wrapper)
    do_build
    echo "$BIN/ffmpeg"
    ;;
  mount)
    do_mount
    ;;
esac
