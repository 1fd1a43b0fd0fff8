/**
 * Playback health of one client from FFmpeg's progress blocks: speed, stalls and drift.
 *
 * FFmpeg's own `speed=` is media time over wall time since the process started: an average
 * that hides a stall for a long time and starts high after the start-up catch-up burst. Stalls
 * are therefore judged from recent media advances, and drift is measured per FFmpeg run, so it
 * never grows across restarts.
 *
 * Only blocks that advance `out_time` are samples. FFmpeg 5.1 writes a block per segment, each
 * one an advance; 7.1 and later write one every second (`-stats_period 1`), while `out_time`
 * still steps by a whole segment and repeats while the demuxer waits at the live edge. Counting
 * the repeats as samples made a healthy client's 5 s speed read 0.8 and 1.2 by turns, and a
 * client whose origin froze look alive for as long as FFmpeg kept writing blocks.
 * @module
 */
import type { ProgressBlock } from "../parser/progress.ts";

/** A client is stalled when media advances slower than this share of real time… */
export const STALL_SPEED = 0.9;
/**
 * …over at least this window (between two advances), or when media has not advanced for the
 * no-progress limit: 1.5 × the target duration, at least {@linkcode NO_PROGRESS_MIN_MS}.
 * 7.1+ report an advance up to one block (1 s) late, at both ends of the window: over 10 s a
 * client playing in real time still reads at least 10 / 11 = 0.91x, above the stall speed.
 */
export const STALL_WINDOW_MS = 10_000;
/** The shortest no-progress limit. */
export const NO_PROGRESS_MIN_MS = 5000;
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
  /** Media gained per wall second between two advances ≥ 10 s apart, the newest the last. */
  recentSpeed: number | null;
  stalled: boolean;
  /**
   * How far playback has fallen behind real time in this run: (wall − media) now, minus the
   * smallest (wall − media) seen so far, so the start-up catch-up burst counts as 0 lag and a
   * stall adds its length. Measured at the arrivals of blocks that advance media.
   */
  driftMs: number | null;
}

/**
 * Tracks one client across runs.
 *
 * @example Not run: it needs a parsed progress block (playback_test.ts)
 * ```ts ignore
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

  /** @param targetDurationMs the expected segment duration: media advances by about that much */
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
    // The `progress=end` block is written as FFmpeg exits, at no regular time: after hls-swarm's
    // stop it would read as an advance reported seconds late, and a slowdown.
    if (block.outTimeUs === null || !block.frame || block.end) return;
    this.#speed = block.speed;
    const sample = { at, mediaMs: block.outTimeUs / 1000 };
    // A block that repeats out_time (FFmpeg 7.1+ waiting at the live edge) is no progress.
    const previous = this.#samples.at(-1);
    if (previous && sample.mediaMs <= previous.mediaMs) return;
    this.#samples.push(sample);
    // Keep only the window: the newest sample at least a window older than this one, and after.
    while (this.#samples.length > 2 && at - this.#samples[1].at >= STALL_WINDOW_MS) {
      this.#samples.shift();
    }
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
    // From the last advance of media, not the last block: 7.1+ keep writing blocks in a stall.
    const stillFor = last ? now - last.at : 0;
    const noProgressLimit = Math.max(NO_PROGRESS_MIN_MS, 1.5 * this.targetDurationMs);
    const stalled = hasMedia &&
      (stillFor > noProgressLimit || (recentSpeed !== null && recentSpeed < STALL_SPEED));
    if (stalled && this.#stalledSince === null) {
      this.#stalledSince = now;
      this.stalls++;
    } else if (!stalled) this.#stalledSince = null;
    return { hasMedia, speed: this.#speed, recentSpeed, stalled, driftMs: this.#driftMs };
  }

  /** Media gained per wall ms between the newest advance and one at least the window older. */
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
