/**
 * k6-style pass/fail thresholds over the summary's named figures, e.g.
 * `segment_ttfb_p95<500ms`, `error_rate<1%`, `stalled_clients==0`, and any percentile of a
 * latency as k6 spells it, `p(99.9)<2s` or `startup:p(90)<3s` (src/report/percentile_figures.ts).
 * Any failure makes the run exit 99. A figure that was not measured (no samples) fails its
 * threshold: nothing unmeasured passes.
 * @module
 */
import { EVENTS } from "../events/catalog.ts";
import { parsePercentileName, percentileHelp, readPercentile } from "./percentile_figures.ts";
import type { RunSummary } from "./summary.ts";

/** How a figure's values are written. */
export type FigureUnit = "ms" | "ratio" | "count" | "bytes_per_second";

/** A figure thresholds can name. */
export interface Figure {
  unit: FigureUnit;
  help: string;
  read(s: RunSummary): number | null;
}

const status = (s: RunSummary, test: (code: number) => boolean) =>
  s.traffic.statuses.filter((x) => test(x.status)).reduce((n, x) => n + x.count, 0);

/** Every figure, by name. */
export const FIGURES: Readonly<Record<string, Figure>> = {
  segment_ttfb_p50: ms("segment time to first byte, p50", (s) => s.traffic.ttfbMs.segment.p50),
  segment_ttfb_p95: ms("segment time to first byte, p95", (s) => s.traffic.ttfbMs.segment.p95),
  segment_ttfb_p99: ms("segment time to first byte, p99", (s) => s.traffic.ttfbMs.segment.p99),
  manifest_ttfb_p50: ms("manifest time to first byte, p50", (s) => s.traffic.ttfbMs.manifest.p50),
  manifest_ttfb_p95: ms("manifest time to first byte, p95", (s) => s.traffic.ttfbMs.manifest.p95),
  manifest_ttfb_p99: ms("manifest time to first byte, p99", (s) => s.traffic.ttfbMs.manifest.p99),
  tcp_connect_p95: ms("TCP connect time, p95", (s) => s.traffic.tcpConnectMs.p95),
  segment_download_p95: ms(
    "segment download time, p95 (inferred)",
    (s) => s.traffic.segmentDownloadInferredMs.p95,
  ),
  startup_p50: ms(
    "viewer startup time, p50 (to the first full segment)",
    (s) => s.viewers.startupMs.p50,
  ),
  startup_p95: ms(
    "viewer startup time, p95 (to the first full segment)",
    (s) => s.viewers.startupMs.p95,
  ),
  startup_p99: ms(
    "viewer startup time, p99 (to the first full segment)",
    (s) => s.viewers.startupMs.p99,
  ),
  vsf_rate: {
    unit: "ratio",
    help: "video start failures / start attempts (Conviva VSF)",
    read: (s) => s.viewers.vsfRate,
  },
  ebvs_rate: {
    unit: "ratio",
    help: "exits before video start / start attempts (Conviva EBVS)",
    read: (s) => s.viewers.ebvsRate,
  },
  rebuffer_ratio: {
    unit: "ratio",
    help: "rebuffer time / watch time, virtual player (Conviva rebuffering ratio)",
    read: (s) => s.viewers.rebufferRatio,
  },
  rebuffered_sessions: {
    unit: "ratio",
    help: "started sessions with at least one rebuffer / started sessions",
    read: (s) => s.viewers.rebufferedShare,
  },
  live_latency_p95: ms(
    "live latency, p95 (needs EXT-X-PROGRAM-DATE-TIME)",
    (s) => s.viewers.liveLatencyMs.p95,
  ),
  segment_hit_ratio: {
    unit: "ratio",
    help: "segment cache hits / segments with a cache status header (X-Cache and kin)",
    read: (s) => s.cdn.byKind.segment.hitRatio,
  },
  manifest_hit_ratio: {
    unit: "ratio",
    help: "playlist cache hits / playlists with a cache status header (X-Cache and kin)",
    read: (s) => s.cdn.byKind.manifest.hitRatio,
  },
  segment_hit_ttfb_p95: ms(
    "segment time to first byte of cache hits, p95",
    (s) => s.cdn.byKind.segment.byStatus.hit.ttfbMs.p95,
  ),
  segment_miss_ttfb_p95: ms(
    "segment time to first byte of cache misses, p95",
    (s) => s.cdn.byKind.segment.byStatus.miss.ttfbMs.p95,
  ),
  max_drift: ms("largest playback drift behind real time", (s) => s.traffic.playback.maxDriftMs),
  error_rate: {
    unit: "ratio",
    help: "failed requests (status >= 400 or no response) / all requests",
    read: (s) => (s.traffic.totalRequests ? s.traffic.errorRate : null),
  },
  drop_rate: {
    unit: "ratio",
    help: "FFmpeg output lines dropped / read",
    read: (s) => s.lines.dropRate,
  },
  http_4xx: count("responses with a 4xx status", (s) => status(s, (c) => c >= 400 && c < 500)),
  http_5xx: count("responses with a 5xx status", (s) => status(s, (c) => c >= 500)),
  // One count figure per catalog event that names a threshold.
  ...Object.fromEntries(
    EVENTS.flatMap((e) =>
      "threshold" in e ? [[e.threshold, count(e.help, (s) => s.traffic.events[e.key])]] : []
    ),
  ),
  stalled_clients: count("clients stalled at the end", (s) => s.traffic.playback.stalled),
  stall_episodes: count("stall episodes over the run", (s) => s.traffic.playback.stallEpisodes),
  restarts: count("FFmpeg restarts", (s) => s.lifecycle.restarts),
  unexpected_exits: count(
    "FFmpeg exits hls-swarm did not ask for",
    (s) => s.lifecycle.unexpectedExits,
  ),
  clients_with_media: count("clients that received media", (s) => s.clients.receivedMedia),
  degraded_clients: count(
    "clients whose output lines were dropped",
    (s) => s.lines.degradedClients,
  ),
  loadbox_cpu_max: {
    unit: "ratio",
    help: "the load box's busiest second of CPU, steal included (e.g. loadbox_cpu_max<90%)",
    read: (s) =>
      (s.loadbox?.cpuMaxPercent ?? null) === null ? null : s.loadbox!.cpuMaxPercent! / 100,
  },
  loadbox_saturated_seconds: count(
    "seconds in which the load box itself was saturated",
    (s) => s.loadbox?.saturatedSeconds ?? null,
  ),
  loop_lag_max: ms(
    "hls-swarm's largest event-loop lag (a busy load box)",
    (s) => s.loadbox?.loopLagMaxMs ?? null,
  ),
  segment_rate: {
    unit: "count",
    help: "segment requests per second over the run",
    read: (s) => s.traffic.requests.segment / Math.max(s.trafficMs / 1000, 0.001),
  },
  throughput: {
    unit: "bytes_per_second",
    help: "body bytes per second over the run (e.g. 10Mbit/s, 2MB/s)",
    read: (s) => s.traffic.totalBytes / Math.max(s.trafficMs / 1000, 0.001),
  },
};

