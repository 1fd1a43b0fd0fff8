# Resources for `clients` FFmpeg viewers, on the client host and on the test origin. Builtins
# only, so tests/deploy_test.ts evaluates it with nix-instantiate and checks the limits against
# hls-swarm's own preflight, and tests/k8s_test.ts checks that src/k8s/sizing.ts (which
# `hls-swarm k8s render` uses, where Nix is not) has the same table and gives the same pods.
#
# "Measured" figures come from this repository's 2-vCPU Debian machine. The per-viewer table
# below is bench/sizing.ts (40 viewers of the built-in 640x360 800 kbit/s stream, twice for each
# of FFmpeg 5.1, 7.1 and 9.0; output in testdata/k8s/sizing-2026-12-07.txt). The others are the
# Go tool's estimates (go-anchor §1.5, §11.3), marked as such.
clients:
let
  max = a: b: if a > b then a else b;
  divUp = a: b: (a + b - 1) / b;
in
rec {
  # What one viewer costs, per 1000 viewers (whole numbers: the same arithmetic in Nix and
  # TypeScript), and what a pod costs once. Measured 2026-12-07 with bench/sizing.ts, 40
  # viewers, 2 runs per FFmpeg; each figure is the highest of the six runs, rounded up.
  perThousand = {
    # FFmpeg's CPU, millicores: 0.92-0.94 m per viewer (5.1), 1.28-1.46 (7.1), 1.80-1.87 (9.0).
    # bench/overhead.ts at 400 viewers on a saturated box measured 1.7-2.3 m (README).
    ffmpegCpuMilli = 1900;
    # FFmpeg's private memory (Private_Clean + Private_Dirty of smaps_rollup), MiB: 11.75-11.76
    # per viewer (5.1), 13.52 (7.1), 12.38-12.41 (9.0). Pss was 1.0-1.1 MiB more: shared pages.
    ffmpegMiB = 13600;
    # hls-swarm's own CPU (fan-ins included), millicores: 25-44 m at 40 viewers
    # (bench/sizing.ts) and 80 m at 400 (bench/overhead.ts, README, 2026-12-07): ~0.15 m a viewer.
    swarmCpuMilli = 150;
    # hls-swarm's own RSS (fan-ins included), MiB: 97-99 at 40 viewers, 181 at 400
    # (bench/overhead.ts, README): ~0.23 MiB a viewer.
    swarmMiB = 230;
  };
  perPod = {
    # hls-swarm at rest, millicores: what the line above leaves of its CPU at 40 viewers while
    # ramping at the default 5 a second (33-54 m measured).
    swarmCpuMilli = 50;
    # hls-swarm at rest, MiB: its peak RSS at 40 viewers (98-101 measured), less 40 viewers' share.
    swarmMiB = 100;
    # FFmpeg's shared pages (libraries), counted once by a pod's memory cgroup: RSS less private
    # memory of one FFmpeg, 41.6-42.9 MiB measured.
    ffmpegSharedMiB = 43;
  };

  # A pod of `clients` viewers requests what was measured; its memory limit is 1.5 times that,
  # for what was not (longer runs, streams of higher bitrate than the 800 kbit/s measured, TLS).
  # There is no CPU limit (src/k8s/sizing.ts says why).
  podCpuMilli = perPod.swarmCpuMilli + divUp (clients * (perThousand.ffmpegCpuMilli + perThousand.swarmCpuMilli)) 1000;
  podMemoryMiB =
    perPod.swarmMiB + perPod.ffmpegSharedMiB + divUp (clients * (perThousand.ffmpegMiB + perThousand.swarmMiB)) 1000;
  podMemoryLimitMiB = divUp (3 * podMemoryMiB) 2;

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

  # Memory of a host or VM for the swarm, MB: a pod's memory limit (MiB taken as MB, which
  # only rounds up).
  memoryMB = podMemoryLimitMiB;

  # vCPUs: a pod's CPU request, rounded up, plus one for the guest and headroom, at least 2.
  vcpu = max 2 (divUp podCpuMilli 1000 + 1);

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
