/**
 * Parses FFmpeg's stderr (HLS client at `repeat+level[+datetime]+trace`) into HTTP and playback
 * events. Tested on the captures of FFmpeg 5.1, 7.1 and 9.0 in testdata/.
 *
 * Every HTTP request is counted once, from the `[http @ ctx] request: GET <path>` line FFmpeg
 * logs at debug for each request, retries included, whatever context opened it. At trace the same
 * context then logs `http_code=NNN` and its headers (7.1+ also for error responses): real status
 * codes and real bytes, with no help from the origin. Responses are paired with requests by
 * context address. A 2xx body's `Content-Length` counts once the body is known to have arrived
 * ({@link ./body_ledger.ts}); a chunked body (no `Content-Length`) counts its chunk sizes when its
 * last chunk comes ({@link ./chunked_bodies.ts}). CDN headers (cache status, Age, edge) give a `cache` event when a
 * response's headers end ({@link ./cache_headers.ts}).
 *
 * The HLS demuxer logs as `[hls @]` up to 7.1, and as `[in#0/hls @]` (`[in#0 @]` while the input
 * is opened and probed) from 9.0 on: both are read. Times: see {@link ./line_time.ts}; FFmpeg logs
 * nothing when a body ends, so segment download time is inferred (see {@linkcode HttpEvent}),
 * alike for MPEG-TS and fMP4/CMAF segments ({@linkcode DEMUXER_CONTEXTS}).
 * @module
 */
import { type Body, BodyLedger, pathPrefix } from "./body_ledger.ts";
import { CacheHeaders, type CacheHeadersOptions } from "./cache_headers.ts";
import { CHUNK_LINE, ChunkedBodies, type ChunkedBody, isChunkedHeader } from "./chunked_bodies.ts";
import type { HttpEvent } from "./http_event.ts";
import {
  DATETIME_PREFIX_LENGTH,
  datetimePrefixMs,
  elapsedMs,
  hasDatetimePrefix,
} from "./line_time.ts";
import type { LineTime } from "./line_time.ts";
import { OpenRequests, type PendingRequest } from "./open_requests.ts";
import { ProgramDateTimes } from "./program_date_time.ts";
import { bodyBytes, count, lineTime, median, wholeCount } from "./event_helpers.ts";
import { classifyUrl } from "./url_kind.ts";
import { DEMUXER_CONTEXTS, HTTP_CONTEXTS, isHlsContext } from "./log_contexts.ts";
import { TcpConnects } from "./tcp_connects.ts";

