/**
 * One viewing session: one FFmpeg run of one client, from its first request to its exit, judged
 * as a streaming engineer judges a viewer (Mux's and Conviva's definitions, CTA-2066's names):
 *
 * - **startup time** (Mux "video startup time", CTA-2066 "startup delay"): from the first
 *   playlist request to the moment the first media segment has fully arrived. FFmpeg does not
 *   render, so this is the time to the first playable segment, not to the first frame shown.
 * - **start outcome**, exactly one per session: `started` (media arrived), `vsf` (Conviva's video
 *   start failure: the session ended with an error or a crash before any media), `ebvs` (exit
 *   before video start: hls-swarm stopped it before any media, at the end of the run or as a
 *   viewer leaving).
 * - **rebuffering** from the {@link ./player.ts virtual player}.
 * - **live latency** where the playlist carries `EXT-X-PROGRAM-DATE-TIME`: how far the newest
 *   media a viewer holds is behind the wall clock (`now − (PDT of the first segment + media
 *   received)`); unknown without program date-time.
 * - **expired segments**: segments the viewer lost because they left the playlist first.
 * @module
 */
import { median } from "../parser/event_helpers.ts";
import { VirtualPlayer } from "./player.ts";

/** Progress advances remembered for a segment's length. */
const ADVANCES = 9;
/** Arrivals kept for live latency: far more than the segments a lagged sample looks back over. */
const ARRIVALS = 16;

/** How a session ended, as the supervisor knows it. */
export type SessionEnd = "error" | "stopped";

/** A session's start outcome. */
export type StartOutcome = "started" | "vsf" | "ebvs";

/** A session's running totals. */
export interface SessionTotals {
  rebuffers: number;
  rebufferMs: number;
  playMs: number;
  expiredSegments: number;
  /** Media bytes and media time received: delivered bitrate = bytes × 8 / media seconds. */
  mediaBytes: number;
  mediaMs: number;
}

/** What one ended session measured. */
export interface SessionResult extends SessionTotals {
  outcome: StartOutcome;
  /** First playlist request → first media segment fully arrived; null without media. */
  startupMs: number | null;
}

/**
 * Feeds one session's events in; {@linkcode ViewerSession.end} gives its result. All `at` are
 * monotonic ms; `wall` is the matching wall-clock ms (for program date-time).
 *
 * @example
 * ```ts
 * import { ViewerSession } from "./session.ts";
 * const s = new ViewerSession(2000);
 * s.request("manifest", 0);
 * s.segmentArrived(850);
 * s.media(6000, 900);
 * s.end("stopped", 10_000).outcome; // "started"
 * ```
 */
export class ViewerSession {
  readonly #player: VirtualPlayer;
  #firstRequestAt: number | null = null;
  #firstSegmentAt: number | null = null;
  #pdtFirstSegment: number | null = null;
  #expired = 0;
  #mediaBytes = 0;
  #mediaMs = 0;
  /** Media segments fully arrived, and the media per segment learned from progress. */
  #segments = 0;
  /** Request numbers of the segments answered 2xx, in order, not yet known to have arrived. */
  #answered: number[] = [];
  /** Recent advances of progress' media; their median is a segment's length. */
  #advances: number[] = [];
  /** Whether progress' first advance (the start-up burst, never one segment) has passed. */
  #burstSeen = false;
  #segmentMs: number | null = null;
  /** A segment's length from the playlist's program date-times (exact where every one is tagged). */
  #pdtSegmentMs: number | null = null;
  /** Recent arrivals, oldest first: when, and the segments held from then on. */
  #arrivals: { at: number; segments: number }[] = [];
  #result: SessionResult | null = null;

  /** @param startupBufferMs the player's startup buffer (`--player-buffer`) */
  constructor(startupBufferMs: number) {
    this.#player = new VirtualPlayer(startupBufferMs);
  }

  /** A request was sent; the first one starts the session's clock. */
  request(_kind: string, at: number): void {
    this.#firstRequestAt ??= at;
  }

  /** Media segment request `req` was answered 2xx: its body is on the way. */
  segmentAnswered(req: number): void {
    this.#answered.push(req);
  }

