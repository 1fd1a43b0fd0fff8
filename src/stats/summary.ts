/**
 * The exit summary: a plain data record of the run, and its text rendering. The JSON summary is
 * the same record, so the two never disagree.
 * @module
 */
import { formatClock, formatDuration } from "../config/duration.ts";
import { exitLabel, type LifecycleStats, percentile } from "./lifecycle.ts";
import type { LineHealth } from "./line_health.ts";

/** The run's numbers at exit. */
export interface RunSummary {
  target: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  stopReason: string;
  clients: {
    target: number;
    peakRunning: number;
    started: number;
    /** Clients whose FFmpeg decoded media at least once (from progress output); null with
     * --stats=false, where it is not measured. */
    receivedMedia: number | null;
  };
  lifecycle: {
    starts: number;
    restarts: number;
    spawnErrors: number;
    exits: { code: number; label: string; requested: boolean; count: number }[];
    unexpectedExits: number;
  };
  uptimeMs: { p50: number | null; p95: number | null; p99: number | null };
  /** FFmpeg output lines read, dropped and parsed (measured by the pipeline). */
  lines: LineHealth;
  metricsUrl: string | null;
}

/**
 * Builds the summary record from the lifecycle stats.
 *
 * @example
 * ```ts
 * const s = buildSummary({ lifecycle, target: url, startedAt, endedAt, stopReason: "duration",
 *   metricsUrl: null });
 * console.log(formatSummary(s));
 * ```
 */
export function buildSummary(input: {
  lifecycle: LifecycleStats;
  target: string;
  startedAt: number;
  endedAt: number;
  stopReason: string;
  metricsUrl: string | null;
  /** Whether progress was read, so media reception was measured. */
  statsEnabled: boolean;
  lines: LineHealth;
}): RunSummary {
  const { lifecycle } = input;
  const pct = (p: number) => {
    const v = percentile(lifecycle.uptimesMs, p);
    return Number.isNaN(v) ? null : Math.round(v);
  };
  return {
    target: input.target,
    startedAt: new Date(input.startedAt).toISOString(),
    endedAt: new Date(input.endedAt).toISOString(),
    durationMs: input.endedAt - input.startedAt,
    stopReason: input.stopReason,
    clients: {
      target: lifecycle.targetClients,
      peakRunning: lifecycle.peakRunning,
      started: lifecycle.startedClients,
      receivedMedia: input.statsEnabled ? lifecycle.clientsWithMedia : null,
    },
    lifecycle: {
      starts: lifecycle.starts,
      restarts: lifecycle.restarts,
      spawnErrors: lifecycle.spawnErrors,
      exits: lifecycle.exits().map((e) => ({ ...e, label: exitLabel(e.code, e.requested) })),
      unexpectedExits: lifecycle.unexpectedExits,
    },
    uptimeMs: { p50: pct(50), p95: pct(95), p99: pct(99) },
    lines: input.lines,
    metricsUrl: input.metricsUrl,
  };
}

const RULE = "═".repeat(79);
const THIN = "─".repeat(79);

/**
 * Renders the summary as text for stdout.
 *
 * @example
 * ```ts
 * console.log(formatSummary(summary));
 * ```
 */
export function formatSummary(s: RunSummary): string {
  const row = (label: string, value: string | number) => `  ${label.padEnd(24)}${value}`;
  const uptime = (ms: number | null) =>
    ms === null ? "n/a" : formatDuration(ms < 10_000 ? ms : Math.round(ms / 1000) * 1000);
  const { lines: health } = s;
  const degraded = health.dropped > 0
    ? [
      "",
      `  ⚠ METRICS DEGRADED: ${health.dropped} of ${health.read} FFmpeg output lines were dropped`,
      `    (${(health.dropRate * 100).toFixed(2)} %; ${health.degradedClients} clients above ` +
      `${(health.threshold * 100).toFixed(1)} %). Figures parsed from output undercount.`,
      "    Consider a larger --stats-buffer or fewer clients per machine.",
    ]
    : [];
  const lines = [
    RULE,
    "  hls-swarm exit summary",
    RULE,
    ...degraded,
    row("Target:", s.target),
    row("Run duration:", `${formatClock(s.durationMs)} (stopped by ${s.stopReason})`),
    row("Target clients:", s.clients.target),
    row("Peak running clients:", s.clients.peakRunning),
    row("Clients started:", s.clients.started),
    row(
      "Clients with media:",
      s.clients.receivedMedia ?? "not measured (--stats=false)",
    ),
    "",
    "Lifecycle",
    THIN,
    row("Starts:", s.lifecycle.starts),
    row("Restarts:", s.lifecycle.restarts),
    ...(s.lifecycle.spawnErrors ? [row("Spawn errors:", s.lifecycle.spawnErrors)] : []),
    row("Unexpected exits:", s.lifecycle.unexpectedExits),
    "",
    "Exit codes",
    THIN,
    ...(s.lifecycle.exits.length
      ? s.lifecycle.exits.map((e) =>
        `  ${String(e.code).padStart(3)}  ${e.label.padEnd(48)}${String(e.count).padStart(6)}`
      )
      : ["  (no process exited)"]),
    "",
    "Uptime per FFmpeg run (measured)",
    THIN,
    row("P50:", uptime(s.uptimeMs.p50)),
    row("P95:", uptime(s.uptimeMs.p95)),
    row("P99:", uptime(s.uptimeMs.p99)),
    "",
    "FFmpeg output pipeline (measured)",
    THIN,
    row(
      "Lines read:",
      `${health.read} (progress ${health.byStream.progress.read}, ` +
        `stderr ${health.byStream.stderr.read})`,
    ),
    row("Lines dropped:", `${health.dropped} (${(health.dropRate * 100).toFixed(2)} %)`),
    row("Degraded clients:", health.degradedClients),
    "",
    s.metricsUrl ? `Metrics endpoint was: ${s.metricsUrl}` : "Metrics endpoint: off",
    RULE,
  ];
  return lines.join("\n") + "\n";
}