function ms(help: string, read: (s: RunSummary) => number | null): Figure {
  return { unit: "ms", help, read };
}
function count(help: string, read: (s: RunSummary) => number | null): Figure {
  return { unit: "count", help, read };
}

/**
 * The figure of a name: a fixed one from {@linkcode FIGURES}, a `metric:p(N)` percentile, or a
 * message saying what is wrong with the name.
 *
 * @example
 * ```ts
 * typeof figureOf("error_rate"); // "object"
 * figureOf("segment_ttfb:p(99.9)"); // reads the segment TTFB sketch at 0.999, in ms
 * ```
 */
export function figureOf(name: string): Figure | string {
  if (Object.hasOwn(FIGURES, name)) return FIGURES[name];
  const p = parsePercentileName(name);
  if (p === null) return `unknown figure "${name}" (see --help for the list)`;
  if (typeof p === "string") return p;
  return {
    unit: "ms",
    help: `p(${p.percentile}) of ${p.metric}`,
    read: (s) => readPercentile(s, p),
  };
}

/** The canonical spelling of a figure name: `p(99.9)` is `segment_ttfb:p(99.9)`. */
function canonicalName(name: string): string {
  const p = parsePercentileName(name);
  return p && typeof p !== "string" ? p.figure : name;
}

/** A parsed threshold. */
export interface Threshold {
  source: string;
  figure: string;
  op: "<" | "<=" | ">" | ">=" | "==" | "!=";
  /** In the figure's base unit: ms, a ratio (1 % = 0.01), a count, or bytes per second. */
  value: number;
}

/** A threshold's outcome. */
export interface ThresholdResult {
  threshold: string;
  figure: string;
  actual: number | null;
  passed: boolean;
}

const UNIT_SCALE: Record<FigureUnit, Record<string, number>> = {
  ms: { ms: 1, s: 1000, m: 60_000 },
  ratio: { "": 1, "%": 0.01 },
  count: { "": 1 },
  bytes_per_second: {
    "": 1,
    "B/s": 1,
    "kB/s": 1e3,
    "MB/s": 1e6,
    "GB/s": 1e9,
    "bit/s": 1 / 8,
    "kbit/s": 1e3 / 8,
    "Mbit/s": 1e6 / 8,
    "Gbit/s": 1e9 / 8,
  },
};

/**
 * Parses `figure<op>value[unit]`, where the figure is a fixed name or `[metric:]p(N)`. Returns
 * a message for a bad expression.
 *
 * @example
 * ```ts
 * parseThreshold("error_rate<1%"); // { figure: "error_rate", op: "<", value: 0.01, … }
 * parseThreshold("segment_ttfb_p95<0.5s"); // value: 500 (ms)
 * parseThreshold("p(99.9)<2s"); // { figure: "segment_ttfb:p(99.9)", value: 2000, … }
 * ```
 */
export function parseThreshold(text: string): Threshold | string {
  // The name is everything before the first operator: `p(99.9)` and `startup:p(90)` hold
  // characters a bare name cannot, and no name holds an operator.
  const m = /^\s*([^<>=!]*?)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z%/]*)\s*$/.exec(
    text,
  );
  if (!m || !m[1]) {
    return `"${text}": expected figure<value, e.g. segment_ttfb_p95<500ms or p(99.9)<2s`;
  }
  const [, name, op, number, unit] = m;
  const figure = canonicalName(name);
  const spec = figureOf(name);
  if (typeof spec === "string") return `"${text}": ${spec}`;
  const scale = UNIT_SCALE[spec.unit][unit];
  if (scale === undefined) {
    const units = Object.keys(UNIT_SCALE[spec.unit]).map((u) => u || "(none)").join(", ");
    return `"${text}": ${figure} takes units ${units}`;
  }
  return {
    source: text.trim(),
    figure,
    op: op as Threshold["op"],
    value: Number(number) * scale,
  };
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

/** Help text listing every figure, for `--help`. */
export function figuresHelp(): string {
  const units: Record<FigureUnit, string> = {
    ms: "ms|s",
    ratio: "%",
    count: "",
    bytes_per_second: "Mbit/s|MB/s…",
  };
  return Object.entries(FIGURES)
    .map(([name, f]) => `  ${`${name} [${units[f.unit]}]`.padEnd(34)}${f.help}`)
    .join("\n") + "\n" + percentileHelp();
}
