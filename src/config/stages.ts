/**
 * `--stages`: the target number of viewers over time, as k6 spells it. Each stage is
 * `DURATION:TARGET`; the target moves linearly from the previous stage's target (0 before the
 * first) to this one over the stage's duration. The count of viewers wanted at a moment is the
 * line rounded to the nearest whole viewer (a half rounds the way the line goes), so over any
 * stretch of time the mean count is the mean of the line, within half a viewer.
 *
 * Shards split the target the way their viewers are numbered: the k-th viewer wanted (from 0)
 * belongs to shard k mod n, so shard i wants ceil((T - i) / n) of a target T. Every shard's
 * share only ever grows while the target grows, and the shares add up to T at every moment.
 * @module
 */
import { parseDuration } from "./duration.ts";

/** One stage: over `durationMs`, move linearly to `target` viewers. */
export interface Stage {
  durationMs: number;
  target: number;
}

/** The most viewers a stage may ask for: far beyond a fleet, far below float trouble. */
export const MAX_STAGE_TARGET = 10_000_000;

/**
 * Parses `5m:2000,10m:2000,2m:0`. Returns the stages, or a message naming the bad part.
 *
 * @example
 * ```ts
 * parseStages("1m:200,30s:200,10s:0");
 * // { ok: true, stages: [{ durationMs: 60000, target: 200 }, { durationMs: 30000, target: 200 },
 * //   { durationMs: 10000, target: 0 }] }
 * parseStages("1m"); // { ok: false, error: 'stage 1 "1m": expected DURATION:TARGET, e.g. 5m:2000' }
 * ```
 */
export function parseStages(
  text: string,
): { ok: true; stages: Stage[] } | { ok: false; error: string } {
  const parts = text.split(",").map((p) => p.trim());
  const stages: Stage[] = [];
  for (const [i, part] of parts.entries()) {
    const where = `stage ${i + 1} "${part}"`;
    const m = /^([^:]+):(\d+)$/.exec(part);
    if (!m) return { ok: false, error: `${where}: expected DURATION:TARGET, e.g. 5m:2000` };
    const d = parseDuration(m[1]);
    if (!d.ok) return { ok: false, error: `${where}: ${d.error}` };
    const target = Number(m[2]);
    if (target > MAX_STAGE_TARGET) {
      return { ok: false, error: `${where}: at most ${MAX_STAGE_TARGET} viewers` };
    }
    stages.push({ durationMs: d.ms, target });
  }
  if (!stages.some((s) => s.target > 0)) {
    return { ok: false, error: "no stage asks for a viewer (every target is 0)" };
  }
  return { ok: true, stages };
}

/**
 * The whole-run target at `tMs` into the stages, rounded to whole viewers; after the last stage
 * it stays at the last target.
 *
 * @example
 * ```ts
 * const stages = [{ durationMs: 60_000, target: 200 }, { durationMs: 30_000, target: 0 }];
 * stageTarget(stages, 30_000); // 100
 * stageTarget(stages, 75_000); // 100
 * stageTarget(stages, 1e9); // 0
 * ```
 */
export function stageTarget(stages: readonly Stage[], tMs: number): number {
  let from = 0, t0 = 0;
  for (const s of stages) {
    if (tMs < t0 + s.durationMs) {
      return roundAlong(s.target - from, from + ((s.target - from) * (tMs - t0)) / s.durationMs);
    }
    from = s.target;
    t0 += s.durationMs;
  }
  return from;
}

/**
 * The earliest time after `tMs` at which {@linkcode stageTarget} may change: where the line
 * crosses the next half viewer, or the next stage begins. Infinity once nothing changes.
 *
 * @example
 * ```ts
 * nextStageChange([{ durationMs: 10_000, target: 10 }], 0); // 500: the first viewer at 0.5 s
 * ```
 */
export function nextStageChange(stages: readonly Stage[], tMs: number): number {
  let from = 0, t0 = 0;
  for (const s of stages) {
    const end = t0 + s.durationMs;
    if (tMs < end) {
      if (s.target === from) return end;
      // The rounded count changes where the line crosses the next half viewer.
      // (The line as stageTarget computes it, so both round alike.)
      const rise = s.target - from;
      const count = roundAlong(rise, from + (rise * (tMs - t0)) / s.durationMs);
      const at = t0 + ((count + (rise > 0 ? 0.5 : -0.5) - from) * s.durationMs) / rise;
      return Math.min(end, at > tMs ? at : tMs + 1);
    }
    from = s.target;
    t0 = end;
  }
  return Infinity;
}

