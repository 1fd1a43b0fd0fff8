/**
 * `--request-log FILE`: one NDJSON line per HTTP request a client made, assembled from the
 * parser's events (they carry the request's number in its FFmpeg run): when it was sent, which
 * client, kind, URL (through the run's redactor: its query, user info and every known secret
 * value, such as a token the origin moved from the query into the segment paths), status,
 * TTFB, inferred download time, bytes, what the CDN said (cache status, Age, edge), and what went
 * wrong. A request is written once it is settled: an error status (once its headers ended, or
 * the client's next request), its body counted, or the end of its FFmpeg run. So the file has
 * exactly one line per request the summary counts.
 * @module
 */
import type { CacheStatus } from "../parser/cache_headers.ts";
import type { HttpEvent } from "../parser/http_event.ts";
import type { RequestKind } from "../parser/url_kind.ts";
import { REDACTED, Redactor } from "../secrets/redact.ts";

/** Hides the secrets of a URL or path (a {@linkcode Redactor}). */
export interface UrlRedactor {
  text(text: string): string;
}

/** Without the run's redactor, the query and user info still go (they need no known values). */
const ANONYMOUS = new Redactor([], []);

/** One line of the request log. */
export interface RequestRecord {
  /** When the request line was read, ISO 8601. */
  time: string;
  client: number;
  /** The client's viewing session (its FFmpeg run, from 1), as `session_ended` logs it. */
  session: number;
  kind: RequestKind;
  /** The request path, redacted: a query becomes `?<redacted>`, a known secret `<redacted>`. */
  url: string;
  /** null: no status line (see `event`). */
  status: number | null;
  ttfb_ms: number | null;
  /** Inferred, as the summary's segment download time is (null when not inferred). */
  download_ms_inferred: number | null;
  /** Body bytes counted for it (null: none). */
  bytes: number | null;
  /** The CDN's cache status, normalised (src/parser/cache_headers.ts); null: no CDN header. */
  cache: CacheStatus | null;
  /** The response's `Age` header, seconds (null: none). */
  age_s: number | null;
  /** The edge that served it, from X-Served-By and kin (null: none). */
  edge: string | null;
  /**
   * What else happened: `unanswered` (no status), `stopped` (hls-swarm stopped FFmpeg first),
   * `in_flight_at_stop` (its body was cut by the stop), `untimed` (output lines were lost
   * between request and status), `retried` (FFmpeg sent it again on a new connection, see
   * `keepaliveRetries`), or null.
   */
  event: "unanswered" | "stopped" | "in_flight_at_stop" | "untimed" | "retried" | null;
}

/** Where settled lines go. */
export interface RecordSink {
  write(lines: string): void;
}

/**
 * Assembles the records of every client of a partition.
 *
 * @example Not run: it needs a client's parsed FFmpeg lines (request_log_test.ts)
 * ```ts ignore
 * const log = new RequestLog(sink, () => Date.now() - performance.now(), redactorFor(config));
 * for (const e of parser.push(line, at)) log.event(clientId, e);
 * log.endRun(clientId); // the FFmpeg run ended: settle what is open
 * ```
 */
export class RequestLog {
  #open = new Map<number, Map<number, RequestRecord>>();
  /** Per client, an error response waiting for the end of its headers (its cache status). */
  #held = new Map<number, number>();
  #lines: string[] = [];
  /** Per client, the viewing session (FFmpeg run) its requests belong to, from 1. */
  #session = new Map<number, number>();

  /**
   * @param wallOffset wall-clock ms minus monotonic ms, to date events stamped monotonically
   * @param redactor the run's redactor (see secrets/redact.ts `redactorFor`)
   */
  constructor(
    private sink: RecordSink,
    private wallOffset: () => number,
    private redactor: UrlRedactor = ANONYMOUS,
  ) {}

  /** Client `id`'s FFmpeg run number `session` (from 1, as `session_ended` numbers it) starts. */
  runStart(id: number, session: number): void {
    this.#session.set(id, session);
  }

