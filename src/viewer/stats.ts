/**
 * The viewer experience of a set of clients, as a mergeable part of the snapshot: counts add,
 * sketches merge bin by bin, so a fleet's startup p95 and rebuffering ratio are the fleet's, not
 * an average of its shards'.
 *
 * Rates are derived from the sums, never carried:
 * - VSF rate (Conviva) = vsf / (started + vsf + ebvs), the share of start attempts that failed;
 * - EBVS rate = ebvs / attempts;
 * - rebuffering ratio (Conviva; Mux "rebuffer percentage") = rebuffer time / (play time +
 *   rebuffer time), over all watch time;
 * - rebuffered sessions = sessions with at least one rebuffer / started sessions.
 * @module
 */
import { Sketch, SKETCH_ACCURACY, type SketchWire } from "../math/sketch.ts";
import type { SessionResult, SessionTotals, StartOutcome } from "./session.ts";

/** The wire form, inside the snapshot. */
export interface ViewerWire {
  sessions: Record<StartOutcome, number>;
  /** Started sessions with at least one rebuffer. */
  rebufferedSessions: number;
  rebuffers: number;
  rebufferMs: number;
  playMs: number;
  expiredSegments: number;
  mediaBytes: number;
  mediaMs: number;
  /** Startup time of every started session. */
  startupMs: SketchWire;
  /** Live latency, one sample per viewer per second (program date-time streams only). */
  liveLatencyMs: SketchWire;
}

/** The figures people read, derived from a {@linkcode ViewerWire}. */
export interface ViewerFigures {
  attempts: number;
  vsfRate: number | null;
  ebvsRate: number | null;
  rebufferRatio: number | null;
  rebufferedShare: number | null;
  /** Delivered bitrate over all media received, bit/s. */
  bitrate: number | null;
}

/**
 * Accumulates sessions (counted as they start, or as they fail to) and live-latency samples.
 *
 * @example
 * ```ts
 * import { ViewerStats } from "./stats.ts";
 * const v = new ViewerStats();
 * v.started();
 * v.startup(850);
 * v.ended({ outcome: "vsf", startupMs: null, rebuffers: 0, rebufferMs: 0, playMs: 0,
 *   expiredSegments: 0, mediaBytes: 0, mediaMs: 0 });
 * ViewerStats.figures(v.toWire()).vsfRate; // 0.5
 * ```
 */
export class ViewerStats {
  readonly sessions: Record<StartOutcome, number> = { started: 0, vsf: 0, ebvs: 0 };
  rebufferedSessions = 0;
  rebuffers = 0;
  rebufferMs = 0;
  playMs = 0;
  expiredSegments = 0;
  mediaBytes = 0;
  mediaMs = 0;
  readonly startupMs = new Sketch(SKETCH_ACCURACY);
  readonly liveLatencyMs = new Sketch(SKETCH_ACCURACY);

  /** A session started (media arrived): counted once, at once. */
  started(): void {
    this.sessions.started++;
  }

  /** A started session's startup time, once known. */
  startup(ms: number): void {
    this.startupMs.add(Math.max(ms, 1));
  }

  /**
   * Adds one ended session's figures; a session that never started is counted by its outcome
   * here (a started one was counted by {@linkcode ViewerStats.started}). Times are rounded to
   * whole ms, so sums add up exactly in any order.
   */
  ended(r: SessionResult): void {
    if (r.outcome !== "started") this.sessions[r.outcome]++;
    this.#add(this, r);
  }

  #add(to: Omit<ViewerWire, "sessions" | "startupMs" | "liveLatencyMs">, r: SessionTotals): void {
    if (r.rebuffers > 0) to.rebufferedSessions++;
    to.rebuffers += r.rebuffers;
    to.rebufferMs += Math.round(r.rebufferMs);
    to.playMs += Math.round(r.playMs);
    to.expiredSegments += r.expiredSegments;
    to.mediaBytes += r.mediaBytes;
    to.mediaMs += Math.round(r.mediaMs);
  }

  /** One viewer's live latency at a tick (ms; values at or below 1 ms count as 1 ms). */
  liveLatency(ms: number): void {
    this.liveLatencyMs.add(Math.max(ms, 1));
  }

  /**
   * The wire form, with the running totals of sessions still live added (`live`): counters keep
   * rising while a long session plays or stalls, instead of jumping when it ends.
   */
  toWire(live: Iterable<SessionTotals> = []): ViewerWire {
    return {
      ...this.sums(live),
      startupMs: this.startupMs.toWire(),
      liveLatencyMs: this.liveLatencyMs.toWire(),
    };
  }

  /** The counts of {@linkcode ViewerStats.toWire} without the sketches (cheap: every tick). */
  sums(live: Iterable<SessionTotals> = []): Omit<ViewerWire, "startupMs" | "liveLatencyMs"> {
    const sums = {
      rebufferedSessions: this.rebufferedSessions,
      rebuffers: this.rebuffers,
      rebufferMs: this.rebufferMs,
      playMs: this.playMs,
      expiredSegments: this.expiredSegments,
      mediaBytes: this.mediaBytes,
      mediaMs: this.mediaMs,
    };
    for (const t of live) this.#add(sums, t);
    return { sessions: { ...this.sessions }, ...sums };
  }

  /** Rates derived from the sums (null where the denominator is 0). */
  static figures(w: ViewerWire): ViewerFigures {
    const attempts = w.sessions.started + w.sessions.vsf + w.sessions.ebvs;
    const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
    return {
      attempts,
      vsfRate: ratio(w.sessions.vsf, attempts),
      ebvsRate: ratio(w.sessions.ebvs, attempts),
      rebufferRatio: ratio(w.rebufferMs, w.playMs + w.rebufferMs),
      rebufferedShare: ratio(w.rebufferedSessions, w.sessions.started),
      bitrate: ratio(w.mediaBytes * 8 * 1000, w.mediaMs),
    };
  }
}
