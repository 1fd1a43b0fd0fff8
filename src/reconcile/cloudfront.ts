/**
 * CloudFront standard logs (reference: AWS CloudFront Developer Guide, "Standard logging
 * reference", log file fields): W3C extended, tab-separated, `#Version:` and `#Fields:` header
 * lines, gzip files. Fields are found by the `#Fields:` header, so older layouts with fewer
 * fields read too. `date` and `time` (UTC) are when the edge finished responding, to the
 * second; `time-taken` (seconds) is subtracted to date the request's start. `cs(User-Agent)`
 * is URL-encoded; `x-edge-result-type` (Hit, RefreshHit, Miss, Error…) is the cache outcome;
 * `x-edge-location` (e.g. FRA56-P1) the edge.
 * @module
 */
import {
  cacheStatus,
  type CdnRecord,
  cmcdSid,
  type LogFormat,
  LogLineError,
  numberOrNull,
  type ParseState,
  safeDecode,
} from "./record.ts";

/** The 33 fields of the current layout, in order (the header says which a file has). */
export const CLOUDFRONT_FIELDS = [
  "date",
  "time",
  "x-edge-location",
  "sc-bytes",
  "c-ip",
  "cs-method",
  "cs(Host)",
  "cs-uri-stem",
  "sc-status",
  "cs(Referer)",
  "cs(User-Agent)",
  "cs-uri-query",
  "cs(Cookie)",
  "x-edge-result-type",
  "x-edge-request-id",
  "x-host-header",
  "cs-protocol",
  "cs-bytes",
  "time-taken",
  "x-forwarded-for",
  "ssl-protocol",
  "ssl-cipher",
  "x-edge-response-result-type",
  "cs-protocol-version",
  "fle-status",
  "fle-encrypted-fields",
  "c-port",
  "time-to-first-byte",
  "x-edge-detailed-result-type",
  "sc-content-type",
  "sc-content-len",
  "sc-range-start",
  "sc-range-end",
] as const; // deno-fmt-ignore

function parse(line: string, state: ParseState): CdnRecord | null {
  if (line === "") return null;
  if (line.startsWith("#")) {
    if (line.startsWith("#Fields:")) state.fields = line.slice(8).trim().split(/\s+/);
    return null;
  }
  const fields: readonly string[] = state.fields ?? CLOUDFRONT_FIELDS;
  const values = line.split("\t");
  if (values.length < 9) throw new LogLineError("not a tab-separated CloudFront line");
  const get = (name: string): string | undefined => {
    const i = fields.indexOf(name);
    const v = i < 0 ? undefined : values[i];
    return v === "-" ? undefined : v;
  };
  const end = Date.parse(`${get("date")}T${get("time")}Z`);
  const stem = get("cs-uri-stem");
  if (Number.isNaN(end) || stem === undefined) {
    throw new LogLineError("no date, time or cs-uri-stem");
  }
  const taken = numberOrNull(get("time-taken")) ?? 0;
  const ua = get("cs(User-Agent)");
  const query = safeDecode(get("cs-uri-query") ?? "");
  return {
    time: Math.round(end - taken * 1000),
    precise: false,
    path: stem,
    status: numberOrNull(get("sc-status")),
    bytes: numberOrNull(get("sc-bytes")),
    userAgent: ua === undefined ? null : safeDecode(ua),
    // CMCD sent as a query (`CMCD=sid%3D%22…%22`) is in cs-uri-query.
    sid: cmcdSid(/(?:^|&)CMCD=([^&]*)/.exec(query)?.[1]),
    cache: cacheStatus(get("x-edge-result-type")),
    edge: get("x-edge-location") ?? null,
  };
}

/**
 * CloudFront standard (access) logs.
 *
 * @example
 * ```ts
 * const state = {};
 * const fields = "date time x-edge-location sc-bytes c-ip cs-method cs-uri-stem sc-status " +
 *   "cs(User-Agent)";
 * cloudfrontFormat.parse(`#Fields: ${fields}`, state); // null: the header
 * const line = ["2026-12-07", "19:00:01", "FRA56-P1", "1017", "192.0.2.10", "GET",
 *   "/live/stream.m3u8", "200", "hls-swarm/0.1.0/client-0"].join("\t");
 * cloudfrontFormat.parse(line, state)?.edge; // "FRA56-P1"
 * ```
 */
export const cloudfrontFormat: LogFormat = { name: "cloudfront", parse };
