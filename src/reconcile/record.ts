/**
 * What reconcile reads from a CDN's access log line, whatever the format: one request as the
 * edge saw it, reduced to what matching and the report need.
 * @module
 */

/** The cache outcome a log line states, normalised across vendors. */
export type CacheStatus = "hit" | "miss" | "expired" | "pass" | "error" | "unknown";

/** One request logged by an edge. */
export interface CdnRecord {
  /** When the edge received the request, ms since the epoch (or the logged time when the log
   * has no duration to subtract, see {@linkcode CdnRecord.precise}). */
  time: number;
  /** False when only a whole-second completion time is known (nginx combined). */
  precise: boolean;
  /** The URL path, without its query. */
  path: string;
  status: number | null;
  bytes: number | null;
  /** The User-Agent, decoded. */
  userAgent: string | null;
  /** A CMCD session id (`sid`), when the log carries CMCD. */
  sid: string | null;
  /** null: the log has no cache field. */
  cache: CacheStatus | null;
  /** The edge the line names (null: the file is the edge). */
  edge: string | null;
}

/** A log format: can it read this line, and what does the line say. */
export interface LogFormat {
  name: FormatName;
  /** Parses one line; null for lines that are not requests (headers, comments, blank). Throws
   * on a line that claims the format but cannot be read. */
  parse(line: string, state: ParseState): CdnRecord | null;
}

/** Per-file state a format may keep (CloudFront's `#Fields:` header). */
export interface ParseState {
  fields?: string[];
}

/** The formats `--format` names. */
export const FORMAT_NAMES = ["nginx", "nginx-combined", "cloudfront", "fastly", "akamai"] as const;
/** One of {@linkcode FORMAT_NAMES}. */
export type FormatName = typeof FORMAT_NAMES[number];

/** Lines a format rejected: a format error, with where. */
export class LogLineError extends Error {}

/**
 * The path of a URL or path, without query or fragment.
 *
 * @example
 * ```ts
 * pathOf("https://cdn.example/live/seg1.ts?tok=1"); // "/live/seg1.ts"
 * ```
 */
export function pathOf(url: string): string {
  let p = url;
  const scheme = p.indexOf("://");
  if (scheme > 0 && scheme < 10) {
    const slash = p.indexOf("/", scheme + 3);
    p = slash < 0 ? "/" : p.slice(slash);
  }
  const q = p.search(/[?#]/);
  return q < 0 ? p : p.slice(0, q);
}

/** A vendor's cache words, lower-cased, to the normalised status. */
const CACHE_WORDS: ReadonlyArray<readonly [RegExp, CacheStatus]> = [
  // nginx $upstream_cache_status: HIT MISS EXPIRED STALE UPDATING REVALIDATED BYPASS.
  // CloudFront x-edge-result-type: Hit RefreshHit Miss LimitExceeded CapacityExceeded Error
  // Redirect. Fastly fastly_info.state: HIT, MISS, PASS, HIT-STALE, HIT-SYNTH, ERROR…
  [/^(refreshhit|revalidated|expired|stale|updating|hit-stale)/, "expired"],
  [/^(hit|tcp_hit|tcp_mem_hit)/, "hit"],
  [/^(miss|tcp_miss)/, "miss"],
  [/^(pass|bypass|uncacheable|dynamic)/, "pass"],
  [/^(error|limitexceeded|capacityexceeded)/, "error"],
];

/**
 * A logged cache word, normalised; "-" or empty is null (no cache was involved).
 *
 * @example
 * ```ts
 * cacheStatus("RefreshHit"); // "expired"
 * ```
 */
export function cacheStatus(word: string | undefined | null): CacheStatus | null {
  const w = (word ?? "").trim().toLowerCase();
  if (w === "" || w === "-") return null;
  for (const [re, status] of CACHE_WORDS) if (re.test(w)) return status;
  return "unknown";
}

/**
 * The CMCD session id in a `CMCD-Session` header value or a `CMCD` query value.
 *
 * @example
 * ```ts
 * cmcdSid('sid="run1-3",v=1'); // "run1-3"
 * ```
 */
export function cmcdSid(text: string | null | undefined): string | null {
  if (!text || text === "-") return null;
  // nginx logs a header's quotes as \x22 (escape=default).
  const m = /(?:^|[,&\s])sid="([^"]*)"/.exec(safeDecode(text).replaceAll("\\x22", '"'));
  return m ? m[1] : null;
}

/** decodeURIComponent that leaves text it cannot decode as it is (`+` is a space, as in logs). */
export function safeDecode(text: string): string {
  if (!/[%+]/.test(text)) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/** A number field, or null for "-", empty or not a number. */
export function numberOrNull(text: string | number | undefined | null): number | null {
  if (typeof text === "number") return Number.isFinite(text) ? text : null;
  if (text === undefined || text === null || text === "" || text === "-") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
