#!/usr/bin/env bash
# Re-make the FFmpeg HLS-client captures of testdata/ffmpeg-{5.1,7.1,9.0}/ (see their README.md).
#
#   tools/ffmpeg-matrix/capture.sh OUTDIR [SCENARIO...]
#
# SCENARIO: nginx_keepalive 404_segments window_slide expired_skip keepalive_closed connection_refused
# chunked_playlist cmaf (default: all). keepalive_closed: nginx closes idle connections after 1 s
# (keepalive_timeout), so FFmpeg reuses connections the origin has closed. chunked_playlist: the
# playlist is proxied from the origin through nginx's sub_filter (a rewrite that changes no byte),
# which sends it chunked, without Content-Length, as playlist-rewriting CDNs do; its access log
# adds $upstream_response_length, the playlist's size without the chunk framing. cmaf: a second
# origin makes fMP4/CMAF (--segment-type fmp4: EXT-X-MAP init.mp4, .m4s segments), served paced
# (limit_rate CMAF_RATE on .m4s) so that downloads take measurable time.
# For each scenario the three FFmpeg versions run at the same time, one client each, against their
# own nginx server (own port, own access logs), so at most 3 FFmpeg clients run at once.
# Writes OUTDIR/ffmpeg-<v>/{stderr,progress,access,access_ext}_trace_<scenario>.txt and
# events_<scenario>.txt (wall-clock times of start, SIGSTOP/SIGCONT, exit and exit code).
#
# Needs: root (for the chroots), nginx, the chroots of tools/ffmpeg-matrix/chroot.sh (built if
# missing), /usr/bin/ffmpeg (Debian 12: 5.1). The origin is the repo's built-in generator
# (`deno run -A src/main.ts origin`); set HLS_SWARM_SRC to another checkout's root to use its src/.
# Environment: DURATION (default 25 s), EXPIRED_DURATION (40), STOP_AT (8), STOP_FOR (20),
# PLAYLIST_RATE (nginx limit_rate on .m3u8 for window_slide; 200 B/s makes each reload take 2 s),
# CMAF_RATE (nginx limit_rate on .m4s for cmaf; 400k makes a 220 KB segment take about 0.5 s).
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
REPO=$(cd "$HERE/../.." && pwd)
SRC=${HLS_SWARM_SRC:-$REPO}
DENO=${DENO:-$REPO/tools/deno/node_modules/@deno/linux-x64-glibc/deno}

