/**
 * The JSON-lines formats. Fastly has no fixed schema: a logging endpoint's format is written
 * from VCL variables (reference: Fastly "Useful variables to log" and the JSON log formats of
 * its streaming-logs guides), so the common key names of those examples are accepted:
 * `timestamp`/`time_start` (time.start), `url` (req.url), `response_status` / `status`
 * (resp.status), `response_body_size` (resp.body_bytes_written), `request_user_agent`
 * (req.http.User-Agent), `cache_status` / `response_state` / `fastly_info.state`, and
 * `server_identity` / `fastly_server` / `pop` (server.identity, server.datacenter) for the edge.
 * Akamai DataStream 2 JSON (reference: Akamai TechDocs, DataStream 2 "Data set parameters" and
 * "Log format"): `reqTimeSec` (epoch seconds, with ms), `reqPath`, `queryStr`, `statusCode`,
 * `bytes`, `UA` (URL-encoded), `cacheStatus` (1 hit, 0 miss), `edgeIP`, `cmcd`; every value is
 * a string, and fields that are `-` are left out.
 * @module
 */
import {
  cacheStatus,
  type CdnRecord,
  cmcdSid,
  type LogFormat,
  LogLineError,
  numberOrNull,
  pathOf,
  safeDecode,
} from "./record.ts";

type Json = Record<string, unknown>;

function object(line: string): Json | null {
  if (line.trim() === "") return null;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new LogLineError("not a JSON line");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new LogLineError("not a JSON object");
  }
  return v as Json;
}

function text(o: Json, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === "string" && v !== "" && v !== "-") return v;
    if (typeof v === "number") return String(v);
  }
  return undefined;
}

/** A time given as epoch seconds, epoch ms, or an ISO/strftime date. */
function epochMs(v: string | undefined): number {
  if (v === undefined) return NaN;
  const n = Number(v);
  if (Number.isFinite(n)) return n > 1e11 ? n : n * 1000;
  // strftime's %z writes +0000: Date.parse wants +00:00.
  return Date.parse(v.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
}

function parseFastly(line: string): CdnRecord | null {
  const o = object(line);
  if (!o) return null;
  const time = epochMs(text(o, "timestamp", "time_start", "time"));
  const url = text(o, "url", "request_url", "path");
  if (Number.isNaN(time) || url === undefined) throw new LogLineError("no timestamp or url");
  return {
    time,
    precise: true,
    path: pathOf(url),
    status: numberOrNull(text(o, "response_status", "status")),
    bytes: numberOrNull(text(o, "response_body_size", "resp_body_bytes", "bytes")),
    userAgent: text(o, "request_user_agent", "user_agent") ?? null,
    sid: cmcdSid(text(o, "cmcd_session", "request_cmcd") ?? /[?&]CMCD=([^&]*)/.exec(url)?.[1]),
    cache: cacheStatus(text(o, "cache_status", "response_state", "fastly_info.state", "state")),
    edge: text(o, "server_identity", "fastly_server", "pop", "server_datacenter") ?? null,
  };
}

function parseAkamai(line: string): CdnRecord | null {
  const o = object(line);
  if (!o) return null;
  const time = epochMs(text(o, "reqTimeSec"));
  const path = text(o, "reqPath");
  if (Number.isNaN(time) || path === undefined) throw new LogLineError("no reqTimeSec or reqPath");
  const cache = text(o, "cacheStatus");
  const ua = text(o, "UA");
  return {
    time,
    precise: true,
    path: pathOf(safeDecode(path)),
    status: numberOrNull(text(o, "statusCode")),
    bytes: numberOrNull(text(o, "bytes")),
    userAgent: ua === undefined ? null : safeDecode(ua),
    sid: cmcdSid(text(o, "cmcd") ?? /(?:^|&)CMCD=([^&]*)/.exec(text(o, "queryStr") ?? "")?.[1]),
    cache: cache === "1" ? "hit" : cache === "0" ? "miss" : cacheStatus(cache),
    edge: text(o, "edgeIP", "serverCountry") ?? null,
  };
}

/**
 * Fastly JSON lines.
 *
 * @example
 * ```ts
 * fastlyFormat.parse(
 *   '{"timestamp":"2026-12-07T19:00:01+0000","url":"/live/seg00002.ts","response_status":200,' +
 *     '"response_state":"HIT","server_identity":"cache-fra-etou8220123-FRA"}',
 *   {},
 * )?.cache; // "hit"
 * ```
 */
export const fastlyFormat: LogFormat = { name: "fastly", parse: parseFastly };

/**
 * Akamai DataStream 2 JSON lines.
 *
 * @example
 * ```ts
 * akamaiFormat.parse(
 *   '{"reqTimeSec":"1796670001.123","reqPath":"/live/stream.m3u8","statusCode":"200",' +
 *     '"cacheStatus":"0","edgeIP":"23.50.51.173"}',
 *   {},
 * )?.path; // "/live/stream.m3u8"
 * ```
 */
export const akamaiFormat: LogFormat = { name: "akamai", parse: parseAkamai };

/** Which JSON format a line is (autodetection), or null. */
export function jsonFormatOf(line: string): LogFormat | null {
  if (!line.startsWith("{")) return null;
  if (/"reqTimeSec"\s*:/.test(line) && /"reqPath"\s*:/.test(line)) return akamaiFormat;
  return fastlyFormat;
}
