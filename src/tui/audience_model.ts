/**
 * The dashboard's audience and renditions, read from the same snapshot as the rest of the model
 * (so they agree with /metrics and the summary): the plan's target against the viewers, joins
 * and leaves per second, the current stage and whether the ramp is held; and, with several
 * renditions (`--variant-mix`), each rendition's requests, bitrate, TTFB and rebuffering.
 * @module
 */
import type { Snapshot } from "../stats/snapshot.ts";
import { audienceFigures } from "../stats/audience.ts";
import type { GroupCell } from "../stats/groups.ts";
import type { WallSeries } from "../stats/series.ts";
import { Sketch } from "../math/sketch.ts";

/** One stage of `--stages` as the dashboard needs it (src/config/stages.ts's Stage fits). */
export interface StageSpec {
  durationMs: number;
  target: number;
}

/** Where the audience plan is now, as the swarm reports it (src/swarm/audience.ts). */
export interface AudiencePlanStatus {
  /** The stage clock: ms since the plan started, less the time held. */
  stageMs: number;
}

/** The stage the stage clock is in. */
export interface StageNow {
  /** From 1; `count` + 1 once the stages are over (the last target holds until --duration). */
  index: number;
  count: number;
  /** The target this stage goes from and to, and its length. */
  from: number;
  to: number;
  durationMs: number;
  /** Time into the stage (0 once over). */
  intoMs: number;
}

/** The audience as one frame shows it. */
export interface AudienceModel {
  /** Viewers the plan asks for now (the snapshot's, as /metrics shows it). */
  target: number;
  /** Joins - leaves so far: viewers now. */
  viewers: number;
  joins: number;
  leaves: number;
  /** Per second over the last 10 s of the series; null before a second is known. */
  joinsPerSecond: number | null;
  leavesPerSecond: number | null;
  /** Sessions begun per viewer slot used; null before any began. */
  sessionsPerSlot: number | null;
  /** null without --stages (--session-duration alone follows the ramp). */
  stage: StageNow | null;
  /** The stage's targets are the whole run's: this process is one of several shards, and its
   * own target is its share. */
  wholeRun: boolean;
  /** Joins wait now because the load box is saturated. */
  held: boolean;
  /** Time the ramp stood still so far. */
  heldMs: number;
}

/** One rendition's row. Rates are over the last 10 s; TTFB and rebuffering over the run. */
export interface RenditionRow {
  name: string;
  viewers: number;
  requests: number;
  requestsPerSecond: number | null;
  bytesPerSecond: number | null;
  errors: number;
  ttfbP95Ms: number | null;
  /** Rebuffer time over watch time; null before any watch time. */
  rebufferRatio: number | null;
}

/** The window of the current rates, in seconds (as the other panels'). */
export const RATE_WINDOW_S = 10;

/**
 * The stage of `stages` the stage clock `stageMs` is in.
 *
 * @example
 * ```ts
 * stageAt([{ durationMs: 10_000, target: 100 }, { durationMs: 5_000, target: 100 }], 12_000);
 * // { index: 2, count: 2, from: 100, to: 100, durationMs: 5000, intoMs: 2000 }
 * ```
 */
export function stageAt(stages: readonly StageSpec[], stageMs: number): StageNow {
  let from = 0, t0 = 0;
  for (const [i, s] of stages.entries()) {
    if (stageMs < t0 + s.durationMs) {
      return {
        index: i + 1,
        count: stages.length,
        from,
        to: s.target,
        durationMs: s.durationMs,
        intoMs: Math.max(0, stageMs - t0),
      };
    }
    from = s.target;
    t0 += s.durationMs;
  }
  const n = stages.length;
  return { index: n + 1, count: n, from, to: from, durationMs: 0, intoMs: 0 };
}

/**
 * The audience of `snap`, or null when no plan runs (the snapshot has no target).
 *
 * @example
 * ```ts
 * import { PartitionStats } from "../stats/partition_stats.ts";
 * import { WallSeries } from "../stats/series.ts";
 * const snap = new PartitionStats({ targetClients: 4, targetDurationMs: 2000, dropThreshold: 0.01 })
 *   .snapshot(Date.now());
 * audienceModel(snap, new WallSeries(), null, null); // null: no plan
 * ```
 */
export function audienceModel(
  snap: Snapshot,
  series: WallSeries,
  stages: readonly StageSpec[] | null,
  status: AudiencePlanStatus | null,
  shards = 1,
): AudienceModel | null {
  const a = snap.audience;
  if (a.target === undefined) return null;
  return {
    target: a.target,
    viewers: a.joins - a.leaves,
    joins: a.joins,
    leaves: a.leaves,
    joinsPerSecond: series.rate("joins", RATE_WINDOW_S),
    leavesPerSecond: series.rate("leaves", RATE_WINDOW_S),
    sessionsPerSlot: audienceFigures(a).sessionsPerSlot,
    stage: stages && stages.length && status ? stageAt(stages, status.stageMs) : null,
    wholeRun: shards > 1,
    held: (a.holding ?? 0) > 0,
    heldMs: a.heldMs ?? 0,
  };
}

/**
 * The rendition rows of a run with several renditions: it remembers the totals of the last
 * {@linkcode RATE_WINDOW_S} seconds of frames, for the current rates.
 *
 * @example
 * ```ts
 * const rows = new RenditionRates();
 * rows.rows(undefined, 0); // []: no mix
 * ```
 */
export class RenditionRates {
  #past: { at: number; cells: Record<string, GroupCell> }[] = [];

  /** The rows at monotonic `now` (ms); empty with fewer than two renditions. */
  rows(renditions: Record<string, GroupCell> | undefined, now: number): RenditionRow[] {
    if (!renditions || Object.keys(renditions).length < 2) return [];
    this.#past.push({ at: now, cells: renditions });
    while (this.#past.length > 1 && now - this.#past[1].at >= RATE_WINDOW_S * 1000) {
      this.#past.shift();
    }
    const old = this.#past[0];
    const seconds = (now - old.at) / 1000;
    const total = (c: GroupCell) =>
      c.requests.manifest + c.requests.segment + c.requests.init + c.requests.other;
    return Object.entries(renditions).map(([name, c]) => {
      const before = old.cells[name];
      // A rate needs a second of frames; a rendition first seen since counts from 0.
      const rate = (f: (c: GroupCell) => number) =>
        seconds >= 1 ? (f(c) - (before ? f(before) : 0)) / seconds : null;
      const e = c.experience;
      const watchMs = e.playMs + e.rebufferMs;
      return {
        name,
        viewers: c.viewers,
        requests: total(c),
        requestsPerSecond: rate(total),
        bytesPerSecond: rate((x) => x.bytes),
        errors: c.errors,
        ttfbP95Ms: Sketch.fromWire(c.ttfbMs).percentiles().p95,
        rebufferRatio: watchMs > 0 ? e.rebufferMs / watchMs : null,
      };
    });
  }
}
