/**
 * Per-second series aligned on wall-clock seconds (Unix epoch seconds), so the series of two
 * shards, threads or machines add element by element: second 1733061736 is the same second
 * everywhere. Counter fields hold what happened in that second; gauge fields hold the value at
 * its end (running clients, stalled clients), so a fleet's gauge is the sum of its shards' and a
 * peak comes from the summed series, never from summing peaks.
 *
 * Readers only read, so any number of them (summary, metrics, dashboard) can ask for a rate
 * without disturbing each other (the Go tool's shared "previous snapshot" let each reader
 * corrupt the others' rates).
 * @module
 */

/**
 * Fields counted per second. The viewer fields (src/viewer/stats.ts) count session outcomes as
 * they happen, and rebuffer and play time as it is spent: `playMs` / 1000 in a second is the
 * average number of viewers playing in it, `rebufferMs` / 1000 the number frozen. `joins` and
 * `leaves` count viewer sessions begun and left (src/stats/audience.ts).
 */
export const SERIES_COUNTERS = [
  "manifests",
  "segments",
  "inits",
  "others",
  "bytes",
  "errors",
  "videoStarts",
  "startFailures",
  "exitsBeforeStart",
  "rebuffers",
  "rebufferMs",
  "playMs",
  "joins",
  "leaves",
  "errors4xx",
  "errors5xx",
] as const;
export type SeriesCounter = typeof SERIES_COUNTERS[number];
/**
 * Fields sampled at the end of each second. `target` is the audience plan's target viewers
 * (--stages, --session-duration; 0 without a plan), set by the process that runs the plan
 * (src/swarm/audience.ts): a shard's share, so a fleet's target is the sum of its shards'.
 */
export const SERIES_GAUGES = ["running", "stalled", "target"] as const;
export const SERIES_FIELDS = [...SERIES_COUNTERS, ...SERIES_GAUGES] as const;
export type SeriesField = typeof SERIES_FIELDS[number];
export type SeriesValues = Record<SeriesField, number>;
/**
 * Fields that joined the series after snapshot version 3 was first written: optional when read
 * (an older snapshot's seconds read 0 there). `errors4xx` and `errors5xx` split `errors` by
 * status class; the rest of `errors` is requests never answered.
 */
export const SERIES_ADDED: readonly SeriesField[] = ["errors4xx", "errors5xx", "target"];

/** A series as JSON: `fields[f][i]` is field f in epoch second `start + i`. */
export interface SeriesWire {
  start: number;
  fields: Record<SeriesField, number[]>;
}

/** The longest span a series may cover: a week of seconds. A longer one means clocks that
 * disagree wildly (shards of different runs, a clock jump), and would fill memory with zeros. */
export const MAX_SERIES_SECONDS = 7 * 24 * 3600;

const emptyColumns = (): Record<SeriesField, number[]> =>
  Object.fromEntries(SERIES_FIELDS.map((f) => [f, []])) as unknown as Record<
    SeriesField,
    number[]
  >;

/**
 * A growing per-second series. Seconds never written read as 0.
 *
 * @example
 * ```ts
 * const zero = Object.fromEntries(SERIES_FIELDS.map((f) => [f, 0])) as SeriesValues;
 * const s = new WallSeries();
 * s.put(100, { ...zero, segments: 4 });
 * s.put(101, { ...zero, segments: 6 });
 * s.rate("segments", 2); // 5 per second
 * ```
 */
export class WallSeries {
  #start: number | null = null;
  #cols = emptyColumns();

  /** First second held, or null when empty. */
  get start(): number | null {
    return this.#start;
  }

  /** One past the last second held (the start when empty). */
  get end(): number {
    return (this.#start ?? 0) + this.#cols.segments.length;
  }

  /** Writes the values of `second`, replacing what was there. */
  put(second: number, values: Readonly<SeriesValues>): void {
    const i = this.#index(second);
    for (const f of SERIES_FIELDS) this.#cols[f][i] = values[f];
  }

  /** Adds counter values to `second` and sets its gauge values (one shard's tick). */
  accumulate(second: number, values: Readonly<SeriesValues>): void {
    const i = this.#index(second);
    for (const f of SERIES_COUNTERS) this.#cols[f][i] += values[f];
    for (const f of SERIES_GAUGES) this.#cols[f][i] = values[f];
  }

  /** Adds another series element by element (a merge). */
  add(w: SeriesWire): void {
    const n = w.fields.segments.length;
    if (n === 0) return;
    this.#index(w.start);
    const base = this.#index(w.start + n - 1) - (n - 1);
    for (const f of SERIES_FIELDS) {
      // A field an older snapshot lacks (SERIES_ADDED) adds nothing.
      const src = w.fields[f] ?? [];
      for (let i = 0; i < n; i++) this.#cols[f][base + i] += src[i] ?? 0;
    }
  }

  /** The value of `field` in `second` (0 when not held). */
  at(field: SeriesField, second: number): number {
    if (this.#start === null) return 0;
    return this.#cols[field][second - this.#start] ?? 0;
  }

  /**
   * Average per second of `field` over the `seconds` seconds before `end` (an epoch second,
   * exclusive; default: the end of the series). Fewer seconds count when fewer are held; null
   * when none is.
   */
  rate(field: SeriesField, seconds: number, end = this.end): number | null {
    if (this.#start === null) return null;
    const col = this.#cols[field];
    const to = Math.min(end - this.#start, col.length);
    const from = Math.max(0, to - seconds);
    if (to - from <= 0) return null;
    let sum = 0;
    for (let i = from; i < to; i++) sum += col[i];
    return sum / (to - from);
  }

  /** The last `n` values of `field`, oldest first. */
  history(field: SeriesField, n: number): number[] {
    return this.#cols[field].slice(-n);
  }

  /** The largest value of `field` (0 when empty). */
  max(field: SeriesField): number {
    let m = 0;
    for (const v of this.#cols[field]) if (v > m) m = v;
    return m;
  }

  /** The series from `from` (epoch second) on, or all of it. */
  toWire(from?: number): SeriesWire {
    const start = Math.max(this.#start ?? 0, from ?? -Infinity);
    const skip = start - (this.#start ?? 0);
    const fields = emptyColumns();
    for (const f of SERIES_FIELDS) fields[f] = this.#cols[f].slice(skip);
    return { start, fields };
  }

  static fromWire(w: SeriesWire): WallSeries {
    const s = new WallSeries();
    s.add(w);
    return s;
  }

  /** Index of `second`, growing the columns (with zeros) to hold it. */
  #index(second: number): number {
    if (this.#start === null) this.#start = second;
    const span = Math.max(this.end, second + 1) - Math.min(this.#start, second);
    if (span > MAX_SERIES_SECONDS) {
      throw new RangeError(
        `a per-second series cannot span ${span} s (from ${Math.min(this.#start, second)}): ` +
          "the clocks of its parts disagree by more than a week",
      );
    }
    if (second < this.#start) {
      // concat, not unshift(...spread): a spread passes every element as an argument, and six
      // days of padding overflowed the stack (merging the same shards the other way round did
      // not).
      const pad = this.#start - second;
      for (const f of SERIES_FIELDS) {
        this.#cols[f] = new Array<number>(pad).fill(0).concat(this.#cols[f]);
      }
      this.#start = second;
    }
    const i = second - this.#start;
    for (const f of SERIES_FIELDS) {
      const col = this.#cols[f];
      while (col.length <= i) col.push(0);
    }
    return i;
  }
}
