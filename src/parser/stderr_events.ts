/**
 * Parses FFmpeg's stderr (HLS client at `repeat+level+trace`) into HTTP and playback events.
 *
 * Every HTTP request is counted once, from the `[http @ ctx] request: GET <path>` line FFmpeg
 * logs at debug for each request, retries included, whatever context opened it (`[hls]`,
 * `[NULL]`, `[AVFormatContext]`, a keep-alive `[http]`). At trace the same context then logs
 * `http_code=NNN` and, for 2xx answers, `header='Content-Length: N'`: real status codes and real
 * bytes, with no help from the origin. Responses are paired with requests by context address.
 *
 * Times are the lines' arrival times at the reader (FFmpeg 5.1 cannot timestamp its log lines),
 * so time to first byte is measured to within the pipe's latency. FFmpeg logs nothing when a
 * body ends: segment download time is inferred (see {@linkcode HttpEvent}).
 * @module
 */
import type { EventKey } from "../events/catalog.ts";
import { classifyUrl, type RequestKind } from "./url_kind.ts";

/** Events one stderr line can produce. Times are ms on the reader's monotonic clock. */
export type HttpEvent =
  | { type: "request"; kind: RequestKind; path: string }
  /** Status from `http_code=` (trace) or `HTTP error NNN` (any level); ttfb = request → status. */
  | { type: "response"; kind: RequestKind; status: number; ttfbMs: number }
  /** Content-Length of a 2xx response: the bytes the origin announced for the body. */
  | { type: "body_bytes"; kind: RequestKind; bytes: number }
  /**
   * Inferred segment download time: from a segment's response headers to the last packet the
   * demuxer logged (`[mpegts @…] [trace]`) before the client's next request. FFmpeg demuxes a
   * live segment as fast as it arrives and logs no end-of-body line, so the last packet's
   * arrival stands in for the end of the body. Needs trace level.
   */
  | { type: "segment_download_inferred"; ms: number }
  /** TCP connect time: connection attempt → success on the same context. */
  | { type: "tcp_connect"; ms: number }
  /** A counted event of the catalog ({@link ../events/catalog.ts}); `kind` when it is a request's. */
  | { type: "count"; key: EventKey; n: number; kind?: RequestKind };

interface PendingRequest {
  kind: RequestKind;
  at: number;
  status: number | null;
}

const DATETIME_PREFIX = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /;
const HTTP_CONTEXTS = new Set(["http", "https"]);

/**
 * Per-client (per FFmpeg run) stderr parser. Feed lines with their arrival time; each call
 * returns the events the line completes (usually none: most trace lines are rejected after a
 * few character comparisons, before any regular expression runs).
 *
 * @example
 * ```ts
 * const p = new StderrParser();
 * p.push("[http @ 0x1] [debug] request: GET /seg1.ts HTTP/1.1", 0);
 * // [{ type: "request", kind: "segment", path: "/seg1.ts" }]
 * p.push("[http @ 0x1] [trace] http_code=206", 12);
 * // [{ type: "response", kind: "segment", status: 206, ttfbMs: 12 }]
 * ```
 */
export class StderrParser {
  #pending = new Map<string, PendingRequest>();
  #tcpStarts = new Map<string, number>();
  #lastSegmentHeadersAt: number | null = null;
  #lastPacketAt: number | null = null;
  /** Lines that carried a timestamp prefix (`datetime` log flag). */
  timestampedLines = 0;