[[ $# -ge 1 ]] || { sed -n '4,6p' "$SELF" >&2; exit 2; }
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
shift
SCENARIOS=("$@")
[[ ${#SCENARIOS[@]} -gt 0 ]] || SCENARIOS=(nginx_keepalive 404_segments window_slide expired_skip keepalive_closed connection_refused chunked_playlist cmaf)

DURATION=${DURATION:-25}
EXPIRED_DURATION=${EXPIRED_DURATION:-40}
STOP_AT=${STOP_AT:-8}
STOP_FOR=${STOP_FOR:-20}
PLAYLIST_RATE=${PLAYLIST_RATE:-200}
CMAF_RATE=${CMAF_RATE:-400k}
ORIGIN_PORT=${ORIGIN_PORT:-17380}
CMAF_ORIGIN_PORT=${CMAF_ORIGIN_PORT:-17381}
BASE_PORT=${BASE_PORT:-18300} # server port = BASE_PORT + 10*version-digit + scenario index
REFUSED_PORT=${REFUSED_PORT:-18389}

declare -A BIN LL EXTRA
BIN[5]=/usr/bin/ffmpeg
BIN[7]=$("$HERE/chroot.sh" wrapper trixie)
BIN[9]=$("$HERE/chroot.sh" wrapper sid)
LL[5]=repeat+level+trace
LL[7]=repeat+level+trace
LL[9]=repeat+level+datetime+trace
EXTRA[5]=""
EXTRA[7]="-seg_max_retry 3"
EXTRA[9]="-seg_max_retry 3"
declare -A VNAME=([5]=5.1 [7]=7.1 [9]=9.0)

WORK=$(mktemp -d /tmp/ffmpeg-matrix.XXXXXX)
chmod 755 "$WORK" # nginx's workers run as nobody
STREAM=$WORK/stream
CMAF_STREAM=$WORK/cmaf
NGX=$WORK/nginx
mkdir -p "$STREAM" "$CMAF_STREAM" "$NGX/logs" "$NGX/tmp"
ORIGIN_PID= CMAF_ORIGIN_PID= NGINX_PID=

cleanup() {
  [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  [[ -n $ORIGIN_PID ]] && kill -INT "$ORIGIN_PID" 2>/dev/null && wait "$ORIGIN_PID" 2>/dev/null
  [[ -n $CMAF_ORIGIN_PID ]] && kill -INT "$CMAF_ORIGIN_PID" 2>/dev/null && wait "$CMAF_ORIGIN_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- origin(s) ------------------------------------------------------------------------------------
# wait_full DIR EXT ERRFILE: until DIR/stream.m3u8 lists 6 segments
wait_full() {
  for _ in $(seq 60); do
    [[ -f $1/stream.m3u8 ]] && [[ $(grep -c "\\.$2\$" "$1/stream.m3u8") -ge 6 ]] && return 0
    sleep 1
  done
  cat "$3" >&2
  echo "capture.sh: origin did not fill its playlist ($1)" >&2
  exit 1
}
(cd "$SRC" && exec "$DENO" run -A src/main.ts origin --port "$ORIGIN_PORT" --dir "$STREAM") \
  >"$WORK/origin.out" 2>"$WORK/origin.err" &
ORIGIN_PID=$!
if [[ " ${SCENARIOS[*]} " == *" cmaf "* ]]; then
  (cd "$SRC" && exec "$DENO" run -A src/main.ts origin --port "$CMAF_ORIGIN_PORT" --segment-type fmp4 \
    --dir "$CMAF_STREAM") >"$WORK/cmaf_origin.out" 2>"$WORK/cmaf_origin.err" &
  CMAF_ORIGIN_PID=$!
  wait_full "$CMAF_STREAM" m4s "$WORK/cmaf_origin.err"
fi
wait_full "$STREAM" ts "$WORK/origin.err"

# --- nginx ----------------------------------------------------------------------------------------
scenario_index() {
  case $1 in
    nginx_keepalive) echo 0 ;; 404_segments) echo 1 ;; window_slide) echo 2 ;; expired_skip) echo 3 ;;
    keepalive_closed) echo 4 ;; chunked_playlist) echo 5 ;; cmaf) echo 6 ;;
    *) echo "capture.sh: unknown scenario $1" >&2; exit 2 ;;
  esac
}
{
  cat <<EOF
daemon off;
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.txt info;
events { worker_connections 1024; }
http {
    types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; video/mp4 mp4; video/iso.segment m4s; }
    sendfile on;
    keepalive_timeout 65;
    log_format swarm '\$request \$status \$body_bytes_sent "\$http_user_agent" \$request_time';
    log_format swarm_ext '\$msec c=\$connection r=\$connection_requests \$request \$status \$body_bytes_sent "\$http_user_agent" \$request_time';
    log_format swarm_up '\$request \$status \$body_bytes_sent "\$http_user_agent" \$request_time \$upstream_response_length';
    client_body_temp_path $NGX/tmp; proxy_temp_path $NGX/tmp; fastcgi_temp_path $NGX/tmp;
    uwsgi_temp_path $NGX/tmp; scgi_temp_path $NGX/tmp;
EOF
  for v in 5 7 9; do
    for s in nginx_keepalive 404_segments window_slide expired_skip keepalive_closed chunked_playlist cmaf; do
      i=$(scenario_index "$s")
      echo "    server {"
      echo "        listen 127.0.0.1:$((BASE_PORT + 10 * v + i));"
      if [[ $s == cmaf ]]; then echo "        root $CMAF_STREAM;"; else echo "        root $STREAM;"; fi
      if [[ $s == chunked_playlist ]]; then format=swarm_up; else format=swarm; fi
      echo "        access_log $NGX/logs/access_${v}_$s.txt $format;"
      echo "        access_log $NGX/logs/access_ext_${v}_$s.txt swarm_ext;"
      case $s in
        404_segments) echo '        location ~ "seg\d{4}[37]\.ts$" { return 404; }' ;;
        window_slide) echo "        location ~ \"\\.m3u8\$\" { limit_rate $PLAYLIST_RATE; }" ;;
        keepalive_closed) echo '        keepalive_timeout 1s;' ;;
        chunked_playlist)
          echo "        location ~ \"\\.m3u8\$\" { proxy_pass http://127.0.0.1:$ORIGIN_PORT; proxy_http_version 1.1;"
          echo "            sub_filter '#EXTM3U' '#EXTM3U'; sub_filter_types application/vnd.apple.mpegurl; }" ;;
        # limit_rate paces between writes: one sendfile of a whole segment into loopback's
        # socket buffer would not be paced at all, hence 16 KB writes.
        cmaf) echo "        location ~ \"\\.m4s\$\" { sendfile_max_chunk 16k; limit_rate $CMAF_RATE; }" ;;
      esac
      echo "    }"
    done
  done
  echo "}"
} >"$NGX/nginx.conf"
nginx -p "$NGX" -c "$NGX/nginx.conf" >"$NGX/nginx.out" 2>&1 &
NGINX_PID=$!
sleep 1
kill -0 "$NGINX_PID" 2>/dev/null || { cat "$NGX/nginx.out" >&2; exit 1; }

