/**
 * A shard pod's resources, from the per-viewer table of nix/sizing.nix (the one sizing
 * definition; its comments say where each figure comes from: bench/sizing.ts, 2026-12-07).
 * tests/k8s_test.ts evaluates sizing.nix with nix-instantiate and checks that the table here is
 * the same and that these functions give the same numbers for many client counts; they are
 * repeated because `hls-swarm k8s render` runs where Nix is not.
 * @module
 */

/**
 * What viewers cost, per 1000 of them (whole numbers, as sizing.nix's `perThousand`): FFmpeg's
 * CPU (millicores) and private memory (MiB), hls-swarm's own CPU and memory (fan-ins included).
 * Measured 2026-12-07 with bench/sizing.ts (40 viewers, FFmpeg 5.1, 7.1, 9.0, 2 runs each; the
 * highest of the six, rounded up), hls-swarm's slope with bench/overhead.ts at 400 (docs/benchmarks.md).
 */
export const PER_THOUSAND = {
  ffmpegCpuMilli: 1900,
  ffmpegMiB: 13600,
  swarmCpuMilli: 150,
  swarmMiB: 230,
} as const;

/**
 * What a pod costs once (sizing.nix's `perPod`): hls-swarm at rest (CPU while ramping at the
 * default rate, peak RSS) and FFmpeg's shared pages, which a pod's memory cgroup counts once.
 */
export const PER_POD = {
  swarmCpuMilli: 50,
  swarmMiB: 100,
  ffmpegSharedMiB: 43,
} as const;

/** nix/sizing.nix's figures for `clients` viewers on one host or pod. */
export interface Sizing {
  /** CPU request, millicores. */
  podCpuMilli: number;
  /** Memory request, MiB: what was measured. */
  podMemoryMiB: number;
  /** Memory limit, MiB: 1.5 × the request, for what was not measured. */
  podMemoryLimitMiB: number;
  /** A host's or VM's memory, MB: the pod's limit. */
  memoryMB: number;
  /** A host's or VM's vCPUs: the pod's CPU rounded up, plus one, at least 2. */
  vcpu: number;
  /** TCP connections (local ports): 5 × clients. */
  connections: number;
}

/** ⌈a / b⌉ for whole numbers, as sizing.nix's divUp. */
const divUp = (a: number, b: number) => Math.floor((a + b - 1) / b);

/**
 * nix/sizing.nix for `clients` (the fields above only).
 *
 * @example
 * ```ts
 * sizing(100); // { podCpuMilli: 255, podMemoryMiB: 1526, podMemoryLimitMiB: 2289, memoryMB: 2289, vcpu: 2, connections: 500 }
 * ```
 */
export function sizing(clients: number): Sizing {
  const t = PER_THOUSAND, p = PER_POD;
  const podCpuMilli = p.swarmCpuMilli + divUp(clients * (t.ffmpegCpuMilli + t.swarmCpuMilli), 1000);
  const podMemoryMiB = p.swarmMiB + p.ffmpegSharedMiB +
    divUp(clients * (t.ffmpegMiB + t.swarmMiB), 1000);
  const podMemoryLimitMiB = divUp(3 * podMemoryMiB, 2);
  return {
    podCpuMilli,
    podMemoryMiB,
    podMemoryLimitMiB,
    memoryMB: podMemoryLimitMiB,
    vcpu: Math.max(2, divUp(podCpuMilli, 1000) + 1),
    connections: 5 * clients,
  };
}

/**
 * The most clients any shard runs: shard I runs [floor(I·C/N), floor((I+1)·C/N)), at most
 * ⌈C/N⌉. Every pod of an Indexed Job has the same template, so all are sized for that.
 *
 * @example
 * ```ts
 * largestShard(10, 4); // 3
 * ```
 */
export function largestShard(clients: number, shards: number): number {
  return Math.ceil(clients / shards);
}

/** Container resources, as a Kubernetes container spec writes them. */
export interface PodResources {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

/**
 * The container's resources for a shard of `clients`: it requests what was measured and is
 * limited to 1.5 times that memory. There is no CPU limit: CFS throttling would delay FFmpeg's
 * reads and hls-swarm's timestamps, and the run would measure its own throttling instead of the
 * origin; a shard that needs more than it asked for borrows idle CPU.
 *
 * @example
 * ```ts
 * podResources(100); // { requests: { cpu: "255m", memory: "1526Mi" }, limits: { memory: "2289Mi" } }
 * ```
 */
export function podResources(clients: number): PodResources {
  const s = sizing(clients);
  return {
    requests: { cpu: `${s.podCpuMilli}m`, memory: `${s.podMemoryMiB}Mi` },
    limits: { memory: `${s.podMemoryLimitMiB}Mi` },
  };
}

/**
 * "Viewers per pod → requests" for `k8s render --help` and the docs.
 *
 * @example
 * ```ts
 * sizingTable([100]); // "  viewers/pod  CPU request  memory request  memory limit\n          100  255m  …"
 * ```
 */
export function sizingTable(counts: readonly number[] = [10, 50, 100, 200, 400, 1000]): string {
  const rows = counts.map((c) => {
    const r = podResources(c);
    return [String(c), r.requests.cpu, r.requests.memory, r.limits.memory];
  });
  const head = ["viewers/pod", "CPU request", "memory request", "memory limit"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => "  " + r.map((v, i) => v.padStart(widths[i])).join("  "))
    .join("\n");
}
