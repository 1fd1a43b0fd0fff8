# Resources for `clients` FFmpeg viewers, on the client host and on the test origin. Builtins
# only, so tests/deploy_test.ts evaluates it with nix-instantiate and checks the limits against
# hls-swarm's own preflight.
#
# "Measured" figures come from this repository's 2-vCPU Debian machine with FFmpeg 5.1: 20 and
# 100 clients of the built-in 640x360 800 kbit/s stream behind nginx, /proc sampled every 4 s
# for 60 s. The others are the Go tool's estimates (go-anchor §1.5, §11.3), marked as such.
clients:
let
  max = a: b: if a > b then a else b;
  divUp = a: b: (a + b - 1) / b;
in
rec {
  # Open files of hls-swarm: 3 per client (2 pipes and a pidfd; measured: 326 fds at 100
  # clients, 85 at 20) plus 1000 for Deno itself, metrics scrapes and headroom. Each FFmpeg
  # inherits this limit and uses 9 of it (measured), so the per-process limit is hls-swarm's.
  # Preflight fails below 3 × clients + 100.
  nofile = 3 * clients + 1000;

  # Tasks of the service (RLIMIT_NPROC and TasksMax count threads): FFmpeg 5.1 runs one thread
  # per client (measured); FFmpeg 7 and later, as in nixpkgs, run the demuxer and the muxer in
  # threads of their own, so 4 per client are allowed (not measured here). 256 covers Deno's
  # ~10 threads and headroom. Preflight fails below clients + 50.
  tasks = 4 * clients + 256;

  # TCP connections (and so local ports) per client: 3 established per FFmpeg (measured: 302 at
  # 100 clients) and room for reconnects in TIME_WAIT, 5 as the Go tool estimated. Preflight
  # warns below 4 × clients.
  connections = 5 * clients;

  # Memory, MB: FFmpeg's private memory is at most 17 MB per client (measured) and hls-swarm
  # grows by 1.4 MB per client (97 MB at 20 clients, 211 MB at 100), which is the Go tool's
  # 19 MB per client; 128 covers hls-swarm's ~60 MB at start and headroom.
  memoryMB = 19 * clients + 128;

  # vCPUs: about one core per 100 clients (the Go tool's estimate, not measured here), plus one
  # for hls-swarm and the guest, at least 2.
  vcpu = max 2 (divUp clients 100 + 1);

  # MicroVM memory: the above plus 384 MB for the NixOS guest.
  vmMemoryMB = memoryMB + 384;

  # The origin's nginx holds a client's connections and, while sending, the file behind each:
  # 2 fds per connection, plus 1000 for nginx, FFmpeg and the exporters.
  originNofile = 2 * connections + 1000;

  # Connection tracking (the NixOS firewall tracks every connection): one entry per connection,
  # on top of 65536 for everything else on the host.
  conntrackMax = connections + 65536;

  # Accept queue for the ramp: up to one pending connection per client, at least 4096.
  somaxconn = max 4096 clients;
}
