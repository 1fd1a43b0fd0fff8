/**
 * The summary as one stdout line, so `kubectl logs` of a shard's pod carries it: `HLS_SWARM_SUMMARY
 * {compact JSON}`, or `HLS_SWARM_SUMMARY gz:<base64>` (gzip) when the JSON is large. `merge`
 * reads the last such line of any text it is given.
 * @module
 */
import { gunzipSync } from "node:zlib";

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
  return `${SUMMARY_LINE_PREFIX}gz:${new Uint8Array(gz).toBase64()}`;
}

/** The most JSON a summary may hold, once decompressed: a week's per-second series is about
 * 30 MiB. The gzip payload is inflated with this as its output limit, so a small log cannot
 * inflate into gigabytes (a 1.4 MB one took merge to 2.1 GB). */
export const MAX_SUMMARY_JSON_BYTES = 64 * 1024 * 1024;
const MIB = 1024 * 1024;

/**
 * The JSON text of the last summary line in `text`, or null when there is none. Throws with a
 * clear reason when the line is damaged (cut off, bad base64 or gzip), or when its JSON would be
 * larger than {@linkcode MAX_SUMMARY_JSON_BYTES}.
 *
 * @example
 * ```ts
 * import { encodeSummaryLine } from "./summary_line.ts";
 * const podLog = `{"msg":"run_started"}\n${await encodeSummaryLine({ runId: "run-1" })}\n`;
 * JSON.parse(decodeSummaryLine(podLog)!).runId; // "run-1"
 * ```
 */
export function decodeSummaryLine(text: string): string | null {
  const start = text.lastIndexOf(SUMMARY_LINE_PREFIX);
  if (start < 0 || (start > 0 && text[start - 1] !== "\n")) return null;
  const end = text.indexOf("\n", start);
  const payload = text.slice(start + SUMMARY_LINE_PREFIX.length, end < 0 ? undefined : end).trim();
  if (!payload.startsWith("gz:")) {
    if (payload.length > MAX_SUMMARY_JSON_BYTES) throw tooLarge();
    return payload;
  }
  return inflate(payload.slice(3));
}

function tooLarge(): Error {
  return new Error(
    `the summary line's JSON is larger than ${MAX_SUMMARY_JSON_BYTES / MIB} MiB, the most a ` +
      "summary may hold",
  );
}

/** Base64 of gzip → text, inflated by zlib with an output limit: it stops at the cap instead
 * of allocating whatever the stream asks for. (Web DecompressionStream has no limit, and took
 * ten times as long.) */
function inflate(base64: string): string {
  const damaged = (why: string) =>
    new Error(`the summary line's gzip+base64 payload is damaged (${why})`);
  // Gzip never makes JSON larger than about itself, so a longer payload cannot be a summary.
  if (base64.length > (MAX_SUMMARY_JSON_BYTES / 3) * 4 + 1024) throw tooLarge();
  let gz: Uint8Array;
  try {
    gz = Uint8Array.fromBase64(base64);
  } catch {
    throw damaged("not base64");
  }
  // A gzip member ends with its data's size (mod 2^32), which zlib checks: past the cap, the
  // payload is refused before a byte is inflated. A forged size still meets the output limit.
  const n = gz.length;
  if (
    n >= 18 &&
    (gz[n - 4] | gz[n - 3] << 8 | gz[n - 2] << 16) + gz[n - 1] * 2 ** 24 > MAX_SUMMARY_JSON_BYTES
  ) {
    throw tooLarge();
  }
  let json: Uint8Array;
  try {
    json = gunzipSync(gz, { maxOutputLength: MAX_SUMMARY_JSON_BYTES });
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge();
    throw damaged((e as Error).message);
  }
  return new TextDecoder().decode(json);
}
