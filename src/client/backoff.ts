/**
 * Exponential restart backoff with jitter, as the Go tool had it: 250 ms × 1.7^attempt, at most
 * 5 s, ±20 % jitter, deterministic per client.
 * @module
 */
import type { Random } from "../math/random.ts";

/** Backoff parameters. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** Jitter as a fraction of the delay: the delay is scaled by 1 ± jitterFraction. */
  jitterFraction: number;
  /** A run at least this long resets the attempt count before the next delay. */
  resetAfterMs: number;
}

/** The defaults: 250 ms × 1.7, capped at 5 s, ±20 %, reset after 30 s of uptime or exit 0. */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 250,
  maxMs: 5000,
  multiplier: 1.7,
  jitterFraction: 0.2,
  resetAfterMs: 30_000,
};

/**
 * The restart delay sequence of one client.
 *
 * @example
 * ```ts
 * import { clientRandom } from "../math/random.ts";
 * const b = new Backoff(DEFAULT_BACKOFF, clientRandom(0, 1));
 * b.next(1000, 1); // ≈ 250 ms ± 20 % (FFmpeg ran 1 s, exited 1)
 * b.next(1000, 1); // ≈ 425 ms ± 20 %
 * ```
 */
export class Backoff {
  #attempts = 0;
  constructor(private policy: BackoffPolicy, private random: Random) {}

  /** Restart attempts since the last reset. */
  get attempts(): number {
    return this.#attempts;
  }

  /**
   * The delay before the next start. `uptimeMs` and `exitCode` describe the run that just ended:
   * a long run or a clean exit resets the sequence first.
   */
  next(uptimeMs: number, exitCode: number): number {
    if (uptimeMs >= this.policy.resetAfterMs || exitCode === 0) this.#attempts = 0;
    const { initialMs, maxMs, multiplier, jitterFraction } = this.policy;
    const base = Math.min(initialMs * multiplier ** this.#attempts, maxMs);
    this.#attempts++;
    const jitter = (this.random() * 2 - 1) * jitterFraction;
    return Math.max(0, base * (1 + jitter));
  }
}
