/**
 * The fleet's figures as people read them, derived from a (merged) snapshot: totals, the error
 * rate, percentiles, current rates and playback averages. The summary, /metrics and the
 * dashboard all read this one view, so they never disagree.
 * @module
 */
import type { EventCounts } from "../events/catalog.ts";
import { REQUEST_KINDS, type RequestKind } from "../parser/url_kind.ts";
import type { ByKind } from "../stats/http_stats.ts";
import { type SeriesField, WallSeries } from "../stats/series.ts";
import { type Percentiles, Sketch } from "../math/sketch.ts";
import type { LineCounts, Snapshot } from "../stats/snapshot.ts";

/** Rates per second over a recent window; null until a second has been recorded. */
export interface CurrentRates {
  windowMs: number;
  manifests: number | null;
  segments: number | null;
  requests: number | null;
  bytes: number | null;
  errors: number | null;
}

/** Everything the fleet measured, as figures. */
export interface FleetView {
  requests: ByKind;
  totalRequests: number;
  bytes: ByKind;
  totalBytes: number;
  /** Responses by status, over every kind. */
  statuses: { status: number; count: number }[];
  /** Responses by kind and status. */
  responses: { kind: RequestKind; status: number; count: number }[];
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

/** Fleet-wide pipeline health. */
export interface LineHealth {
  byStream: { progress: LineCounts; stderr: LineCounts };
  read: number;
  dropped: number;
  /** dropped / read over all clients (0 when nothing was read). */
  dropRate: number;
  /** Clients whose own drop rate exceeds the threshold. */
  degradedClients: number;
  threshold: number;
  /** Lines longer than the limit, kept truncated. */
  truncated: number;
  /**
   * Lines the native fan-in read and left out, as no parser reads them: neither read nor
   * dropped (absent in summaries from before it).
   */
  filtered?: number;
}

/** Window of the "current" rates. */
export const CURRENT_RATE_WINDOW_MS = 10_000;

/**
 * The figures of `snap`, with current rates over the window before `endSecond` (exclusive epoch
 * second; default: the series' end).
 *
 * @example
 * ```ts
 * import { mergeSnapshots } from "./merge.ts";
 * import { PartitionStats } from "../stats/partition_stats.ts";
 * const stats = new PartitionStats({ targetClients: 1, targetDurationMs: 2000, dropThreshold: 0.01 });
 * const view = fleetView(mergeSnapshots([stats.snapshot(Date.now())]));
 * view.ttfbMs.segment.p95; // null: no segment yet
 * ```
 */
export function fleetView(
  snap: Snapshot,
  opts: { windowMs?: number; endSecond?: number; series?: WallSeries } = {},
): FleetView {
  const total = (r: ByKind) => REQUEST_KINDS.reduce((n, k) => n + r[k], 0);
  const responses = REQUEST_KINDS.flatMap((kind) =>
    Object.entries(snap.responses[kind])
      .map(([status, count]) => ({ kind, status: Number(status), count }))
      .filter((x) => x.count > 0)
  );
  const byStatus = new Map<number, number>();
  for (const r of responses) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + r.count);
  const statuses = [...byStatus].map(([status, count]) => ({ status, count }))
    .sort((a, b) => a.status - b.status);
  const failed = snap.events.unanswered +
    statuses.filter((x) => x.status >= 400).reduce((n, x) => n + x.count, 0);
  const totalRequests = total(snap.requests);
  const pct = (w: Snapshot["latency"][keyof Snapshot["latency"]]) =>
    Sketch.fromWire(w).percentiles();
  const p = snap.playback;
  const series = opts.series ?? WallSeries.fromWire(snap.series);
  return {
    requests: { ...snap.requests },
    totalRequests,
    bytes: { ...snap.bytes },
    totalBytes: total(snap.bytes),
    statuses,
    responses,
    events: { ...snap.events },
    failedRequests: failed,
    errorRate: totalRequests ? failed / totalRequests : 0,
    ttfbMs: { manifest: pct(snap.latency.ttfbManifest), segment: pct(snap.latency.ttfbSegment) },
    segmentDownloadInferredMs: pct(snap.latency.downloadInferred),
    tcpConnectMs: pct(snap.latency.tcpConnect),
    rates: ratesOf(series, opts.windowMs ?? CURRENT_RATE_WINDOW_MS, opts.endSecond),
    playback: {
      clientsWithMedia: snap.clients.withMedia,
      keepingUp: p.keepingUp,
      fallingBehind: p.behind,
      stalled: p.stalled,
      stallEpisodes: p.stallEpisodes,
      averageSpeed: p.speedCount ? p.speedSum / p.speedCount : null,
      averageDriftMs: p.driftCount ? p.driftSumMs / p.driftCount : null,
      maxDriftMs: p.maxDriftMs,
      highDrift: p.highDrift,
    },
  };
}

/**
 * Rates per second over the `windowMs` before `endSecond`, from a series.
 *
 * @example
 * ```ts
 * import { WallSeries } from "../stats/series.ts";
 * ratesOf(new WallSeries(), 30_000, Math.floor(Date.now() / 1000)).segments; // null: no second yet
 * ```
 */
export function ratesOf(series: WallSeries, windowMs: number, endSecond?: number): CurrentRates {
  const seconds = Math.max(1, Math.round(windowMs / 1000));
  const rate = (f: SeriesField) => series.rate(f, seconds, endSecond);
  const requests = ["manifests", "segments", "inits", "others"] as const;
  const all = requests.map(rate);
  return {
    windowMs,
    manifests: rate("manifests"),
    segments: rate("segments"),
    requests: all.some((r) => r === null) ? null : all.reduce((n, r) => n! + r!, 0),
    bytes: rate("bytes"),
    errors: rate("errors"),
  };
}

/**
 * The pipeline's health from a snapshot.
 *
 * @example
 * ```ts
 * import { PartitionStats } from "../stats/partition_stats.ts";
 * const stats = new PartitionStats({ targetClients: 1, targetDurationMs: 2000, dropThreshold: 0.01 });
 * lineHealth(stats.snapshot(Date.now()), 0.01).dropRate; // dropped / read
 * ```
 */
export function lineHealth(snap: Snapshot, threshold: number): LineHealth {
  const { progress, stderr, truncated, degradedClients } = snap.lines;
  const read = progress.read + stderr.read;
  const dropped = progress.dropped + stderr.dropped;
  return {
    byStream: { progress: { ...progress }, stderr: { ...stderr } },
    read,
    dropped,
    dropRate: read ? dropped / read : 0,
    degradedClients,
    threshold,
    truncated,
    filtered: (progress.filtered ?? 0) + (stderr.filtered ?? 0),
  };
}
