/**
 * What the CDN said, as a mergeable part of the snapshot: by request kind and cache status
 * (requests, bytes, errors, TTFB sketch), by edge (requests by cache status, bytes, errors), and
 * the `Age` of segments at the edge (a sketch, seconds). Counts add, sketches merge bin by bin.
 *
 * Edges are bounded twice:
 * - on the wire: at most {@linkcode MAX_WIRE_EDGES} edges per snapshot. A shard counts every
 *   edge it sees exactly up to that many, then counts new ones as {@linkcode OTHER_EDGE}; a merge
 *   keeps the union of its parts' maps, exactly, while it stays within the bound (a real CDN
 *   serves one run from some tens of POPs, some hundreds of cache nodes at most), and only past
 *   it folds the smallest into `other`. So the fleet's top edges are exact, not each shard's
 *   top-N added up (which would lose an edge that is second everywhere but first nowhere).
 * - when presented (summary, /metrics): the top {@linkcode TOP_EDGES} by requests, plus `other`.
 * @module
 */
import type { HttpEvent } from "../parser/http_event.ts";
import { CACHE_STATUSES, type CacheStatus } from "../parser/cache_headers.ts";
import { REQUEST_KINDS, type RequestKind } from "../parser/url_kind.ts";
import { Sketch, SKETCH_ACCURACY, type SketchWire } from "../math/sketch.ts";

/** Edges shown in the summary and /metrics: the top 20 by requests, the rest as `other`. */
export const TOP_EDGES = 20;
/** Edges a snapshot may carry (see the module doc). */
export const MAX_WIRE_EDGES = 500;
/** The label of every edge beyond the bound. Real edge names cannot be it (edgeName). */
export const OTHER_EDGE = "other";

/** One kind × cache status. */
export interface CdnCell {
  requests: number;
  /** Body bytes counted for those requests. */
  bytes: number;
  /** Responses ≥ 400. */
  errors: number;
  ttfbMs: SketchWire;
}

/** One edge. */
export interface EdgeCell {
  requests: Record<CacheStatus, number>;
  bytes: number;
  errors: number;
}

/** The wire form, inside the snapshot. */
export interface CdnWire {
  byKind: Record<RequestKind, Record<CacheStatus, CdnCell>>;
  edges: Record<string, EdgeCell>;
  /** `Age` of segment responses, seconds. */
  segmentAgeS: SketchWire;
}

interface Cell {
  requests: number;
  bytes: number;
  errors: number;
  ttfbMs: Sketch;
}

/** A response's CDN facts, kept until its body's bytes arrive. */
interface Seen {
  kind: RequestKind;
  cache: CacheStatus;
  edge: string | null;
}

/** Responses per client whose bytes may still come: a body settles within a request or two. */
const SEEN_PER_CLIENT = 16;

/**
 * Accumulates `cache` events and the bytes of their bodies.
 *
 * @example
 * ```ts
 * const cdn = new CdnStats();
 * cdn.record(0, { type: "cache", req: 1, kind: "segment", status: 200, ttfbMs: 5,
 *   cache: "hit", ageS: 2, edge: "edge-a" });
 * cdn.record(0, { type: "body_bytes", req: 1, kind: "segment", bytes: 1000 });
 * cdn.toWire().byKind.segment.hit.bytes; // 1000
 * ```
 */
