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

/**
 * The JSON text of the last summary line in `text`, or null when there is none. Throws with a
 * clear reason when the line is damaged (cut off, bad base64 or gzip).
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
  if (!payload.startsWith("gz:")) return payload;
  try {
    const bytes = fromBase64(payload.slice(3));
    return await new Response(
      new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
    ).text();
  } catch (e) {
    throw new Error(`the summary line's gzip+base64 payload is damaged (${(e as Error).message})`);
  }
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
