/**
 * The viewer experience as people read it: the summary's "Viewer experience" section, its JSON,
 * and the figures thresholds name. Derived from the mergeable {@link ./stats.ts ViewerWire}, so a
 * fleet's report is that of its merged shards.
 *
 * How the names map onto the industry's:
 * | ours                 | industry                                                                 | measured or inferred                                                 |
 * | -------------------- | ------------------------------------------------------------------------ | -------------------------------------------------------------------- |
 * | startup              | Mux video startup time, CTA-2066 startup delay                           | measured: first playlist request → first media segment fully arrived |
 * | VSF, EBVS            | Conviva video start failure, exits before video start                    | measured: outcome of each FFmpeg run                                 |
 * | rebuffering ratio    | Conviva rebuffering ratio, Mux rebuffer percentage                       | inferred: a virtual player over media arrival times                  |
 * | rebuffered sessions  | Mux/Conviva share of views with rebuffering                              | inferred, as above                                                   |
 * | live latency         | CTA-2066 live latency (wall clock − program date-time of the media held) | inferred from the playlist's program date-time; unknown without it   |
 * | delivered bitrate    | Conviva average bitrate (delivered, not rendered)                        | measured: media bytes / media seconds                                |
 * @module
 */
import { type Percentiles, Sketch } from "../math/sketch.ts";
import { type ViewerFigures, ViewerStats, type ViewerWire } from "./stats.ts";

/** The viewer experience of a run or a fleet. */
export interface ViewerReport extends ViewerFigures {
  sessions: { started: number; vsf: number; ebvs: number };
  /** Startup time of started sessions (ms). */
  startupMs: Percentiles;
  rebufferedSessions: number;
  rebuffers: number;
  rebufferMs: number;
  /** Play time plus rebuffer time: what the audience spent watching or waiting. */
  watchMs: number;
  /** Live latency over viewer-seconds (ms); count 0 when the stream has no program date-time. */
  liveLatencyMs: Percentiles;
  expiredSegments: number;
}

/**
 * The report of a wire form.
 *
 * @example
 * ```ts
 * import { ViewerStats } from "./stats.ts";
 * import { viewerReport } from "./report.ts";
 * viewerReport(new ViewerStats().toWire()).vsfRate; // null: no session yet
 * ```
 */
export function viewerReport(w: ViewerWire): ViewerReport {
  const pct = (wire: ViewerWire["startupMs"]) => Sketch.fromWire(wire).percentiles();
  return {
    ...ViewerStats.figures(w),
    sessions: { ...w.sessions },
    startupMs: pct(w.startupMs),
    rebufferedSessions: w.rebufferedSessions,
    rebuffers: w.rebuffers,
    rebufferMs: w.rebufferMs,
    watchMs: w.playMs + w.rebufferMs,
    liveLatencyMs: pct(w.liveLatencyMs),
    expiredSegments: w.expiredSegments,
  };
}
