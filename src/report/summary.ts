/**
 * The exit summary: a plain data record of the run, derived from its mergeable snapshot and
 * what ran where. The JSON summary is this record (with the threshold results beside it), so the
 * text and the JSON never disagree, and `hls-swarm merge` rebuilds the same record from merged
 * shard snapshots.
 * @module
 */
import type { ExporterSnapshot } from "../exporters/scraper.ts";
import { type AudienceReport, audienceReport } from "./audience_report.ts";
import type { LoadboxReport } from "../loadbox/monitor.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import {
  type CurrentRates,
  type FleetView,
  fleetView,
  type LineHealth,
  lineHealth,
  ratesOf,
} from "../fleet/view.ts";
import type { FfmpegCapabilities } from "../process/capabilities.ts";
import { WallSeries } from "../stats/series.ts";
import { Sketch } from "../math/sketch.ts";
import { type ViewerReport, viewerReport } from "../viewer/report.ts";
import { type CdnReport, cdnReport } from "../stats/cdn_report.ts";
import { type GroupReport, groupReports } from "../stats/groups_wire.ts";
import { exitLabel } from "../stats/lifecycle.ts";
import { type TtfbPercentiles, ttfbPercentiles } from "../stats/ttfb_series.ts";
import type { LoadboxSeriesWire } from "../stats/loadbox_series.ts";

/** Names the JSON summary's format; bumped with {@linkcode SUMMARY_VERSION} on any change. */
export const SUMMARY_SCHEMA = "hls-swarm-summary";
export const SUMMARY_VERSION = 4;

/** What ran, where: enough to reproduce or compare a run. */
export interface RunRecord {
  hlsSwarmVersion: string;
  ffmpeg: FfmpegCapabilities;
  /** Client 0's FFmpeg argv (credential headers and URL queries redacted). */
  ffmpegArgv: string[];
  /**
   * What read FFmpeg's output: "native" (the fan-in) or "deno" (Deno's pipes). A merged fleet
   * whose shards differ lists each reader with its shards ("mixed: native (shard 0); deno
   * (shard 1)"); a summary written before this field existed reads as "unknown".
   */
  lineReader: string;
  /** Worker threads that ran the clients (0: the main thread); a fleet's is the shards' sum. */
  workers: number;
  /** How certificates were verified, or that they were not (--dangerous). */
  tls: string;
  host: {
    hostname: string;
    cpus: number;
    memoryBytes: number | null;
    openFilesLimit: number | null;
    processLimit: number | null;
  };
  config: {
    clients: number;
    rampRate: number;
    durationMs: number;
    variant: string;
    statsLogLevel: string;
    /** The virtual player's startup buffer (ms). */
    playerBufferMs: number;
    /** --variant-mix as matched to the master (src/process/variant_match.ts), or null. */
    variantMix?: string | null;
    /** --resolve's addresses (src/config/resolve.ts), or null. */
    resolve?: string | null;
    /** `--stages` and `--session-duration` as flag values, or null (absent before them). */
    stages?: string | null;
    sessionDuration?: string | null;
  };
}

/** The run's numbers at exit. */
export interface RunSummary {
  schema: typeof SUMMARY_SCHEMA;
  version: typeof SUMMARY_VERSION;
  /** Labels every metric series of the run; the shards of one run share it. */
  runId: string;
  /** Which part of a sharded run this is; null for a whole run (or a merged fleet). */
  shard: ShardInfo | null;
  /** For a merged fleet: which shards it holds; null for one process's run. */
  fleet: FleetInfo | null;
  run: RunRecord;
  target: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  stopReason: string;
  /** When the stop began (duration, signal or quit); clients wound down after it. */
  stoppedAt: string;
  /** When the ramp began: traffic flows from here. */
  rampStartedAt: string;
  clients: {
    target: number;
    /** Most clients running at once, from the per-second series. */
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
    exits: {
      code: number;
      label: string;
      requested: boolean;
      reason: string | null;
      count: number;
    }[];
    unexpectedExits: number;
  };
  uptimeMs: { p50: number | null; p95: number | null; p99: number | null };
  /** What the viewers experienced: startup, start failures, rebuffering, live latency. */
  viewers: ViewerReport;
  /** What the CDN said in its response headers: cache status, edge, Age (src/stats/cdn.ts). */
  cdn: CdnReport;
  /** By rendition (--variant-mix) and by edge address (--resolve); null without them. */
  renditions: GroupReport[] | null;
  edgeAddresses: GroupReport[] | null;
  /** FFmpeg output lines read, dropped and parsed (measured by the pipeline). */
  lines: LineHealth;
  /** What the clients fetched and how playback went, from FFmpeg's own output. */
  traffic: FleetView;
  /** Time over which traffic flowed (ramp start to the end), for average rates. */
  trafficMs: number;
  /** Rates over the 30 s before the stop began, comparable with Prometheus' rate(…[30s]). */
  recentRates: CurrentRates;
  /** The origin's own figures from its exporters, when scraped. */
  origin: ExporterSnapshot | null;
  /** The load box's own CPU, memory and loop lag, and when it was saturated. */
  loadbox: LoadboxReport | null;
  /** Joins, leaves, sessions, and the join rate achieved (src/report/audience_report.ts). */
  audience: AudienceReport;
  metricsUrl: string | null;
  /**
   * Manifest and segment TTFB p50/p95/p99 and sample count per wall-clock interval, from the
   * snapshot's interval sketches (measured; a merged fleet's are those of the union of its
   * shards' samples). Absent when the snapshot has none (written before them).
   */
  ttfbPercentiles?: TtfbPercentiles;
  /**
   * The load box per second: CPU ms busy and CPU ms there was (CPU % = busy / capacity; 0
   * capacity: no sample that second) and the event loop's largest lag. A merged fleet's adds
   * its boxes' busy and capacity and takes the largest lag; each shard's summary keeps its own.
   * Absent when no load box was watched (or the summary predates it).
   */
  loadboxSeries?: LoadboxSeriesWire;
  /** Everything measured, in mergeable form: what `hls-swarm merge` adds up. */
  snapshot: Snapshot;
}

