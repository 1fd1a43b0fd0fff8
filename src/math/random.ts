/**
 * Deterministic per-client randomness: the same client id and seed always give the same
 * sequence, so backoff and ramp jitter can be tested and a run can be reproduced.
 * @module
 */

/** A source of numbers in [0, 1). */
export type Random = () => number;

/**
 * A small fast PRNG (mulberry32) seeded from `clientId` and `seed`.
 *
 * @example
 * ```ts
 * const a = clientRandom(3, 42), b = clientRandom(3, 42);
 * a() === b(); // true
 * ```
 */
export function clientRandom(clientId: number, seed: number): Random {
  // Mix the id so neighbouring ids do not start from neighbouring states.
  let state = (Math.imul(clientId + 1, 0x9e3779b1) ^ seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