  /**
   * The body of media segment request `req` has fully arrived at `at`: its media, and that of
   * every segment answered before it, is playable from then on. FFmpeg opens the next segment
   * before it demuxes the first one, so the first segment's arrival is seen only as the
   * second's; counting what was answered up to `req` keeps it.
   */
  segmentArrived(at: number, req = Infinity): void {
    if (this.#firstRequestAt === null) return;
    this.#firstSegmentAt ??= at;
    let n = 0;
    while (n < this.#answered.length && this.#answered[n] <= req) n++;
    this.#answered.splice(0, n);
    this.#segments += Math.max(n, 1);
    this.#arrived(at);
    this.#player.media(this.#held(), at);
  }

  /** Notes that the segments held grew at `at`, keeping the last {@linkcode ARRIVALS}. */
  #arrived(at: number): void {
    if (this.#arrivals.push({ at, segments: this.#segments }) > ARRIVALS) this.#arrivals.shift();
  }

  /** Bytes of a media segment body received. */
  mediaBytes(n: number): void {
    this.#mediaBytes += n;
  }

  /**
   * Media received so far in this session grew to `mediaMs` (FFmpeg's progress `out_time`).
   * FFmpeg writes progress only while packets flow and at most once a period, so it reports a
   * segment's media up to a segment late; the segments' arrivals place media in time, and
   * progress tells how much media a segment holds (and stands in when arrivals were not seen).
   */
  media(mediaMs: number, at: number): void {
    if (mediaMs <= this.#mediaMs) return;
    // FFmpeg's out_time steps by whole segments (7.1+ repeat it in between, 5.1 writes a block
    // per segment), so most advances are one segment: their median is a segment's length. The
    // first advance is the start-up burst (every segment FFmpeg loaded first, at once): left
    // out, or a session that has seen only it would take two or three segments for one, hold
    // media it has not got, and miss a stall (seen: 1 rebuffer of 10 s for the origin's 8 + 2).
    if (this.#mediaMs > 0 && this.#burstSeen) {
      if (this.#advances.push(mediaMs - this.#mediaMs) > ADVANCES) this.#advances.shift();
      this.#segmentMs = median(this.#advances);
    } else if (this.#mediaMs > 0) this.#burstSeen = true;
    this.#mediaMs = mediaMs;
    // An arrival not seen (FFmpeg demuxes the first segment only after it has asked for the
    // next, or lines were lost) is one that progress already holds.
    const length = this.#pdtSegmentMs ?? this.#segmentMs;
    if (length) {
      const segments = Math.round(mediaMs / length);
      if (segments > this.#segments) {
        this.#segments = segments;
        this.#arrived(at);
      }
    }
    this.#player.media(this.#held(), at);
  }

  /**
   * Media the viewer holds: the segments arrived, each as long as a segment (see
   * {@linkcode ViewerSession.#segmentLength}), and never less than what progress reported.
   */
  #held(): number {
    return Math.max(this.#mediaMs, this.#segments * this.#segmentLength());
  }

  /**
   * The program date-time (epoch ms) of the first segment this session played, and a segment's
   * length from the playlist's tags (null when it had fewer than two).
   */
  programDateTime(firstSegmentEpochMs: number, segmentMs: number | null = null): void {
    this.#pdtFirstSegment ??= firstSegmentEpochMs;
    this.#pdtSegmentMs ??= segmentMs;
  }

  /** Segments lost because they expired from the playlist before the viewer fetched them. */
  expired(n: number): void {
    this.#expired += n;
  }

  /**
   * Live latency, as known at monotonic `at` (wall-clock `wall`): how far the end of the newest
   * segment held was behind the wall clock (program date-time of the first segment played, plus
   * the segments held since), in ms. Null without program date-time, or before any segment.
   *
   * FFmpeg's lines tell that a segment has arrived only when it asks for the next one, up to a
   * segment and a playlist reload later. So the figure is of a moment two segments ago, when
   * every arrival up to then is known and placed at its own time, not when it was learned.
   */
  liveLatencyMs(at: number, wall: number): number | null {
    if (this.#pdtFirstSegment === null) return null;
    const segmentMs = this.#segmentLength();
    const then = at - 2 * segmentMs;
    let held = 0;
    for (const a of this.#arrivals) {
      if (a.at > then) break;
      held = a.segments;
    }
    if (held === 0) return null;
    return wall - 2 * segmentMs - (this.#pdtFirstSegment + held * segmentMs);
  }

  /**
   * A segment's length: from the playlist's program date-times (exact), else from progress'
   * advances, else the startup buffer's (playback starts with the first segment).
   */
  #segmentLength(): number {
    return this.#pdtSegmentMs ?? this.#segmentMs ?? this.#player.startupBufferMs;
  }

  /** Whether media has arrived (the session has started, in the start outcome's sense). */
  get hasMedia(): boolean {
    return this.#firstSegmentAt !== null || this.#mediaMs > 0;
  }

  /**
   * First request → first media segment fully arrived; without a segment arrival time (lines
   * lost, or no trace packet lines), the player's start stands in. Null before media.
   */
  get startupMs(): number | null {
    const first = this.#firstSegmentAt ?? (this.hasMedia ? this.#player.startedAt : null);
    return first !== null && this.#firstRequestAt !== null
      ? Math.max(0, first - this.#firstRequestAt)
      : null;
  }

  /**
   * The session's figures so far, as known at `at` (no outcome). Like live latency, play and
   * rebuffer time are projected only to two segments before `at`: a segment's arrival is told
   * up to a segment and a playlist reload late, and a projection to `at` itself would see a
   * buffer run dry that the next line refills (phantom rebuffers of a few ms, taken back at the
   * session's end). The session's end counts it all.
   */
  totalsAt(at: number): SessionTotals {
    return this.#result ?? {
      ...this.#player.totalsAt(at - 2 * this.#segmentLength()),
      expiredSegments: this.#expired,
      mediaBytes: this.#mediaBytes,
      mediaMs: this.#mediaMs,
    };
  }

  /** Ends the session (idempotent: the first end wins). */
  end(how: SessionEnd, at: number): SessionResult {
    if (this.#result) return this.#result;
    this.#player.end(at);
    this.#result = {
      outcome: this.hasMedia ? "started" : how === "stopped" ? "ebvs" : "vsf",
      startupMs: this.startupMs,
      rebuffers: this.#player.rebuffers,
      rebufferMs: this.#player.rebufferMs,
      playMs: this.#player.playMs,
      expiredSegments: this.#expired,
      mediaBytes: this.#mediaBytes,
      mediaMs: this.#mediaMs,
    };
    return this.#result;
  }
}
