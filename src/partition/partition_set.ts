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
 * The partitions of one process.
 *
 * @example Not run: it needs running partitions
 * ```ts ignore
 * const set = new PartitionSet([workerA, workerB], clock);
 * set.start(0); set.start(1); // one client on each
 * set.snapshot().clients.started; // 2
 * ```
 */
export class PartitionSet {
  #cache: { at: number; snapshot: Snapshot } | null = null;

  constructor(readonly partitions: readonly PartitionHandle[], private clock: Clock) {}

  /** Starts the `n`th client of this process, with global id `id`. */
  start(n: number, id: number): void {
    this.partitions[n % this.partitions.length].start(id);
  }

  /** The `n`th client of this process (global id `id`) leaves. */
  leave(n: number, id: number): void {
    this.partitions[n % this.partitions.length].leave(id);
  }

  stop(): void {
    for (const s of this.partitions) s.stop();
  }

  kill(): void {
    for (const s of this.partitions) s.kill();
  }

  async finished(): Promise<void> {
    await Promise.all(this.partitions.map((s) => s.finished()));
    this.#cache = null;
  }

  snapshot(): Snapshot {
    if (this.partitions.length === 1) return this.partitions[0].snapshot();
    const now = this.clock.now();
    if (!this.#cache || now - this.#cache.at > CACHE_MS) {
      this.#cache = { at: now, snapshot: mergeSnapshots(this.partitions.map((s) => s.snapshot())) };
    }
    return this.#cache.snapshot;
  }

  clientRows(limit = Infinity): ClientRow[] {
    return sortWorstFirst(this.partitions.flatMap((s) => s.clientRows(limit))).slice(0, limit);
  }
}
