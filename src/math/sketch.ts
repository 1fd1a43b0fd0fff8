/**
 * Mergeable quantile sketches for latencies: DDSketch (Masson, Rim and Lee, VLDB 2019) with a
 * logarithmic mapping, positive values only. Any quantile is within the relative accuracy of a
 * true sample value, and two sketches merge exactly: the bins are counts, so a merged sketch
 * equals one that was fed every sample. Fleet percentiles are therefore true percentiles of all
 * samples, never a max of per-client percentiles, whether the samples came from one thread,
 * several workers or many machines.
 *
 * The mapping is the one of @datadog/sketches-js (`key = ceil(log_γ v)`, γ = (1+α)/(1−α)); the
 * wire format is our own, plain JSON, so no protobuf runtime is needed.
 * @module
 */

/** Relative accuracy of every latency sketch hls-swarm keeps (1 %). */
export const SKETCH_ACCURACY = 0.01;

/** The smallest positive value the bins tell apart: 1 µs (values are ms); smaller ones share
 * its bin. With the largest, this bounds how many bins a sketch can ever have (about 1,560 at
 * 1 %), so a sketch read from a file cannot ask for a billion of them. */
export const SKETCH_MIN_MS = 0.001;
/** The largest value the bins tell apart: a year (an FFmpeg run's uptime can last days). */
export const SKETCH_MAX_MS = 365 * 24 * 3600 * 1000;

/**
 * The lowest and highest bin key a sketch of `accuracy` can hold: the keys of
 * {@linkcode SKETCH_MIN_MS} and {@linkcode SKETCH_MAX_MS}.
 *
 * @example
 * ```ts
 * sketchKeyRange(0.01); // [-345, 1209]
 * ```
 */
export function sketchKeyRange(accuracy: number): [number, number] {
  const lnGamma = Math.log1p((2 * accuracy) / (1 - accuracy));
  return [
    Math.ceil(Math.log(SKETCH_MIN_MS) / lnGamma),
    Math.ceil(Math.log(SKETCH_MAX_MS) / lnGamma),
  ];
}

/** Percentiles reported everywhere; null without samples. */
export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** A sketch as JSON: dense bin counts from key `offset` on, plus the exact summary stats. */
export interface SketchWire {
  accuracy: number;
  count: number;
  sum: number;
  /** null without samples. */
  min: number | null;
  max: number | null;
  /** Samples of 0 (or below), kept apart from the logarithmic bins. */
  zeros: number;
  offset: number;
  bins: number[];
}

/**
 * A DDSketch of non-negative values (milliseconds here).
 *
 * @example
 * ```ts
 * const a = new Sketch(), b = new Sketch();
 * a.add(12); b.add(30);
 * a.merge(b);
 * a.quantile(0.5); // ≈ 12 (within 1 %)
 * Sketch.fromWire(a.toWire()).count; // 2
 * ```
 */
