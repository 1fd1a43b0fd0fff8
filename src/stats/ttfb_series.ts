/**
 * Time to first byte per interval, as sketches that merge exactly: the run's manifest and
 * segment TTFBs binned on wall-clock intervals (epoch seconds divisible by the interval), so the
 * bins of two shards, threads or machines cover the same seconds and add sketch by sketch. A
 * fleet's p99 in an interval is then the p99 of the union of its shards' samples (within the
 * sketch's relative accuracy), never a max or an average of per-shard p99s.
 *
 * Memory stays bounded however long the run: at most {@linkcode MAX_TTFB_INTERVALS} bins, and a
 * longer run moves up a ladder of intervals ({@linkcode TTFB_INTERVALS}), each a multiple of the
 * one before, merging neighbouring bins. A coarse bin holds exactly the samples of the fine bins
 * it covers, so series of different intervals still merge exactly (at the coarser one).
 * @module
 */
import { type Percentiles, Sketch, SKETCH_ACCURACY, type SketchWire } from "../math/sketch.ts";
import { int, list, obj, type Rule } from "./validate.ts";

/** The request kinds whose TTFB is binned. */
export const TTFB_KINDS = ["manifest", "segment"] as const;
export type TtfbKind = typeof TTFB_KINDS[number];

/** The intervals a series may use (seconds), finest first: each divides the next. */
export const TTFB_INTERVALS = [10, 60, 300, 1800] as const;

/**
 * The most bins a series holds: 2 h at 10 s, 12 h at 60 s, 60 h at 5 min, 15 days at 30 min.
 * A plot has fewer points than this anyway (the HTML report draws at most 900).
 */
export const MAX_TTFB_INTERVALS = 720;

/** A series as JSON: `manifest[i]` and `segment[i]` cover epoch seconds
 * [start + i·intervalSeconds, start + (i+1)·intervalSeconds). */
export interface TtfbSeriesWire {
  intervalSeconds: number;
  /** Epoch second, a multiple of `intervalSeconds`. */
  start: number;
  manifest: SketchWire[];
  segment: SketchWire[];
}

/** One interval's TTFB figures as the summary shows them; null percentiles without samples. */
export interface IntervalPercentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

/** The summary's `ttfbPercentiles`: what the HTML report plots. */
export interface TtfbPercentiles {
  intervalSeconds: number;
  start: number;
  manifest: IntervalPercentiles[];
  segment: IntervalPercentiles[];
}

/**
 * TTFB sketches per wall-clock interval. Samples arrive between the 1 s ticks; each tick puts
 * them in the second it closes ({@linkcode TtfbSeries.close}), the second the per-second series
 * (src/stats/series.ts) counts their requests in.
 *
 * @example
 * ```ts
 * const s = new TtfbSeries();
 * s.add("segment", 12);
 * s.add("segment", 30);
 * s.close(1_733_061_736); // the second that just ended
 * const w = s.toWire();
 * [w.intervalSeconds, w.start, w.segment[0].count]; // [10, 1733061730, 2]
 * ```
 */
export class TtfbSeries {
  readonly accuracy: number;
  #interval: number = TTFB_INTERVALS[0];
  #start: number | null = null;
  /** Without samples: the start a wire says (a merge of empty parts keeps it). */
  #hint: number | null = null;
  #bins: Record<TtfbKind, (Sketch | null)[]> = { manifest: [], segment: [] };
  /** Each bin's wire, kept until the bin changes: a snapshot a second copies no sketch. */
  #wires: Record<TtfbKind, (SketchWire | null)[]> = { manifest: [], segment: [] };
  #pending: Record<TtfbKind, Sketch>;
  readonly #empty: SketchWire;

  constructor(accuracy = SKETCH_ACCURACY) {
    this.accuracy = accuracy;
    this.#pending = { manifest: new Sketch(accuracy), segment: new Sketch(accuracy) };
    this.#empty = freeze(new Sketch(accuracy).toWire());
  }

  /** The interval of the bins now (seconds). */
  get intervalSeconds(): number {
    return this.#interval;
  }

  /** One TTFB sample, not yet in a bin (negative and non-finite ones are ignored, as a
   * sketch ignores them). */
  add(kind: TtfbKind, ms: number): void {
    this.#pending[kind].add(ms);
  }

