/**
 * Any percentile of the run's latency sketches as a threshold figure, spelled as k6 spells it:
 * `p(99.9)<2s` (segment TTFB), `segment_ttfb:p(90)<500ms`, `startup:p(99) < 4s`. The fixed
 * names (`segment_ttfb_p95`…) stay; `segment_ttfb:p(95)` reads the same sketch and gives the
 * same number. Reading the value off a run's sketches is report/thresholds.ts's.
 * @module
 */
/**
 * The metrics that accept `p(N)`, every one in ms (units ms, s, m), with their help. A bare
 * `p(N)` means {@linkcode DEFAULT_PERCENTILE_METRIC}. The sketch each reads is
 * report/thresholds.ts's, in a table typed by {@linkcode PercentileMetricName}.
 */
export const PERCENTILE_METRICS = {
  segment_ttfb: "segment time to first byte",
  manifest_ttfb: "manifest time to first byte",
  tcp_connect: "TCP connect time",
  segment_download: "segment download time (inferred)",
  startup: "viewer startup time (to the first full segment)",
  live_latency: "live latency (needs EXT-X-PROGRAM-DATE-TIME)",
} as const;

/** A metric that accepts `p(N)`. */
export type PercentileMetricName = keyof typeof PERCENTILE_METRICS;

/** What a bare `p(N)` measures: the figure a CDN test is most often judged on. */
export const DEFAULT_PERCENTILE_METRIC: PercentileMetricName = "segment_ttfb";

/** A parsed `metric:p(N)`. */
export interface PercentileName {
  /** Canonical name, `metric:p(N)`, e.g. `segment_ttfb:p(99.9)`. */
  figure: string;
  metric: PercentileMetricName;
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
  if (!Object.hasOwn(PERCENTILE_METRICS, metric)) {
    return `unknown metric "${metric}" for p(N); p(N) takes ${
      Object.keys(PERCENTILE_METRICS).join(", ")
    }`;
  }
  if (!(percentile > 0 && percentile <= 100)) return `p(${m[2]}): N must be above 0, at most 100`;
  return {
    figure: `${metric}:p(${percentile})`,
    metric: metric as PercentileMetricName,
    percentile,
  };
}

/** Help lines for `--help`: the p(N) form and its metrics. */
export function percentileHelp(): string {
  const lines = Object.entries(PERCENTILE_METRICS).map(([name, help]) =>
    `  ${`${name}:p(N) [ms|s]`.padEnd(34)}${help}, any percentile 0 < N <= 100`
  );
  return [
    ...lines,
    `  ${"p(N) [ms|s]".padEnd(34)}${DEFAULT_PERCENTILE_METRIC}:p(N), as k6 writes p(99.9)<2s`,
  ].join("\n");
}
