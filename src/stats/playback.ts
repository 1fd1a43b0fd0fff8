/**
 * Playback health of one client from FFmpeg's progress blocks: speed, stalls and drift.
 *
 * FFmpeg's own `speed=` is media time over wall time since the process started: an average
 * that hides a stall for a long time and starts high after the start-up catch-up burst. Stalls
 * are therefore judged from the media time gained over the last few seconds of arrivals, and
 * drift is measured per FFmpeg run, so it never grows across restarts.
 * @module
 */
import type { ProgressBlock } from "../parser/progress.ts";

/** A client is stalled when media advances slower than this share of real time… */
export const STALL_SPEED = 0.9;
/** …over at least this window, or when no progress arrives for the no-progress limit. */
export const STALL_WINDOW_MS = 5000;
/** Drift above this counts the client as high-drift. */
export const HIGH_DRIFT_MS = 5000;

interface Sample {
  at: number;
  mediaMs: number;
}

/** A client's playback state at one moment. */
export interface PlaybackState {
  hasMedia: boolean;
  /** FFmpeg's reported speed (average since the process started), null before media. */
  speed: number | null;
  /** Media gained per wall second over the recent window (measured from progress arrivals). */
  recentSpeed: number | null;
  stalled: boolean;
  /**
   * How far playback has fallen behind real time in this run: (wall − media) now, minus the
   * smallest (wall − media) seen so far, so the start-up catch-up burst counts as 0 lag and a
   * stall adds its length. Measured at progress arrivals.
   */
  driftMs: number | null;
}

/**
 * Tracks one client across runs.
 *
 * @example
 * ```ts
 * const p = new PlaybackTracker(6000);
 * p.onRunStart();
 * p.onProgress({ ...block, outTimeUs: 2_000_000, speed: 1 }, 1000);
 * p.state(1500).stalled; // false
 * ```
 */
export class PlaybackTracker {
  #samples: Sample[] = [];
  #first: Sample | null = null;
  #minLag = Infinity;
  #driftMs: number | null = null;
  #speed: number | null = null;
  #stalledSince: number | null = null;
  /** Stall episodes so far, over all runs. */
  stalls = 0;
  /** Largest drift seen in any run. */
  maxDriftMs = 0;

  /** @param targetDurationMs the expected segment duration; progress arrives once per segment */
  constructor(private targetDurationMs: number) {}

  /** A new FFmpeg run starts: drift and the stall window start over. */
  onRunStart(): void {
    this.#samples = [];
    this.#first = null;
    this.#minLag = Infinity;
    this.#driftMs = null;
    this.#speed = null;
    this.#stalledSince = null;
  }

  onProgress(block: ProgressBlock, at: number): void {
    if (block.outTimeUs === null || !block.frame) return;
    this.#speed = block.speed;
    const sample = { at, mediaMs: block.outTimeUs / 1000 };
    this.#samples.push(sample);
    // Keep a minute of history; the window needs only the last few seconds.
    while (this.#samples.length > 2 && at - this.#samples[0].at > 60_000) this.#samples.shift();
    this.#first ??= sample;
    const lag = (at - this.#first.at) - (sample.mediaMs - this.#first.mediaMs);
    this.#minLag = Math.min(this.#minLag, lag);
    this.#driftMs = lag - this.#minLag;
    this.maxDriftMs = Math.max(this.maxDriftMs, this.#driftMs);
  }

  /** Evaluates the state at `now`; call it on a regular tick so stall episodes are counted. */
  state(now: number): PlaybackState {
    const hasMedia = this.#samples.length > 0;
    const recentSpeed = this.#recentSpeed();
    const last = this.#samples.at(-1);
    const silentFor = last ? now - last.at : 0;
    const noProgressLimit = Math.max(STALL_WINDOW_MS, 1.5 * this.targetDurationMs);
    const stalled = hasMedia &&
      (silentFor > noProgressLimit || (recentSpeed !== null && recentSpeed < STALL_SPEED));
    if (stalled && this.#stalledSince === null) {
      this.#stalledSince = now;
      this.stalls++;
    } else if (!stalled) this.#stalledSince = null;
    return { hasMedia, speed: this.#speed, recentSpeed, stalled, driftMs: this.#driftMs };
  }

  /** Media gained per wall ms between the newest block and one at least the window older. */
  #recentSpeed(): number | null {
    const last = this.#samples.at(-1);
    if (!last) return null;
    for (let i = this.#samples.length - 2; i >= 0; i--) {
      const s = this.#samples[i];
      if (last.at - s.at >= STALL_WINDOW_MS) return (last.mediaMs - s.mediaMs) / (last.at - s.at);
    }
    return null;
  }
}