  push(raw: string, at: number): HttpEvent[] {
    let line = raw;
    if (line.charCodeAt(0) !== 91 /* [ */) {
      if (!DATETIME_PREFIX.test(line)) return NONE;
      this.timestampedLines++;
      line = line.slice(24);
      if (line.charCodeAt(0) !== 91) return NONE;
    }
    const amp = line.indexOf(" @ ");
    if (amp < 0 || amp > 24) return NONE;
    const ctx = line.slice(1, amp);
    if (ctx === "mpegts") {
      // The bulk of trace output: one line per demuxed packet. Only its time matters.
      if (this.#lastSegmentHeadersAt !== null) this.#lastPacketAt = at;
      return NONE;
    }
    if (ctx === "h264" || ctx === "aac") return NONE;
    const close = line.indexOf("] ", amp);
    if (close < 0) return NONE;
    const addr = line.slice(amp + 3, close);
    let msg = line.slice(close + 2);
    if (msg.charCodeAt(0) === 91) {
      const levelEnd = msg.indexOf("] ");
      if (levelEnd > 0) msg = msg.slice(levelEnd + 2);
    }
    if (HTTP_CONTEXTS.has(ctx)) return this.#http(addr, msg, at);
    if (ctx === "tcp") return this.#tcp(addr, msg, at);
    if (ctx === "hls") return this.#hls(msg);
    return NONE;
  }

  /** Call when the run ends: requests still without a status were never answered. */
  finish(): HttpEvent[] {
    const events: HttpEvent[] = [];
    for (const p of this.#pending.values()) {
      if (p.status === null) events.push(count("unanswered", 1, p.kind));
    }
    this.#pending.clear();
    this.#tcpStarts.clear();
    this.#lastSegmentHeadersAt = null;
    this.#lastPacketAt = null;
    return events;
  }

  #http(addr: string, msg: string, at: number): HttpEvent[] {
    if (msg.startsWith("request: ")) {
      const sp = msg.indexOf(" ", 9);
      const end = msg.indexOf(" ", sp + 1);
      const path = msg.slice(sp + 1, end < 0 ? undefined : end);
      const kind = classifyUrl(path);
      const events: HttpEvent[] = [];
      const previous = this.#pending.get(addr);
      if (previous && previous.status === null) {
        events.push(count("unanswered", 1, previous.kind));
      }
      const headersAt = this.#lastSegmentHeadersAt;
      if (headersAt !== null && this.#lastPacketAt !== null && this.#lastPacketAt >= headersAt) {
        events.push({ type: "segment_download_inferred", ms: this.#lastPacketAt - headersAt });
      }
      this.#lastSegmentHeadersAt = null;
      this.#lastPacketAt = null;
      this.#pending.set(addr, { kind, at, status: null });
      events.push({ type: "request", kind, path });
      return events;
    }
    if (msg.startsWith("http_code=")) {
      return this.#status(addr, Number(msg.slice(10)), at);
    }
    if (msg.startsWith("header='Content-Length: ") || msg.startsWith("header='content-length: ")) {
      const p = this.#pending.get(addr);
      const bytes = Number.parseInt(msg.slice(24), 10);
      if (!p || p.status === null || p.status < 200 || p.status > 299 || !(bytes >= 0)) {
        return NONE;
      }
      return [{ type: "body_bytes", kind: p.kind, bytes }];
    }
    if (msg.startsWith("HTTP error ")) return this.#status(addr, Number(msg.slice(11, 14)), at);
    if (msg.startsWith("Will reconnect at ")) return [count("reconnects")];
    return NONE;
  }

  #status(addr: string, status: number, at: number): HttpEvent[] {
    const p = this.#pending.get(addr);
    if (!p || p.status !== null || !Number.isInteger(status)) return NONE;
    p.status = status;
    if (p.kind === "segment" && status >= 200 && status < 300) this.#lastSegmentHeadersAt = at;
    return [{ type: "response", kind: p.kind, status, ttfbMs: at - p.at }];
  }

  #tcp(addr: string, msg: string, at: number): HttpEvent[] {
    if (msg.startsWith("Starting connection attempt")) {
      this.#tcpStarts.set(addr, at);
      return NONE;
    }
    if (msg.startsWith("Successfully connected")) {
      const start = this.#tcpStarts.get(addr);
      this.#tcpStarts.delete(addr);
      return start === undefined
        ? [count("tcpConnected")]
        : [count("tcpConnected"), { type: "tcp_connect", ms: at - start }];
    }
    if (msg.startsWith("Connection attempt to ") && msg.includes(" failed: ")) {
      this.#tcpStarts.delete(addr);
      return [
        count(
          /refused/i.test(msg)
            ? "tcpRefused"
            : /timed out/i.test(msg)
            ? "tcpTimeouts"
            : "tcpErrors",
        ),
      ];
    }
    return NONE;
  }

  #hls(msg: string): HttpEvent[] {
    switch (msg.charCodeAt(0)) {
      case 70: // F
        if (msg.startsWith("Failed to open segment ")) return [count("segmentsFailed")];
        if (msg.startsWith("Failed to reload playlist ")) return [count("playlistsFailed")];
        return NONE;
      case 83: // S
        if (msg.startsWith("Segment ") && msg.includes("failed too many times")) {
          return [count("segmentsSkipped")];
        }
        return NONE;
      case 115: { // s
        const m = /^skipping (\d+) segments? ahead, expired/.exec(msg);
        return m ? [count("segmentsExpired", Number(m[1]))] : NONE;
      }
      case 77: { // M
        const m = /^Media sequence change \((\d+) -> (\d+)\)/.exec(msg);
        if (!m) return NONE;
        const skipped = Number(m[2]) - Number(m[1]) - 1;
        return skipped > 0 ? [count("sequenceSkips", skipped)] : NONE;
      }
      case 107: // k
        if (!msg.startsWith("keepalive request failed")) return NONE;
        return msg.includes("timed out")
          ? [count("keepaliveRetries"), count("timeouts")]
          : [count("keepaliveRetries")];
      default:
        return NONE;
    }
  }
}

const NONE: HttpEvent[] = [];

function count(key: EventKey, n = 1, kind?: RequestKind): HttpEvent {
  return kind ? { type: "count", key, n, kind } : { type: "count", key, n };
}