export class CdnStats {
  readonly #cells = Object.fromEntries(
    REQUEST_KINDS.map((k) => [k, Object.fromEntries(CACHE_STATUSES.map((c) => [c, cell()]))]),
  ) as Record<RequestKind, Record<CacheStatus, Cell>>;
  readonly #edges = new Map<string, EdgeCell>();
  readonly #age = new Sketch(SKETCH_ACCURACY);
  readonly #seen = new Map<number, Map<number, Seen>>();

  /** Takes one event of client `id` (only `cache` and `body_bytes` matter). */
  record(id: number, e: HttpEvent): void {
    if (e.type === "cache") {
      const c = this.#cells[e.kind][e.cache];
      const error = e.status >= 400 ? 1 : 0;
      c.requests++;
      c.errors += error;
      if (e.ttfbMs !== null) c.ttfbMs.add(e.ttfbMs);
      if (e.kind === "segment" && e.ageS !== null) this.#age.add(e.ageS);
      const edge = e.edge === null ? null : this.#edge(e.edge);
      if (edge) {
        edge.requests[e.cache]++;
        edge.errors += error;
      }
      let seen = this.#seen.get(id);
      if (!seen) this.#seen.set(id, seen = new Map());
      seen.set(e.req, { kind: e.kind, cache: e.cache, edge: e.edge });
      if (seen.size > SEEN_PER_CLIENT) seen.delete(seen.keys().next().value!);
    } else if (e.type === "body_bytes") {
      const s = this.#seen.get(id)?.get(e.req);
      if (!s) return;
      this.#cells[s.kind][s.cache].bytes += e.bytes;
      if (s.edge !== null) this.#edge(s.edge).bytes += e.bytes;
    }
  }

  /** Whether any CDN header was seen. */
  get seen(): boolean {
    return REQUEST_KINDS.some((k) => CACHE_STATUSES.some((c) => this.#cells[k][c].requests > 0));
  }

  #edge(name: string): EdgeCell {
    let e = this.#edges.get(name);
    if (e) return e;
    // Full: new edges count as `other` (one slot is kept for it).
    if (this.#edges.size >= MAX_WIRE_EDGES - 1) name = OTHER_EDGE;
    e = this.#edges.get(name);
    if (!e) this.#edges.set(name, e = edgeCell());
    return e;
  }

  /** The wire form. */
  toWire(): CdnWire {
    return {
      byKind: Object.fromEntries(REQUEST_KINDS.map((k) => [
        k,
        Object.fromEntries(CACHE_STATUSES.map((c) => {
          const x = this.#cells[k][c];
          return [c, {
            requests: x.requests,
            bytes: x.bytes,
            errors: x.errors,
            ttfbMs: x.ttfbMs.toWire(),
          }];
        })),
      ])) as CdnWire["byKind"],
      edges: Object.fromEntries(
        [...this.#edges].sort(([a], [b]) => (a < b ? -1 : 1)).map((
          [name, e],
        ) => [name, { ...e, requests: { ...e.requests } }]),
      ),
      segmentAgeS: this.#age.toWire(),
    };
  }
}

function cell(): Cell {
  return { requests: 0, bytes: 0, errors: 0, ttfbMs: new Sketch(SKETCH_ACCURACY) };
}

/** An edge with nothing counted. */
export function edgeCell(): EdgeCell {
  return {
    requests: Object.fromEntries(CACHE_STATUSES.map((c) => [c, 0])) as Record<CacheStatus, number>,
    bytes: 0,
    errors: 0,
  };
}

/** An edge's requests, all statuses. */
export function edgeRequests(e: EdgeCell): number {
  return CACHE_STATUSES.reduce((n, c) => n + e.requests[c], 0);
}

/**
 * Edges ranked by requests (ties by name), the first `top` kept and the rest (with any `other`
 * already there) folded into {@linkcode OTHER_EDGE}, which comes last. Counts add exactly.
 *
 * @example
 * ```ts
 * topEdges({ a: edgeCell(), b: edgeCell() }, 1).map(([name]) => name); // ["a", "other"]
 * ```
 */
export function topEdges(edges: Record<string, EdgeCell>, top: number): [string, EdgeCell][] {
  const ranked = Object.entries(edges).filter(([name]) => name !== OTHER_EDGE)
    .sort(([a, x], [b, y]) => edgeRequests(y) - edgeRequests(x) || (a < b ? -1 : 1));
  const kept = ranked.slice(0, top);
  const rest = ranked.slice(top);
  if (edges[OTHER_EDGE]) rest.push([OTHER_EDGE, edges[OTHER_EDGE]]);
  if (!rest.length) return kept;
  const other = edgeCell();
  for (const [, e] of rest) addEdge(other, e);
  return [...kept, [OTHER_EDGE, other]];
}

/** Adds `e` into `to`. */
export function addEdge(to: EdgeCell, e: EdgeCell): void {
  for (const c of CACHE_STATUSES) to.requests[c] += e.requests[c];
  to.bytes += e.bytes;
  to.errors += e.errors;
}
