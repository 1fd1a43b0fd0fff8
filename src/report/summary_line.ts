/**
 * The summary as one stdout line, so `kubectl logs` of a shard's pod carries it: `HLS_SWARM_SUMMARY
 * {compact JSON}`, or `HLS_SWARM_SUMMARY gz:<base64>` (gzip) when the JSON is large. `merge`
 * reads the last such line of any text it is given.
 * @module
 */

/** The line's first word. */
export const SUMMARY_LINE_PREFIX = "HLS_SWARM_SUMMARY ";
/** JSON longer than this is gzipped (a long run's per-second series dominates). */
const GZIP_ABOVE = 16 * 1024;

/**
 * Encodes a summary (any JSON value) as one line, without the newline.
 *
 * @example
 * ```ts
 * console.log(await encodeSummaryLine({ runId: "r1" })); // HLS_SWARM_SUMMARY {"runId":"r1"}
 * ```
 */
export async function encodeSummaryLine(summary: unknown): Promise<string> {
  const json = JSON.stringify(summary);
  if (json.length <= GZIP_ABOVE) return SUMMARY_LINE_PREFIX + json;
  const gz = await new Response(
    new Blob([json]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  return `${SUMMARY_LINE_PREFIX}gz:${toBase64(new Uint8Array(gz))}`;
}

/** The most JSON a summary may hold, once decompressed: a week's per-second series is about
 * 30 MiB. The gzip payload is inflated as a stream and abandoned past this, so a small log
 * cannot inflate into gigabytes (a 1.4 MB one took merge to 2.1 GB). */
export const MAX_SUMMARY_JSON_BYTES = 64 * 1024 * 1024;
const MIB = 1024 * 1024;
/** Base64 characters inflated per step. */
const FEED_CHARS = 16 * 1024;

/**
 * The JSON text of the last summary line in `text`, or null when there is none. Throws with a
 * clear reason when the line is damaged (cut off, bad base64 or gzip), or when its JSON would be
 * larger than {@linkcode MAX_SUMMARY_JSON_BYTES}.
 *
 * @example
 * ```ts
 * JSON.parse((await decodeSummaryLine(await Deno.readTextFile("shard-0.log")))!);
 * ```
 */
export async function decodeSummaryLine(text: string): Promise<string | null> {
  const start = text.lastIndexOf(SUMMARY_LINE_PREFIX);
  if (start < 0 || (start > 0 && text[start - 1] !== "\n")) return null;
  const end = text.indexOf("\n", start);
  const payload = text.slice(start + SUMMARY_LINE_PREFIX.length, end < 0 ? undefined : end).trim();
  if (!payload.startsWith("gz:")) {
    if (payload.length > MAX_SUMMARY_JSON_BYTES) throw tooLarge();
    return payload;
  }
  return await inflate(payload.slice(3));
}

function tooLarge(): Error {
  return new Error(
    `the summary line's JSON is larger than ${MAX_SUMMARY_JSON_BYTES / MIB} MiB, the most a ` +
      "summary may hold",
  );
}

/** Base64 of gzip → text, in chunks both ways, stopping at the cap. */
async function inflate(base64: string): Promise<string> {
  const damaged = (why: string) =>
    new Error(`the summary line's gzip+base64 payload is damaged (${why})`);
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
    throw damaged("not base64");
  }
  const gunzip = new DecompressionStream("gzip");
  const writer = gunzip.writable.getWriter();
  // Fed in small slices (a multiple of 4 characters each): one write is inflated whole before
  // the stream pushes back, and deflate inflates up to 1,032 times, so 16 KiB of base64 is at
  // most 12 MiB of JSON in flight. Write errors surface through the reader.
  const feeding = (async () => {
    for (let i = 0; i < base64.length; i += FEED_CHARS) {
      await writer.write(fromBase64(base64.slice(i, i + FEED_CHARS)));
    }
    await writer.close();
  })().catch(() => {});
  const reader = gunzip.readable.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > MAX_SUMMARY_JSON_BYTES) throw tooLarge();
      parts.push(decoder.decode(value, { stream: true }));
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    await writer.abort().catch(() => {});
    if (e instanceof Error && e.message.startsWith("the summary line's JSON")) throw e;
    throw damaged(e instanceof Error ? e.message : String(e));
  } finally {
    await feeding;
  }
  parts.push(decoder.decode());
  return parts.join("");
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
