/**
 * HTTP handling of the origin: serves the stream directory with HLS content types, cache
 * headers, byte ranges and injected segment failures.
 *
 * @module
 */

import type { AccessLogEntry } from "./access_log.ts";
import type { FaultPlan } from "./faults.ts";

/** What the request handler needs; no socket involved, so it can be called directly. */
export interface OriginHandlerOptions {
  /** Directory served as the URL root. */
  dir: string;
  /** Probability (0..1) that a media segment request is answered with `failStatus`. */
  failRate: number;
  /** HTTP status of injected failures. */
  failStatus: number;
  /** Uniform random numbers in [0, 1); injectable so fault injection is deterministic. */
  random: () => number;
  /** Per-viewer faults (`--fault`), decided on the `now` clock (ms). */
  faults?: { plan: FaultPlan; now: () => number };
}

/** Playlists as they were when a `pause` fault began, by pause start and path. */
const frozenPlaylists = new WeakMap<OriginHandlerOptions, Map<string, Uint8Array<ArrayBuffer>>>();

/** A single satisfiable byte range, inclusive on both ends. */
export interface ByteRange {
  /** First byte. */
  start: number;
  /** Last byte. */
  end: number;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".m3u8": "application/vnd.apple.mpegurl",
  ".ts": "video/mp2t",
  ".mp4": "video/mp4",
  ".m4s": "video/iso.segment",
  ".aac": "audio/aac",
};
// Not `.mp4`: with `--segment-type fmp4` it is the init section (EXT-X-MAP), which faults
// (meant for media segments: a held first segment, injected 404s) must not touch.
const MEDIA_SEGMENT_EXTENSIONS: ReadonlySet<string> = new Set([".ts", ".m4s", ".aac"]);
// Live playlists change every segment; segment names are never reused within a run.
const PLAYLIST_CACHE_CONTROL = "no-cache";
const SEGMENT_CACHE_CONTROL = "public, max-age=3600";

/**
 * Content type for a served file name, or `undefined` if the origin does not serve that kind
 * of file (which keeps FFmpeg's `.tmp` files and the access log private).
 *
 * @example
 * ```ts
 * import { contentTypeFor } from "./server.ts";
 * contentTypeFor("/360p/stream.m3u8"); // "application/vnd.apple.mpegurl"
 * ```
 */
export function contentTypeFor(path: string): string | undefined {
  return CONTENT_TYPES[extensionOf(path)];
}

/**
 * Whether `path` names a media segment (the only requests that fault injection touches).
 *
 * @example
 * ```ts
 * import { isMediaSegment } from "./server.ts";
 * isMediaSegment("/seg00003.ts"); // true
 * isMediaSegment("/stream.m3u8"); // false
 * isMediaSegment("/init.mp4"); // false (a CMAF init section)
 * ```
 */
export function isMediaSegment(path: string): boolean {
  return MEDIA_SEGMENT_EXTENSIONS.has(extensionOf(path));
}

/**
 * Interprets a `Range` header for a body of `size` bytes: the range to send, `"unsatisfiable"`
 * (answer 416), or `undefined` to send the whole body (no header, or one we do not handle,
 * such as multiple ranges, which RFC 9110 allows a server to ignore).
 *
 * @example
 * ```ts
 * import { parseRangeHeader } from "./server.ts";
 * parseRangeHeader("bytes=0-99", 1000); // { start: 0, end: 99 }
 * parseRangeHeader("bytes=-100", 1000); // { start: 900, end: 999 }
 * parseRangeHeader("bytes=2000-", 1000); // "unsatisfiable"
 * ```
 */
export function parseRangeHeader(
  header: string | null,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (header === null) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return undefined;
  const [, first, last] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") {
    const suffixLength = Number(last);
    if (suffixLength === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffixLength), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? Infinity : Number(last);
  if (end < start) return undefined; // Syntactically invalid: ignored, per RFC 9110.
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(end, size - 1) };
}

/**
 * The request target exactly as the client sent it (path and query). `Request.url` keeps
 * the raw target, whereas `new URL()` would resolve `..` segments and hide traversal attempts.
 *
 * @example
 * ```ts
 * import { rawRequestTarget } from "./server.ts";
 * rawRequestTarget("http://127.0.0.1:17080/../etc/passwd"); // "/../etc/passwd"
 * ```
 */
export function rawRequestTarget(url: string): string {
  const schemeEnd = url.indexOf("://");
  const pathStart = url.indexOf("/", schemeEnd === -1 ? 0 : schemeEnd + 3);
  return pathStart === -1 ? "/" : url.slice(pathStart);
}

/**
 * Answers one request from `opts.dir`: `GET`/`HEAD` of playlists and segments, `/health`,
 * `Range` requests, 404 for missing or unknown files, 403 for path traversal, and with
 * probability `failRate` `failStatus` for media segments.
 *
 * @example
 * ```ts
 * import { handleOriginRequest } from "./server.ts";
 * const res = await handleOriginRequest(new Request("http://origin/health"), {
 *   dir: "/tmp", failRate: 0, failStatus: 404, random: Math.random,
 * });
 * res.status; // 200
 * ```
 */
