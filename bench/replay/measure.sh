#!/bin/bash
# Starts N hls-replay clients at once (each in its own session, like hls-swarm's children),
# measures their CPU (utime+stime from /proc/PID/stat) over a window and their memory, then
# stops them all by pid and checks that none is left.
#
#   bench/replay/measure.sh [N=2000] [WINDOW_S=30] [devnull|pipe]
#
# devnull: every client writes to /dev/null (the replay's own cost).
# pipe:    all clients write into one shared pipe drained by a single `cat` (adds the pipe
#          writes and reader wake-ups a real parent causes; cat's own CPU is reported apart).
set -u
cd "$(dirname "$0")"
N=${1:-2000}
WINDOW=${2:-30}
MODE=${3:-devnull}
WARMUP=${WARMUP:-8}
SCRIPT=${HLS_REPLAY_SCRIPT:-$PWD/keepalive-5.1.script}
BIN=$PWD/../../build/hls-replay
[ -x "$BIN" ] || ./build.sh >/dev/null
TICK=$(getconf CLK_TCK)
PIDS=$(mktemp /tmp/hls-replay-pids.XXXXXX)
# hls-swarm's own argv for a client (src/process/ffmpeg_args.ts), stats on, trace level
ARGS=(-hide_banner -nostdin -nostats -loglevel repeat+level+trace -progress pipe:1 -stats_period 1
  -reconnect 1 -reconnect_streamed 1 -reconnect_on_network_error 1 -reconnect_delay_max 5
  -rw_timeout 15000000 -user_agent hls-swarm/0.1.0/client-0 -i http://127.0.0.1:1/unused.m3u8
  -map 0 -c copy -f null -)

export HLS_REPLAY_SCRIPT=$SCRIPT HLS_REPLAY_OFFSET_MS=${HLS_REPLAY_OFFSET_MS:-random}

start_all() {
  for ((i = 0; i < N; i++)); do
    setsid "$BIN" "${ARGS[@]}" </dev/null &
    echo $! >>"$PIDS"
  done
}

t0=$(date +%s.%N)
CAT_PID=
if [ "$MODE" = pipe ]; then
  FIFO=$(mktemp -u /tmp/hls-replay-fifo.XXXXXX)
  mkfifo "$FIFO"
  cat "$FIFO" >/dev/null &
  CAT_PID=$!
  exec 3>"$FIFO"
  start_all >&3 2>&3
  exec 3>&-
  rm -f "$FIFO"
else
  start_all >/dev/null 2>&1
fi
t1=$(date +%s.%N)
echo "started $(wc -l <"$PIDS") clients in $(echo "$t1 - $t0" | bc) s (mode $MODE, offset $HLS_REPLAY_OFFSET_MS)"

running() { # how many of the pids are live hls-replay processes (zombies do not count)
  local n=0 p st
  while read -r p; do
    st=$(cat /proc/"$p"/stat 2>/dev/null) || continue
    case "$st" in *"(hls-replay) "[!Z]*) n=$((n + 1)) ;; esac
  done <"$PIDS"
  echo $n
}

ticks() { # "utime+stime ticks, run time ns" summed over the pids, read in one awk pass (schedstat
  # is exact; the ticks are what ps/top use, truncated per process)
  # shellcheck disable=SC2046
  awk 'FILENAME ~ /schedstat$/ { ns += $1; next }
       { sub(/.*\) /, ""); split($0, f, " "); t += f[12] + f[13] }
       END { printf "%.0f %.0f\n", t, ns }' $(sed 's|.*|/proc/&/stat /proc/&/schedstat|' "$PIDS")
}
cat_ticks() {
  [ -n "$CAT_PID" ] || { echo 0; return; }
  local f; f=$(cat /proc/"$CAT_PID"/stat 2>/dev/null) || { echo 0; return; }
  f=${f##*) }; set -- $f; echo $((${12} + ${13}))
}

sleep "$WARMUP"
alive=$(running)
echo "alive after ${WARMUP} s: $alive"
read -r a ans < <(ticks); ca=$(cat_ticks); ta=$(date +%s.%N)
sleep "$WINDOW"
read -r b bns < <(ticks); cb=$(cat_ticks); tb=$(date +%s.%N)
el=$(echo "$tb - $ta" | bc)
cpu=$(echo "scale=3; ($b - $a) / $TICK" | bc)
cpu_ns=$(echo "scale=3; ($bns - $ans) / 1000000000" | bc)
echo "CPU of all clients over ${el} s:"
echo "  utime+stime: ${cpu} s = $(echo "scale=2; 100 * $cpu / $el" | bc)% of one core"
echo "  schedstat run time: ${cpu_ns} s = $(echo "scale=2; 100 * $cpu_ns / $el" | bc)% of one core" \
  "= $(echo "scale=1; 1000000 * $cpu_ns / $el / $N" | bc) µs CPU per client-second"
[ -n "$CAT_PID" ] && echo "reader cat: $(echo "scale=3; ($cb - $ca) / $TICK" | bc) s CPU over the window"

# memory: RSS counts the shared script and binary pages once per process; PSS splits them
rss=0 pss=0 priv=0
while read -r p; do
  r=$(awk '/^Rss:/{r=$2} /^Pss:/{s=$2} /^Private_Clean:|^Private_Dirty:/{v+=$2} END{print r, s, v}' /proc/"$p"/smaps_rollup 2>/dev/null) || continue
  set -- $r
  rss=$((rss + ${1:-0})); pss=$((pss + ${2:-0})); priv=$((priv + ${3:-0}))
done <"$PIDS"
echo "memory: RSS sum $((rss / 1024)) MiB ($((rss / N)) KiB each), PSS sum $((pss / 1024)) MiB ($((pss / N)) KiB each), private $((priv / 1024)) MiB"

# stop: SIGTERM by pid (hls-replay writes its tail and exits 255), SIGKILL what is left
xargs -a "$PIDS" kill -TERM 2>/dev/null
for _ in 1 2 3 4 5 6 7 8 9 10; do
  left=$(running)
  [ "$left" -eq 0 ] && break
  sleep 0.5
done
if [ "$left" -ne 0 ]; then
  echo "$left clients still running after SIGTERM; SIGKILL"
  while read -r p; do
    case "$(cat /proc/"$p"/stat 2>/dev/null)" in *"(hls-replay) "[!Z]*) kill -KILL "$p" ;; esac
  done <"$PIDS"
fi
wait 2>/dev/null
left=$(running)
echo "after stop: $left of $N clients remain"
rm -f "$PIDS"
