/**
 * The dashboard's read model: one plain object per frame, built from the swarm's live stats.
 * The renderer only reads it, so the renderer is a pure function a test can feed by hand.
 * @module
 */
import type { StatsLogLevel } from "../config/config.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import type { LoadboxSample } from "../loadbox/monitor.ts";
import { type FleetView, fleetView, type LineHealth, lineHealth } from "../fleet/view.ts";
import type { ClientRow } from "../stats/client_rows.ts";
import { SERIES_FIELDS, type SeriesField, WallSeries } from "../stats/series.ts";
import {
  type AudienceModel,
  audienceModel,
  type AudiencePlanStatus,
  RenditionRates,
  type RenditionRow,
  type StageSpec,
} from "./audience_model.ts";

/**
 * What an origin scraper reports at one moment. Every number is null when the scraper could
 * not read it, and so is a whole group it never read; the dashboard shows "n/a" for those.
 * A scraper's own snapshot with extra fields fits, as long as it adds `healthy` (and `error`).
 */
export interface OriginPanel {
  cpuPercent: number | null;
  memory: { usedBytes: number | null; totalBytes: number | null; percent: number | null } | null;
  net: { rxBytesPerSecond: number | null; txBytesPerSecond: number | null } | null;
  nginx: { activeConnections: number | null; requestsPerSecond: number | null } | null;
  /** null: not known yet (no scrape has finished). */
  healthy: boolean | null;
  error?: string;
}

/** Where a run is. */
export type RunPhase = "starting" | "ramping" | "running" | "stopping";

/** Which figures this run measures at all (they depend on --stats and --stats-loglevel). */
export interface Coverage {
  /** Request counts: stderr parsed at log level debug or trace. */
  requests: boolean;
  /** Statuses, bytes, TTFB and download times: only at log level trace. */
  responses: boolean;
  /** Speed, stalls and drift: the progress stream is read. */
  playback: boolean;
  /** Why some figures are not measured, as the panels say it; null when all are. */
  note: string | null;
}

export type { ClientRow };

/** Everything one frame shows. */
export interface DashboardModel {
  target: string;
  phase: RunPhase;
  stopReason: string | null;
  /** Since the ramp started; null before (preflight, variant probe). */
  elapsedMs: number | null;
  /** The configured duration; 0 runs until stopped. */
  durationMs: number;
  clients: {
    target: number;
    running: number;
    peak: number;
    started: number;
    restarts: number;
    unexpectedExits: number;
  };
  rampRate: number;
  coverage: Coverage;
  fleet: FleetView;
  /** Current rates of the kinds the fleet's series does not track, per second; null until known. */
  kindRates: { init: number | null; other: number | null };
  /** Body bytes per second since the ramp started; null before a second has passed. */
  averageBytesPerSecond: number | null;
  /** Per-second rates, oldest first, one point per fleet sample (1 s). */
  history: { segments: number[]; bytes: number[] };
  /**
   * The fleet's per-second series (src/stats/series.ts), the last {@linkcode HISTORY_POINTS}
   * seconds, oldest first: what the trends panel draws.
   */
  series: Record<SeriesField, number[]>;
  lines: LineHealth;
  /** null: no origin scraper configured (the panel is hidden). */
  origin: OriginPanel | null;
  /** Worst clients first, at most as many as asked for. */
  clientRows: ClientRow[];
  /** Clients the fleet knows about (rows available). */
  clientCount: number;
  /** Where the logs go while the dashboard is up. */
  logPath: string | null;
  /** The newest warning or error logged, as one line. */
  lastWarning: string | null;
  /** The load box's last second (CPU, loop lag, why it is saturated), or null before. */
  loadbox: LoadboxSample | null;
  /** The dashboard reads keys (stdin is a terminal). */
  keys: boolean;
  /** The audience plan's target, viewers, joins and leaves, stage and hold; null without one. */
  audience: AudienceModel | null;
  /** By rendition with several renditions (--variant-mix); empty otherwise. */
  renditions: RenditionRow[];
}

/** The parts of a swarm the dashboard reads. */
export interface SwarmView {
  /** The fleet's figures now. */
  snapshot(): Snapshot;
  /** The `limit` worst clients. */
  clientRows(limit: number): ClientRow[];
  /** Above this share of dropped lines a client counts as degraded. */
  readonly dropThreshold: number;
  /** The load box watching itself (absent in synthetic swarms). */
  readonly loadbox?: { readonly latest: LoadboxSample | null };
  /** Where the audience plan is (absent in synthetic swarms; status null without a plan). */
  readonly audienceNow?: { readonly status: AudiencePlanStatus | null };
}

