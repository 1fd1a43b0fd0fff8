/**
 * This process's partitions: the main thread's one in-process partition, or one per worker
 * thread. Clients go round-robin over them, and their snapshots merge into the process's
 * snapshot the same way a fleet's shards merge.
 * @module
 */
import type { Clock } from "../clock.ts";
import { mergeSnapshots } from "../fleet/merge.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import { type ClientRow, sortWorstFirst } from "../stats/client_rows.ts";
import type { PartitionHandle } from "./protocol.ts";

/** A merged snapshot is reused this long: the dashboard, /metrics and the watch all ask. */
const CACHE_MS = 200;

/**
 * The shards of one process.
 *
 * @example Not run: it needs running shards
 * ```ts ignore
 * const set = new PartitionSet([workerA, workerB], clock);
 * set.start(0); set.start(1); // one client on each
 * set.snapshot().clients.started; // 2
 * ```
 */
export class PartitionSet {
  #cache: { at: number; snapshot: Snapshot } | null = null;

  constructor(readonly shards: readonly PartitionHandle[], private clock: Clock) {}

  /** Starts the `n`th client of this process, with global id `id`. */
  start(n: number, id: number): void {
    this.shards[n % this.shards.length].start(id);
  }

  /** The `n`th client of this process (global id `id`) leaves. */
  leave(n: number, id: number): void {
    this.shards[n % this.shards.length].leave(id);
  }

  stop(): void {
    for (const s of this.shards) s.stop();
  }

  kill(): void {
    for (const s of this.shards) s.kill();
  }

  async finished(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.finished()));
    this.#cache = null;
  }

  snapshot(): Snapshot {
    if (this.shards.length === 1) return this.shards[0].snapshot();
    const now = this.clock.now();
    if (!this.#cache || now - this.#cache.at > CACHE_MS) {
      this.#cache = { at: now, snapshot: mergeSnapshots(this.shards.map((s) => s.snapshot())) };
    }
    return this.#cache.snapshot;
  }

  clientRows(limit = Infinity): ClientRow[] {
    return sortWorstFirst(this.shards.flatMap((s) => s.clientRows(limit))).slice(0, limit);
  }
}
