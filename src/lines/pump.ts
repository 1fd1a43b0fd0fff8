/**
 * The parse pump: drains every client's lossy queue on its own turns of the event loop, a
 * bounded slice of time per turn, so parsing yields to readers, timers and /metrics.
 * @module
 */
import type { LossyLineQueue } from "./lossy_queue.ts";

/**
 * Drains registered queues round-robin on macrotasks, at most `sliceMs` per turn, so parsing
 * yields to readers, timers and the metrics server in between.
 *
 * @example
 * ```ts
 * const pump = new ParsePump();
 * pump.add(queue);
 * queue.offer("frame=1", performance.now());
 * pump.wake(); // parsing happens on a later turn
 * ```
 */
export class ParsePump {
  #queues = new Set<LossyLineQueue>();
  #scheduled = false;

  constructor(private sliceMs = 4, private batch = 64) {}

  add(queue: LossyLineQueue): void {
    this.#queues.add(queue);
  }

  /** Schedules a drain turn if none is pending. Cheap to call after every read. */
  wake(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => this.#turn(), 0);
  }

  /** Parses everything queued now, synchronously (at the end of a process's output). */
  flush(queue: LossyLineQueue): void {
    while (queue.drain(this.batch) > 0) { /* keep going */ }
  }

  #turn(): void {
    this.#scheduled = false;
    const end = performance.now() + this.sliceMs;
    let busy = true;
    while (busy && performance.now() < end) {
      busy = false;
      for (const q of this.#queues) if (q.drain(this.batch) > 0) busy = true;
    }
    for (const q of this.#queues) {
      if (q.pending > 0) return this.wake();
    }
  }
}
