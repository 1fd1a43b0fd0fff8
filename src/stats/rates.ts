/**
 * Current rates from a time series that samples cumulative totals on its own clock. Readers
 * (summary, metrics, dashboard) only read it, so any number of them can ask for a rate without
 * disturbing each other (the Go tool's shared "previous snapshot" let each reader corrupt the
 * others' rates).
 * @module
 */

/** Cumulative totals sampled together. */
export type Totals = Record<string, number>;

interface Point {
  at: number;
  totals: Totals;
}

/**
 * A ring of samples of cumulative totals.
 *
 * @example
 * ```ts
 * const series = new RateSeries(600);
 * series.record(0, { segments: 0 });
 * series.record(1000, { segments: 5 });
 * series.rate("segments", 1000, 1000); // 5 per second
 * ```
 */
export class RateSeries {
  #points: Point[] = [];
  constructor(private capacity = 600) {}

  /** Records a sample; `at` must not go backwards. */
  record(at: number, totals: Totals): void {
    this.#points.push({ at, totals: { ...totals } });
    if (this.#points.length > this.capacity) this.#points.shift();
  }

  /**
   * Per-second rate of `key` over the last `windowMs` before `now`, from the newest sample and
   * the newest sample at least `windowMs` older (or the oldest one). Null with fewer than two.
   */
  rate(key: string, windowMs: number, now: number): number | null {
    const newest = this.#points.at(-1);
    if (!newest || this.#points.length < 2) return null;
    let base = this.#points[0];
    for (let i = this.#points.length - 2; i >= 0; i--) {
      if (newest.at - this.#points[i].at >= windowMs) {
        base = this.#points[i];
        break;
      }
    }
    const dt = newest.at - base.at;
    if (dt <= 0 || now - newest.at > Math.max(windowMs, 5000)) return null;
    return ((newest.totals[key] ?? 0) - (base.totals[key] ?? 0)) / (dt / 1000);
  }

  /** The last `n` per-interval rates of `key` (for sparklines), oldest first. */
  history(key: string, n: number): number[] {
    const pts = this.#points.slice(-(n + 1));
    const out: number[] = [];
    for (let i = 1; i < pts.length; i++) {
      const dt = (pts[i].at - pts[i - 1].at) / 1000;
      out.push(dt > 0 ? ((pts[i].totals[key] ?? 0) - (pts[i - 1].totals[key] ?? 0)) / dt : 0);
    }
    return out;
  }
}