export { DEMUXER_CONTEXTS, isHlsContext };

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
  #pending = new OpenRequests();
  #tcp = new TcpConnects();
  #bodies = new BodyLedger();
  #chunked = new ChunkedBodies();
  readonly #cdn: CacheHeaders;
  #pdt = new ProgramDateTimes();
  #segmentHeaders: (LineTime & { req: number }) | null = null;
  #nextReq = 1;
  /** The last demuxer packet line since the segment headers: its raw text (for the stamp). */
  #lastPacketLine = "";
  #lastPacketAt: number | null = null;
  #runLastPacketAt = -Infinity;
  #lastLineAt = -Infinity;
  /** The last few inferred segment download times: how fast this origin delivers bodies. */
  #recentDownloads: number[] = [];
  /** Lines that carried a timestamp prefix (`datetime` log flag). */
  timestampedLines = 0;

  /** @param cdn `--cache-header` and `--edge-header`: one more header name each to read. */
  constructor(cdn: CacheHeadersOptions = {}) {
    this.#cdn = new CacheHeaders(cdn);
  }

  push(raw: string, at: number): HttpEvent[] {
    this.#lastLineAt = at;
    let line = raw;
    if (line.charCodeAt(0) !== 91 /* [ */) {
      if (!hasDatetimePrefix(line)) return NONE;
      this.timestampedLines++;
      line = line.slice(DATETIME_PREFIX_LENGTH);
      if (line.charCodeAt(0) !== 91) return NONE;
    }
    const amp = line.indexOf(" @ ");
    if (amp < 0) return this.#bare(line);
    if (amp > 24) return NONE;
    const ctx = line.slice(1, amp);
    if (DEMUXER_CONTEXTS.has(ctx)) {
      // The bulk of trace output: one line per demuxed packet. Only its time matters; the
      // stamp is read only if the line turns out to be the segment's last packet.
      this.#runLastPacketAt = at;
      if (this.#segmentHeaders !== null) {
        this.#lastPacketAt = at;
        this.#lastPacketLine = raw;
      }
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
    if (HTTP_CONTEXTS.has(ctx)) return this.#http(addr, msg, raw, at);
    if (ctx === "tcp") return this.#tcp.line(addr, msg, lineTime(raw, at));
    if (ctx === "AVIOContext") return this.#avio(msg);
    if (isHlsContext(ctx)) return this.#hls(msg);
    return NONE;
  }

  /**
   * Lines were dropped just before the next one (the lossy queue was full). Pairs that would
   * span the gap are not built: every open request loses its TTFB (counted `untimedRequests`
   * when its status arrives), and the download time and TCP connect in progress are forgotten.
   */
  gap(): void {
    this.#pending.gap();
    this.#chunked.clear();
    this.#tcp.clear();
    this.#cdn.clear();
    this.#segmentHeaders = null;
    this.#lastPacketAt = null;
  }

  /**
   * Call when the run ends. `requested`: hls-swarm stopped FFmpeg. Then requests still without a
   * status were cut by hls-swarm, not the origin, and are not counted; bodies not yet known
   * complete are judged ({@link ./body_ledger.ts}): a body the stop cut short at an origin slower
   * than {@link ./body_ledger.ts FAST_ORIGIN_MS} per segment is counted apart as in flight
   * (`inFlightAtStop`); only the bytes of it FFmpeg received count, the rest
   * (`inFlightBytesAtStop`) is kept out of the total. Otherwise (FFmpeg ended by itself)
   * unanswered requests count and every body counts.
   */
  finish(requested = false): HttpEvent[] {
    const events: HttpEvent[] = [];
    if (!requested) {
      for (const p of this.#pending.values()) if (p.status === null) this.#unanswered(p, events);
    } else {
      // Cut by the stop before its answer: a re-send stands for the one request it re-sends.
      for (const p of this.#pending.values()) if (p.resends) this.#retried(p, events);
    }
    const { counted, inFlight } = this.#bodies.settle({
      requested,
      typicalDownloadMs: median(this.#recentDownloads),
      lastLineAt: this.#lastLineAt,
      lastPacketAt: this.#runLastPacketAt,
    });
    // A chunked body without its last chunk: FFmpeg ended by itself, it counts as read; the
    // stop cut it, it is in flight, with the chunk sizes logged as what FFmpeg received (the
    // rest of a chunked body has no announced size).
    for (const { req, kind, bytes } of this.#chunked.takeOpen()) {
      const body: Body = { req, kind, prefix: "", bytes, at: this.#lastLineAt };
      if (requested) inFlight.push({ body, received: bytes });
      else counted.push(body);
    }
    for (const b of counted) events.push(bodyBytes(b));
    for (const { body, received } of inFlight) {
      // The counts first: the request log then knows the bytes that follow are a cut body's.
      events.push(
        count("inFlightAtStop", 1, body.kind, body.req),
        count("inFlightBytesAtStop", body.bytes - received, body.kind, body.req),
      );
      if (received > 0) {
        events.push({ type: "body_bytes", req: body.req, kind: body.kind, bytes: received });
      }
    }
    this.#pending.clear();
    this.#tcp.clear();
    this.#cdn.clear();
    this.#bodies = new BodyLedger();
    this.#chunked.clear();
    this.#segmentHeaders = null;
    this.#lastPacketAt = null;
    this.#runLastPacketAt = -Infinity;
    this.#recentDownloads = [];
    return events;
  }

  /** A line without a context: only FFmpeg's exit line matters. */
  #bare(line: string): HttpEvent[] {
    if (line.startsWith("[info] Exiting normally, received signal")) this.#bodies.exited();
    return NONE;
  }

  #http(addr: string, msg: string, raw: string, at: number): HttpEvent[] {
    if (msg.startsWith("request: ")) return this.#request(addr, msg, raw, at);
    if (msg.startsWith("http_code=")) {
      return this.#status(addr, Number(msg.slice(10)), raw, at);
    }
    if (msg.startsWith(CHUNK_LINE)) {
      const body = this.#chunked.chunk(addr, msg);
      return body ? this.#chunkedArrived(body) : NONE;
    }
    if (!msg.startsWith("header='")) {
      if (msg.startsWith("HTTP error ")) {
        return this.#status(addr, Number(msg.slice(11, 14)), raw, at);
      }
      return msg.startsWith("Will reconnect at ") ? [count("reconnects")] : NONE;
    }
    if (msg.length === 9) return this.#headersEnd(addr); // `header=''`: the last one
    this.#cdn.header(addr, msg);
    if (isChunkedHeader(msg)) {
      const p = this.#pending.get(addr);
      if (p && p.status !== null && p.status >= 200 && p.status <= 299) {
        this.#chunked.begin(addr, p.req, p.kind);
      }
      return NONE;
    }
    if (msg.startsWith("header='Content-Length: ") || msg.startsWith("header='content-length: ")) {
      const p = this.#pending.get(addr);
      const bytes = Number.parseInt(msg.slice(24), 10);
      // 7.1+ log error responses' headers too: only a 2xx body is a body the client wanted.
      if (!p || p.status === null || p.status < 200 || p.status > 299 || !wholeCount(bytes)) {
        return NONE;
      }
      this.#bodies.announce({ req: p.req, kind: p.kind, prefix: p.prefix, bytes, at });
    }
    return NONE;
  }

  /** A chunked body ended (or was left): its chunk sizes are its bytes. */
  #chunkedArrived(body: ChunkedBody): HttpEvent[] {
    this.#bodies.arrived(body.bytes);
    return [{ type: "body_bytes", req: body.req, kind: body.kind, bytes: body.bytes }];
  }

  /** A response's headers ended: what its CDN headers said, if any came. */
  #headersEnd(addr: string): HttpEvent[] {
    const c = this.#cdn.take(addr), p = this.#pending.get(addr);
    if (!c || !p || p.status === null) return NONE;
    const { req, kind, status } = p, { ttfbMs, ageS, edge } = c;
    return [{ type: "cache", req, kind, status, ttfbMs, cache: c.status ?? "unknown", ageS, edge }];
  }

  #request(addr: string, msg: string, raw: string, at: number): HttpEvent[] {
    const sp = msg.indexOf(" ", 9);
    const end = msg.indexOf(" ", sp + 1);
    const path = msg.slice(sp + 1, end < 0 ? undefined : end);
    const kind = classifyUrl(path);
    const prefix = pathPrefix(path);
    const sent = lineTime(raw, at);
    const events: HttpEvent[] = [];
    const resends = this.#pending.takeResent(path, sent);
    const previous = this.#pending.get(addr);
    if (previous && previous.status === null) this.#unanswered(previous, events);
    const headers = this.#segmentHeaders;
    if (headers !== null && this.#lastPacketAt !== null && this.#lastPacketAt >= headers.at) {
      const last = { at: this.#lastPacketAt, stamp: datetimePrefixMs(this.#lastPacketLine) };
      const ms = elapsedMs(headers, last);
      events.push({ type: "segment_download_inferred", req: headers.req, ms, at: last.at });
      if (this.#recentDownloads.push(ms) > RECENT_DOWNLOADS) this.#recentDownloads.shift();
    }
    this.#segmentHeaders = null;
    this.#lastPacketAt = null;
    for (const b of this.#bodies.request(prefix)) events.push(bodyBytes(b));
    // A chunked body still open on this context was left unread (its last chunk never came).
    const left = this.#chunked.abandon(addr);
    if (left) events.push(...this.#chunkedArrived(left));
    // The request line is logged just before the request is written: TTFB starts here.
    const req = resends?.req ?? this.#nextReq++;
    this.#pending.set(addr, {
      req,
      kind,
      path,
      prefix,
      sent,
      status: null,
      gap: false,
      resends,
      failed: false,
    });
    if (!resends) events.push({ type: "request", req, kind, path, at });
    if (kind === "segment") {
      const pdt = this.#pdt.firstSegment();
      if (pdt !== null) {
        events.push({ type: "program_date_time", epochMs: pdt, segmentMs: this.#pdt.segmentMs });
      }
    }
    return events;
  }

  /**
   * Gives up on a request that got no status. When it was a re-send, the one it re-sent was
   * answered by no one either (nginx's 444 closes the connection on every try): both count, the
   * re-send as a request of its own.
   */
  #unanswered(p: PendingRequest, events: HttpEvent[]): void {
    if (p.resends) {
      events.push(count("unanswered", 1, p.resends.kind, p.resends.req));
      p.resends = null;
      p.req = this.#nextReq++;
      events.push({ type: "request", req: p.req, kind: p.kind, path: p.path, at: p.sent.at });
    }
    events.push(count("unanswered", 1, p.kind, p.req));
  }

  /** A re-send was answered (or cut by the stop): the two are one request, retried. */
  #retried(p: PendingRequest, events: HttpEvent[]): void {
    events.push(count("keepaliveRetries", 1, p.kind, p.req));
    p.resends = null;
  }

  #status(addr: string, status: number, raw: string, at: number): HttpEvent[] {
    const p = this.#pending.get(addr);
    // A status is three digits (RFC 9110): anything else is not an answer, and would be a
    // label of its own in /metrics.
    if (!p || p.status !== null || !Number.isInteger(status) || status < 100 || status > 999) {
      return NONE;
    }
    const events: HttpEvent[] = [];
    if (p.resends) this.#retried(p, events);
    p.status = status;
    const answered = lineTime(raw, at);
    if (p.kind === "segment" && status >= 200 && status < 300 && !p.gap) {
      this.#segmentHeaders = { ...answered, req: p.req };
    }
    const ttfbMs = p.gap ? null : elapsedMs(p.sent, answered);
    this.#cdn.begin(addr, ttfbMs);
    const response: HttpEvent = { type: "response", req: p.req, kind: p.kind, status, ttfbMs };
    events.push(response);
    if (p.gap) events.push(count("untimedRequests", 1, p.kind, p.req));
    return events;
  }

  /** `Statistics: N bytes read, …`, logged as FFmpeg closes an input: body bytes that arrived. */
  #avio(msg: string): HttpEvent[] {
    if (msg.startsWith("Statistics: ") && msg.includes(" bytes read")) {
      const n = Number.parseInt(msg.slice(12), 10);
      if (wholeCount(n)) this.#bodies.bytesRead(n);
    }
    return NONE;
  }

  #hls(msg: string): HttpEvent[] {
    switch (msg.charCodeAt(0)) {
      case 70: // F
        if (msg.startsWith("Failed to open segment ")) return [count("segmentsFailed")];
        if (msg.startsWith("Failed to reload playlist ")) return [count("playlistsFailed")];
        return NONE;
      case 79: // O: `Opening '….m3u8' for reading`, a playlist (re)load
        if (msg.startsWith("Opening '") && msg.includes(".m3u8")) this.#pdt.playlistOpened();
        return NONE;
      case 83: // S
        if (msg.startsWith("Segment ") && msg.includes("failed too many times")) {
          return [count("segmentsSkipped")];
        }
        // `Skip ('#EXT-X-PROGRAM-DATE-TIME:…')`: a tag FFmpeg ≤ 7.1 does not use.
        if (msg.startsWith("Skip ('#EXT-X-PROGRAM-DATE-TIME:")) {
          this.#pdt.skipped(msg.slice(7, msg.lastIndexOf("'")));
        }
        return NONE;
      case 115: { // s
        // The one line that says segments were lost. A `Media sequence change (a -> b)` with
        // b − a > 1 is not: the playlist window slid between two reloads, and the demuxer still
        // fetches every segment it had not played (testdata/*/stderr_trace_window_slide.txt).
        const m = /^skipping (\d+) segments? ahead, expired/.exec(msg);
        if (!m || !wholeCount(Number(m[1]))) return NONE;
        return [count("sequenceSkips"), count("segmentsExpired", Number(m[1]))];
      }
      case 107: // k
        if (!msg.startsWith("keepalive request failed")) return NONE;
        this.#pending.failOpen();
        return msg.includes("timed out")
          ? [count("keepaliveRetries"), count("timeouts")]
          : [count("keepaliveRetries")];
      default:
        return NONE;
    }
  }
}

const NONE: HttpEvent[] = [];
/** How many recent segment downloads judge the origin's pace at a stop. */
const RECENT_DOWNLOADS = 5;
