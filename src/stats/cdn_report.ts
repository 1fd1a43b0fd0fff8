/**
 * The CDN figures as people read them (the summary's "CDN" section, its JSON, thresholds),
 * derived from the mergeable {@link ./cdn.ts CdnWire}: a fleet's hit ratio is that of its merged
 * shards, not an average of theirs.
 *
 * Hit ratio = hits / responses with a cache status (hit + miss + stale + pass). Stale (expired,
 * revalidated, updating) is not a hit: the edge had to ask upstream, or served what it should
 * not have. Responses that named an edge but no cache status (`unknown`) are left out of it.
 * @module
 */
import { CACHE_STATUSES, type CacheStatus } from "../parser/cache_headers.ts";
import { REQUEST_KINDS, type RequestKind } from "../parser/url_kind.ts";
import { type CdnWire, type EdgeCell, edgeRequests, TOP_EDGES, topEdges } from "./cdn.ts";
import { type Percentiles, Sketch } from "../math/sketch.ts";

/** One cache status of one kind. */
export interface CdnStatusReport {
  requests: number;
  bytes: number;
  errors: number;
  ttfbMs: Percentiles;
}

/** One request kind. */
export interface CdnKindReport {
  requests: number;
  bytes: number;
  errors: number;
  /** null: no response of this kind had a cache status. */
  hitRatio: number | null;
  byStatus: Record<CacheStatus, CdnStatusReport>;
}

/** One edge (or `other`). */
export interface CdnEdgeReport {
  edge: string;
  requests: number;
  byStatus: Record<CacheStatus, number>;
  hitRatio: number | null;
  bytes: number;
  errors: number;
}

/** The CDN part of the summary. */
export interface CdnReport {
  /** Whether any response carried a cache or edge header; the text shows the section only then. */
  seen: boolean;
  /** Edges listed: the top N by requests, the rest as `other`. */
  topEdges: number;
  hitRatio: number | null;
  byKind: Record<RequestKind, CdnKindReport>;
  edges: CdnEdgeReport[];
  /** `Age` of segments at the edge, seconds. */
  segmentAgeS: Percentiles;
}

/**
 * The report of a wire form.
 *
 * @example
 * ```ts
 * import { CdnStats } from "./cdn.ts";
 * cdnReport(new CdnStats().toWire()).seen; // false
 * ```
 */
export function cdnReport(w: CdnWire): CdnReport {
  const byKind = Object.fromEntries(REQUEST_KINDS.map((k) => {
    const cells = w.byKind[k];
    const byStatus = Object.fromEntries(CACHE_STATUSES.map((c) => [c, {
      requests: cells[c].requests,
      bytes: cells[c].bytes,
      errors: cells[c].errors,
      ttfbMs: Sketch.fromWire(cells[c].ttfbMs).percentiles(),
    }])) as Record<CacheStatus, CdnStatusReport>;
    const total = (f: "requests" | "bytes" | "errors") =>
      CACHE_STATUSES.reduce((n, c) => n + cells[c][f], 0);
    const counts = Object.fromEntries(CACHE_STATUSES.map((c) => [c, cells[c].requests]));
    return [k, {
      requests: total("requests"),
      bytes: total("bytes"),
      errors: total("errors"),
      hitRatio: hitRatio(counts as Record<CacheStatus, number>),
      byStatus,
    }];
  })) as Record<RequestKind, CdnKindReport>;
  const all = Object.fromEntries(
    CACHE_STATUSES.map((c) => [c, REQUEST_KINDS.reduce((n, k) => n + w.byKind[k][c].requests, 0)]),
  ) as Record<CacheStatus, number>;
  return {
    seen: CACHE_STATUSES.some((c) => all[c] > 0),
    topEdges: TOP_EDGES,
    hitRatio: hitRatio(all),
    byKind,
    edges: topEdges(w.edges, TOP_EDGES).map(([edge, e]) => edgeReport(edge, e)),
    segmentAgeS: Sketch.fromWire(w.segmentAgeS).percentiles(),
  };
}

function edgeReport(edge: string, e: EdgeCell): CdnEdgeReport {
  return {
    edge,
    requests: edgeRequests(e),
    byStatus: { ...e.requests },
    hitRatio: hitRatio(e.requests),
    bytes: e.bytes,
    errors: e.errors,
  };
}

/**
 * Hits over responses with a cache status (see the module doc); null without any.
 *
 * @example
 * ```ts
 * hitRatio({ hit: 3, miss: 1, stale: 0, pass: 0, unknown: 5 }); // 0.75
 * ```
 */
export function hitRatio(n: Record<CacheStatus, number>): number | null {
  const d = n.hit + n.miss + n.stale + n.pass;
  return d > 0 ? n.hit / d : null;
}
