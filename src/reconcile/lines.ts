/**
 * Reads a log file of any size as batches of lines, in one pass with bounded memory: a chunk
 * at a time, gunzipped on the way when the file starts with gzip's magic bytes (CloudFront
 * delivers `.gz` files), with the bytes read reported for a progress line.
 * @module
 */
import { LogLineError } from "./record.ts";

/** A line longer than this is not a log line: the file is refused rather than buffered. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * The lines of `path` (`\r\n` or `\n`), in batches, without their line ends.
 *
 * @param onBytes called with the bytes read from the file so far (compressed bytes for gzip)
 * @example Not run: it reads a log file
 * ```ts ignore
 * for await (const batch of readLineBatches("access.log.gz")) for (const line of batch) f(line);
 * ```
 */
export async function* readLineBatches(
  path: string,
  onBytes: (read: number) => void = () => {},
): AsyncGenerator<string[]> {
  const file = await Deno.open(path);
  let read = 0;
  const counted = file.readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        read += chunk.byteLength;
        onBytes(read);
        out.enqueue(chunk);
      },
    }),
  );
  const head = new Uint8Array(2);
  const probe = await Deno.open(path);
  const n = await probe.read(head).finally(() => probe.close());
  const gzip = n === 2 && head[0] === 0x1f && head[1] === 0x8b;
  const bytes = gzip
    ? counted.pipeThrough(
      new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
    )
    : counted;
  const reader = bytes.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (e) {
        throw new LogLineError(`cannot ${gzip ? "gunzip" : "read"} (${(e as Error).message})`);
      }
      const text = chunk.done ? rest + decoder.decode() : rest + decoder.decode(chunk.value, {
        stream: true,
      });
      const lines = text.split("\n");
      rest = chunk.done ? "" : lines.pop()!;
      if (rest.length > MAX_LINE_BYTES) {
        throw new LogLineError(`a line longer than ${MAX_LINE_BYTES} bytes: not a log`);
      }
      for (let i = 0; i < lines.length; i++) {
        if (lines[i].endsWith("\r")) lines[i] = lines[i].slice(0, -1);
      }
      if (chunk.done && lines.length && lines[lines.length - 1] === "") lines.pop();
      if (lines.length) yield lines;
      if (chunk.done) return;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
