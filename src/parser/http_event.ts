/**
 * What the stderr parser ({@link ./stderr_events.ts}) makes of FFmpeg's lines: one client's HTTP
 * and playback events, in the order they happened.
 * @module
 */
import type { EventKey } from "../events/catalog.ts";
import type { CacheStatus } from "./cache_headers.ts";
import type { RequestKind } from "./url_kind.ts";

/**
 * Events one stderr line can produce. Durations are ms (see {@link ./line_time.ts elapsedMs}).
 * `req` numbers the requests of one FFmpeg run, so the events of one request can be put back
 * together (the per-request log).
 */
export type HttpEvent =
  | { type: "request"; req: number; kind: RequestKind; path: string; at: number }
  /**
   * Status from `http_code=` (trace) or `HTTP error NNN` (any level); ttfb = request → status,
   * or null when output lines were dropped in between (no pair is built across a gap).
   */
  | { type: "response"; req: number; kind: RequestKind; status: number; ttfbMs: number | null }
  /**
   * What the CDN said of a response ({@link ./cache_headers.ts}), once its headers ended; only
   * for responses that carried a cache or edge header. `status` and `ttfbMs` repeat the
   * response's, so hits and misses can be timed apart.
   */
  | {
    type: "cache";
    req: number;
    kind: RequestKind;
    status: number;
    ttfbMs: number | null;
    cache: CacheStatus;
    ageS: number | null;
    edge: string | null;
  }
  /** Content-Length of a 2xx response whose body is known to have arrived. */
  | { type: "body_bytes"; req: number; kind: RequestKind; bytes: number }
  /**
   * Inferred segment download time: from a segment's response headers to the last packet the
   * demuxer logged (`[mpegts @…] [trace]`) before the client's next request. FFmpeg demuxes a
   * live segment as fast as it arrives and logs no end-of-body line, so the last packet's
   * arrival stands in for the end of the body (`at`, the monotonic time of that packet line).
   * Needs trace level.
   */
  | { type: "segment_download_inferred"; req: number; ms: number; at: number }
  /**
   * The program date-time (epoch ms) of the first segment this FFmpeg run plays, at its request
   * ({@link ./program_date_time.ts}: inferred from the playlist's tags and FFmpeg's start index).
   */
  | { type: "program_date_time"; epochMs: number; segmentMs: number | null }
  /** TCP connect time: connection attempt → success on the same context. */
  | { type: "tcp_connect"; ms: number }
  /**
   * A counted event of the catalog ({@link ../events/catalog.ts}); `kind` and `req` when it is a
   * request's.
   */
  | { type: "count"; key: EventKey; n: number; kind?: RequestKind; req?: number };