export async function handleOriginRequest(
  request: Request,
  opts: OriginHandlerOptions,
): Promise<Response> {
  const isHead = request.method === "HEAD";
  if (request.method !== "GET" && !isHead) {
    return textResponse(405, "method not allowed\n", isHead, { allow: "GET, HEAD" });
  }
  const segments = decodePathSegments(rawRequestTarget(request.url));
  if (segments === "malformed") return textResponse(400, "bad request path\n", isHead);
  if (segments === "traversal") return textResponse(403, "forbidden\n", isHead);
  const path = "/" + segments.join("/");
  if (path === "/health") return textResponse(200, "ok\n", isHead);

  const contentType = contentTypeFor(path);
  if (contentType === undefined) return textResponse(404, "not found\n", isHead);
  const fault = opts.faults?.plan.decide(
    path,
    request.headers.get("user-agent") ?? "",
    opts.faults.now(),
    isMediaSegment(path),
  ) ?? { kind: "none" };
  if (fault.kind === "fail") return textResponse(fault.status, "injected failure\n", isHead);
  if (fault.kind === "hold") await new Promise((resolve) => setTimeout(resolve, fault.ms));
  if (isMediaSegment(path) && opts.failRate > 0 && opts.random() < opts.failRate) {
    return textResponse(opts.failStatus, "injected failure\n", isHead);
  }

  let body: Uint8Array<ArrayBuffer>;
  try {
    body = fault.kind === "stale-playlist"
      ? await frozen(opts, `${fault.sinceMs}|${path}`, `${opts.dir}${path}`)
      : await Deno.readFile(`${opts.dir}${path}`);
  } catch (error) {
    // Segments vanish as the live window moves on; a directory is not a file either.
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
      return textResponse(404, "not found\n", isHead);
    }
    return textResponse(500, "cannot read file\n", isHead);
  }

  const headers = new Headers({
    "content-type": contentType,
    // The init section never changes within a run: cached like the segments.
    "cache-control": isMediaSegment(path) || extensionOf(path) === ".mp4"
      ? SEGMENT_CACHE_CONTROL
      : PLAYLIST_CACHE_CONTROL,
    "accept-ranges": "bytes",
    "access-control-allow-origin": "*",
  });
  const range = parseRangeHeader(request.headers.get("range"), body.length);
  if (range === "unsatisfiable") {
    return textResponse(416, "range not satisfiable\n", isHead, {
      "content-range": `bytes */${body.length}`,
    });
  }
  let status = 200;
  if (range !== undefined) {
    status = 206;
    headers.set("content-range", `bytes ${range.start}-${range.end}/${body.length}`);
    body = body.subarray(range.start, range.end + 1);
  }
  headers.set("content-length", String(body.length));
  return new Response(isHead ? null : body, { status, headers });
}

/**
 * Wraps {@linkcode handleOriginRequest} so that every request is reported to `onAccess`
 * with the status and body size actually sent.
 *
 * @example
 * ```ts
 * import { createOriginHandler } from "./server.ts";
 * const handler = createOriginHandler(
 *   { dir: "/tmp", failRate: 0, failStatus: 404, random: Math.random },
 *   (entry) => console.log(entry.status),
 * );
 * await handler(new Request("http://origin/health"));
 * ```
 */
export function createOriginHandler(
  opts: OriginHandlerOptions,
  onAccess: (entry: AccessLogEntry) => void,
): (request: Request) => Promise<Response> {
  return async (request: Request): Promise<Response> => {
    const time = new Date();
    const started = performance.now();
    const response = await handleOriginRequest(request, opts);
    onAccess({
      time,
      method: request.method,
      path: rawRequestTarget(request.url),
      status: response.status,
      bodyBytes: request.method === "HEAD"
        ? 0
        : Number(response.headers.get("content-length") ?? "0"),
      durationMs: performance.now() - started,
      userAgent: request.headers.get("user-agent") ?? "",
    });
    return response;
  };
}

/** The playlist as first read during a pause, served unchanged until the pause ends. */
async function frozen(
  opts: OriginHandlerOptions,
  key: string,
  file: string,
): Promise<Uint8Array<ArrayBuffer>> {
  let byKey = frozenPlaylists.get(opts);
  if (byKey === undefined) frozenPlaylists.set(opts, byKey = new Map());
  let body = byKey.get(key);
  if (body === undefined) byKey.set(key, body = await Deno.readFile(file));
  return body;
}

/** Decoded path segments, or why the path is refused. Empty segments (`//`) are dropped. */
function decodePathSegments(target: string): string[] | "malformed" | "traversal" {
  const path = target.replace(/[?#].*$/s, "");
  const segments: string[] = [];
  for (const raw of path.split("/")) {
    if (raw === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return "malformed";
    }
    // Checked after decoding so that %2e%2e and %2f cannot sneak past.
    if (segment === "." || segment === ".." || /[/\\\0]/.test(segment)) return "traversal";
    segments.push(segment);
  }
  return segments;
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot).toLowerCase();
}

function textResponse(
  status: number,
  text: string,
  isHead: boolean,
  extraHeaders: Record<string, string> = {},
): Response {
  const body = new TextEncoder().encode(text);
  const headers = new Headers({
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    ...extraHeaders,
  });
  headers.set("content-length", String(body.length));
  return new Response(isHead ? null : body, { status, headers });
}
