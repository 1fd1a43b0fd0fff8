/**
 * Synchronous, complete writes: a log line or a frame goes out whole, even if the OS accepts it
 * in pieces, and nothing is pending when the process exits right after.
 * @module
 */

const encoder = new TextEncoder();

/** Anything with Deno's synchronous write: stdout, stderr, an open file. */
export interface SyncWriter {
  writeSync(p: Uint8Array): number;
}

/**
 * Writes all of `text` to `writer`, looping over short writes.
 *
 * @example
 * ```ts
 * writeTextSync(Deno.stderr, "hello\n");
 * ```
 */
export function writeTextSync(writer: SyncWriter, text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += writer.writeSync(bytes.subarray(written));
}
