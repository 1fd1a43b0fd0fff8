/**
 * nginx access logs (reference: nginx.org ngx_http_log_module; `combined` is predefined as
 * `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 * "$http_referer" "$http_user_agent"`). Two formats: `combined`, whose only time is the
 * whole second the line was written (the request's end), and hls-swarm's documented
 * `hls_swarm` format, combined followed by `$msec $request_time $upstream_cache_status
 * "$http_cmcd_session"`: the request's start to the millisecond, and the cache outcome.
 * @module
 */
import {
  cacheStatus,
  cmcdSid,
  type LogFormat,
  LogLineError,
  numberOrNull,
  pathOf,
} from "./record.ts";

/** The `log_format` line docs/measurements.md documents; tests give it to a real nginx. */
export const NGINX_LOG_FORMAT = "log_format hls_swarm '$remote_addr - $remote_user [$time_local] " +
  '"$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ' +
  '$msec $request_time $upstream_cache_status "$http_cmcd_session"\';';

// nginx escapes `"` and control characters in variables (escape=default), so a quoted field
// holds no raw quote.
const COMBINED = /^(\S+) \S+ (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/;
const EXTENDED = /^ (\d+(?:\.\d+)?) (\d+(?:\.\d+)?|-) (\S+) "([^"]*)"/;

// deno-fmt-ignore
const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

/**
 * `$time_local` (`10/Oct/2000:13:55:36 -0700`) in ms since the epoch, or NaN.
 *
 * @example
 * ```ts
 * timeLocal("10/Oct/2000:13:55:36 -0700"); // 971211336000
 * ```
 */
export function timeLocal(text: string): number {
  const m = /^(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(text);
  if (!m || !(m[2] in MONTHS)) return NaN;
  const utc = Date.UTC(+m[3], MONTHS[m[2]], +m[1], +m[4], +m[5], +m[6]);
  const offset = (+m[8] * 60 + +m[9]) * 60_000 * (m[7] === "-" ? -1 : 1);
  return utc - offset;
}

function parseNginx(line: string, extended: boolean) {
  if (line === "") return null;
  const m = COMBINED.exec(line);
  if (!m) throw new LogLineError("not an nginx combined line");
  // The extended format dates the line by $msec: $time_local is parsed only without it.
  const end = extended ? 0 : timeLocal(m[3]);
  if (Number.isNaN(end)) throw new LogLineError(`bad $time_local "${m[3]}"`);
  const target = m[4].split(" ")[1] ?? "";
  const record = {
    time: end,
    precise: false,
    path: pathOf(target),
    status: +m[5],
    bytes: numberOrNull(m[6]),
    userAgent: m[8] === "-" ? null : m[8],
    sid: null as string | null,
    cache: null as ReturnType<typeof cacheStatus>,
    edge: null,
  };
  if (!extended) return record;
  const x = EXTENDED.exec(line.slice(m[0].length));
  if (!x) throw new LogLineError("no $msec $request_time $upstream_cache_status after combined");
  // $msec is when the line was written: the request began $request_time earlier.
  record.time = Math.round((+x[1] - (numberOrNull(x[2]) ?? 0)) * 1000);
  record.precise = true;
  record.cache = cacheStatus(x[3]);
  record.sid = cmcdSid(x[4]);
  return record;
}

/**
 * The `hls_swarm` format ({@linkcode NGINX_LOG_FORMAT}).
 *
 * @example
 * ```ts
 * const line = '127.0.0.1 - - [07/Dec/2026:21:14:52 +0000] "GET /seg00000.ts HTTP/1.1" 200 ' +
 *   '245716 "-" "hls-swarm/0.1.0/client-0" 1796678092.673 0.001 HIT "-"';
 * nginxFormat.parse(line, {})?.cache; // "hit"
 * ```
 */
export const nginxFormat: LogFormat = {
  name: "nginx",
  parse: (line) => parseNginx(line, true),
};

/**
 * nginx's predefined `combined` format.
 *
 * @example
 * ```ts
 * const line = '127.0.0.1 - - [07/Dec/2026:21:14:52 +0000] "GET /stream.m3u8 HTTP/1.1" 200 ' +
 *   '241 "-" "hls-swarm/0.1.0/client-0"';
 * nginxCombinedFormat.parse(line, {})?.path; // "/stream.m3u8"
 * ```
 */
export const nginxCombinedFormat: LogFormat = {
  name: "nginx-combined",
  parse: (line) => parseNginx(line, false),
};

/** Whether a line is in the `hls_swarm` format (autodetection). */
export function looksExtended(line: string): boolean {
  const m = COMBINED.exec(line);
  return m !== null && EXTENDED.test(line.slice(m[0].length));
}

/** Whether a line is nginx combined (autodetection). */
export function looksCombined(line: string): boolean {
  return COMBINED.test(line);
}
