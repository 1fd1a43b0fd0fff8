/**
 * The dashboard's read model: one plain object per frame, built from the swarm's live stats.
 * The renderer only reads it, so the renderer is a pure function a test can feed by hand.
 * @module
 */
import type { StatsLogLevel } from "../config/config.ts";
import type { FleetSnapshot, FleetStats } from "../stats/fleet.ts";
import type { LifecycleStats } from "../stats/lifecycle.ts";
import type { LineHealth } from "../stats/line_health.ts";
import { STALL_SPEED } from "../stats/playback.ts";
import { RateSeries } from "../stats/rates.ts";

/**
 * What an origin scraper reports at one moment. Every number is null when the scraper could
 * not read it, and so is a whole group it never read; the dashboard shows "n/a" for those.
 * A scraper's own snapshot with extra fields fits, as long as it adds `healthy` (and `error`).
 */
export interface OriginSnapshot {
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

/** One row of the per-client table. */
export interface ClientRow {
  id: number;
  status: "stalled" | "behind" | "ok" | "waiting";
  /** Recent speed (media seconds per wall second), or FFmpeg's average before that is known. */
  speed: number | null;
  driftMs: number | null;
  maxDriftMs: number;
  stalls: number;
  requests: number;
  segments: number;
  failed: number;
  bytes: number;
}

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
  fleet: FleetSnapshot;
  /** Current rates of the kinds the fleet's series does not track, per second; null until known. */
  kindRates: { init: number | null; other: number | null };
  /** Body bytes per second since the ramp started; null before a second has passed. */
  averageBytesPerSecond: number | null;
  /** Per-second rates, oldest first, one point per fleet sample (1 s). */
  history: { segments: number[]; bytes: number[] };
  lines: LineHealth;
  /** null: no origin scraper configured (the panel is hidden). */
  origin: OriginSnapshot | null;
  /** Worst clients first, at most as many as asked for. */
  clientRows: ClientRow[];
  /** Clients the fleet knows about (rows available). */
  clientCount: number;
  /** Where the logs go while the dashboard is up. */
  logPath: string | null;
  /** The newest warning or error logged, as one line. */
  lastWarning: string | null;
  /** The dashboard reads keys (stdin is a terminal). */
  keys: boolean;
}

/** The parts of a {@linkcode Swarm} the dashboard reads. */
export interface SwarmView {
  readonly fleet: FleetStats;
  readonly lifecycle: LifecycleStats;
  lineHealth(): LineHealth;
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
  origin?(): OriginSnapshot | null;
}

/** Seconds of fleet history kept for sparklines: the fleet's series holds 600 samples. */
export const HISTORY_POINTS = 600;

/** Window of the init/other rates, the same as the fleet's current rates. */
const KIND_RATE_WINDOW_MS = 10_000;

/**
 * Builds a {@linkcode DashboardModel} per frame. It keeps one small series of its own for the
 * init and other request rates, which the fleet's series does not record; the fleet's series is
 * only read, never written, so the metrics and the summary see the same rates as before.
 *
 * @example
 * ```ts
 * const builder = new DashboardModelBuilder(source);
 * const model = builder.build(performance.now(), 20);
 * renderDashboard(model, { width: 120, height: 40, showDetails: true, color: false });
 * ```
 */
export class DashboardModelBuilder {
  #kinds = new RateSeries(64);
  #lastRecorded = -Infinity;

  constructor(private source: ModelSource) {}

  /** The model at monotonic time `now`, with at most `clientRows` rows of the client table. */
  build(now: number, clientRows: number): DashboardModel {
    const s = this.source;
    const { fleet, lifecycle } = s.swarm;
    const snapshot = fleet.snapshot(now);
    // One point per second is enough for a 10 s window and keeps the series short.
    if (now - this.#lastRecorded >= 1000) {
      this.#kinds.record(now, { init: snapshot.requests.init, other: snapshot.requests.other });
      this.#lastRecorded = now;
    }
    const startedAt = s.runStartedAt();
    const stopReason = s.stopReason();
    const elapsedMs = startedAt === null ? null : Math.max(0, now - startedAt);
    const phase: RunPhase = stopReason !== null
      ? "stopping"
      : startedAt === null
      ? "starting"
      : lifecycle.startedClients < lifecycle.targetClients
      ? "ramping"
      : "running";
    const rows = clientRows > 0 ? worstClients(fleet, clientRows) : [];
    return {
      target: s.target,
      phase,
      stopReason,
      elapsedMs,
      durationMs: s.durationMs,
      clients: {
        target: lifecycle.targetClients,
        running: lifecycle.running,
        peak: lifecycle.peakRunning,
        started: lifecycle.startedClients,
        restarts: lifecycle.restarts,
        unexpectedExits: lifecycle.unexpectedExits,
      },
      rampRate: s.rampRate,
      coverage: coverageOf(s.stats, s.statsLogLevel),
      fleet: snapshot,
      kindRates: {
        init: this.#kinds.rate("init", KIND_RATE_WINDOW_MS, now),
        other: this.#kinds.rate("other", KIND_RATE_WINDOW_MS, now),
      },
      averageBytesPerSecond: elapsedMs !== null && elapsedMs >= 1000
        ? snapshot.totalBytes / (elapsedMs / 1000)
        : null,
      history: {
        segments: fleet.series.history("segments", HISTORY_POINTS),
        bytes: fleet.series.history("bytes", HISTORY_POINTS),
      },
      lines: s.swarm.lineHealth(),
      origin: s.origin?.() ?? null,
      clientRows: rows,
      clientCount: fleet.clients.size,
      logPath: s.logPath,
      lastWarning: s.lastWarning?.() ?? null,
      keys: s.keys,
    };
  }
}

/**
 * Which figures a run measures, from `--stats` and `--stats-loglevel` (README, "Why FFmpeg runs
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

/**
 * The `limit` worst clients: stalled first, then most failed requests, then highest drift, then
 * by id so the order is stable between frames.
 *
 * @example
 * ```ts
 * worstClients(swarm.fleet, 10)[0].status; // "stalled" when any client is
 * ```
 */
export function worstClients(fleet: FleetStats, limit: number): ClientRow[] {
  const rows: ClientRow[] = [];
  for (const c of fleet.clients.values()) {
    const s = c.state;
    const speed = s.recentSpeed ?? s.speed;
    rows.push({
      id: c.id,
      status: !s.hasMedia
        ? "waiting"
        : s.stalled
        ? "stalled"
        : speed !== null && speed < STALL_SPEED
        ? "behind"
        : "ok",
      speed,
      driftMs: s.driftMs,
      maxDriftMs: c.playback.maxDriftMs,
      stalls: c.playback.stalls,
      requests: c.http.totalRequests,
      segments: c.http.requests.segment,
      failed: c.http.failedRequests,
      bytes: c.http.totalBytes,
    });
  }
  const rank = (r: ClientRow) => r.status === "stalled" ? 0 : 1;
  rows.sort((a, b) =>
    rank(a) - rank(b) || b.failed - a.failed || (b.driftMs ?? -1) - (a.driftMs ?? -1) ||
    a.id - b.id
  );
  return rows.slice(0, limit);
}
