/**
 * The lossy-by-design line queue. A reader stamps each line's arrival time and offers it to a
 * bounded queue; when the queue is full the line is dropped and counted, so reading (and so
 * FFmpeg, which blocks on a full pipe) never waits for parsing. The {@link ./pump.ts} drains it.
 * @module
 */

import type { LineCounts } from "./transport.ts";

/** Slots a queue starts with; it doubles when full, up to its capacity. */
const INITIAL_SLOTS = 16;

/** Where a queue hands its lines, in order: text, read at `at`, after a `gap` (lines lost). */
export type Deliver = (text: string, at: number, gap: boolean) => void;

/**
 * A bounded FIFO of stamped lines that drops, and counts, what does not fit.
 *
 * The ring is three parallel arrays (text, stamp, gap flag), so a queued line costs its string
 * and nothing else, and it starts small and doubles up to `capacity`: a client that keeps up
 * (almost all of them) never holds more than a few slots, however large --stats-buffer is.
 * It counts what it reads and drops into the client's `counts` (the parser counts `parsed`).
 * `deliver` must not throw: the pump calls it from a timer, where an exception would end
 * hls-swarm (./piped.ts contains what its sink throws).
 *
 * @example
 * ```ts
 * import { zeroLineCounts } from "./transport.ts";
 * const seen: string[] = [];
 * const counts = zeroLineCounts();
 * const q = new LossyLineQueue(2, counts, (text) => seen.push(text));
 * q.offer("a", 0); q.offer("b", 0); q.offer("c", 0); // "c" is dropped
 * q.drain(10); // delivers "a" and "b"
 * counts; // { read: 3, dropped: 1, parsed: 0, filtered: 0 }
 * ```
 */
export class LossyLineQueue {
  #lines: (string | undefined)[];
  #at: Float64Array;
  #gaps: Uint8Array;
  #capacity: number;
  #head = 0;
  #size = 0;
  #gap = false;

  constructor(capacity: number, private counts: LineCounts, private deliver: Deliver) {
    this.#capacity = Math.max(1, capacity);
    const slots = Math.min(this.#capacity, INITIAL_SLOTS);
    this.#lines = new Array(slots);
    this.#at = new Float64Array(slots);
    this.#gaps = new Uint8Array(slots);
  }

  /** Queues a line; returns false (and counts a drop) when the queue is full. */
  offer(line: string, at: number): boolean {
    this.counts.read++;
    if (this.#size === this.#capacity) {
      this.counts.dropped++;
      this.#gap = true;
      return false;
    }
    if (this.#size === this.#lines.length) this.#grow();
    const slot = (this.#head + this.#size) % this.#lines.length;
    this.#lines[slot] = line;
    this.#at[slot] = at;
    this.#gaps[slot] = this.#gap ? 1 : 0;
    this.#gap = false;
    this.#size++;
    return true;
  }

  /** Delivers up to `max` queued lines; returns how many it delivered. */
  drain(max: number): number {
    let n = 0;
    while (this.#size > 0 && n < max) {
      const slot = this.#head;
      const line = this.#lines[slot]!;
      this.#lines[slot] = undefined;
      this.#head = (slot + 1) % this.#lines.length;
      this.#size--;
      n++;
      this.deliver(line, this.#at[slot], this.#gaps[slot] === 1);
    }
    return n;
  }

  /** Lines waiting to be delivered. */
  get pending(): number {
    return this.#size;
  }

  /** Doubles the ring (up to the capacity), unrolling it so the head is slot 0. */
  #grow(): void {
    const old = this.#lines.length;
    const slots = Math.min(this.#capacity, old * 2);
    const lines = new Array<string | undefined>(slots);
    const at = new Float64Array(slots);
    const gaps = new Uint8Array(slots);
    for (let i = 0; i < this.#size; i++) {
      const from = (this.#head + i) % old;
      lines[i] = this.#lines[from];
      at[i] = this.#at[from];
      gaps[i] = this.#gaps[from];
    }
    this.#lines = lines;
    this.#at = at;
    this.#gaps = gaps;
    this.#head = 0;
  }
}
