/**
 * The parse pump: drains every client's lossy queue on its own turns of the event loop, a
 * bounded slice of time per turn, so parsing yields to readers, timers and /metrics.
 * @module
 */
import type { LossyLineQueue } from "./lossy_queue.ts";

/**
 * Drains the queues that have lines round-robin on macrotasks, at most `sliceMs` per turn, so
 * parsing yields to readers, timers and the metrics server in between. A turn visits only the
 * queues woken since they were last emptied, not every client's: at a few hundred clients most
 * queues are empty on any one turn.
 *
 * @example
 * ```ts
 * import { LossyLineQueue } from "./lossy_queue.ts";
 * import { zeroLineCounts } from "./transport.ts";
 * const queue = new LossyLineQueue(100, zeroLineCounts(), () => {});
 * const pump = new ParsePump();
 * queue.offer("frame=1", performance.now());
 * pump.wake(queue); // parsing happens on a later turn
 * ```
 */
export class ParsePump {
  #woken = new Set<LossyLineQueue>();
  #scheduled = false;

  constructor(private sliceMs = 4, private batch = 64) {}

  /** Marks `queue` as having lines and schedules a drain turn if none is pending. Cheap to call after every line. */
  wake(queue: LossyLineQueue): void {
    this.#woken.add(queue);
    this.#schedule();
  }

  /** Parses everything queued now, synchronously (at the end of a process's output). */
  flush(queue: LossyLineQueue): void {
    while (queue.drain(this.batch) > 0) { /* keep going */ }
    this.#woken.delete(queue);
  }

  #turn(): void {
    this.#scheduled = false;
    const end = performance.now() + this.sliceMs;
    while (this.#woken.size > 0 && performance.now() < end) {
      for (const q of this.#woken) {
        q.drain(this.batch);
        if (q.pending === 0) this.#woken.delete(q);
      }
    }
    if (this.#woken.size > 0) this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => this.#turn(), 0);
  }
}
