/**
 * Which announced response bodies did arrive. FFmpeg logs a 2xx body's `Content-Length` with its
 * headers and nothing when the body ends, so a body counts only once it is known to be complete:
 *
 * - A playlist, init section or key is read whole before the HLS demuxer asks for anything
 *   else: the client's next request of any kind completes it.
 * - A media segment is complete once a later request under the same path prefix (the playlist's
 *   directory) comes after a later segment of that prefix was answered. The demuxer asks for the
 *   next segment of a playlist only after it consumed the one before the segment it is reading
 *   (with HTTP/1.1 it prefetches one segment ahead, right after opening the current one), so every
 *   segment of the prefix except the most recent is consumed.
 * - When hls-swarm stops FFmpeg, FFmpeg closes its inputs and logs, at verbose, each one's
 *   `[AVIOContext] Statistics: N bytes read`: the body bytes that arrived, in all. The shortfall
 *   of those against the announced total belongs to the bodies not yet known complete: it is
 *   handed to them from the most recent back, each taking up to its size, and every body that
 *   takes part of it was in flight at the stop. Without those lines (FFmpeg was killed), a body
 *   is in flight when it or a demuxer packet after it was logged in the last second of the run.
 * - When FFmpeg ends by itself (a crash, the end of the stream), every body counts, as announced.
 * @module
 */
import type { RequestKind } from "./url_kind.ts";

/** An announced 2xx body. */
export interface Body {
  kind: RequestKind;
  /** The request path up to its last `/`: the playlist's directory for a segment. */
  prefix: string;
  /** Its Content-Length. */
  bytes: number;
  /** When its headers arrived (reader's clock, ms). */
  at: number;
}

/** How the bodies still open at the end of a run were judged. */
export interface Settlement {
  counted: Body[];
  inFlight: Body[];
}

/** Without exit statistics, activity this recent before the last line means a body was moving. */
export const QUIET_BEFORE_STOP_MS = 1000;

/**
 * The path prefix requests are grouped by: everything up to the path's last `/`.
 *
 * @example
 * ```ts
 * pathPrefix("/live/v0/seg00017.ts?token=a/b"); // "/live/v0/"
 * ```
 */
export function pathPrefix(path: string): string {
  const q = path.indexOf("?");
  const slash = path.lastIndexOf("/", q < 0 ? path.length : q - 1);
  return slash < 0 ? "" : path.slice(0, slash + 1);
}

/**
 * One FFmpeg run's bodies. Pure: fed facts from the log, it returns the bodies that count.
 *
 * @example
 * ```ts
 * const ledger = new BodyLedger();
 * ledger.announce({ kind: "segment", prefix: "/", bytes: 1000, at: 0 });
 * ledger.request("/"); // [] (the segment may still be read)
 * ledger.announce({ kind: "segment", prefix: "/", bytes: 900, at: 2001 });
 * ledger.request("/"); // [the 1000-byte segment]
 * ```
 */
export class BodyLedger {
  #open: Body[] = [];
  #announced = 0;
  #read = 0;
  #exitStatistics = false;

  /** A 2xx body's Content-Length was logged. */
  announce(body: Body): void {
    this.#announced += body.bytes;
    this.#open.push(body);
  }

  /** The client sent a request under `prefix`; returns the bodies it proves complete. */
  request(prefix: string): Body[] {
    const open = this.#open;
    if (open.length === 0) return NONE;
    let newestSegment = -1;
    for (let i = open.length - 1; i >= 0; i--) {
      if (open[i].kind === "segment" && open[i].prefix === prefix) {
        newestSegment = i;
        break;
      }
    }
    const done: Body[] = [];
    const keep: Body[] = [];
    open.forEach((b, i) => {
      const complete = b.kind !== "segment" || (b.prefix === prefix && i !== newestSegment);
      (complete ? done : keep).push(b);
    });
    this.#open = keep;
    return done;
  }

  /** `[AVIOContext] Statistics: N bytes read` (one per input FFmpeg closes). */
  bytesRead(n: number): void {
    this.#read += n;
  }

  /** FFmpeg's `Exiting normally, received signal N.`: its exit statistics are all logged. */
  exited(): void {
    this.#exitStatistics = true;
  }

  /**
   * The run ended: settles every body not yet known complete. `requested` is true when
   * hls-swarm stopped FFmpeg; only then can a body have been cut. `lastLineAt` and
   * `lastPacketAt` (the run's last line and last demuxer packet line, reader's clock) serve only
   * when FFmpeg logged no exit statistics.
   */
  settle(requested: boolean, lastLineAt = -Infinity, lastPacketAt = -Infinity): Settlement {
    const open = this.#open;
    this.#open = [];
    if (!requested || open.length === 0) return { counted: open, inFlight: [] };
    const inFlight = new Set<Body>();
    if (this.#exitStatistics) {
      let shortfall = this.#announced - this.#read;
      for (let i = open.length - 1; i >= 0 && shortfall > 0; i--) {
        inFlight.add(open[i]);
        shortfall -= open[i].bytes;
      }
    } else {
      for (const b of open) {
        const active = Math.max(b.at, lastPacketAt);
        if (lastLineAt - active < QUIET_BEFORE_STOP_MS) inFlight.add(b);
      }
    }
    return {
      counted: open.filter((b) => !inFlight.has(b)),
      inFlight: open.filter((b) => inFlight.has(b)),
    };
  }
}

const NONE: Body[] = [];
