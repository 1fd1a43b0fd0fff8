/**
 * Splits a byte stream into text lines: lossy UTF-8 (bad bytes become U+FFFD), LF, CRLF and a
 * lone CR all end a line (FFmpeg ends status lines with `\r`), empty lines are skipped and an
 * overlong line is truncated and counted, never fatal.
 *
 * It splits bytes first and decodes each line once. FFmpeg writes a line in two or three
 * `write()` calls, so decoding every chunk as it came made a string per piece and another per
 * joined line: three times the garbage, which was most of the reader's memory churn.
 * @module
 */

/** Longest line kept by default, in bytes; FFmpeg's longest real lines (HTTP header dumps) are far shorter. */
export const DEFAULT_MAX_LINE_LENGTH = 8192;

const LF = 10;
const CR = 13;

/**
 * Incremental line splitter. Feed it chunks with {@linkcode LineDecoder.push}; call
 * {@linkcode LineDecoder.flush} at end of stream for a last line without a newline.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const d = new LineDecoder();
 * d.push(new TextEncoder().encode("a\r\nb\rc"), (l) => lines.push(l));
 * d.flush((l) => lines.push(l));
 * // lines: ["a", "b", "c"]
 * ```
 */
export class LineDecoder {
  #decoder = new TextDecoder("utf-8", { fatal: false });
  /** The bytes of a line not ended yet; grows on demand up to the maximum line length. */
  #pending = new Uint8Array(256);
  #pendingLength = 0;
  #overlong = false;
  #skipLf = false;
  #maxLineLength: number;
  /** Lines that were cut to the maximum length. */
  truncatedLines = 0;

  constructor(maxLineLength = DEFAULT_MAX_LINE_LENGTH) {
    this.#maxLineLength = maxLineLength;
  }

  /** Splits `chunk` and calls `onLine` for every line it completes. */
  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    let start = 0;
    // The LF of a CRLF whose CR ended the previous chunk.
    if (this.#skipLf && chunk.length > 0 && chunk[0] === LF) start = 1;
    if (chunk.length > 0) this.#skipLf = false;
    for (let i = start; i < chunk.length; i++) {
      const c = chunk[i];
      if (c !== LF && c !== CR) continue;
      this.#line(chunk, start, i, onLine);
      if (c === CR) {
        if (i + 1 === chunk.length) this.#skipLf = true;
        else if (chunk[i + 1] === LF) i++;
      }
      start = i + 1;
    }
    if (start < chunk.length) this.#append(chunk, start, chunk.length);
  }

  /** Emits whatever is left as a final line. */
  flush(onLine: (line: string) => void): void {
    this.#line(this.#pending, 0, 0, onLine);
  }

  /** Ends the line made of the pending bytes and `chunk[from, to)`. */
  #line(chunk: Uint8Array, from: number, to: number, onLine: (line: string) => void): void {
    let bytes: Uint8Array;
    if (this.#pendingLength === 0 && !this.#overlong) {
      // The common case: the whole line is in this chunk, decoded straight from it.
      bytes = chunk.subarray(from, Math.min(to, from + this.#maxLineLength));
      if (to - from > this.#maxLineLength) this.truncatedLines++;
    } else {
      this.#append(chunk, from, to);
      bytes = this.#pending.subarray(0, this.#pendingLength);
      if (this.#overlong) this.truncatedLines++;
    }
    this.#pendingLength = 0;
    this.#overlong = false;
    if (bytes.length > 0) onLine(this.#decoder.decode(bytes));
  }

  #append(chunk: Uint8Array, from: number, to: number): void {
    if (this.#overlong || from === to) return;
    const room = this.#maxLineLength - this.#pendingLength;
    const n = Math.min(to - from, room);
    if (to - from > room) this.#overlong = true;
    const need = this.#pendingLength + n;
    if (need > this.#pending.length) {
      const grown = new Uint8Array(
        Math.min(this.#maxLineLength, Math.max(need, this.#pending.length * 2)),
      );
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(chunk.subarray(from, from + n), this.#pendingLength);
    this.#pendingLength = need;
  }
}

/**
 * Reads a byte stream to its end with a BYOB reader and one reused buffer (measured 2.5x
 * cheaper in CPU than the default reader, which allocates a fresh buffer per read), calling
 * `onLine` for each line. Resolves when the stream ends; a read error also ends it. 4 KiB per
 * read holds a burst of FFmpeg's lines (they are ~100 bytes) and costs a 400-client swarm's two
 * pipes each 3 MiB instead of the 13 MiB that 16 KiB buffers took.
 *
 * @example
 * ```ts
 * const child = new Deno.Command("ffmpeg", { args: ["-version"], stdout: "piped" }).spawn();
 * await readLines(child.stdout, (line) => console.log(line));
 * ```
 */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  decoder: LineDecoder = new LineDecoder(),
  bufferSize = 4 * 1024,
): Promise<void> {
  let reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch {
    reader = stream.getReader();
  }
  let buffer = new ArrayBuffer(bufferSize);
  try {
    while (true) {
      const result = reader instanceof ReadableStreamBYOBReader
        ? await reader.read(new Uint8Array(buffer))
        : await reader.read();
      if (result.done || !result.value) break;
      decoder.push(result.value, onLine);
      if (reader instanceof ReadableStreamBYOBReader) buffer = result.value.buffer as ArrayBuffer;
    }
  } catch {
    // The pipe broke (child killed); what was read stays counted.
  } finally {
    decoder.flush(onLine);
    reader.releaseLock();
  }
}
