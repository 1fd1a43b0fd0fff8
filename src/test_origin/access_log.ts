/**
 * The origin's access log: one line per request,
 * `<ISO time> <method> <path> <status> <body_bytes_sent> <duration_ms> "<user-agent>"`.
 *
 * @module
 */
import { writeTextSync } from "../io.ts";

/** One request as recorded in the access log. */
export interface AccessLogEntry {
  /** When the request arrived. */
  time: Date;
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** Request target as sent (path and query), e.g. `/seg00001.ts`. */
  path: string;
  /** HTTP status sent, including injected failures. */
  status: number;
  /** Bytes of response body sent (0 for HEAD). */
  bodyBytes: number;
  /** Time spent producing the response, in milliseconds. */
  durationMs: number;
  /** The `User-Agent` header, or `""` when absent. */
  userAgent: string;
}

const LINE_PATTERN =
  /^(\S+) (\S+) (\S+) (\d{3}) (\d+) (\d+(?:\.\d+)?) "((?:[^"\\]|\\["\\]|\\x[0-9a-f]{2})*)"$/;

/**
 * Formats one access log line (without the trailing newline).
 *
 * @example
 * ```ts
 * import { formatAccessLogLine } from "./access_log.ts";
 * formatAccessLogLine({
 *   time: new Date("2024-01-01T00:00:00Z"), method: "GET", path: "/stream.m3u8",
 *   status: 200, bodyBytes: 312, durationMs: 0.4, userAgent: "Lavf/59.27.100",
 * }); // '2024-01-01T00:00:00.000Z GET /stream.m3u8 200 312 0.400 "Lavf/59.27.100"'
 * ```
 */
export function formatAccessLogLine(entry: AccessLogEntry): string {
  // Whitespace would break the space-separated fields; a raw request target has none anyway.
  const path = entry.path === "" ? "-" : entry.path.replace(/\s/g, (c) => encodeURIComponent(c));
  return [
    entry.time.toISOString(),
    entry.method,
    path,
    String(entry.status),
    String(entry.bodyBytes),
    Math.max(0, entry.durationMs).toFixed(3),
    `"${escapeUserAgent(entry.userAgent)}"`,
  ].join(" ");
}

/**
 * Parses a line written by {@linkcode formatAccessLogLine}; `undefined` if it does not match.
 *
 * @example
 * ```ts
 * import { parseAccessLogLine } from "./access_log.ts";
 * const entry = parseAccessLogLine(
 *   '2024-01-01T00:00:00.000Z GET /seg00001.ts 404 16 0.210 "hls-swarm/1"',
 * );
 * entry?.status; // 404
 * ```
 */
export function parseAccessLogLine(line: string): AccessLogEntry | undefined {
  const match = LINE_PATTERN.exec(line.replace(/\r?\n$/, ""));
  if (match === null) return undefined;
  const [, time, method, path, status, bodyBytes, durationMs, userAgent] = match;
  const parsedTime = new Date(time);
  if (Number.isNaN(parsedTime.getTime())) return undefined;
  return {
    time: parsedTime,
    method,
    path,
    status: Number(status),
    bodyBytes: Number(bodyBytes),
    durationMs: Number(durationMs),
    userAgent: unescapeUserAgent(userAgent),
  };
}

/** Where access log entries go. */
export interface AccessLogSink {
  /** Records one request; a no-op after {@linkcode AccessLogSink.close}. */
  write(entry: AccessLogEntry): void;
  /** Closes the log file. */
  close(): void;
}

/**
 * Opens (appending, creating if needed) an access log file; `onEntry`, if given, also
 * receives every entry. Lines are written synchronously so a line is on disk before its
 * response leaves, which lets tests read the log right after a request.
 *
 * @example
 * ```ts
 * import { openAccessLog } from "./access_log.ts";
 * const log = await openAccessLog(await Deno.makeTempFile());
 * log.write({
 *   time: new Date(), method: "GET", path: "/health", status: 200, bodyBytes: 3,
 *   durationMs: 0.1, userAgent: "curl/8",
 * });
 * log.close();
 * ```
 */
export async function openAccessLog(
  path: string,
  onEntry?: (entry: AccessLogEntry) => void,
): Promise<AccessLogSink> {
  const file = await Deno.open(path, { append: true, create: true });
  let closed = false;
  return {
    write(entry: AccessLogEntry): void {
      if (closed) return;
      writeTextSync(file, formatAccessLogLine(entry) + "\n");
      onEntry?.(entry);
    },
    close(): void {
      if (closed) return;
      closed = true;
      file.close();
    },
  };
}

function escapeUserAgent(value: string): string {
  let escaped = "";
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char === "\\" || char === '"') escaped += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) escaped += `\\x${code.toString(16).padStart(2, "0")}`;
    else escaped += char;
  }
  return escaped;
}

function unescapeUserAgent(value: string): string {
  return value.replace(
    /\\(["\\]|x[0-9a-f]{2})/g,
    (_, escaped: string) =>
      escaped.length === 1 ? escaped : String.fromCharCode(parseInt(escaped.slice(1), 16)),
  );
}
