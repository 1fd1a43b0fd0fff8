/**
 * Time, passed in rather than read globally, so tests can drive timers and durations.
 * @module
 */

/** A monotonic clock with wall time and abortable sleeps. */
export interface Clock {
  /** Monotonic milliseconds, for durations. */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps people read. */
  wallNow(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `performance.now()`, `Date.now()` and `setTimeout`.
 *
 * @example
 * ```ts
 * const t0 = systemClock.now();
 * await systemClock.sleep(10);
 * systemClock.now() - t0 >= 10; // true
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};
