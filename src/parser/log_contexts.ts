/**
 * Which FFmpeg log contexts (`[ctx @ 0x…]`) the stderr parser reads, across FFmpeg 5.1 to 9.0.
 * @module
 */

/** HTTP requests, responses and their headers. */
export const HTTP_CONTEXTS: ReadonlySet<string> = new Set(["http", "https"]);

/**
 * The segment demuxers whose trace lines are the segment's packets: `mpegts` (one line per
 * packet) and, for fMP4/CMAF segments, `mov,mp4,…` (`stream N, sample N, dts N` per packet, and
 * its boxes as they are parsed). Either reads a packet only once its bytes arrived, so the last
 * one before the next request stands in for the end of the body.
 */
export const DEMUXER_CONTEXTS: ReadonlySet<string> = new Set([
  "mpegts",
  "mov,mp4,m4a,3gp,3g2,mj2",
]);

/**
 * The HLS demuxer's log context: `hls` (≤ 7.1) or, from 9.0, `in#N/hls` and `in#N` (the input
 * being opened). 7.1's `[in#0/hls @]` lines are the CLI's own (`Starting thread…`) and match no
 * HLS message, so accepting them costs nothing.
 *
 * @example
 * ```ts
 * isHlsContext("in#0/hls"); // true
 * isHlsContext("in#1"); // true
 * isHlsContext("out#0/null"); // false
 * ```
 */
export function isHlsContext(ctx: string): boolean {
  if (ctx === "hls") return true;
  if (!ctx.startsWith("in#")) return false;
  const slash = ctx.indexOf("/");
  return slash < 0 || ctx.slice(slash + 1) === "hls";
}
