/**
 * The audience in the summary: the stages and sessions asked for (header), what the viewers did
 * (joins, leaves, session lengths, sessions per slot), and for a ramp or a flash crowd the join
 * rate achieved against the one asked, and whether the load box held.
 *
 * The achieved rate is measured from the per-second series (joins are counted where the clients
 * start, so a merged fleet's rate is the fleet's): the most joins in any window as long as the
 * steepest rise asked (at least 1 s), divided by that window. It is not the rate the origin saw:
 * that is the first playlist request of each session in its access log, a spawn later.
 * @module
 */
import type { LoadboxReport } from "../loadbox/monitor.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import { audienceFigures } from "../stats/audience.ts";
import { WallSeries } from "../stats/series.ts";
import { parseStages, steepestRise } from "../config/stages.ts";
import { describeStages } from "../config/stages.ts";
import { describeSessionDist, parseSessionDist } from "../config/session_duration.ts";

/** The audience part of the JSON summary. */
export interface AudienceReport {
  /** `--stages` in words, or null for the plain ramp. */
  stages: string | null;
  /** `--session-duration` in words, or null (viewers stay to the end). */
  sessions: string | null;
  joins: number;
  leaves: number;
  /** Sessions still running when the run stopped. */
  cut: number;
  /** Mean length of the sessions that ended by leaving (FFmpeg's start to its exit), ms. */
  meanSessionMs: number | null;
  /** How many sessions that mean is over (leaves less those that left before they began). */
  sessionsMeasured: number;
  /** Watched time of every session (cut ones too) per leave: exponential sessions' estimate. */
  meanSessionWithCutMs: number | null;
  /** Viewer slots used, and their mean number of sessions. */
  slots: number;
  sessionsPerSlot: number | null;
  ramp: {
    /** Joins per second asked at the steepest rise (the ramp rate without stages). */
    askedPerSecond: number;
    /** The window the achieved rate is measured over, s. */
    windowS: number;
    /** The most joins in any such window, per second. */
    achievedPerSecond: number;
    /** Seconds the load box was saturated (joins wait while it is). */
    saturatedSeconds: number | null;
  } | null;
}

/** What the report needs from the run record's config. */
export interface AudienceSettings {
  clients: number;
  rampRate: number;
  stages?: string | null;
  sessionDuration?: string | null;
}

/**
 * The audience report of a run; `share` is a shard's part of the whole run's viewers (its slots
 * over the run's), which scales the join rate asked to what that shard was asked for.
 *
 * @example Not run: it needs a finished run's snapshot
 * ```ts ignore
 * audienceReport(summary.snapshot, summary.run.config, summary.loadbox).ramp?.achievedPerSecond;
 * ```
 */
export function audienceReport(
  snap: Snapshot,
  settings: AudienceSettings,
  loadbox: LoadboxReport | null,
  share = 1,
): AudienceReport {
  const stages = settings.stages ? parseStages(settings.stages) : null;
  const dist = settings.sessionDuration ? parseSessionDist(settings.sessionDuration) : null;
  const f = audienceFigures(snap.audience);
  let asked: { perSecond: number; windowS: number } | null = null;
  if (stages?.ok) {
    const rise = steepestRise(stages.stages);
    if (rise) {
      asked = {
        perSecond: rise.perSecond,
        windowS: Math.max(1, Math.round((rise.endMs - rise.startMs) / 1000)),
      };
    }
  } else if (settings.clients > 1) {
    const rampS = settings.clients / settings.rampRate;
    asked = { perSecond: settings.rampRate, windowS: Math.max(1, Math.min(10, Math.round(rampS))) };
  }
  const series = WallSeries.fromWire(snap.series);
  return {
    stages: stages?.ok ? describeStages(stages.stages) : null,
    sessions: dist?.ok ? describeSessionDist(dist.dist) : null,
    joins: snap.audience.joins,
    leaves: snap.audience.leaves,
    cut: snap.audience.cut,
    meanSessionMs: f.meanMs,
    sessionsMeasured: snap.audience.sessionMs.count,
    meanSessionWithCutMs: f.meanWithCutMs,
    slots: f.slots,
    sessionsPerSlot: f.sessionsPerSlot,
    ramp: asked && {
      askedPerSecond: round2(asked.perSecond * share),
      windowS: asked.windowS,
      achievedPerSecond: round2(mostIn(series, "joins", asked.windowS) / asked.windowS),
      saturatedSeconds: loadbox?.saturatedSeconds ?? null,
    },
  };
}

/**
 * The audience's lines in the text summary.
 *
 * @example Not run: it needs a finished run's summary
 * ```ts ignore
 * formatAudience(summary.audience, row).join("\n");
 * ```
 */
export function formatAudience(
  a: AudienceReport,
  row: (label: string, value: string | number) => string,
): string[] {
  const s = (ms: number | null) => (ms === null ? "n/a" : `${(ms / 1000).toFixed(1)} s`);
  const lines = [
    ...(a.stages ? [row("Stages:", a.stages)] : []),
    ...(a.sessions ? [row("Sessions:", a.sessions)] : []),
  ];
  if (a.ramp) {
    const held = a.ramp.saturatedSeconds === null
      ? "not watched"
      : a.ramp.saturatedSeconds === 0
      ? "held (never saturated)"
      : `saturated ${a.ramp.saturatedSeconds} s: joins waited then (see Load box)`;
    lines.push(
      row(
        "Join rate:",
        `${a.ramp.achievedPerSecond}/s achieved (most joins in ${a.ramp.windowS} s) of ` +
          `${a.ramp.askedPerSecond}/s asked; box ${held}`,
      ),
    );
  }
  if (a.stages || a.sessions || a.leaves) {
    lines.push(
      row("Joins / leaves:", `${a.joins} / ${a.leaves} (${a.cut} sessions cut by the end)`),
    );
  }
  if (a.sessions) {
    lines.push(
      row(
        "Session length:",
        `mean ${s(a.meanSessionMs)} over ${a.sessionsMeasured} left; ${
          s(a.meanSessionWithCutMs)
        } counting cut ones' time`,
      ),
      row("Sessions per slot:", `${a.sessionsPerSlot?.toFixed(2) ?? "n/a"} over ${a.slots} slots`),
    );
  }
  return lines;
}

/** The largest sum of `field` over `window` consecutive seconds. */
function mostIn(series: WallSeries, field: "joins", window: number): number {
  const start = series.start;
  if (start === null) return 0;
  let best = 0, sum = 0;
  for (let t = start; t < series.end; t++) {
    sum += series.at(field, t) - (t - window >= start ? series.at(field, t - window) : 0);
    best = Math.max(best, sum);
  }
  return best;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
