/**
 * Any percentile of the run's latency sketches as a threshold figure, spelled as k6 spells it:
 * `p(99.9)<2s` (segment TTFB), `segment_ttfb:p(90)<500ms`, `startup:p(99) < 4s`. The fixed
 * names (`segment_ttfb_p95`…) stay; `segment_ttfb:p(95)` reads the same sketch and gives the
 * same number. The value comes from the mergeable snapshot's sketch, so it is within the
 * sketches' relative accuracy (1 %) of the exact percentile, on one run and on a merged fleet.
 * @module
 */
import { Sketch, type SketchWire } from "../math/sketch.ts";
import type { RunSummary } from "./summary.ts";

/** A latency whose percentiles a threshold can name, and the sketch it reads. */
interface PercentileMetric {
  help: string;
  wire(s: RunSummary): SketchWire;
}

/**
 * The metrics that accept `p(N)`, every one in ms (units ms, s, m). A bare `p(N)` means
 * {@linkcode DEFAULT_PERCENTILE_METRIC}.
 */
export const PERCENTILE_METRICS: Readonly<Record<string, PercentileMetric>> = {
  segment_ttfb: {
    help: "segment time to first byte",
    wire: (s) => s.snapshot.latency.ttfbSegment,
  },
  manifest_ttfb: {
    help: "manifest time to first byte",
    wire: (s) => s.snapshot.latency.ttfbManifest,
  },
  tcp_connect: { help: "TCP connect time", wire: (s) => s.snapshot.latency.tcpConnect },
  segment_download: {
    help: "segment download time (inferred)",
    wire: (s) => s.snapshot.latency.downloadInferred,
  },
  startup: {
    help: "viewer startup time (to the first full segment)",
    wire: (s) => s.snapshot.viewers.startupMs,
  },
  live_latency: {
    help: "live latency (needs EXT-X-PROGRAM-DATE-TIME)",
    wire: (s) => s.snapshot.viewers.liveLatencyMs,
  },
};

/** What a bare `p(N)` measures: the figure a CDN test is most often judged on. */
export const DEFAULT_PERCENTILE_METRIC = "segment_ttfb";

/** A parsed `metric:p(N)`. */
export interface PercentileName {
  /** Canonical name, `metric:p(N)`, e.g. `segment_ttfb:p(99.9)`. */
  figure: string;
  metric: string;
  /** The percentile, 0 < N <= 100. */
  percentile: number;
}

const PERCENTILE = /^\s*(?:([a-z0-9_]+)\s*:\s*)?p\(\s*(\d+(?:\.\d+)?)\s*\)\s*$/;

/**
 * Reads a figure name of the `p(N)` form: a {@linkcode PercentileName}, a message when it is that
 * form but wrong, or null when it is not that form at all (a fixed name such as `error_rate`).
 *
 * @example
 * ```ts
 * parsePercentileName("p(99.9)"); // { figure: "segment_ttfb:p(99.9)", metric: "segment_ttfb", percentile: 99.9 }
 * parsePercentileName("startup:p(90)"); // { figure: "startup:p(90)", … }
 * parsePercentileName("error_rate"); // null
 * ```
 */
export function parsePercentileName(name: string): PercentileName | string | null {
  const m = PERCENTILE.exec(name);
  if (!m) return null;
  const metric = m[1] ?? DEFAULT_PERCENTILE_METRIC;
  const percentile = Number(m[2]);
  if (!PERCENTILE_METRICS[metric]) {
    return `unknown metric "${metric}" for p(N); p(N) takes ${
      Object.keys(PERCENTILE_METRICS).join(", ")
    }`;
  }
  if (!(percentile > 0 && percentile <= 100)) return `p(${m[2]}): N must be above 0, at most 100`;
  return { figure: `${metric}:p(${percentile})`, metric, percentile };
}

/**
 * The value of a parsed percentile figure in a summary, in ms; null when its sketch is empty
 * (not measured, which fails the threshold).
 *
 * @example Not run: it needs a finished run's summary
 * ```ts ignore
 * readPercentile(summary, { figure: "startup:p(90)", metric: "startup", percentile: 90 });
 * ```
 */
export function readPercentile(s: RunSummary, p: PercentileName): number | null {
  const v = Sketch.fromWire(PERCENTILE_METRICS[p.metric].wire(s)).quantile(p.percentile / 100);
  // Rounded to 0.1 ms as the summary's fixed percentiles are, so p(95) equals `…_p95`.
  return v === null ? null : Math.round(v * 10) / 10;
}

/** Help lines for `--help`: the p(N) form and its metrics. */
export function percentileHelp(): string {
  const lines = Object.entries(PERCENTILE_METRICS).map(([name, m]) =>
    `  ${`${name}:p(N) [ms|s]`.padEnd(34)}${m.help}, any percentile 0 < N <= 100`
  );
  return [
    ...lines,
    `  ${"p(N) [ms|s]".padEnd(34)}${DEFAULT_PERCENTILE_METRIC}:p(N), as k6 writes p(99.9)<2s`,
  ].join("\n");
}