  /** Takes one parser event of client `id`. */
  event(id: number, e: HttpEvent): void {
    const open = this.#open.get(id) ?? new Map<number, RequestRecord>();
    this.#open.set(id, open);
    if (e.type === "request") {
      this.#release(id, open);
      open.set(e.req, {
        time: new Date(e.at + this.wallOffset()).toISOString(),
        client: id,
        session: this.#session.get(id) ?? 1,
        kind: e.kind,
        // The redactor first (known values anywhere in the path), then any query left.
        url: this.redactor.text(e.path).replace(/\?.*$/, `?${REDACTED}`),
        status: null,
        ttfb_ms: null,
        download_ms_inferred: null,
        bytes: null,
        cache: null,
        age_s: null,
        edge: null,
        event: null,
      });
      return;
    }
    if (e.type === "tcp_connect" || e.type === "program_date_time") return;
    const r = e.req === undefined ? undefined : open.get(e.req);
    if (!r) return;
    switch (e.type) {
      case "response":
        r.status = e.status;
        r.ttfb_ms = e.ttfbMs === null ? null : round(e.ttfbMs);
        // Settled once its headers end (a CDN's cache status may follow), or at the next request.
        if (e.status < 200 || e.status > 299) this.#held.set(id, e.req);
        break;
      case "cache":
        r.cache = e.cache;
        r.age_s = e.ageS;
        r.edge = e.edge;
        if (this.#held.get(id) === e.req) this.#release(id, open);
        break;
      case "body_bytes":
        r.bytes = (r.bytes ?? 0) + e.bytes;
        // A body cut at the stop is followed by its in-flight count: settled at the run's end.
        if (r.event !== "in_flight_at_stop") this.#settle(open, e.req);
        break;
      case "segment_download_inferred":
        r.download_ms_inferred = round(e.ms);
        break;
      case "count":
        if (e.key === "unanswered") {
          r.event = "unanswered";
          this.#settle(open, e.req!);
        } else if (e.key === "untimedRequests") r.event = "untimed";
        else if (e.key === "inFlightAtStop") r.event = "in_flight_at_stop";
        else if (e.key === "keepaliveRetries") r.event = "retried";
        break;
    }
  }

  /** Client `id`'s FFmpeg run ended: every request still open is settled as it stands. */
  endRun(id: number): void {
    const open = this.#open.get(id);
    this.#held.delete(id);
    if (!open) return;
    for (const [req, r] of open) {
      if (r.status === null && r.event === null) r.event = "stopped";
      this.#settle(open, req);
    }
    this.#open.delete(id);
  }

  /** Hands the settled lines to the sink (call every second and at the end). */
  flush(): void {
    if (!this.#lines.length) return;
    this.sink.write(this.#lines.join(""));
    this.#lines = [];
  }

  /** Settles client `id`'s held error response, if any. */
  #release(id: number, open: Map<number, RequestRecord>): void {
    const held = this.#held.get(id);
    if (held === undefined) return;
    this.#held.delete(id);
    this.#settle(open, held);
  }

  #settle(open: Map<number, RequestRecord>, req: number): void {
    const r = open.get(req);
    if (!r) return;
    open.delete(req);
    this.#lines.push(JSON.stringify(r) + "\n");
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * A sink appending to `path`: each flush is one write to a file opened for appending, so the
 * partitions of one process (worker threads) can share the file without tearing lines.
 *
 * @example
 * ```ts
 * const path = await Deno.makeTempFile({ suffix: ".ndjson" }); // the swarm creates it first
 * const sink = appendSink(path);
 * sink.write('{"client":0}\n');
 * sink.close();
 * await Deno.readTextFile(path); // '{"client":0}\n'
 * ```
 */
export function appendSink(path: string): RecordSink & { close(): void } {
  // Deno has no O_NOFOLLOW. The swarm made `path` a new regular file (writeTextFileAtomic); what
  // is opened here must still be that file, not whatever a symlink put there since points to.
  const file = Deno.openSync(path, { append: true });
  const opened = file.statSync(), there = Deno.lstatSync(path);
  if (there.isSymlink || opened.ino !== there.ino || opened.dev !== there.dev) {
    file.close();
    throw new Error(`request log ${path}: no longer the file hls-swarm created (a symlink?)`);
  }
  const encoder = new TextEncoder();
  return {
    write(lines) {
      const bytes = encoder.encode(lines);
      for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
    },
    close: () => file.close(),
  };
}
