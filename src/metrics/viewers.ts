/**
 * The viewer-experience families (src/viewer/): sessions by start outcome, startup and live
 * latency histograms, and rebuffering, watch time, expired segments and delivered media as
 * counters. Rates and ratios are left to Prometheus, e.g. the rebuffering ratio is
 * `rate(hlsswarm_viewer_rebuffer_seconds_total[1m]) / rate(hlsswarm_viewer_watch_seconds_total[1m])`.
 * @module
 */
import type { ViewerWire } from "../viewer/stats.ts";
import { type Family, familyMaker, logBuckets, one } from "./exposition.ts";

const P = "hlsswarm_viewer_";
/** 10 buckets per decade, 10 ms to 2 minutes: startups and live latencies. */
export const VIEWER_BUCKETS: readonly number[] = logBuckets(0.01, 120, 10);

/**
 * The families of a snapshot's viewer part.
 *
 * @example
 * ```ts
 * import { ViewerStats } from "../viewer/stats.ts";
 * viewerFamilies(new ViewerStats().toWire()).map((f) => f.name);
 * ```
 */
export function viewerFamilies(v: ViewerWire): Family[] {
  const { counter, histogram } = familyMaker(P);
  /** A viewer histogram: ms sketches in seconds, at VIEWER_BUCKETS. */
  const viewerHistogram = (name: string, help: string, wire: ViewerWire["startupMs"]) =>
    histogram(name, help, VIEWER_BUCKETS, 0.001, [[{}, wire]]);
  return [
    counter(
      "sessions_total",
      "Viewing sessions (FFmpeg runs) by start outcome: started (media arrived), vsf " +
        "(ended by an error before media, Conviva's video start failure), ebvs (stopped by " +
        "hls-swarm before media, exit before video start). Started ones count as they start.",
      (["started", "vsf", "ebvs"] as const).map((o) => [{ outcome: o }, v.sessions[o]]),
    ),
    viewerHistogram(
      "startup_seconds",
      "Startup time: first playlist request to the first media segment fully arrived (FFmpeg " +
        "does not render: time to a playable segment).",
      v.startupMs,
    ),
    viewerHistogram(
      "live_latency_seconds",
      "How far the newest media a viewer holds is behind the wall clock, one sample per viewer " +
        "per second (inferred from EXT-X-PROGRAM-DATE-TIME; no samples without it).",
      v.liveLatencyMs,
    ),
    counter(
      "rebuffers_total",
      "Rebuffers of the virtual player (inferred: playback stalls once received media runs out).",
      one(v.rebuffers),
    ),
    counter(
      "rebuffered_sessions_total",
      "Sessions with at least one rebuffer (inferred).",
      one(v.rebufferedSessions),
    ),
    counter(
      "rebuffer_seconds_total",
      "Time viewers spent rebuffering (inferred).",
      one(v.rebufferMs / 1000),
    ),
    counter(
      "watch_seconds_total",
      "Play time plus rebuffer time of every session (inferred).",
      one((v.playMs + v.rebufferMs) / 1000),
    ),
    counter(
      "expired_segments_total",
      "Segments viewers lost because they left the playlist before being fetched (measured).",
      one(v.expiredSegments),
    ),
    counter(
      "media_bytes_total",
      "Media segment bytes delivered to viewers (measured).",
      one(v.mediaBytes),
    ),
    counter(
      "media_seconds_total",
      "Media time delivered to viewers, from FFmpeg's progress (measured); bytes over seconds " +
        "is the delivered bitrate.",
      one(v.mediaMs / 1000),
    ),
  ];
}
