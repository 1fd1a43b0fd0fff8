/**
 * Deterministic weighted assignment of client ids, shared by the rendition mix
 * ({@link ./variant_mix.ts}) and the edge addresses ({@link ./resolve.ts}): the same id always
 * gets the same choice, in every shard and pod, with no state to share.
 * @module
 */

/**
 * Splits `n` into whole counts proportional to `weights` by the largest-remainder method: each
 * count is the floor of its exact share, and the viewers left over go to the largest fractional
 * parts (ties to the earlier weight). The counts add up to `n` and each lies within 1 of its
 * exact share, which no rounding of each share alone guarantees.
 *
 * @example
 * ```ts
 * largestRemainder(10, [20, 50, 30]); // [2, 5, 3]
 * largestRemainder(7, [20, 50, 30]); // [1, 4, 2]: 1.4, 3.5, 2.1 → the .5 gets the spare one
 * ```
 */
export function largestRemainder(n: number, weights: readonly number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  if (total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (n * w) / total);
  const counts = exact.map(Math.floor);
  let left = n - counts.reduce((s, c) => s + c, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    counts[i]++;
    left--;
  }
  return counts;
}

/**
 * nginx's smooth weighted round robin: a sequence of `sum(counts)` indexes in which index `r`
 * appears exactly `counts[r]` times, spread out instead of in blocks. Clients join in id order,
 * so a ramp that is cut short, or a shard that runs every n-th id, still holds close to the mix.
 *
 * @example
 * ```ts
 * interleave([1, 3]); // [1, 0, 1, 1]
 * interleave([2, 2]); // [0, 1, 0, 1]
 * ```
 */
export function interleave(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  const current = counts.map(() => 0);
  const out: number[] = [];
  for (let k = 0; k < total; k++) {
    let best = -1;
    for (let r = 0; r < counts.length; r++) {
      current[r] += counts[r];
      if (counts[r] > 0 && (best < 0 || current[r] > current[best])) best = r;
    }
    current[best] -= total;
    out.push(best);
  }
  return out;
}
