#!/usr/bin/env bash
# hls-swarm's test origin behind nginx: the FFmpeg generator of `hls-swarm origin` writes its live
# HLS stream into a fresh directory, nginx serves it, node_exporter reports on the host and
# nginx-prometheus-exporter on nginx. Ports and the generator's argv come from deploy.json
# ($HLS_SWARM_DEPLOY, set by the Nix package). Runs until SIGTERM or SIGINT, or until one of its
# processes exits, and then stops the others and removes the directory.
set -euo pipefail

deploy=${HLS_SWARM_DEPLOY:?"set HLS_SWARM_DEPLOY to the path of nix/deploy.json"}
port=$(jq -er .origin.ports.http "$deploy")
node_port=$(jq -er .origin.ports.nodeExporter "$deploy")
nginx_exporter_port=$(jq -er .origin.ports.nginxExporter "$deploy")
stream_path=$(jq -er .origin.streamPath "$deploy")
mapfile -t generator_args < <(jq -er '.origin.generatorArgs[]' "$deploy")

work=$(mktemp -d "${TMPDIR:-/tmp}/hls-swarm-test-origin.XXXXXX")
mkdir -p "$work/hls" "$work/nginx"
# mktemp makes the directory private; nginx's workers may run as another user (below).
chmod 755 "$work" "$work/hls"

# Deno raises its own soft fd limit to the hard one, nginx does not. Each viewer holds about 3
# connections and nginx an open file behind each: half the limit goes to connections, at most
# 65536 per worker (each costs nginx memory up front).
nofile=$(ulimit -Hn)
# An unlimited hard limit still stops at fs.nr_open, 1048576 by default.
[[ $nofile == unlimited ]] && nofile=1048576
ulimit -n "$nofile"
worker_connections=$((nofile / 2 < 65536 ? nofile / 2 : 65536))

# nginx asks for a listen backlog of 511 unless told otherwise; take what the kernel allows
# (net.core.somaxconn, which the NixOS module sizes from the client count).
backlog=$(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo 511)

# Started as root (a test, a root shell), nginx would switch its workers to "nobody", which has
# no group of that name on Debian; keep them as root there, as tests/helpers.ts does.
user_directive=""
[[ $(id -u) == 0 ]] && user_directive="user root;"

cat >"$work/nginx/nginx.conf" <<EOF
$user_directive
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections $worker_connections; }
http {
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  default_type application/octet-stream;
  # An access log of every viewer's every request grows by ~100 bytes per request in a tmpfs;
  # hls-swarm counts requests itself.
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 10000;
  server {
    listen $port reuseport backlog=$backlog;
    root $work/hls;
    # Playlists change every segment; segments never change once listed.
    location ~ \.m3u8\$ { add_header Cache-Control "no-cache"; }
    location ~ \.ts\$ { add_header Cache-Control "public, max-age=60, immutable"; }
    location = /health { return 200 "OK\n"; }
    location = /nginx_status { stub_status; allow 127.0.0.1; deny all; }
  }
}
EOF

pids=()
# shellcheck disable=SC2317 # stop() runs from the EXIT trap
stop() {
  trap - EXIT
  kill "${pids[@]}" 2>/dev/null || true
  wait || true
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 0' TERM INT

# The generator writes relative paths (./stream.m3u8), so it runs inside the stream directory.
(cd "$work/hls" && exec ffmpeg "${generator_args[@]}") &
pids+=($!)
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
node_exporter --web.listen-address=":$node_port" --log.level=warn &
pids+=($!)
# Some nginx-prometheus-exporter versions (Debian's 0.11) exit at start when nginx does not
# answer yet.
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
nginx-prometheus-exporter --nginx.scrape-uri="http://127.0.0.1:$port/nginx_status" \
  --web.listen-address=":$nginx_exporter_port" &
pids+=($!)

echo "test origin: http://0.0.0.0:$port$stream_path (node_exporter :$node_port," \
  "nginx exporter :$nginx_exporter_port)" >&2
# Every process here runs until stopped, so any exit, even with status 0, is a failure.
status=0
wait -n || status=$?
echo "test origin: a process exited with status $status; stopping the others" >&2
exit $((status == 0 ? 1 : status))
