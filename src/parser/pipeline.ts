/**
 * The lossy-by-design line pipeline. A reader stamps each line's arrival time and offers it to a
 * bounded queue; when the queue is full the line is dropped and counted, so reading (and so
 * FFmpeg, which blocks on a full pipe) never waits for parsing. A pump drains every queue on its
 * own turns of the event loop, a bounded slice of time per turn.
 * @module
 */

/** A line as the reader saw it: its text and when it arrived (monotonic ms). */
export interface StampedLine {
  line: string;
  at: number;
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

  constructor(capacity: number, private parse: (line: StampedLine) => void) {
    this.#ring = new Array(Math.max(1, capacity));
  }

  /** Queues a line; returns false (and counts a drop) when the queue is full. */
  offer(line: string, at: number): boolean {
    this.#read++;
    if (this.#size === this.#ring.length) {
      this.#dropped++;
      return false;
    }
    this.#ring[(this.#head + this.#size) % this.#ring.length] = { line, at };
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

/**
 * Drains registered queues round-robin on macrotasks, at most `sliceMs` per turn, so parsing
 * yields to readers, timers and the metrics server in between.
 *
 * @example
 * ```ts
 * const pump = new ParsePump();
 * pump.add(queue);
 * queue.offer("frame=1", performance.now());
 * pump.wake(); // parsing happens on a later turn
 * ```
 */
export class ParsePump {
  #queues = new Set<LossyLineQueue>();
  #scheduled = false;

  constructor(private sliceMs = 4, private batch = 64) {}

  add(queue: LossyLineQueue): void {
    this.#queues.add(queue);
  }

  /** Schedules a drain turn if none is pending. Cheap to call after every read. */
  wake(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => this.#turn(), 0);
  }

  /** Parses everything queued now, synchronously (at the end of a process's output). */
  flush(queue: LossyLineQueue): void {
    while (queue.drain(this.batch) > 0) { /* keep going */ }
  }

  #turn(): void {
    this.#scheduled = false;
    const end = performance.now() + this.sliceMs;
    let busy = true;
    while (busy && performance.now() < end) {
      busy = false;
      for (const q of this.#queues) if (q.drain(this.batch) > 0) busy = true;
    }
    for (const q of this.#queues) {
      if (q.pending > 0) return this.wake();
    }
  }
}
