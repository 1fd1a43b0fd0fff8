/**
 * The load box per wall-clock second, in a form that merges exactly: CPU time spent busy and CPU
 * time there was (both in ms, from /proc/stat's tick deltas), and the event loop's largest lag.
 * Busy and capacity add across shards and boxes, so a fleet's CPU share in a second is
 * Σ busy / Σ capacity (a 2-core box at 100 % and an 8-core box at 0 % are 20 %, not 50 %); the
 * lag merges by max. A second with no sample has a capacity of 0: its share is unknown, not 0.
 * @module
 */
import { count, type CrossCheck, list, num, obj, type Rule } from "./validate.ts";
import { MAX_SERIES_SECONDS } from "./series.ts";

/** The columns, each one value per second. */
export const LOADBOX_FIELDS = ["cpuBusyMs", "cpuCapacityMs", "loopLagMaxMs"] as const;
export type LoadboxField = typeof LOADBOX_FIELDS[number];

/** A series as JSON: `cpuBusyMs[i]` is the busy CPU time in epoch second `start + i`. */
export interface LoadboxSeriesWire {
  start: number;
  cpuBusyMs: number[];
  cpuCapacityMs: number[];
  loopLagMaxMs: number[];
}

/**
 * A growing per-second series of the load box. Seconds never written read as 0.
 *
 * @example
 * ```ts
 * const s = new LoadboxSeries();
 * s.add(100, { cpuBusyMs: 500, cpuCapacityMs: 2000, loopLagMaxMs: 3 });
 * s.add(100, { cpuBusyMs: 100, cpuCapacityMs: 2000, loopLagMaxMs: 9 });
 * s.toWire(); // { start: 100, cpuBusyMs: [600], cpuCapacityMs: [4000], loopLagMaxMs: [9] }
 * ```
 */
export class LoadboxSeries {
  #start: number | null = null;
  #cols: Record<LoadboxField, number[]> = { cpuBusyMs: [], cpuCapacityMs: [], loopLagMaxMs: [] };

  /** Adds busy and capacity to `second`, and its lag as a max. */
  add(second: number, v: Readonly<Record<LoadboxField, number>>): void {
    const i = this.#index(second);
    this.#cols.cpuBusyMs[i] += v.cpuBusyMs;
    this.#cols.cpuCapacityMs[i] += v.cpuCapacityMs;
    this.#cols.loopLagMaxMs[i] = Math.max(this.#cols.loopLagMaxMs[i], v.loopLagMaxMs);
  }

  /** Adds a series read from JSON, second by second (a merge). */
  addWire(w: LoadboxSeriesWire): void {
    const n = w.cpuBusyMs.length;
    if (n === 0) return;
    this.#index(w.start);
    const base = this.#index(w.start + n - 1) - (n - 1);
    const c = this.#cols;
    for (let i = 0; i < n; i++) {
      c.cpuBusyMs[base + i] += w.cpuBusyMs[i];
      c.cpuCapacityMs[base + i] += w.cpuCapacityMs[i];
      c.loopLagMaxMs[base + i] = Math.max(c.loopLagMaxMs[base + i], w.loopLagMaxMs[i]);
    }
  }

  toWire(): LoadboxSeriesWire {
    return {
      start: this.#start ?? 0,
      cpuBusyMs: [...this.#cols.cpuBusyMs],
      cpuCapacityMs: [...this.#cols.cpuCapacityMs],
      loopLagMaxMs: [...this.#cols.loopLagMaxMs],
    };
  }

  /** Index of `second`, growing the columns (with zeros) to hold it. */
  #index(second: number): number {
    this.#start ??= second;
    const n = this.#cols.cpuBusyMs.length;
    const span = Math.max(this.#start + n, second + 1) - Math.min(this.#start, second);
    if (span > MAX_SERIES_SECONDS) {
      throw new RangeError(
        `a load-box series cannot span ${span} s (from ${Math.min(this.#start, second)}): ` +
          "the clocks of its parts disagree by more than a week",
      );
    }
    if (second < this.#start) {
      const pad = this.#start - second;
      for (const f of LOADBOX_FIELDS) {
        this.#cols[f] = new Array<number>(pad).fill(0).concat(this.#cols[f]);
      }
      this.#start = second;
    }
    const i = second - this.#start;
    for (const f of LOADBOX_FIELDS) {
      const col = this.#cols[f];
      while (col.length <= i) col.push(0);
    }
    return i;
  }
}

/**
 * The merge of several snapshots' series (undefined when none has one).
 *
 * @example
 * ```ts
 * const a = { start: 10, cpuBusyMs: [100], cpuCapacityMs: [2000], loopLagMaxMs: [5] };
 * const b = { start: 11, cpuBusyMs: [300], cpuCapacityMs: [4000], loopLagMaxMs: [1] };
 * mergeLoadboxSeries([a, undefined, b])?.cpuCapacityMs; // [2000, 4000]
 * ```
 */
export function mergeLoadboxSeries(
  parts: readonly (LoadboxSeriesWire | undefined)[],
): LoadboxSeriesWire | undefined {
  const present = parts.filter((p): p is LoadboxSeriesWire => p !== undefined);
  if (!present.length) return undefined;
  const s = new LoadboxSeries();
  for (const p of present) s.addWire(p);
  return s.toWire();
}

/** Columns of one length, and no second busier than its capacity. */
const checkWire: CrossCheck = (w) => {
  const busy = w.cpuBusyMs as number[], cap = w.cpuCapacityMs as number[];
  const lag = w.loopLagMaxMs as number[];
  if (cap.length !== busy.length || lag.length !== busy.length) {
    return ["cpuCapacityMs", `columns of ${busy.length}, ${cap.length} and ${lag.length} seconds`];
  }
  const over = busy.findIndex((b, i) => b > cap[i]);
  return over < 0 ? null : [
    "cpuBusyMs",
    `second ${over}: ${busy[over]} ms busy is more than the ${cap[over]} ms there was`,
  ];
};

/**
 * The rule of a snapshot's `loadboxSeries`, given its rule of an epoch second. Columns hold at
 * most a week of seconds, as the per-second series do.
 *
 * @example
 * ```ts
 * import { count, validate } from "./validate.ts";
 * validate({ start: 1, cpuBusyMs: [1], cpuCapacityMs: [2], loopLagMaxMs: [0] }, loadboxSeriesRule(count));
 * ```
 */
export function loadboxSeriesRule(epochSecond: Rule): Rule {
  return obj({
    start: epochSecond,
    cpuBusyMs: list(count, MAX_SERIES_SECONDS),
    cpuCapacityMs: list(count, MAX_SERIES_SECONDS),
    // A lag of a day in one second is no measurement.
    loopLagMaxMs: list(num(0, 86_400_000, "a lag in ms"), MAX_SERIES_SECONDS),
  }, checkWire);
}
