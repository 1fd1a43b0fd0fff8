/**
 * The fleet: every client's HTTP and playback stats, the fleet-wide totals and sketches, and
 * the rate series, sampled on a 1 s clock of its own. {@linkcode FleetStats.snapshot} is the one
 * read model the summary, the metrics and the dashboard all use.
 * @module
 */
import type { ProgressBlock } from "../parser/progress.ts";
import type { HttpEvent } from "../parser/stderr_events.ts";
import type { RequestKind } from "../parser/url_kind.ts";
import { type EventCounts, HttpStats } from "./http_stats.ts";
import { HIGH_DRIFT_MS, type PlaybackState, PlaybackTracker, STALL_SPEED } from "./playback.ts";
import { RateSeries } from "./rates.ts";
import type { Percentiles } from "./sketch.ts";

/** One client's stats; they live as long as the client, across FFmpeg restarts. */
export interface ClientRecord {
  id: number;
  http: HttpStats;
  playback: PlaybackTracker;
  state: PlaybackState;
}

/** Rates over the recent window, per second; null until two samples exist. */
export interface CurrentRates {
  windowMs: number;
  manifests: number | null;
  segments: number | null;
  requests: number | null;
  bytes: number | null;
  errors: number | null;
}

/** Everything the fleet knows at one moment. */
export interface FleetSnapshot {
  requests: Record<RequestKind, number>;
  totalRequests: number;
  bytes: Record<RequestKind, number>;
  totalBytes: number;
  statuses: { status: number; count: number }[];
  events: EventCounts;
  failedRequests: number;
  /** failed requests (status ≥ 400 or unanswered) / all requests; 0 without requests. */
  errorRate: number;
  ttfbMs: { manifest: Percentiles; segment: Percentiles };
  segmentDownloadInferredMs: Percentiles;
  tcpConnectMs: Percentiles;
  rates: CurrentRates;
  playback: {
    clientsWithMedia: number;
    /** Clients whose recent speed is at least 0.9x (keeping up with the live edge). */
    keepingUp: number;
    /** Clients whose recent speed is below 0.9x. */
    fallingBehind: number;
    stalled: number;
    stallEpisodes: number;
    averageSpeed: number | null;
    averageDriftMs: number | null;
    maxDriftMs: number;
    highDrift: number;
  };
}

/** Window of the "current" rates. */
export const CURRENT_RATE_WINDOW_MS = 10_000;

/**
 * Fleet statistics.
 *
 * @example
 * ```ts
 * const fleet = new FleetStats(6000);
 * fleet.recordEvent(0, { type: "request", kind: "segment", path: "/s1.ts" });
 * fleet.sample(performance.now());
 * fleet.snapshot(performance.now()).requests.segment; // 1
 * ```
 */
export class FleetStats {
  readonly http = new HttpStats();
  readonly clients = new Map<number, ClientRecord>();
  readonly series = new RateSeries(600);

  constructor(private targetDurationMs: number) {}

  client(id: number): ClientRecord {
    let c = this.clients.get(id);
    if (!c) {
      c = {
        id,
        http: new HttpStats(),
        playback: new PlaybackTracker(this.targetDurationMs),
        state: { hasMedia: false, speed: null, recentSpeed: null, stalled: false, driftMs: null },
      };
      this.clients.set(id, c);
    }
    return c;
  }

  recordEvent(id: number, e: HttpEvent): void {
    this.client(id).http.apply(e);
    this.http.apply(e);
  }

  recordProgress(id: number, block: ProgressBlock, at: number): void {
    this.client(id).playback.onProgress(block, at);
  }

  /** The 1 s tick: evaluates every client's playback state and records the rate series. */
  sample(now: number): void {
    for (const c of this.clients.values()) c.state = c.playback.state(now);
    const h = this.http;
    this.series.record(now, {
      manifests: h.requests.manifest,
      segments: h.requests.segment,
      requests: h.totalRequests,
      bytes: h.totalBytes,
      errors: h.failedRequests,
    });
  }

  /** Current rates over `windowMs`, from the series (readers never disturb each other). */
  rates(now: number, windowMs = CURRENT_RATE_WINDOW_MS): CurrentRates {
    const rate = (key: string) => this.series.rate(key, windowMs, now);
    return {
      windowMs,
      manifests: rate("manifests"),
      segments: rate("segments"),
      requests: rate("requests"),
      bytes: rate("bytes"),
      errors: rate("errors"),
    };
  }

  snapshot(now: number): FleetSnapshot {
    const h = this.http;
    let withMedia = 0, keepingUp = 0, behind = 0, stalled = 0, episodes = 0, highDrift = 0;
    let speedSum = 0, speedN = 0, driftSum = 0, driftN = 0, maxDrift = 0;
    for (const c of this.clients.values()) {
      const s = c.state;
      episodes += c.playback.stalls;
      maxDrift = Math.max(maxDrift, c.playback.maxDriftMs);
      if (!s.hasMedia) continue;
      withMedia++;
      if (s.stalled) stalled++;
      const speed = s.recentSpeed ?? s.speed;
      if (speed !== null) {
        if (speed >= STALL_SPEED) keepingUp++;
        else behind++;
        speedSum += speed;
        speedN++;
      }
      if (s.driftMs !== null) {
        driftSum += Math.max(0, s.driftMs);
        driftN++;
        if (s.driftMs > HIGH_DRIFT_MS) highDrift++;
      }
    }
    const total = h.totalRequests;
    return {
      requests: { ...h.requests },
      totalRequests: total,
      bytes: { ...h.bytes },
      totalBytes: h.totalBytes,
      statuses: [...h.statuses].sort(([a], [b]) => a - b).map(([status, count]) => ({
        status,
        count,
      })),
      events: { ...h.events },
      failedRequests: h.failedRequests,
      errorRate: total ? h.failedRequests / total : 0,
      ttfbMs: { manifest: h.ttfb.manifest.percentiles(), segment: h.ttfb.segment.percentiles() },
      segmentDownloadInferredMs: h.segmentDownloadInferred.percentiles(),
      tcpConnectMs: h.tcpConnect.percentiles(),
      rates: this.rates(now),
      playback: {
        clientsWithMedia: withMedia,
        keepingUp,
        fallingBehind: behind,
        stalled,
        stallEpisodes: episodes,
        averageSpeed: speedN ? speedSum / speedN : null,
        averageDriftMs: driftN ? driftSum / driftN : null,
        maxDriftMs: maxDrift,
        highDrift,
      },
    };
  }
}
