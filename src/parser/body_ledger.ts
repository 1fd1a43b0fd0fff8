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
 * - When FFmpeg ends by itself (a crash, the end of the stream), every body counts, as announced.
 * - When hls-swarm stops FFmpeg, the stop cuts a body short: FFmpeg does not act on SIGTERM while
 *   its demuxer waits for the next playlist reload; it reloads, asks for the next segment, and
 *   exits as soon as it has demuxed a packet of it: a few ms after the headers at a fast origin
 *   (every capture in testdata/ ends so), once the segment's first frame has arrived at a slow
 *   one. Which bodies were cut: as FFmpeg exits it logs, at verbose, each input's
 *   `[AVIOContext] Statistics: N bytes read`, the body bytes it read in all. The shortfall against
 *   the announced total belongs to the bodies not yet known complete, handed to them from the
 *   most recent back, each taking up to its size; every body that takes part of it was cut.
 *   Without those lines (FFmpeg was killed), a body is cut when it or a demuxer packet after it
 *   was logged in the last second of the run.
 *
 *   How much of a cut body was sent is then a question about the origin, which FFmpeg cannot
 *   see. An origin that delivered this client's earlier segments in a blink
 *   ({@linkcode FAST_ORIGIN_MS}) had handed the whole body to the network before FFmpeg's exit,
 *   where it waited unread in socket buffers (the captures' nginx logs show all of it as sent;
 *   a busy nginx may log a little less): it counts in full. At a slower origin the body was still being sent: it is
 *   **in flight at the stop**, counted apart; of its bytes only those FFmpeg received count (the
 *   exit statistics' share of it, 0 without them), the rest is kept out of the total.
 * @module
 */
import type { RequestKind } from "./url_kind.ts";

/** An announced 2xx body. */
export interface Body {
  /** The request's number in its run (see StderrParser). */
  req: number;
  kind: RequestKind;
  /** The request path up to its last `/`: the playlist's directory for a segment. */
  prefix: string;
  /** Its Content-Length. */
  bytes: number;
  /** When its headers arrived (reader's clock, ms). */
  at: number;
}

/** A body the stop cut short, and how much of it FFmpeg had received. */
export interface CutBody {
  body: Body;
  /** Bytes of it that arrived (FFmpeg's exit statistics; 0 without them). */
  received: number;
}

/** How the bodies still open at the end of a run were judged. */
export interface Settlement {
  counted: Body[];
  inFlight: CutBody[];
}

/** What the end of a run looked like. */
export interface RunEnd {
  /** hls-swarm stopped FFmpeg; only then can a body have been cut. */
  requested: boolean;
  /** The median time this run's earlier segment bodies took to arrive, ms; null if none did. */
  typicalDownloadMs: number | null;
  /** The run's last line and last demuxer packet line (reader's clock), for the fallback. */
  lastLineAt: number;
  lastPacketAt: number;
}

/** Without exit statistics, activity this recent before the last line means a body was moving. */
export const QUIET_BEFORE_STOP_MS = 1000;

/**
 * An origin whose segment bodies typically arrive within this time sends a whole body faster
 * than FFmpeg exits: a body it cut was sent in full. Loopback and LAN origins take 1–40 ms for a
 * 230 KB segment, a rate-limited one hundreds of ms.
 */
export const FAST_ORIGIN_MS = 100;

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
 * ledger.announce({ req: 1, kind: "segment", prefix: "/", bytes: 1000, at: 0 });
 * ledger.request("/"); // [] (the segment may still be read)
 * ledger.announce({ req: 2, kind: "segment", prefix: "/", bytes: 900, at: 2001 });
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

  /**
   * A body known whole the moment it ended (a chunked one: {@link ./chunked_bodies.ts}), counted
   * by its reader; only its bytes join the announced total the exit statistics are held against.
   */
  arrived(bytes: number): void {
    this.#announced += bytes;
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

  /** The run ended: settles every body not yet known complete (see the module's notes). */
  settle(end: RunEnd): Settlement {
    const open = this.#open;
    this.#open = [];
    if (!end.requested || open.length === 0) return { counted: open, inFlight: [] };
    const cut = new Map<Body, number>();
    if (this.#exitStatistics) {
      let shortfall = this.#announced - this.#read;
      for (let i = open.length - 1; i >= 0 && shortfall > 0; i--) {
        const missing = Math.min(shortfall, open[i].bytes);
        cut.set(open[i], open[i].bytes - missing);
        shortfall -= missing;
      }
    } else {
      for (const b of open) {
        const active = Math.max(b.at, end.lastPacketAt);
        if (end.lastLineAt - active < QUIET_BEFORE_STOP_MS) cut.set(b, 0);
      }
    }
    const fast = end.typicalDownloadMs !== null && end.typicalDownloadMs <= FAST_ORIGIN_MS;
    if (fast) return { counted: open, inFlight: [] };
    return {
      counted: open.filter((b) => !cut.has(b)),
      inFlight: open.flatMap((body) => cut.has(body) ? [{ body, received: cut.get(body)! }] : []),
    };
  }
}

const NONE: Body[] = [];
