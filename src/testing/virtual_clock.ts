/**
 * A clock for tests: time moves only when code sleeps, and instantly.
 * @module
 */
import type { Clock } from "../clock.ts";

/**
 * Virtual time. `sleep(ms)` advances `now()` by `ms` and resolves on the next microtask.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * await clock.sleep(250);
 * clock.now(); // 250
 * ```
 */
export class VirtualClock implements Clock {
  #t = 0;
  now(): number {
    return this.#t;
  }
  wallNow(): number {
    return 1_700_000_000_000 + this.#t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.#t += Math.max(0, ms);
    await Promise.resolve();
  }
}
