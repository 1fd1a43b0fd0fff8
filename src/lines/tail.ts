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
  readonly #lines: string[] = [];

  /** Creates a tail that remembers at most `capacity` lines. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Appends one line, dropping the oldest when full; blank lines are ignored. */
  push(line: string): void {
    if (line.trim() === "") return;
    this.#lines.push(line);
    if (this.#lines.length > this.#capacity) this.#lines.shift();
  }

  /** A copy of the remembered lines, oldest first. */
  lines(): string[] {
    return [...this.#lines];
  }
}
