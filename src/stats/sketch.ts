/**
 * Mergeable quantile sketches for latencies. DDSketch at 1 % relative accuracy: measured 10×
 * faster to update and 16× smaller than tdigest here (shared/spec, §4), and mergeable, so fleet
 * percentiles are true percentiles of all samples, never a max of per-client percentiles.
 * @module
 */
import { DDSketch } from "@datadog/sketches-js";

/** Percentiles reported everywhere. */
export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/**
 * A latency sketch in milliseconds.
 *
 * @example
 * ```ts
 * const s = new LatencySketch();
 * s.add(12); s.add(30);
 * s.percentiles().p50; // ≈ 12
 * ```
 */
export class LatencySketch {
  #sketch = new DDSketch({ relativeAccuracy: 0.01 });

  add(ms: number): void {
    // DDSketch needs positive values; a 0 ms sample (same millisecond) is kept as 0.001 ms.
    this.#sketch.accept(Math.max(ms, 0.001));
  }

  /** Adds every sample of `other` (a merge). */
  merge(other: LatencySketch): void {
    this.#sketch.merge(other.#sketch);
  }

  get count(): number {
    return this.#sketch.count;
  }

  percentiles(): Percentiles {
    const s = this.#sketch;
    if (s.count === 0) {
      return { count: 0, p50: null, p90: null, p95: null, p99: null, max: null, mean: null };
    }
    const q = (p: number) => round(s.getValueAtQuantile(p));
    return {
      count: s.count,
      p50: q(0.5),
      p90: q(0.9),
      p95: q(0.95),
      p99: q(0.99),
      max: round(s.max),
      mean: round(s.sum / s.count),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
