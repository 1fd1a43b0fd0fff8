/**
 * Thresholds checked against a finished run's summary: the reader of every figure that
 * config/thresholds.ts names, and the verdicts. Any failure makes the run exit 99. A figure that
 * was not measured (no samples) fails its threshold: nothing unmeasured passes.
 * @module
 */
import {
  type FigureSpec,
  figureSpecOf,
  type FixedFigureName,
  type Threshold,
} from "../config/thresholds.ts";
import {
  parsePercentileName,
  type PercentileMetricName,
  type PercentileName,
} from "../config/percentile_figures.ts";
import { EVENTS } from "../events/catalog.ts";
import { Sketch, type SketchWire } from "../math/sketch.ts";
import type { RunSummary } from "./summary.ts";

/** A figure, with how to read it off a summary. */
export interface Figure extends FigureSpec {
  read(s: RunSummary): number | null;
}

/** A threshold's outcome. */
export interface ThresholdResult {
  threshold: string;
  figure: string;
  actual: number | null;
  passed: boolean;
}

type Reader = (s: RunSummary) => number | null;

const status = (s: RunSummary, test: (code: number) => boolean) =>
  s.traffic.statuses.filter((x) => test(x.status)).reduce((n, x) => n + x.count, 0);

/** The reader of every fixed figure: one per name, or this does not compile. */
const READERS: Readonly<Record<FixedFigureName, Reader>> = {
  segment_ttfb_p50: (s) => s.traffic.ttfbMs.segment.p50,
  segment_ttfb_p95: (s) => s.traffic.ttfbMs.segment.p95,
  segment_ttfb_p99: (s) => s.traffic.ttfbMs.segment.p99,
  manifest_ttfb_p50: (s) => s.traffic.ttfbMs.manifest.p50,
  manifest_ttfb_p95: (s) => s.traffic.ttfbMs.manifest.p95,
  manifest_ttfb_p99: (s) => s.traffic.ttfbMs.manifest.p99,
  tcp_connect_p95: (s) => s.traffic.tcpConnectMs.p95,
  segment_download_p95: (s) => s.traffic.segmentDownloadInferredMs.p95,
  startup_p50: (s) => s.viewers.startupMs.p50,
  startup_p95: (s) => s.viewers.startupMs.p95,
  startup_p99: (s) => s.viewers.startupMs.p99,
  vsf_rate: (s) => s.viewers.vsfRate,
  ebvs_rate: (s) => s.viewers.ebvsRate,
  rebuffer_ratio: (s) => s.viewers.rebufferRatio,
  rebuffered_sessions: (s) => s.viewers.rebufferedShare,
  live_latency_p95: (s) => s.viewers.liveLatencyMs.p95,
  segment_hit_ratio: (s) => s.cdn.byKind.segment.hitRatio,
  manifest_hit_ratio: (s) => s.cdn.byKind.manifest.hitRatio,
  segment_hit_ttfb_p95: (s) => s.cdn.byKind.segment.byStatus.hit.ttfbMs.p95,
  segment_miss_ttfb_p95: (s) => s.cdn.byKind.segment.byStatus.miss.ttfbMs.p95,
  max_drift: (s) => s.traffic.playback.maxDriftMs,
  error_rate: (s) => s.traffic.totalRequests ? s.traffic.errorRate : null,
  drop_rate: (s) => s.lines.dropRate,
  http_4xx: (s) => status(s, (c) => c >= 400 && c < 500),
  http_5xx: (s) => status(s, (c) => c >= 500),
  stalled_clients: (s) => s.traffic.playback.stalled,
  stall_episodes: (s) => s.traffic.playback.stallEpisodes,
  restarts: (s) => s.lifecycle.restarts,
  unexpected_exits: (s) => s.lifecycle.unexpectedExits,
  clients_with_media: (s) => s.clients.receivedMedia,
  degraded_clients: (s) => s.lines.degradedClients,
  loadbox_cpu_max: (s) =>
    (s.loadbox?.cpuMaxPercent ?? null) === null ? null : s.loadbox!.cpuMaxPercent! / 100,
  loadbox_saturated_seconds: (s) => s.loadbox?.saturatedSeconds ?? null,
  loop_lag_max: (s) => s.loadbox?.loopLagMaxMs ?? null,
  segment_rate: (s) => s.traffic.requests.segment / Math.max(s.trafficMs / 1000, 0.001),
  throughput: (s) => s.traffic.totalBytes / Math.max(s.trafficMs / 1000, 0.001),
};

