/**
 * The dashboard's CDN row: cache status and edge per response, from the response headers FFmpeg
 * logs at trace level (`X-Cache`, `X-Served-By`, `Age`…; src/parser/cache_headers.ts), as
 * src/metrics/cdn.ts exports them with labels `kind`, `cache` and `edge`. The families exist only
 * once a CDN header was seen, so against a bare origin these panels are empty.
 *
 * Hit ratios are hits / (hit + miss + stale + pass), `unknown` left out, as the summary computes
 * them. The `edge` label holds the top 20 edges by requests and `other` for the rest.
 * @module
 */
import { bargauge, q, quantile, type Query, type Row, sel, stat, timeseries } from "./panels.ts";

const FROM_HEADERS = "Measured: from the response headers FFmpeg logs at trace level " +
  "(cache status from X-Cache, X-Cache-Status, CF-Cache-Status, X-Proxy-Cache or " +
  "--cache-header; edge from X-Served-By, X-Amz-Cf-Pop, CF-RAY, Via or --edge-header), " +
  "summed over shards.";
const EDGES = 'Edges: the top 20 by requests, the rest summed as edge="other" (an edge that ' +
  "climbs into the top 20 later takes its counts out of other).";

const R = "hlsswarm_cdn_responses_total";
const E = "hlsswarm_cdn_edge_responses_total";
/** The window of a rate: the panel's rate interval, or the whole time range. */
type Window = "$__rate_interval" | "$__range";

/**
 * Hits over responses with a known cache status, by `by`. A group with responses but no hit is
 * 0, not absent: the numerator falls back to the denominator times 0.
 */
function hitRatio(metric: string, by: string, window: Window): string {
  const f = window === "$__range" ? "increase" : "rate";
  const known = `sum by (${by}) (${f}(${metric}${sel('cache!="unknown"')}[${window}]))`;
  const hits = `sum by (${by}) (${f}(${metric}${sel('cache="hit"')}[${window}]))`;
  return `(${hits} or ${known} * 0) / ${known}`;
}

/** p50 and p95 of a CDN histogram, one series per `by` group. */
const p50p95 = (metric: string, by: string, extra: string, legend: string): Query[] =>
  ([[0.5, "p50"], [0.95, "p95"]] as const).map(([p, name]) =>
    q(quantile(p, metric, by, extra), `${legend} ${name}`.trim())
  );

/** Through a CDN: hit ratio, hits against misses, the edges, segment age. */
export const CDN_ROWS: Row[] = [{
  title: "CDN: did the edges hold the stream, and which edges served it?",
  lines: [{
    h: 8,
    panels: [
      [
        8,
        timeseries(
          "Hit ratio by kind",
          `${FROM_HEADERS} Hits / (hit + miss + stale + pass) per request kind; unknown (an ` +
            "edge header without a cache status) is left out. A stale answer is not a hit.",
          { unit: "percentunit", min: 0, max: 1 },
          [q(hitRatio(R, "kind", "$__rate_interval"), "{{kind}}")],
        ),
      ],
      [
        8,
        timeseries(
          "TTFB of hits and misses",
          `${FROM_HEADERS} Time to first byte p50 and p95 per kind, of hits and of misses apart ` +
            "(from the histogram: 20 buckets a decade, interpolated inside a bucket).",
          { unit: "s", min: 0 },
          p50p95(
            "hlsswarm_cdn_ttfb_seconds",
            "kind, cache",
            'cache=~"hit|miss"',
            "{{kind}} {{cache}}",
          ),
        ),
      ],
      [
        8,
        timeseries(
          "Segment age at the edge",
          "Measured: the Age header of segment responses, whole seconds (how long the edge had " +
            "held the segment), p50 and p95 from the histogram. Only edges that send Age count " +
            "(nginx does not; CloudFront, Fastly and Akamai do).",
          { unit: "s", min: 0 },
          p50p95("hlsswarm_cdn_segment_age_seconds", "", "", "age"),
        ),
      ],
    ],
  }, {
    h: 8,
    panels: [
      [
        8,
        timeseries(
          "Requests by edge",
          `${FROM_HEADERS} Responses per second by the edge that served them. ${EDGES}`,
          { unit: "reqps", min: 0 },
          [q(`sum by (edge) (rate(${E}${sel()}[$__rate_interval]))`, "{{edge}}")],
        ),
      ],
      [
        8,
        timeseries(
          "Throughput by edge",
          `${FROM_HEADERS} Body bytes × 8 per second by edge (Content-Length, or the chunks ` +
            `read). ${EDGES}`,
          { unit: "bps", min: 0 },
          [q(
            `8 * sum by (edge) (rate(hlsswarm_cdn_edge_bytes_total${sel()}[$__rate_interval]))`,
            "{{edge}}",
          )],
        ),
      ],
      [
        8,
        timeseries(
          "Errors by edge",
          `${FROM_HEADERS} Responses with a status >= 400 per second, by edge. A request the ` +
            `edge never answered has no headers and is not here (see Errors). ${EDGES}`,
          { unit: "reqps", min: 0 },
          [q(
            `sum by (edge) (rate(hlsswarm_cdn_edge_errors_total${sel()}[$__rate_interval]))`,
            "{{edge}}",
          )],
        ),
      ],
    ],
  }, {
    h: 5,
    panels: [
      [
        12,
        stat(
          "Hit ratio over the time range",
          `${FROM_HEADERS} Per request kind over the whole time range: for a range that covers ` +
            "the run, the summary's CDN hit ratio.",
          { unit: "percentunit", min: 0, max: 1, decimals: 1 },
          [q(hitRatio(R, "kind", "$__range"), "{{kind}}")],
        ),
      ],
      [
        12,
        bargauge(
          "Hit ratio by edge over the time range",
          `${FROM_HEADERS} Every request kind together, per edge. ${EDGES}`,
          { unit: "percentunit", min: 0, max: 1, decimals: 1 },
          [q(hitRatio(E, "edge", "$__range"), "{{edge}}")],
        ),
      ],
    ],
  }],
}];
