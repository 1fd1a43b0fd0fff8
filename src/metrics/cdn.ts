/**
 * The CDN families (src/stats/cdn.ts): responses, bytes and errors by request `kind` and `cache`
 * status, TTFB histograms by kind and cache status (hits and misses apart), responses by `edge`
 * and cache status, and the segment `Age` histogram. No family is written before a CDN header
 * was seen: a bare origin's /metrics stays as it was.
 *
 * The `edge` label is bounded: the top {@linkcode TOP_EDGES} (20) edges by requests, the rest
 * summed as `edge="other"`. An edge that climbs into the top 20 later moves its counts out of
 * `other`, so `other` can fall; `sum by (cache)` over every edge never does. Hit ratios are left
 * to Prometheus, e.g.
 * `sum(rate(hlsswarm_cdn_responses_total{kind="segment",cache="hit"}[1m])) /
 * sum(rate(hlsswarm_cdn_responses_total{kind="segment",cache!="unknown"}[1m]))`.
 * @module
 */
import { CACHE_STATUSES } from "../parser/cache_headers.ts";
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import { type CdnWire, TOP_EDGES, topEdges } from "../stats/cdn.ts";
import { type Family, familyMaker, type Labels, LATENCY_BUCKETS } from "./exposition.ts";

const P = "hlsswarm_cdn_";
/** Seconds: a live segment's age at the edge is a few target durations; a VOD one, days. */
const AGE_BUCKETS = [1, 2, 4, 6, 10, 20, 30, 60, 120, 300, 600, 3600, 86400];

/**
 * The families of a snapshot's CDN part (none when no CDN header was seen).
 *
 * @example
 * ```ts
 * import { CdnStats } from "../stats/cdn.ts";
 * cdnFamilies(new CdnStats().toWire()); // []
 * ```
 */
export function cdnFamilies(w: CdnWire): Family[] {
  const cells = REQUEST_KINDS.flatMap((kind) =>
    CACHE_STATUSES.map((cache) => ({ labels: { kind, cache } as Labels, c: w.byKind[kind][cache] }))
  ).filter(({ c }) => c.requests > 0);
  const edges = topEdges(w.edges, TOP_EDGES);
  if (!cells.length && !edges.length) return [];
  const { counter, histogram } = familyMaker(P);
  return [
    counter(
      "responses_total",
      "Responses that carried a CDN header, by request kind and normalised cache status " +
        "(hit, miss, stale, pass, unknown).",
      cells.map(({ labels, c }) => [labels, c.requests]),
    ),
    counter(
      "bytes_total",
      "Body bytes of those responses, by kind and cache status.",
      cells.map(({ labels, c }) => [labels, c.bytes]),
    ),
    counter(
      "errors_total",
      "Those responses with a status >= 400, by kind and cache status.",
      cells.map(({ labels, c }) => [labels, c.errors]),
    ),
    histogram(
      "ttfb_seconds",
      "Time to first byte by kind and cache status: hits and misses apart.",
      LATENCY_BUCKETS,
      0.001,
      cells.filter(({ c }) => c.ttfbMs.count > 0).map(({ labels, c }) => [labels, c.ttfbMs]),
    ),
    counter(
      "edge_responses_total",
      `Responses by edge (top ${TOP_EDGES} by requests, the rest as edge="other") and cache status.`,
      edges.flatMap(([edge, e]) =>
        CACHE_STATUSES.map((cache) => [{ edge, cache }, e.requests[cache]] as [Labels, number])
      ),
    ),
    counter(
      "edge_bytes_total",
      `Body bytes by edge (top ${TOP_EDGES}, the rest as edge="other").`,
      edges.map(([edge, e]) => [{ edge }, e.bytes]),
    ),
    counter(
      "edge_errors_total",
      `Responses with a status >= 400 by edge (top ${TOP_EDGES}, the rest as edge="other").`,
      edges.map(([edge, e]) => [{ edge }, e.errors]),
    ),
    histogram(
      "segment_age_seconds",
      "The Age header of segment responses: how long the edge had held the segment.",
      AGE_BUCKETS,
      1,
      [[{}, w.segmentAgeS]],
    ),
  ];
}