# --- one client -----------------------------------------------------------------------------------
# run_client V SCENARIO PORT SECONDS [STOP_AT STOP_FOR]
run_client() {
  local v=$1 s=$2 port=$3 secs=$4 stop_at=${5:-} stop_for=${6:-}
  local dir=$OUT/ffmpeg-${VNAME[$v]} ev t p rc
  mkdir -p "$dir"
  ev=$dir/events_$s.txt
  [[ $s == connection_refused ]] || { : >"$NGX/logs/access_${v}_$s.txt"; : >"$NGX/logs/access_ext_${v}_$s.txt"; }
  echo "client start $(date +%s.%N)" >"$ev"
  # shellcheck disable=SC2086 # EXTRA is a word list on purpose
  timeout --preserve-status -s INT "$secs" "${BIN[$v]}" -hide_banner -nostdin -loglevel "${LL[$v]}" \
    -progress pipe:1 -stats_period 1 -reconnect 1 -reconnect_streamed 1 -reconnect_on_network_error 1 \
    -reconnect_delay_max 5 -rw_timeout 15000000 ${EXTRA[$v]} -user_agent hls-swarm/0.1.0/client-0 \
    -i "http://127.0.0.1:$port/stream.m3u8" -map 0 -c copy -f null - \
    >"$dir/progress_trace_$s.txt" 2>"$dir/stderr_trace_$s.txt" &
  t=$!
  if [[ -n $stop_at ]]; then
    sleep "$stop_at"
    p=$(pgrep -P "$t")
    kill -STOP "$p"
    echo "client SIGSTOP $(date +%s.%N)" >>"$ev"
    sleep "$stop_for"
    kill -CONT "$p"
    echo "client SIGCONT $(date +%s.%N)" >>"$ev"
  fi
  rc=0
  wait "$t" || rc=$?
  echo "client exited rc=$rc $(date +%s.%N)" >>"$ev"
  if [[ $s != connection_refused ]]; then
    sleep 1
    cp "$NGX/logs/access_${v}_$s.txt" "$dir/access_trace_$s.txt"
    cp "$NGX/logs/access_ext_${v}_$s.txt" "$dir/access_ext_trace_$s.txt"
  fi
  echo "capture.sh: ffmpeg ${VNAME[$v]} $s exit $rc" >&2
}

for s in "${SCENARIOS[@]}"; do
  pids=()
  for v in 5 7 9; do
    case $s in
      connection_refused) run_client "$v" "$s" "$REFUSED_PORT" "$DURATION" & ;;
      expired_skip) run_client "$v" "$s" $((BASE_PORT + 10 * v + 3)) "$EXPIRED_DURATION" "$STOP_AT" "$STOP_FOR" & ;;
      *) run_client "$v" "$s" $((BASE_PORT + 10 * v + $(scenario_index "$s"))) "$DURATION" & ;;
    esac
    pids+=($!)
  done
  wait "${pids[@]}"
done
echo "capture.sh: done; python3 $HERE/analyze.py $OUT/ffmpeg-* for the counts" >&2