export class Sketch {
  readonly accuracy: number;
  readonly #gamma: number;
  readonly #lnGamma: number;
  readonly #minKey: number;
  readonly #maxKey: number;
  #bins: number[] = [];
  #offset = 0;
  #zeros = 0;
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  constructor(accuracy = SKETCH_ACCURACY) {
    if (!(accuracy > 0 && accuracy < 1)) throw new RangeError(`bad sketch accuracy ${accuracy}`);
    this.accuracy = accuracy;
    this.#gamma = 1 + (2 * accuracy) / (1 - accuracy);
    this.#lnGamma = Math.log1p((2 * accuracy) / (1 - accuracy));
    [this.#minKey, this.#maxKey] = sketchKeyRange(accuracy);
  }

  /** Samples so far. */
  get count(): number {
    return this.#count;
  }

  /** Adds one sample (`weight` times). Negative and non-finite values are ignored. */
  add(value: number, weight = 1): void {
    if (!(value >= 0) || value === Infinity) return;
    if (value === 0) this.#zeros += weight;
    else {
      const key = Math.ceil(Math.log(value) / this.#lnGamma);
      this.#addToBin(Math.min(this.#maxKey, Math.max(this.#minKey, key)), weight);
    }
    this.#count += weight;
    this.#sum += value * weight;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /** Adds every sample of `other`; both must have the same accuracy. */
  merge(other: Sketch): void {
    if (other.accuracy !== this.accuracy) {
      throw new RangeError(
        `cannot merge sketches of accuracy ${this.accuracy} and ${other.accuracy}`,
      );
    }
    other.#bins.forEach((n, i) => n && this.#addToBin(other.#offset + i, n));
    this.#zeros += other.#zeros;
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  /**
   * The value at quantile `q` (0–1), within the relative accuracy; the exact min and max at 0
   * and 1; null when empty.
   */
  quantile(q: number): number | null {
    if (this.#count === 0) return null;
    if (q <= 0) return this.#min;
    if (q >= 1) return this.#max;
    const rank = Math.min(1, Math.max(0, q)) * (this.#count - 1);
    if (rank < this.#zeros) return 0;
    let seen = this.#zeros;
    let key = this.#offset + this.#bins.length - 1;
    for (let i = 0; i < this.#bins.length; i++) {
      seen += this.#bins[i];
      if (seen > rank) {
        key = this.#offset + i;
        break;
      }
    }
    return Math.min(this.#max, Math.max(this.#min, this.#value(key)));
  }

  /** How many samples are at most `bound` (each bin counted by its representative value). */
  countAtMost(bound: number): number {
    if (bound < 0) return 0;
    let n = this.#zeros;
    for (let i = 0; i < this.#bins.length; i++) {
      if (this.#value(this.#offset + i) > bound) break;
      n += this.#bins[i];
    }
    return n;
  }

  /** The sum of all samples. */
  get sum(): number {
    return this.#sum;
  }

  percentiles(): Percentiles {
    if (this.#count === 0) {
      return { count: 0, p50: null, p90: null, p95: null, p99: null, max: null, mean: null };
    }
    const q = (p: number) => round(this.quantile(p)!);
    return {
      count: this.#count,
      p50: q(0.5),
      p90: q(0.9),
      p95: q(0.95),
      p99: q(0.99),
      max: round(this.#max),
      mean: round(this.#sum / this.#count),
    };
  }

  toWire(): SketchWire {
    let lo = 0, hi = this.#bins.length;
    while (lo < hi && this.#bins[lo] === 0) lo++;
    while (hi > lo && this.#bins[hi - 1] === 0) hi--;
    return {
      accuracy: this.accuracy,
      count: this.#count,
      sum: this.#sum,
      min: this.#count ? this.#min : null,
      max: this.#count ? this.#max : null,
      zeros: this.#zeros,
      offset: lo < hi ? this.#offset + lo : 0,
      bins: this.#bins.slice(lo, hi),
    };
  }

  /** Rebuilds a sketch from its wire form; throws a RangeError naming what is wrong. */
  static fromWire(w: SketchWire): Sketch {
    const s = new Sketch(w.accuracy);
    const bad = (what: string) => new RangeError(`bad sketch: ${what}`);
    if (!Number.isInteger(w.offset) || !Array.isArray(w.bins)) throw bad("offset or bins");
    if (w.bins.length && (w.offset < s.#minKey || w.offset + w.bins.length - 1 > s.#maxKey)) {
      throw bad(
        `keys ${w.offset}..${w.offset + w.bins.length - 1} beyond ${s.#minKey}..${s.#maxKey}`,
      );
    }
    let inBins = 0;
    for (const n of w.bins) {
      if (!(Number.isFinite(n) && n >= 0)) throw bad("a bin count is not a count");
      inBins += n;
    }
    if (!(w.zeros >= 0) || Math.abs(inBins + w.zeros - w.count) > 1e-9 * (w.count + 1)) {
      throw bad(`count ${w.count} is not the sum of its bins (${inBins + w.zeros})`);
    }
    if (w.count > 0 && (typeof w.min !== "number" || typeof w.max !== "number")) {
      throw bad("min or max missing");
    }
    s.#bins = [...w.bins];
    s.#offset = w.offset;
    s.#zeros = w.zeros;
    s.#count = w.count;
    s.#sum = w.sum;
    s.#min = w.min ?? Infinity;
    s.#max = w.max ?? -Infinity;
    return s;
  }

  /**
   * The samples `newer` holds beyond `older` (an earlier state of the same sketch): bins
   * subtract exactly. Min and max of that span are not known, so quantiles are not clamped
   * beyond the bins' own values.
   */
  static between(older: SketchWire, newer: SketchWire): Sketch {
    const s = new Sketch(newer.accuracy);
    const old = new Map(older.bins.map((n, i) => [older.offset + i, n]));
    newer.bins.forEach((n, i) => {
      const d = n - (old.get(newer.offset + i) ?? 0);
      if (d > 0) s.#addToBin(newer.offset + i, d);
    });
    s.#zeros = Math.max(0, newer.zeros - older.zeros);
    s.#count = s.#zeros + s.#bins.reduce((a, b) => a + b, 0);
    s.#sum = newer.sum - older.sum;
    if (s.#count > 0) {
      s.#min = s.#zeros ? 0 : s.#value(s.#offset);
      s.#max = s.#value(s.#offset + s.#bins.length - 1);
    }
    return s;
  }

  #value(key: number): number {
    return Math.pow(this.#gamma, key) * (2 / (1 + this.#gamma));
  }

  #addToBin(key: number, n: number): void {
    // Grown with concat and a loop, never a spread: a spread passes every element as an
    // argument, and a gap of a million keys overflowed the stack.
    if (this.#bins.length === 0) {
      this.#offset = key;
      this.#bins.push(0);
    } else if (key < this.#offset) {
      this.#bins = new Array<number>(this.#offset - key).fill(0).concat(this.#bins);
      this.#offset = key;
    } else {
      while (key >= this.#offset + this.#bins.length) this.#bins.push(0);
    }
    this.#bins[key - this.#offset] += n;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
