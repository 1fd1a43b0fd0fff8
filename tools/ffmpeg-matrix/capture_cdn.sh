#!/usr/bin/env bash
# Re-make the CDN captures of testdata/ffmpeg-{5.1,7.1}/ (stderr_trace_cdn_edge.txt and the edge's
# access log access_cdn_edge.txt, the truth the parser tests compare with).
#
#   tools/ffmpeg-matrix/capture_cdn.sh OUTDIR
#
# The "edge" is nginx as a caching reverse proxy (proxy_cache, `add_header X-Cache
# $upstream_cache_status always`, `add_header X-Served-By edge-a always`) in front of the built-in
# origin. Playlists are cached 1 s and segments 10 min, whatever the origin's Cache-Control says,
# so a viewer gets hits, misses and expired playlists. Per FFmpeg version: a warming client (not
# captured) starts first, the captured client 3 s later on the same edge, so the captured one
# gets segment hits (the warmer fetched them) and misses (segments it fetched first).
# Needs: root (for the trixie chroot of chroot.sh), nginx, /usr/bin/ffmpeg (5.1).
set -euo pipefail
SELF=$(readlink -f "${BASH_SOURCE[0]}")
HERE=$(dirname "$SELF")
REPO=$(cd "$HERE/../.." && pwd)
DENO=${DENO:-$REPO/tools/deno/node_modules/@deno/linux-x64-glibc/deno}
[[ $# -eq 1 ]] || { sed -n '5p' "$SELF" >&2; exit 2; }
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
DURATION=${DURATION:-20}
ORIGIN_PORT=${ORIGIN_PORT:-17480}
declare -A BIN=([5]=/usr/bin/ffmpeg [7]=$("$HERE/chroot.sh" wrapper trixie)) \
  EXTRA=([5]="" [7]="-seg_max_retry 3") VNAME=([5]=5.1 [7]=7.1) PORT=([5]=18485 [7]=18487)

WORK=$(mktemp -d /tmp/ffmpeg-cdn.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/logs" "$WORK/tmp" "$WORK/cache5" "$WORK/cache7"
ORIGIN_PID= NGINX_PID=
cleanup() {
  [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  [[ -n $ORIGIN_PID ]] && kill -INT "$ORIGIN_PID" 2>/dev/null && wait "$ORIGIN_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

(cd "$REPO" && export DENO_DIR=$REPO/.deno && exec "$DENO" run -A src/main.ts origin --port "$ORIGIN_PORT") \
  >"$WORK/origin.url" 2>"$WORK/origin.err" &
ORIGIN_PID=$!
for _ in $(seq 60); do [[ -s $WORK/origin.url ]] && break; sleep 0.5; done
URL=$(head -1 "$WORK/origin.url")
PLAYLIST=${URL#http://127.0.0.1:$ORIGIN_PORT}

{
  cat <<EOF
daemon off;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.txt warn;
events { worker_connections 1024; }
http {
    log_format cdn '\$request \$status \$body_bytes_sent "\$http_user_agent" \$upstream_cache_status';
    client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
    uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
    proxy_cache_path $WORK/cache5 keys_zone=edge5:1m;
    proxy_cache_path $WORK/cache7 keys_zone=edge7:1m;
EOF
  for v in 5 7; do
    cat <<EOF
    server {
        listen 127.0.0.1:${PORT[$v]};
        access_log $WORK/logs/access_$v.txt cdn;
        location / {
            proxy_pass http://127.0.0.1:$ORIGIN_PORT;
            proxy_http_version 1.1;
            proxy_cache edge$v;
            proxy_cache_lock on;
            proxy_ignore_headers Cache-Control Expires;
            proxy_cache_valid 200 206 10m;
            location ~ \\.m3u8\$ {
                proxy_pass http://127.0.0.1:$ORIGIN_PORT;
                proxy_cache edge$v;
                proxy_ignore_headers Cache-Control Expires;
                proxy_cache_valid 200 1s;
                add_header X-Cache \$upstream_cache_status always;
                add_header X-Served-By edge-a always;
            }
            add_header X-Cache \$upstream_cache_status always;
            add_header X-Served-By edge-a always;
        }
    }
EOF
  done
  echo "}"
} >"$WORK/nginx.conf"
nginx -p "$WORK" -c "$WORK/nginx.conf" >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
sleep 1
kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORK/nginx.out" >&2; exit 1; }

client() { # client V AGENT STDERR
  # shellcheck disable=SC2086 # EXTRA is a word list on purpose
  timeout --preserve-status -s INT "$DURATION" "${BIN[$1]}" -hide_banner -nostdin -loglevel repeat+level+trace \
    -progress pipe:1 -stats_period 1 -reconnect 1 -reconnect_streamed 1 -reconnect_on_network_error 1 \
    -reconnect_delay_max 5 -rw_timeout 15000000 ${EXTRA[$1]} -user_agent "$2" \
    -i "http://127.0.0.1:${PORT[$1]}$PLAYLIST" -map 0 -c copy -f null - >/dev/null 2>"$3" || true
}
PIDS=()
for v in 5 7; do
  mkdir -p "$OUT/ffmpeg-${VNAME[$v]}"
  client "$v" hls-swarm/0.1.0/client-1 /dev/null &
  PIDS+=($!)
  (sleep 3; client "$v" hls-swarm/0.1.0/client-0 "$OUT/ffmpeg-${VNAME[$v]}/stderr_trace_cdn_edge.txt") &
  PIDS+=($!)
done
wait "${PIDS[@]}" || true
sleep 1
for v in 5 7; do
  grep '"hls-swarm/0.1.0/client-0"' "$WORK/logs/access_$v.txt" >"$OUT/ffmpeg-${VNAME[$v]}/access_cdn_edge.txt" || true
done
echo "capture_cdn.sh: done"