  /** Puts the samples since the last close in the bin of epoch second `second`. */
  close(second: number): void {
    for (const kind of TTFB_KINDS) {
      const p = this.#pending[kind];
      if (p.count === 0) continue;
      this.#bin(kind, second).merge(p);
      this.#pending[kind] = new Sketch(this.accuracy);
    }
  }

  /** Adds a series read from JSON (a merge), at the coarser of the two intervals. */
  addWire(w: TtfbSeriesWire): void {
    this.#coarsen(w.intervalSeconds);
    this.#hint ??= w.start;
    for (const kind of TTFB_KINDS) {
      w[kind].forEach((x, i) => {
        if (x.count > 0) this.#bin(kind, w.start + i * w.intervalSeconds).merge(Sketch.fromWire(x));
      });
    }
  }

  /**
   * The series as JSON. With `now` (an epoch second), samples not yet closed count in its bin,
   * so the bins always add up to the whole-run sketches. The wires are frozen and shared with
   * later calls: read them, never change them. Without samples the series is empty and starts
   * at the bin of `now` (or of the start of the wires added), a valid epoch second.
   */
  toWire(now?: number): TtfbSeriesWire {
    const extra = now !== undefined && TTFB_KINDS.some((k) => this.#pending[k].count > 0);
    if (extra) this.#index(now!);
    const start = this.#start ?? this.#binStart(this.#hint ?? now ?? 0);
    const at = extra ? (this.#binStart(now!) - start) / this.#interval : -1;
    const out = { intervalSeconds: this.#interval, start } as TtfbSeriesWire;
    for (const kind of TTFB_KINDS) {
      const bins = this.#bins[kind], wires = this.#wires[kind];
      out[kind] = bins.map((b, i) => {
        if (i === at && this.#pending[kind].count > 0) {
          const s = new Sketch(this.accuracy);
          if (b) s.merge(b);
          s.merge(this.#pending[kind]);
          return freeze(s.toWire());
        }
        return b === null ? this.#empty : (wires[i] ??= freeze(b.toWire()));
      });
    }
    return out;
  }

  /** A series rebuilt from JSON. */
  static fromWire(w: TtfbSeriesWire, accuracy = SKETCH_ACCURACY): TtfbSeries {
    const s = new TtfbSeries(accuracy);
    s.addWire(w);
    return s;
  }

  #binStart(second: number): number {
    return Math.floor(second / this.#interval) * this.#interval;
  }

  /** The sketch of `second`'s bin, created when missing; its cached wire is dropped. */
  #bin(kind: TtfbKind, second: number): Sketch {
    const i = this.#index(second);
    this.#wires[kind][i] = null;
    return this.#bins[kind][i] ??= new Sketch(this.accuracy);
  }

  /** Index of `second`'s bin, growing the bins (and coarsening them when too many). */
  #index(second: number): number {
    let bin = this.#binStart(second);
    this.#start ??= bin;
    const span = () =>
      (Math.max(this.#start! + this.#bins.segment.length * this.#interval, bin + this.#interval) -
        Math.min(this.#start!, bin)) / this.#interval;
    while (span() > MAX_TTFB_INTERVALS) {
      const next = TTFB_INTERVALS.find((i) => i > this.#interval);
      if (next === undefined) {
        throw new RangeError(
          `a TTFB series cannot span ${span() * this.#interval} s: the clocks of its parts ` +
            "disagree by more than a week",
        );
      }
      this.#coarsen(next);
      bin = this.#binStart(second);
    }
    if (bin < this.#start!) {
      const pad = (this.#start! - bin) / this.#interval;
      for (const kind of TTFB_KINDS) {
        this.#bins[kind] = new Array<Sketch | null>(pad).fill(null).concat(this.#bins[kind]);
        this.#wires[kind] = new Array<SketchWire | null>(pad).fill(null).concat(this.#wires[kind]);
      }
      this.#start = bin;
    }
    const i = (bin - this.#start!) / this.#interval;
    for (const kind of TTFB_KINDS) {
      while (this.#bins[kind].length <= i) this.#bins[kind].push(null);
    }
    return i;
  }

  /** Moves to a coarser `interval` of the ladder (no-op when not coarser): bins merge. */
  #coarsen(interval: number): void {
    if (!TTFB_INTERVALS.includes(interval as typeof TTFB_INTERVALS[number])) {
      throw new RangeError(`a TTFB interval of ${interval} s is not one of ${TTFB_INTERVALS}`);
    }
    if (interval <= this.#interval) return;
    const old = this.#interval, start = this.#start;
    this.#interval = interval;
    if (start === null) return;
    this.#start = this.#binStart(start);
    for (const kind of TTFB_KINDS) {
      const bins: (Sketch | null)[] = [];
      this.#bins[kind].forEach((b, i) => {
        if (!b) return;
        const j = (this.#binStart(start + i * old) - this.#start!) / interval;
        while (bins.length <= j) bins.push(null);
        if (bins[j]) bins[j]!.merge(b);
        else bins[j] = b;
      });
      this.#bins[kind] = bins;
      this.#wires[kind] = [];
    }
    const n = Math.max(this.#bins.manifest.length, this.#bins.segment.length);
    for (const kind of TTFB_KINDS) while (this.#bins[kind].length < n) this.#bins[kind].push(null);
  }
}

/**
 * The merge of several snapshots' series (undefined when none has one): each bin the sketch of
 * the union of the parts' samples in it, at the coarsest interval among them.
 *
 * @example
 * ```ts
 * const a = new TtfbSeries(), b = new TtfbSeries();
 * a.add("segment", 10); a.close(1_733_061_736);
 * b.add("segment", 20); b.close(1_733_061_739);
 * mergeTtfbSeries([a.toWire(), b.toWire(), undefined])?.segment[0].count; // 2
 * ```
 */
export function mergeTtfbSeries(
  parts: readonly (TtfbSeriesWire | undefined)[],
  accuracy = SKETCH_ACCURACY,
): TtfbSeriesWire | undefined {
  const present = parts.filter((p): p is TtfbSeriesWire => p !== undefined);
  if (!present.length) return undefined;
  const s = new TtfbSeries(accuracy);
  for (const p of present) s.addWire(p);
  return s.toWire();
}

/**
 * The summary's figures of each interval.
 *
 * @example
 * ```ts
 * const s = new TtfbSeries();
 * s.add("manifest", 40); s.close(1_733_061_736);
 * ttfbPercentiles(s.toWire()).manifest[0]; // { p50: 40, p95: 40, p99: 40, count: 1 }
 * ```
 */
export function ttfbPercentiles(w: TtfbSeriesWire): TtfbPercentiles {
  const of = (x: SketchWire): IntervalPercentiles => {
    const p: Percentiles = Sketch.fromWire(x).percentiles();
    return { p50: p.p50, p95: p.p95, p99: p.p99, count: p.count };
  };
  return {
    intervalSeconds: w.intervalSeconds,
    start: w.start,
    manifest: w.manifest.map(of),
    segment: w.segment.map(of),
  };
}

/** Bins of one interval of the ladder, starting on a multiple of it, as many of each kind. */
function checkWire(w: Readonly<Record<string, unknown>>): [string, string] | null {
  const interval = w.intervalSeconds as number, start = w.start as number;
  if (!TTFB_INTERVALS.includes(interval as typeof TTFB_INTERVALS[number])) {
    return ["intervalSeconds", `${interval} is not one of ${TTFB_INTERVALS.join(", ")}`];
  }
  if (start % interval !== 0) return ["start", `${start} is not a multiple of ${interval}`];
  const m = (w.manifest as unknown[]).length, s = (w.segment as unknown[]).length;
  return m === s ? null : ["segment", `${s} intervals, but manifest has ${m}`];
}

/**
 * The rule of a snapshot's `ttfbSeries`, given its sketch rule and its rule of an epoch second.
 * At most {@linkcode MAX_TTFB_INTERVALS} bins: a file cannot make a merge allocate more.
 *
 * @example
 * ```ts
 * import { count, validate } from "./validate.ts";
 * validate({ intervalSeconds: 10, start: 20, manifest: [], segment: [] }, ttfbSeriesRule(count, count));
 * ```
 */
export function ttfbSeriesRule(sketch: Rule, epochSecond: Rule): Rule {
  return obj({
    intervalSeconds: int(TTFB_INTERVALS[0], TTFB_INTERVALS[TTFB_INTERVALS.length - 1]),
    start: epochSecond,
    manifest: list(sketch, MAX_TTFB_INTERVALS),
    segment: list(sketch, MAX_TTFB_INTERVALS),
  }, checkWire);
}

function freeze(w: SketchWire): SketchWire {
  Object.freeze(w.bins);
  return Object.freeze(w);
}
