/**
 * A shard pod's resources, from the formulas of nix/sizing.nix (the one sizing definition; see
 * its comments for where each figure comes from). tests/k8s_test.ts evaluates sizing.nix with
 * nix-instantiate for many client counts and checks these functions against it, so the two
 * cannot drift; they are repeated here because `hls-swarm k8s render` runs where Nix is not.
 * @module
 */

/** nix/sizing.nix's figures for `clients` viewers on one host. */
export interface Sizing {
  /** Memory, MB: 19 × clients + 128. */
  memoryMB: number;
  /** vCPUs: ⌈clients / 100⌉ + 1, at least 2. */
  vcpu: number;
  /** TCP connections (local ports): 5 × clients. */
  connections: number;
}

/**
 * nix/sizing.nix for `clients` (memoryMB, vcpu and connections only).
 *
 * @example
 * ```ts
 * sizing(250); // { memoryMB: 4878, vcpu: 4, connections: 1250 }
 * ```
 */
export function sizing(clients: number): Sizing {
  return {
    memoryMB: 19 * clients + 128,
    vcpu: Math.max(2, Math.ceil(clients / 100) + 1),
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
 * The container's resources for a shard of `clients`: it requests sizing.nix's vCPUs and
 * memory, and is limited to that memory. There is no CPU limit: CFS throttling would delay
 * FFmpeg's reads and hls-swarm's timestamps, and the run would measure its own throttling
 * instead of the origin.
 *
 * @example
 * ```ts
 * podResources(100); // { requests: { cpu: "2", memory: "2028Mi" }, limits: { memory: "2028Mi" } }
 * ```
 */
export function podResources(clients: number): PodResources {
  const s = sizing(clients);
  const memory = `${s.memoryMB}Mi`;
  return { requests: { cpu: String(s.vcpu), memory }, limits: { memory } };
}
