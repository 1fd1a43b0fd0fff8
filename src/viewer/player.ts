/**
 * A virtual player: what a viewer would have seen, given when media arrived. FFmpeg does not
 * render, so hls-swarm plays the media it receives in its head: playback starts once a startup
 * buffer has arrived, runs in real time, stalls (rebuffers) when the buffer runs dry, and resumes
 * once the startup buffer has refilled. That is the model of the player SDKs' definitions (Mux's
 * rebuffering, Conviva's rebuffering ratio, CTA-2066's stall): only the input differs, media
 * arrival at FFmpeg instead of frames on a screen.
 *
 * The model is exact between events: time only moves at `media` and `end`, and a stall that
 * began between two events is placed where the buffer ran dry, not where it was noticed.
 * @module
 */

/** Where the player is. */
export type PlayerState = "waiting" | "playing" | "rebuffering" | "ended";

/**
 * One session's virtual player. Times are ms on one monotonic clock; media is ms of media time
 * received so far in this session.
 *
 * @example
 * ```ts
 * import { VirtualPlayer } from "./player.ts";
 * const p = new VirtualPlayer(2000);
 * p.media(6000, 1000); // three 2 s segments arrived at 1 s: playback starts
 * p.media(8000, 9000); // the next one came late: the buffer ran dry at 7 s
 * p.end(10_000);
 * [p.startedAt, p.rebuffers, p.rebufferMs, p.playMs]; // [1000, 1, 2000, 7000]
 * ```
 */
export class VirtualPlayer {
  #state: PlayerState = "waiting";
  #media = 0;
  #played = 0;
  #last = 0;
  #rebufferSince = 0;
  /** When playback first started (the startup buffer had arrived), or null. */
  startedAt: number | null = null;
  /** Stalls after playback started. */
  rebuffers = 0;
  /** Time spent stalled after playback started. */
  rebufferMs = 0;
  /** Time spent playing. */
  playMs = 0;

  /** @param startupBufferMs media that must be buffered before playback starts or resumes */
  constructor(readonly startupBufferMs: number) {}

  /** The player's state after the last event. */
  get state(): PlayerState {
    return this.#state;
  }

  /** Media played so far (the playhead, in media ms from the session's first media). */
  get playedMs(): number {
    return this.#played;
  }

  /** Media received but not yet played at the last event. */
  get bufferMs(): number {
    return this.#media - this.#played;
  }

  /**
   * The totals as they would stand at `at`, without moving the player: a live session's share
   * of the counters while it runs (a stall in progress counts as one, up to `at`).
   */
  totalsAt(at: number): { rebuffers: number; rebufferMs: number; playMs: number } {
    let { rebuffers, rebufferMs, playMs } = this;
    if (this.#state === "playing") {
      const dt = Math.max(0, at - this.#last);
      const buffered = this.#media - this.#played;
      if (dt < buffered) playMs += dt;
      else {
        playMs += buffered;
        rebuffers++;
        rebufferMs += dt - buffered;
      }
    } else if (this.#state === "rebuffering") rebufferMs += Math.max(0, at - this.#rebufferSince);
    return { rebuffers, rebufferMs, playMs };
  }

  /** Media received so far grew to `receivedMs` at `at`. A smaller value is ignored. */
  media(receivedMs: number, at: number): void {
    if (this.#state === "ended") return;
    this.#advance(at);
    if (receivedMs > this.#media) this.#media = receivedMs;
    if (this.#state === "playing" || this.bufferMs < this.startupBufferMs) return;
    if (this.#state === "rebuffering") this.rebufferMs += at - this.#rebufferSince;
    else this.startedAt = at;
    this.#state = "playing";
  }

  /**
   * The session ended at `at`. A stall in progress counts up to here: the viewer was looking at
   * a frozen picture until they (or the end of the test) left.
   */
  end(at: number): void {
    if (this.#state === "ended") return;
    this.#advance(at);
    if (this.#state === "rebuffering") this.rebufferMs += at - this.#rebufferSince;
    this.#state = "ended";
  }

  /** Plays from the last event to `at`, stalling where the buffer runs dry. */
  #advance(at: number): void {
    const dt = Math.max(0, at - this.#last);
    const from = this.#last;
    this.#last = Math.max(this.#last, at);
    if (this.#state !== "playing") return;
    const buffered = this.#media - this.#played;
    if (dt < buffered) {
      this.#played += dt;
      this.playMs += dt;
    } else {
      this.#played = this.#media;
      this.playMs += buffered;
      this.#state = "rebuffering";
      this.rebuffers++;
      this.#rebufferSince = from + buffered;
    }
  }
}