/** One count per catalog event that names a threshold. */
const EVENT_READERS: Readonly<Record<string, Reader>> = Object.fromEntries(
  EVENTS.flatMap((e) =>
    "threshold" in e ? [[e.threshold, (s: RunSummary) => s.traffic.events[e.key]]] : []
  ),
);

/** The sketch each `metric:p(N)` reads. */
const PERCENTILE_WIRES: Readonly<Record<PercentileMetricName, (s: RunSummary) => SketchWire>> = {
  segment_ttfb: (s) => s.snapshot.latency.ttfbSegment,
  manifest_ttfb: (s) => s.snapshot.latency.ttfbManifest,
  tcp_connect: (s) => s.snapshot.latency.tcpConnect,
  segment_download: (s) => s.snapshot.latency.downloadInferred,
  startup: (s) => s.snapshot.viewers.startupMs,
  live_latency: (s) => s.snapshot.viewers.liveLatencyMs,
};

/**
 * The value of a parsed percentile figure in a summary, in ms; null when its sketch is empty
 * (not measured, which fails the threshold). The value comes from the mergeable snapshot's
 * sketch, so it is within the sketches' relative accuracy (1 %) of the exact percentile, on one
 * run and on a merged fleet.
 *
 * @example Not run: it needs a finished run's summary
 * ```ts ignore
 * readPercentile(summary, { figure: "startup:p(90)", metric: "startup", percentile: 90 });
 * ```
 */
export function readPercentile(s: RunSummary, p: PercentileName): number | null {
  const v = Sketch.fromWire(PERCENTILE_WIRES[p.metric](s)).quantile(p.percentile / 100);
  // Rounded to 0.1 ms as the summary's fixed percentiles are, so p(95) equals `…_p95`.
  return v === null ? null : Math.round(v * 10) / 10;
}

/**
 * The figure of a name, with its reader: a fixed one, a catalog event's count, a `metric:p(N)`
 * percentile, or a message saying what is wrong with the name.
 *
 * @example
 * ```ts
 * typeof figureOf("error_rate"); // "object"
 * figureOf("segment_ttfb:p(99.9)"); // reads the segment TTFB sketch at 0.999, in ms
 * ```
 */
export function figureOf(name: string): Figure | string {
  const spec = figureSpecOf(name);
  if (typeof spec === "string") return spec;
  const fixed = (READERS as Readonly<Record<string, Reader>>)[name] ?? EVENT_READERS[name];
  if (fixed) return { ...spec, read: fixed };
  const p = parsePercentileName(name) as PercentileName;
  return { ...spec, read: (s) => readPercentile(s, p) };
}

/**
 * Checks thresholds against a summary.
 *
 * @example Not run: it needs a finished run's summary
 * ```ts ignore
 * const results = evaluateThresholds(summary, [parseThreshold("error_rate<1%") as Threshold]);
 * results.every((r) => r.passed);
 * ```
 */
export function evaluateThresholds(s: RunSummary, thresholds: Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const spec = figureOf(t.figure);
    const actual = typeof spec === "string" ? null : spec.read(s);
    const passed = actual !== null && compare(actual, t.op, t.value);
    return { threshold: t.source, figure: t.figure, actual, passed };
  });
}

function compare(a: number, op: Threshold["op"], b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
}
