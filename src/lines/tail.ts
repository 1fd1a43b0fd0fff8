/**
 * Keeps the last lines of a process's output for error messages.
 *
 * @module
 */

/**
 * A bounded buffer of the most recent non-empty lines written to it.
 *
 * @example
 * ```ts
 * import { LineTail } from "./tail.ts";
 * const tail = new LineTail(2);
 * tail.push("a"); tail.push("b"); tail.push("c");
 * tail.lines(); // ["b", "c"]
 * ```
 */
export class LineTail {
  readonly #capacity: number;
  /** A ring: #next is where the next line goes once it is full. */
  readonly #lines: string[] = [];
  #next = 0;

  /** Creates a tail that remembers at most `capacity` lines. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Appends one line, dropping the oldest when full; blank lines are ignored. */
  push(line: string): void {
    if (this.#capacity === 0 || line.trim() === "") return;
    if (this.#lines.length < this.#capacity) this.#lines.push(line);
    else this.#lines[this.#next] = line;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** A copy of the remembered lines, oldest first. */
  lines(): string[] {
    if (this.#lines.length < this.#capacity) return [...this.#lines];
    return [...this.#lines.slice(this.#next), ...this.#lines.slice(0, this.#next)];
  }
}