/** The stages' total length in ms. */
export function stagesDurationMs(stages: readonly Stage[]): number {
  return stages.reduce((n, s) => n + s.durationMs, 0);
}

/** The most viewers the stages ask for at once: the run's viewer slots. */
export function stagesPeak(stages: readonly Stage[]): number {
  return stages.reduce((m, s) => Math.max(m, s.target), 0);
}

/**
 * Shard `index` of `count`'s share of a whole-run target: the viewers k < target with
 * k mod count = index.
 *
 * @example
 * ```ts
 * [0, 1, 2].map((i) => shareOf(7, i, 3)); // [3, 2, 2]
 * ```
 */
export function shareOf(target: number, index: number, count: number): number {
  return Math.max(0, Math.ceil((target - index) / count));
}

/**
 * The viewer slots (global client ids) of shard `index` of `count`: its share of the peak,
 * numbered after the slots of the shards before it, so ids stay global and disjoint.
 *
 * @example
 * ```ts
 * stageSlots(10, { index: 1, count: 3 }); // { firstClient: 4, clients: 3 }
 * ```
 */
export function stageSlots(
  peak: number,
  shard: { index: number; count: number } | null,
): { firstClient: number; clients: number } {
  if (!shard) return { firstClient: 0, clients: peak };
  let first = 0;
  for (let i = 0; i < shard.index; i++) first += shareOf(peak, i, shard.count);
  return { firstClient: first, clients: shareOf(peak, shard.index, shard.count) };
}

/**
 * The stages as given, for headers and logs: `0→200 in 1m, hold 1m, →0 in 30s`.
 *
 * @example
 * ```ts
 * describeStages([{ durationMs: 60_000, target: 200 }, { durationMs: 60_000, target: 200 }]);
 * // "→200 in 1m, hold 200 for 1m"
 * ```
 */
export function describeStages(stages: readonly Stage[]): string {
  let from = 0;
  return stages.map((s) => {
    const d = shortDuration(s.durationMs);
    const text = s.target === from ? `hold ${s.target} for ${d}` : `→${s.target} in ${d}`;
    from = s.target;
    return text;
  }).join(", ");
}

/**
 * The steepest rise the stages ask for, in joins per second (0 when none rises), and which
 * stage (from 1) asks for it: the flash crowd a run is judged on.
 *
 * @example
 * ```ts
 * steepestRise([{ durationMs: 60_000, target: 200 }, { durationMs: 10_000, target: 400 }]);
 * // { stage: 2, perSecond: 20, startMs: 60000, endMs: 70000 }
 * ```
 */
export function steepestRise(
  stages: readonly Stage[],
): { stage: number; perSecond: number; startMs: number; endMs: number } | null {
  let from = 0, t0 = 0;
  let best: { stage: number; perSecond: number; startMs: number; endMs: number } | null = null;
  for (const [i, s] of stages.entries()) {
    const rate = s.durationMs > 0 ? ((s.target - from) * 1000) / s.durationMs : 0;
    if (rate > 0 && (!best || rate > best.perSecond)) {
      best = { stage: i + 1, perSecond: rate, startMs: t0, endMs: t0 + s.durationMs };
    }
    from = s.target;
    t0 += s.durationMs;
  }
  return best;
}

/**
 * The line's value `v` in whole viewers: halves round the way the line goes (up when it rises,
 * down when it falls), so a change of count falls exactly on the half viewer either way.
 */
function roundAlong(rise: number, v: number): number {
  // `|| 0`: ceil(-0.2) is -0, which would print as 0 yet compare unequal in a deep equality.
  return rise >= 0 ? Math.floor(v + 0.5) : Math.ceil(v - 0.5) || 0;
}

/** 90000 → "1m30s", 500 → "500ms". */
function shortDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000), m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}

/**
 * The stages as a `--stages` value again (for the run record, which merge reads back).
 *
 * @example
 * ```ts
 * stagesFlag([{ durationMs: 90_000, target: 200 }, { durationMs: 500, target: 0 }]); // "1m30s:200,500ms:0"
 * ```
 */
export function stagesFlag(stages: readonly Stage[]): string {
  return stages.map((s) => `${s.durationMs === 0 ? "0" : shortDuration(s.durationMs)}:${s.target}`)
    .join(",");
}
