/**
 * The ramp: when each client starts. Start times are absolute offsets from the ramp's start,
 * `i / rate + jitter_i`, so jitter never accumulates and the achieved rate is the requested one
 * (the Go tool slept `1/rate + jitter` between starts and undershot).
 * @module
 */
import type { Clock } from "../clock.ts";
import { clientRandom } from "../math/random.ts";

/**
 * Start offsets in ms for `clients` clients at `ratePerSecond`, each with a deterministic jitter
 * in [0, min(maxJitterMs, interval/2)). Client 0 starts at once.
 *
 * @example
 * ```ts
 * rampOffsets(3, 10, 0, 1); // [0, 100, 200]
 * ```
 */
export function rampOffsets(
  clients: number,
  ratePerSecond: number,
  maxJitterMs: number,
  seed: number,
): number[] {
  const intervalMs = 1000 / ratePerSecond;
  const jitterCap = Math.min(maxJitterMs, intervalMs / 2);
  return Array.from({ length: clients }, (_, id) => {
    if (id === 0) return 0;
    return id * intervalMs + clientRandom(id, seed)() * jitterCap;
  });
}

/**
 * Starts clients at their offsets. Each start waits on a timer, so the event loop (metrics,
 * dashboard, signals) keeps running between starts. Before each start, `hold` may delay it
 * (the load box is saturated): the rest of the schedule shifts by that delay, so held starts
 * never come in a burst afterwards. Stops early when `signal` aborts and resolves with the
 * number of clients started.
 *
 * @example
 * ```ts
 * import { systemClock } from "../clock.ts";
 * const startClient = (id: number) => console.log(`client ${id} starts`);
 * const signal = new AbortController().signal;
 * const started = await runRamp(rampOffsets(5, 10, 0, 1), systemClock, signal, startClient);
 * ```
 */
export async function runRamp(
  offsetsMs: readonly number[],
  clock: Clock,
  signal: AbortSignal,
  start: (clientId: number) => void,
  hold?: (signal: AbortSignal) => Promise<void>,
): Promise<number> {
  let t0 = clock.now();
  let started = 0;
  for (let id = 0; id < offsetsMs.length; id++) {
    const wait = t0 + offsetsMs[id] - clock.now();
    if (wait > 0) await clock.sleep(wait, signal);
    if (hold) {
      const before = clock.now();
      await hold(signal);
      t0 += clock.now() - before;
    }
    if (signal.aborted) break;
    start(id);
    started++;
  }
  return started;
}
