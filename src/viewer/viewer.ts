/**
 * One client as a viewer: its current viewing session (one per FFmpeg run), fed by the client's
 * parsed events and progress, and reported into the shard's {@link ./stats.ts ViewerStats} as
 * sessions start and end.
 * @module
 */
import type { HttpEvent } from "../parser/http_event.ts";
import type { ProgressBlock } from "../parser/progress.ts";
import {
  type SessionEnd,
  type SessionResult,
  type SessionTotals,
  ViewerSession,
} from "./session.ts";
import type { ViewerStats } from "./stats.ts";

/**
 * A client's viewer.
 *
 * @example
 * ```ts
 * import { Viewer } from "./viewer.ts";
 * import { ViewerStats } from "./stats.ts";
 * const stats = new ViewerStats();
 * const v = new Viewer(stats, 2000);
 * v.runStart();
 * v.event({ type: "request", req: 1, kind: "manifest", path: "/a.m3u8", at: 0 });
 * v.runEnd("error", 500);
 * stats.sessions.vsf; // 1
 * ```
 */
export class Viewer {
  #session: ViewerSession | null = null;
  #counted = false;
  #startupRecorded = false;
  #sessions = 0;

  /** @param playerBufferMs the virtual player's startup buffer (`--player-buffer`) */
  constructor(readonly stats: ViewerStats, readonly playerBufferMs: number) {}

  /** An FFmpeg run starts: a new session. */
  runStart(): void {
    this.#sessions++;
    this.#session = new ViewerSession(this.playerBufferMs);
    this.#counted = false;
    this.#startupRecorded = false;
  }

  /** This viewer slot's sessions so far: the current (or last) one's number, from 1. */
  get sessionNumber(): number {
    return this.#sessions;
  }

  /** One parsed stderr event of the current run. */
  event(e: HttpEvent): void {
    const s = this.#session;
    if (!s) return;
    switch (e.type) {
      case "request":
        s.request(e.kind, e.at);
        return;
      case "segment_download_inferred":
        s.segmentArrived(e.at, e.req);
        this.#countStart();
        this.#recordStartup();
        return;
      case "response":
        if (e.kind === "segment" && e.status >= 200 && e.status < 300) s.segmentAnswered(e.req);
        return;
      case "body_bytes":
        if (e.kind === "segment") s.mediaBytes(e.bytes);
        return;
      case "program_date_time":
        s.programDateTime(e.epochMs, e.segmentMs);
        return;
      case "count":
        if (e.key === "segmentsExpired") s.expired(e.n);
        return;
      default:
        return;
    }
  }

  /** One progress block of the current run, arrived at `at`. */
  progress(block: ProgressBlock, at: number): void {
    const s = this.#session;
    // The closing block is written as FFmpeg exits, at no regular time (see stats/playback.ts).
    if (!s || block.end || !block.frame || block.outTimeUs === null) return;
    s.media(block.outTimeUs / 1000, at);
    this.#countStart();
  }

  /** The run ended: `stopped` when hls-swarm stopped it, `error` otherwise. */
  runEnd(how: SessionEnd, at: number): SessionResult | null {
    const s = this.#session;
    if (!s) return null;
    this.#countStart();
    // No segment arrival was seen (lines lost, no trace packet lines): the player's start
    // stands in for it (ViewerSession.startupMs).
    this.#recordStartup();
    this.#session = null;
    const result = s.end(how, at);
    this.stats.ended(result);
    return result;
  }

  /** The current session's live latency, as known at monotonic `at` (wall-clock `wall`), or null. */
  liveLatencyMs(at: number, wall: number): number | null {
    return this.#session?.liveLatencyMs(at, wall) ?? null;
  }

  /** The current session's running totals at `at`, or null between runs. */
  totalsAt(at: number): SessionTotals | null {
    return this.#session?.totalsAt(at) ?? null;
  }

  /** Counts the session as started the moment media has arrived, once. */
  #countStart(): void {
    if (this.#counted || !this.#session?.hasMedia) return;
    this.#counted = true;
    this.stats.started();
  }

  /** Records the startup time once it is known. */
  #recordStartup(): void {
    const ms = this.#session?.startupMs ?? null;
    if (this.#startupRecorded || ms === null) return;
    this.#startupRecorded = true;
    this.stats.startup(ms);
  }
}
