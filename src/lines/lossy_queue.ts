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

/** Slots a queue starts with; it doubles when full, up to its capacity. */
const INITIAL_SLOTS = 16;

/** What one queue did with its lines (the snapshot's per-stream LineCounts add these up). */
export interface QueueCounts {
  read: number;
  dropped: number;
  parsed: number;
  /** Lines the transport read and left out, as no parser reads them: neither read nor lost. */
  filtered: number;
}

/**
 * A bounded FIFO of stamped lines that drops, and counts, what does not fit.
 *
 * The ring is three parallel arrays (text, stamp, gap flag), so a queued line costs its string
 * and nothing else, and it starts small and doubles up to `capacity`: a client that keeps up
 * (almost all of them) never holds more than a few slots, however large --stats-buffer is.
 * The line handed to `parse` is one reused object; read it, do not keep it. `parse` must not
 * throw: the pump calls it from a timer, where an exception would end hls-swarm (the client's
 * parse entry in src/client/runner.ts contains what its parsers throw).
 *
 * @example
 * ```ts
 * const seen: string[] = [];
 * const q = new LossyLineQueue(2, (l) => seen.push(l.line));
 * q.offer("a", 0); q.offer("b", 0); q.offer("c", 0); // "c" is dropped
 * q.drain(10); // parses "a" and "b"
 * q.counts(); // { read: 3, dropped: 1, parsed: 2, filtered: 0 }
 * ```
 */
export class LossyLineQueue {
  #lines: (string | undefined)[];
  #at: Float64Array;
  #gaps: Uint8Array;
  #capacity: number;
  #head = 0;
  #size = 0;
  #read = 0;
  #dropped = 0;
  #parsed = 0;
  #filtered = 0;
  #gap = false;
  #item: StampedLine = { line: "", at: 0, gap: false };

  constructor(capacity: number, private parse: (line: StampedLine) => void) {
    this.#capacity = Math.max(1, capacity);
    const slots = Math.min(this.#capacity, INITIAL_SLOTS);
    this.#lines = new Array(slots);
    this.#at = new Float64Array(slots);
    this.#gaps = new Uint8Array(slots);
  }

  /** Queues a line; returns false (and counts a drop) when the queue is full. */
  offer(line: string, at: number): boolean {
    this.#read++;
    if (this.#size === this.#capacity) {
      this.#dropped++;
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

  /**
   * Parses a line at once when nothing is queued before it (else queues it, to keep the order):
   * for a transport that buffers outside this process, where parsing cannot hold up reading.
   */
  pass(line: string, at: number): void {
    if (this.#size > 0) {
      this.offer(line, at);
      return;
    }
    this.#read++;
    const gap = this.#gap;
    this.#gap = false;
    this.#parse(line, at, gap);
  }

  /** Counts `n` lines lost before they reached the queue (the transport fell behind). */
  lost(n: number): void {
    this.#read += n;
    this.#dropped += n;
    if (n > 0) this.#gap = true;
  }

  /** Counts `n` lines the transport left out (its line selection): no gap, nothing lost. */
  filtered(n: number): void {
    this.#filtered += n;
  }

  /** Parses up to `max` queued lines; returns how many it parsed. */
  drain(max: number): number {
    let n = 0;
    while (this.#size > 0 && n < max) {
      const slot = this.#head;
      const line = this.#lines[slot]!;
      this.#lines[slot] = undefined;
      this.#head = (slot + 1) % this.#lines.length;
      this.#size--;
      n++;
      this.#parse(line, this.#at[slot], this.#gaps[slot] === 1);
    }
    return n;
  }

  /** Hands one line to the parser in the reused item. */
  #parse(line: string, at: number, gap: boolean): void {
    const item = this.#item;
    item.line = line;
    item.at = at;
    item.gap = gap;
    this.#parsed++;
    this.parse(item);
  }

  /** Lines waiting to be parsed. */
  get pending(): number {
    return this.#size;
  }

  counts(): QueueCounts {
    return {
      read: this.#read,
      dropped: this.#dropped,
      parsed: this.#parsed,
      filtered: this.#filtered,
    };
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
