/**
 * k6-style pass/fail thresholds as typed, e.g. `segment_ttfb_p95<500ms`, `error_rate<1%`,
 * `stalled_clients==0`, and any percentile of a latency as k6 spells it, `p(99.9)<2s` or
 * `startup:p(90)<3s` ({@link ./percentile_figures.ts}): every figure's name, unit and help, and
 * the parser that checks a threshold against them while the config loads. Reading a figure off a
 * finished run's summary is report/thresholds.ts's, which must give a reader for every name here
 * (its table is typed by {@linkcode FixedFigureName}, so a name without a reader does not compile).
 * @module
 */
import { EVENTS } from "../events/catalog.ts";
import { parsePercentileName, percentileHelp } from "./percentile_figures.ts";

/** How a figure's values are written. */
export type FigureUnit = "ms" | "ratio" | "count" | "bytes_per_second";

/** What a threshold's figure measures, and in which unit. */
export interface FigureSpec {
  unit: FigureUnit;
  help: string;
}

/** The fixed figures, by name; the event catalog adds one count per event that names one. */
export const FIXED_FIGURES = {
  segment_ttfb_p50: { unit: "ms", help: "segment time to first byte, p50" },
  segment_ttfb_p95: { unit: "ms", help: "segment time to first byte, p95" },
  segment_ttfb_p99: { unit: "ms", help: "segment time to first byte, p99" },
  manifest_ttfb_p50: { unit: "ms", help: "manifest time to first byte, p50" },
  manifest_ttfb_p95: { unit: "ms", help: "manifest time to first byte, p95" },
  manifest_ttfb_p99: { unit: "ms", help: "manifest time to first byte, p99" },
  tcp_connect_p95: { unit: "ms", help: "TCP connect time, p95" },
  segment_download_p95: { unit: "ms", help: "segment download time, p95 (inferred)" },
  startup_p50: { unit: "ms", help: "viewer startup time, p50 (to the first full segment)" },
  startup_p95: { unit: "ms", help: "viewer startup time, p95 (to the first full segment)" },
  startup_p99: { unit: "ms", help: "viewer startup time, p99 (to the first full segment)" },
  vsf_rate: { unit: "ratio", help: "video start failures / start attempts (Conviva VSF)" },
  ebvs_rate: { unit: "ratio", help: "exits before video start / start attempts (Conviva EBVS)" },
  rebuffer_ratio: {
    unit: "ratio",
    help: "rebuffer time / watch time, virtual player (Conviva rebuffering ratio)",
  },
  rebuffered_sessions: {
    unit: "ratio",
    help: "started sessions with at least one rebuffer / started sessions",
  },
  live_latency_p95: { unit: "ms", help: "live latency, p95 (needs EXT-X-PROGRAM-DATE-TIME)" },
  segment_hit_ratio: {
    unit: "ratio",
    help: "segment cache hits / segments with a cache status header (X-Cache and kin)",
  },
  manifest_hit_ratio: {
    unit: "ratio",
    help: "playlist cache hits / playlists with a cache status header (X-Cache and kin)",
  },
  segment_hit_ttfb_p95: { unit: "ms", help: "segment time to first byte of cache hits, p95" },
  segment_miss_ttfb_p95: { unit: "ms", help: "segment time to first byte of cache misses, p95" },
  max_drift: { unit: "ms", help: "largest playback drift behind real time" },
  error_rate: {
    unit: "ratio",
    help: "failed requests (status >= 400 or no response) / all requests",
  },
  drop_rate: { unit: "ratio", help: "FFmpeg output lines dropped / read" },
  http_4xx: { unit: "count", help: "responses with a 4xx status" },
  http_5xx: { unit: "count", help: "responses with a 5xx status" },
  stalled_clients: { unit: "count", help: "clients stalled at the end" },
  stall_episodes: { unit: "count", help: "stall episodes over the run" },
  restarts: { unit: "count", help: "FFmpeg restarts" },
  unexpected_exits: { unit: "count", help: "FFmpeg exits hls-swarm did not ask for" },
  clients_with_media: { unit: "count", help: "clients that received media" },
  degraded_clients: { unit: "count", help: "clients whose output lines were dropped" },
  loadbox_cpu_max: {
    unit: "ratio",
    help: "the load box's busiest second of CPU, steal included (e.g. loadbox_cpu_max<90%)",
  },
  loadbox_saturated_seconds: {
    unit: "count",
    help: "seconds in which the load box itself was saturated",
  },
  loop_lag_max: { unit: "ms", help: "hls-swarm's largest event-loop lag (a busy load box)" },
  segment_rate: { unit: "count", help: "segment requests per second over the run" },
  throughput: {
    unit: "bytes_per_second",
    help: "body bytes per second over the run (e.g. 10Mbit/s, 2MB/s)",
  },
} as const satisfies Readonly<Record<string, FigureSpec>>;

/** A fixed figure's name. */
export type FixedFigureName = keyof typeof FIXED_FIGURES;

/** The count figures of the catalog's events that name a threshold. */
export const EVENT_FIGURES: Readonly<Record<string, FigureSpec>> = Object.fromEntries(
  EVENTS.flatMap((e) => "threshold" in e ? [[e.threshold, { unit: "count", help: e.help }]] : []),
);

/** Every named figure, in the order --help lists them (the event counts after the statuses). */
export const FIGURE_SPECS: Readonly<Record<string, FigureSpec>> = Object.fromEntries(
  Object.entries(FIXED_FIGURES).flatMap((entry) =>
    entry[0] === "http_5xx" ? [entry, ...Object.entries(EVENT_FIGURES)] : [entry]
  ),
);

/**
 * The spec of a figure name: a fixed one, a catalog event's count, a `metric:p(N)` percentile
 * (always ms), or a message saying what is wrong with the name.
 *
 * @example
 * ```ts
 * figureSpecOf("error_rate"); // { unit: "ratio", help: "failed requests … / all requests" }
 * figureSpecOf("startup:p(90)"); // { unit: "ms", help: "p(90) of startup" }
 * ```
 */
export function figureSpecOf(name: string): FigureSpec | string {
  if (Object.hasOwn(FIGURE_SPECS, name)) return FIGURE_SPECS[name];
  const p = parsePercentileName(name);
  if (p === null) return `unknown figure "${name}" (see --help for the list)`;
  if (typeof p === "string") return p;
  return { unit: "ms", help: `p(${p.percentile}) of ${p.metric}` };
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
  const spec = figureSpecOf(name);
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

/** Help text listing every figure, for `--help`. */
export function figuresHelp(): string {
  const units: Record<FigureUnit, string> = {
    ms: "ms|s",
    ratio: "%",
    count: "",
    bytes_per_second: "Mbit/s|MB/s…",
  };
  return Object.entries(FIGURE_SPECS)
    .map(([name, f]) => `  ${`${name} [${units[f.unit]}]`.padEnd(34)}${f.help}`)
    .join("\n") + "\n" + percentileHelp();
}
