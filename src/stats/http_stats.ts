/**
 * HTTP and HLS counters: requests by kind, responses by status, bytes, latencies and error
 * events. One instance per client and one for the fleet; a client records into both, so the
 * fleet's sketches hold every sample (the same as merging the clients' sketches).
 * @module
 */
import type { HttpEvent } from "../parser/stderr_events.ts";
import { REQUEST_KINDS, type RequestKind } from "../parser/url_kind.ts";
import { LatencySketch } from "./sketch.ts";

type ByKind = Record<RequestKind, number>;
const byKind = (): ByKind => ({ manifest: 0, segment: 0, init: 0, other: 0 });

/** Error and event counters, named as the summary and metrics show them. */
export interface EventCounts {
  unanswered: number;
  reconnects: number;
  keepaliveRetries: number;
  timeouts: number;
  tcpConnected: number;
  tcpRefused: number;
  tcpTimeouts: number;
  tcpErrors: number;
  segmentsFailed: number;
  segmentsSkipped: number;
  playlistsFailed: number;
  segmentsExpired: number;
  sequenceSkips: number;
}

/**
 * Counts from stderr events. All totals only grow: a restarted FFmpeg adds to them.
 *
 * @example
 * ```ts
 * const client = new HttpStats(), fleet = new HttpStats();
 * const record = (e: HttpEvent) => { client.apply(e); fleet.apply(e); };
 * ```
 */
export class HttpStats {
  readonly requests: ByKind = byKind();
  /** Body bytes announced by 2xx responses (Content-Length), by kind. */
  readonly bytes: ByKind = byKind();
  readonly statuses = new Map<number, number>();
  readonly events: EventCounts = {
    unanswered: 0,
    reconnects: 0,
    keepaliveRetries: 0,
    timeouts: 0,
    tcpConnected: 0,
    tcpRefused: 0,
    tcpTimeouts: 0,
    tcpErrors: 0,
    segmentsFailed: 0,
    segmentsSkipped: 0,
    playlistsFailed: 0,
    segmentsExpired: 0,
    sequenceSkips: 0,
  };
  readonly ttfb: Record<"manifest" | "segment", LatencySketch> = {
    manifest: new LatencySketch(),
    segment: new LatencySketch(),
  };
  readonly segmentDownloadInferred = new LatencySketch();
  readonly tcpConnect = new LatencySketch();

  apply(e: HttpEvent): void {
    const ev = this.events;
    switch (e.type) {
      case "request":
        this.requests[e.kind]++;
        break;
      case "response":
        this.statuses.set(e.status, (this.statuses.get(e.status) ?? 0) + 1);
        if (e.kind === "manifest" || e.kind === "segment") this.ttfb[e.kind].add(e.ttfbMs);
        break;
      case "body_bytes":
        this.bytes[e.kind] += e.bytes;
        break;
      case "unanswered":
        ev.unanswered++;
        break;
      case "segment_download_inferred":
        this.segmentDownloadInferred.add(e.ms);
        break;
      case "tcp_connected":
        ev.tcpConnected++;
        this.tcpConnect.add(e.ms);
        break;
      case "tcp_failed":
        if (e.reason === "refused") ev.tcpRefused++;
        else if (e.reason === "timeout") ev.tcpTimeouts++;
        else ev.tcpErrors++;
        break;
      case "reconnect":
        ev.reconnects++;
        break;
      case "keepalive_retry":
        ev.keepaliveRetries++;
        break;
      case "timeout":
        ev.timeouts++;
        break;
      case "segment_failed":
        ev.segmentsFailed++;
        break;
      case "segment_skipped":
        ev.segmentsSkipped++;
        break;
      case "playlist_failed":
        ev.playlistsFailed++;
        break;
      case "segments_expired":
        ev.segmentsExpired += e.count;
        break;
      case "sequence_jump":
        ev.sequenceSkips += e.skipped;
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

  /** Responses with a status of 400 or more, plus requests never answered. */
  get failedRequests(): number {
    let n = this.events.unanswered;
    for (const [status, count] of this.statuses) if (status >= 400) n += count;
    return n;
  }
}
