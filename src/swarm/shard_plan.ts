/**
 * Which clients a shard runs, and how fast it ramps them: shard I of N runs the global client
 * ids [floor(I·C/N), floor((I+1)·C/N)) of C clients, at its share of the fleet's ramp rate, so
 * all shards together start C clients at the requested rate.
 * @module
 */

/** One shard's part of the run. */
export interface ShardPlan {
  /** The first global client id. */
  firstClient: number;
  /** How many clients this shard runs. */
  clients: number;
  /** Starts per second for this shard. */
  rampRate: number;
}

/**
 * The plan of `shard` (null: the whole run) for `clients` clients at `rampRate`.
 *
 * @example
 * ```ts
 * shardPlan({ index: 1, count: 4 }, 10, 8); // { firstClient: 2, clients: 3, rampRate: 2.4 }
 * ```
 */
export function shardPlan(
  shard: { index: number; count: number } | null,
  clients: number,
  rampRate: number,
): ShardPlan {
  if (!shard) return { firstClient: 0, clients, rampRate };
  const first = Math.floor((shard.index * clients) / shard.count);
  const end = Math.floor(((shard.index + 1) * clients) / shard.count);
  return {
    firstClient: first,
    clients: end - first,
    rampRate: (rampRate * (end - first)) / clients,
  };
}
