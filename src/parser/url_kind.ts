/**
 * What an HLS request fetches, judged by the URL path's extension (query strings ignored).
 * @module
 */

/** Request kinds: playlists, media segments, init segments (EXT-X-MAP), anything else. */
export type RequestKind = "manifest" | "segment" | "init" | "other";

/** Every kind, in display order. */
export const REQUEST_KINDS: readonly RequestKind[] = ["manifest", "segment", "init", "other"];

const SEGMENT_EXTENSIONS = new Set([
  "ts",
  "m4s",
  "aac",
  "ac3",
  "ec3",
  "mp3",
  "m4a",
  "m4v",
  "cmfv",
  "cmfa",
  "vtt",
  "webvtt",
]);
const INIT_EXTENSIONS = new Set(["mp4", "m4i", "cmfi"]);

/**
 * Classifies a URL or path.
 *
 * @example
 * ```ts
 * classifyUrl("/live/stream.m3u8?token=1"); // "manifest"
 * classifyUrl("http://cdn/seg00017.ts");    // "segment"
 * classifyUrl("/v0/init.mp4");              // "init"
 * ```
 */
export function classifyUrl(url: string): RequestKind {
  let end = url.length;
  const q = url.indexOf("?");
  if (q >= 0) end = q;
  const hash = url.indexOf("#");
  if (hash >= 0 && hash < end) end = hash;
  const dot = url.lastIndexOf(".", end);
  if (dot < 0 || url.indexOf("/", dot) >= 0 && url.indexOf("/", dot) < end) return "other";
  const ext = url.slice(dot + 1, end).toLowerCase();
  if (ext === "m3u8" || ext === "m3u") return "manifest";
  if (SEGMENT_EXTENSIONS.has(ext)) return "segment";
  if (INIT_EXTENSIONS.has(ext)) return "init";
  return "other";
}