/** One shard's place in its run. */
export interface ShardInfo {
  index: number;
  count: number;
  firstClient: number;
  clients: number;
  /** --start-at (ISO), or null when the shard started at once. */
  startAt: string | null;
  /** When its ramp really started, relative to --start-at (ms; null without it). */
  startOffsetMs: number | null;
}

/** What a merged fleet is made of. */
export interface FleetInfo {
  /** Shards the run had (N). */
  shards: number;
  /** Indexes present in the merge. */
  present: number[];
  /** Indexes with no summary. */
  missing: number[];
  /** Shards whose own run failed: index, exit code and why. */
  failed: { index: number; code: number; reason: string | null }[];
  /** Ramp start offsets of the present shards from --start-at, ms. */
  startOffsetsMs: { index: number; offsetMs: number | null }[];
}

/** What a summary is built from besides the snapshot. */
export interface SummaryInput {
  run: RunRecord;
  runId: string;
  shard: Omit<ShardInfo, "startAt" | "startOffsetMs"> & { startAt: number | null } | null;
  fleet?: FleetInfo;
  snapshot: Snapshot;
  target: string;
  /** Wall-clock ms. */
  startedAt: number;
  endedAt: number;
  stoppedAt: number;
  rampStartedAt: number;
  stopReason: string;
  metricsUrl: string | null;
  /** Whether progress was read, so media reception was measured. */
  statsEnabled: boolean;
  /** --stats-drop-threshold: above it a client counts as degraded. */
  dropThreshold: number;
  origin: ExporterSnapshot | null;
  loadbox: LoadboxReport | null;
  /** This process's load box per second (src/loadbox/monitor.ts), put in the snapshot when it
   * has none (a merge's snapshot has its shards' already); undefined before its first second. */
  loadboxSeries?: LoadboxSeriesWire | undefined;
}

/**
 * Builds the summary record.
 *
 * @example Not run: it needs a run's record and its shards' snapshot (see report/merge.ts).
 * ```ts ignore
 * const summary = buildSummary({ run, snapshot: shard.snapshot(), target: url, ... });
 * console.log(formatSummary(summary, []));
 * ```
 */
export function buildSummary(input: SummaryInput): RunSummary {
  const snap = input.loadboxSeries && !input.snapshot.loadboxSeries
    ? { ...input.snapshot, loadboxSeries: input.loadboxSeries }
    : input.snapshot;
  const series = WallSeries.fromWire(snap.series);
  const uptime = Sketch.fromWire(snap.lifecycle.uptimeMs);
  const pct = (q: number) => {
    const v = uptime.quantile(q);
    return v === null ? null : Math.round(v);
  };
  const exits = snap.lifecycle.exits.map((e) => ({
    ...e,
    label: exitLabel(e.code, e.requested, e.reason),
  }));
  return {
    schema: SUMMARY_SCHEMA,
    version: SUMMARY_VERSION,
    runId: input.runId,
    shard: input.shard && {
      ...input.shard,
      startAt: input.shard.startAt === null ? null : iso(input.shard.startAt),
      startOffsetMs: input.shard.startAt === null
        ? null
        : Math.round(input.rampStartedAt - input.shard.startAt),
    },
    fleet: input.fleet ?? null,
    run: input.run,
    target: input.target,
    startedAt: iso(input.startedAt),
    endedAt: iso(input.endedAt),
    durationMs: input.endedAt - input.startedAt,
    stopReason: input.stopReason,
    stoppedAt: iso(input.stoppedAt),
    rampStartedAt: iso(input.rampStartedAt),
    clients: {
      target: snap.clients.target,
      peakRunning: series.max("running"),
      started: snap.clients.started,
      receivedMedia: input.statsEnabled ? snap.clients.withMedia : null,
    },
    lifecycle: {
      starts: snap.lifecycle.starts,
      restarts: snap.lifecycle.restarts,
      spawnErrors: snap.lifecycle.spawnErrors,
      exits,
      unexpectedExits: exits.filter((e) => !e.requested).reduce((n, e) => n + e.count, 0),
    },
    uptimeMs: { p50: pct(0.5), p95: pct(0.95), p99: pct(0.99) },
    viewers: viewerReport(snap.viewers),
    cdn: cdnReport(snap.cdn),
    renditions: groupReports(snap.renditions),
    edgeAddresses: groupReports(snap.edgeAddresses),
    lines: lineHealth(snap, input.dropThreshold),
    traffic: fleetView(snap, { series }),
    trafficMs: Math.max(0, input.endedAt - input.rampStartedAt),
    recentRates: ratesOf(series, 30_000, Math.floor(input.stoppedAt / 1000)),
    origin: input.origin,
    loadbox: input.loadbox,
    audience: audienceReport(
      snap,
      input.run.config,
      input.loadbox,
      input.shard ? input.shard.clients / Math.max(1, input.run.config.clients) : 1,
    ),
    metricsUrl: input.metricsUrl,
    ...(snap.ttfbSeries ? { ttfbPercentiles: ttfbPercentiles(snap.ttfbSeries) } : {}),
    ...(snap.loadboxSeries ? { loadboxSeries: snap.loadboxSeries } : {}),
    snapshot: snap,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
