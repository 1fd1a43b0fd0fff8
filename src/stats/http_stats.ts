/**
 * What a set of clients fetched: requests and bytes by kind, responses by status, the catalog's
 * event counters and the latency sketches. Totals only grow: a restarted FFmpeg adds to them.
 * @module
 */
import { type EventCounts, zeroEventCounts } from "../events/catalog.ts";
import type { HttpEvent } from "../parser/http_event.ts";
import { REQUEST_KINDS, type RequestKind } from "../parser/url_kind.ts";
import { Sketch } from "../math/sketch.ts";

export type ByKind = Record<RequestKind, number>;
/** Zero for every request kind. */
export const byKind = (): ByKind => ({ manifest: 0, segment: 0, init: 0, other: 0 });

/** The latency sketches, by figure. */
export const LATENCIES = ["ttfbManifest", "ttfbSegment", "tcpConnect", "downloadInferred"] as const;
export type LatencyName = typeof LATENCIES[number];

/**
 * Counters and sketches fed by stderr events.
 *
 * @example
 * ```ts
 * const http = new HttpStats();
 * http.apply({ type: "request", req: 1, kind: "segment", path: "/s1.ts", at: 0 });
 * http.totalRequests; // 1
 * ```
 */
export class HttpStats {
  readonly requests: ByKind = byKind();
  /** Body bytes announced by 2xx responses (Content-Length), by kind. */
  readonly bytes: ByKind = byKind();
  /** Responses by kind, then by status code. */
  readonly responses: Record<RequestKind, Map<number, number>> = {
    manifest: new Map(),
    segment: new Map(),
    init: new Map(),
    other: new Map(),
  };
  readonly events: EventCounts = zeroEventCounts();
  readonly latency: Record<LatencyName, Sketch> = {
    ttfbManifest: new Sketch(),
    ttfbSegment: new Sketch(),
    tcpConnect: new Sketch(),
    downloadInferred: new Sketch(),
  };

  apply(e: HttpEvent): void {
    switch (e.type) {
      case "request":
        this.requests[e.kind]++;
        break;
      case "response":
        this.responses[e.kind].set(e.status, (this.responses[e.kind].get(e.status) ?? 0) + 1);
        if (e.ttfbMs === null) break;
        if (e.kind === "manifest") this.latency.ttfbManifest.add(e.ttfbMs);
        else if (e.kind === "segment") this.latency.ttfbSegment.add(e.ttfbMs);
        break;
      case "body_bytes":
        this.bytes[e.kind] += e.bytes;
        break;
      case "segment_download_inferred":
        this.latency.downloadInferred.add(e.ms);
        break;
      case "tcp_connect":
        this.latency.tcpConnect.add(e.ms);
        break;
      case "count":
        this.events[e.key] += e.n;
        break;
    }
  }

  /** All requests. */
  get totalRequests(): number {
    return REQUEST_KINDS.reduce((n, k) => n + this.requests[k], 0);
  }

  /** All body bytes. */
  get totalBytes(): number {
    return REQUEST_KINDS.reduce((n, k) => n + this.bytes[k], 0);
  }

  /** Responses with a status from `from` to `to` (inclusive), every kind. */
  responsesWithin(from: number, to: number): number {
    let n = 0;
    for (const kind of REQUEST_KINDS) {
      for (const [status, count] of this.responses[kind]) {
        if (status >= from && status <= to) n += count;
      }
    }
    return n;
  }

  /** Responses with a status of 400 or more, plus requests never answered. */
  get failedRequests(): number {
    return this.events.unanswered + this.responsesWithin(400, Infinity);
  }
}