/** What the model needs besides the swarm: the run's settings and a few live getters. */
export interface ModelSource {
  swarm: SwarmView;
  target: string;
  durationMs: number;
  rampRate: number;
  stats: boolean;
  statsLogLevel: StatsLogLevel;
  logPath: string | null;
  keys: boolean;
  /** Monotonic time the ramp started (null before). */
  runStartedAt(): number | null;
  /** Why the run is stopping (null while it runs). */
  stopReason(): string | null;
  lastWarning?(): string | null;
  /** The origin scraper's latest reading; absent when no scraper is configured. */
  origin?(): OriginPanel | null;
  /** `--stages`, for the current stage; absent or null without. */
  stages?: readonly StageSpec[] | null;
  /** The run's shards (--shard I/N's N); absent: one. */
  shards?: number;
}

/** Seconds of history shown in sparklines. */
export const HISTORY_POINTS = 600;

/** Window of the current rates, in seconds. */
const RATE_WINDOW_S = 10;

/**
 * Builds a {@linkcode DashboardModel} per frame from the swarm's snapshot: every figure comes
 * from the same snapshot as the summary's and /metrics', so the three never disagree.
 *
 * @example
 * ```ts
 * import { renderDashboard } from "./render.ts";
 * import { syntheticSource, syntheticSwarm } from "./synthetic.ts";
 * const source = syntheticSource(syntheticSwarm({ clients: 3, seconds: 5 }));
 * const builder = new DashboardModelBuilder(source);
 * const model = builder.build(performance.now(), 20);
 * renderDashboard(model, { width: 120, height: 40, showDetails: true, color: false });
 * ```
 */
export class DashboardModelBuilder {
  readonly #renditions = new RenditionRates();

  constructor(private source: ModelSource) {}

  /** The model at monotonic time `now`, with at most `clientRows` rows of the client table. */
  build(now: number, clientRows: number): DashboardModel {
    const s = this.source;
    const snap = s.swarm.snapshot();
    const series = WallSeries.fromWire(snap.series);
    const fleet = fleetView(snap, { series });
    const startedAt = s.runStartedAt();
    const stopReason = s.stopReason();
    const elapsedMs = startedAt === null ? null : Math.max(0, now - startedAt);
    const phase: RunPhase = stopReason !== null
      ? "stopping"
      : startedAt === null
      ? "starting"
      : snap.clients.started < snap.clients.target
      ? "ramping"
      : "running";
    return {
      target: s.target,
      phase,
      stopReason,
      elapsedMs,
      durationMs: s.durationMs,
      clients: {
        target: snap.clients.target,
        running: snap.clients.running,
        peak: Math.max(series.max("running"), snap.clients.running),
        started: snap.clients.started,
        restarts: snap.lifecycle.restarts,
        unexpectedExits: snap.lifecycle.exits.filter((e) => !e.requested)
          .reduce((n, e) => n + e.count, 0),
      },
      rampRate: s.rampRate,
      coverage: coverageOf(s.stats, s.statsLogLevel),
      fleet,
      kindRates: {
        init: series.rate("inits", RATE_WINDOW_S),
        other: series.rate("others", RATE_WINDOW_S),
      },
      averageBytesPerSecond: elapsedMs !== null && elapsedMs >= 1000
        ? fleet.totalBytes / (elapsedMs / 1000)
        : null,
      history: {
        segments: series.history("segments", HISTORY_POINTS),
        bytes: series.history("bytes", HISTORY_POINTS),
      },
      series: Object.fromEntries(
        SERIES_FIELDS.map((f) => [f, series.history(f, HISTORY_POINTS)]),
      ) as Record<SeriesField, number[]>,
      lines: lineHealth(snap, s.swarm.dropThreshold),
      origin: s.origin?.() ?? null,
      clientRows: clientRows > 0 ? s.swarm.clientRows(clientRows) : [],
      clientCount: snap.clients.started,
      logPath: s.logPath,
      lastWarning: s.lastWarning?.() ?? null,
      loadbox: s.swarm.loadbox?.latest ?? null,
      keys: s.keys,
      audience: audienceModel(
        snap,
        series,
        s.stages ?? null,
        s.swarm.audienceNow?.status ?? null,
        s.shards,
      ),
      renditions: this.#renditions.rows(snap.renditions, now),
    };
  }
}

/**
 * Which figures a run measures, from `--stats` and `--stats-loglevel` (docs/measurements.md, "Why FFmpeg runs
 * at log level trace").
 *
 * @example
 * ```ts
 * coverageOf(true, "debug").responses; // false: statuses and bytes need trace
 * ```
 */
export function coverageOf(stats: boolean, level: StatsLogLevel): Coverage {
  return {
    requests: stats && level !== "verbose",
    responses: stats && level === "trace",
    playback: stats,
    note: !stats
      ? "not measured (--stats=false)"
      : level === "trace"
      ? null
      : `not measured at --stats-loglevel ${level}`,
  };
}
