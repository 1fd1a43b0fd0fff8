/**
 * The lossy-by-design line queue. A reader stamps each line's arrival time and offers it to a
 * bounded queue; when the queue is full the line is dropped and counted, so reading (and so
 * FFmpeg, which blocks on a full pipe) never waits for parsing. The {@link ./pump.ts} drains it.
 * @module
 */

/** A line as the reader saw it: its text and when it arrived (monotonic ms). */
export interface StampedLine {
  line: string;
  at: number;
  /** Lines were dropped right before this one: whatever pairs lines must not pair across. */
  gap: boolean;
}

/** Line counts of one stream. */
export interface LineCounts {
  read: number;
  dropped: number;
  parsed: number;
}

/**
 * A bounded FIFO of stamped lines that drops, and counts, what does not fit.
 *
 * @example
 * ```ts
 * const q = new LossyLineQueue(2, (l) => seen.push(l.line));
 * q.offer("a", 0); q.offer("b", 0); q.offer("c", 0); // "c" is dropped
 * q.drain(10); // parses "a" and "b"
 * q.counts(); // { read: 3, dropped: 1, parsed: 2 }
 * ```
 */
export class LossyLineQueue {
  #ring: (StampedLine | undefined)[];
  #head = 0;
  #size = 0;
  #read = 0;
  #dropped = 0;
  #parsed = 0;
  #gap = false;

  constructor(capacity: number, private parse: (line: StampedLine) => void) {
    this.#ring = new Array(Math.max(1, capacity));
  }

  /** Queues a line; returns false (and counts a drop) when the queue is full. */
  offer(line: string, at: number): boolean {
    this.#read++;
    if (this.#size === this.#ring.length) {
      this.#dropped++;
      this.#gap = true;
      return false;
    }
    this.#ring[(this.#head + this.#size) % this.#ring.length] = { line, at, gap: this.#gap };
    this.#gap = false;
    this.#size++;
    return true;
  }

  /** Parses up to `max` queued lines; returns how many it parsed. */
  drain(max: number): number {
    let n = 0;
    while (this.#size > 0 && n < max) {
      const item = this.#ring[this.#head]!;
      this.#ring[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.#ring.length;
      this.#size--;
      n++;
      this.#parsed++;
      this.parse(item);
    }
    return n;
  }

  /** Lines waiting to be parsed. */
  get pending(): number {
    return this.#size;
  }

  counts(): LineCounts {
    return { read: this.#read, dropped: this.#dropped, parsed: this.#parsed };
  }
}
