/**
 * One FFmpeg run's requests that have no status yet, by the address of the HTTP context that
 * sent them, and how a re-sent request is told from a new one.
 * @module
 */
import { elapsedMs, type LineTime } from "./line_time.ts";
import type { RequestKind } from "./url_kind.ts";

/** A request from its request line until its status (or its end). */
export interface PendingRequest {
  req: number;
  kind: RequestKind;
  path: string;
  prefix: string;
  sent: LineTime;
  status: number | null;
  /** Output lines were dropped since the request line: its timing is unknown. */
  gap: boolean;
  /**
   * The unanswered request this one may re-send ({@linkcode OpenRequests.takeResent}): until
   * this one is answered, `req` is that one's, and this one is not counted yet.
   */
  resends: PendingRequest | null;
  /** FFmpeg said this request failed (a timeout, say): the origin saw it, and a retry counts. */
  failed: boolean;
}

/** A request for the same path this soon after an unanswered one re-sends it. */
const RESEND_MS = 1000;

/**
 * The open requests of one FFmpeg run.
 *
 * @example Not run: it needs a parsed request event (open_requests_test.ts)
 * ```ts ignore
 * const open = new OpenRequests();
 * open.set("0x1", request);
 * open.takeResent("/seg1.ts", { at: 5, stamp: null }); // request, when it is still unanswered
 * ```
 */
export class OpenRequests {
  #byContext = new Map<string, PendingRequest>();

  get(addr: string): PendingRequest | undefined {
    return this.#byContext.get(addr);
  }

  set(addr: string, request: PendingRequest): void {
    this.#byContext.set(addr, request);
  }

  values(): IterableIterator<PendingRequest> {
    return this.#byContext.values();
  }

  clear(): void {
    this.#byContext.clear();
  }

  /** Output lines were lost: no open request can be timed, or re-sent, across them. */
  gap(): void {
    for (const p of this.#byContext.values()) if (p.status === null) p.gap = true;
  }

  /** FFmpeg logged that a request failed (`keepalive request failed`): a retry of it counts. */
  failOpen(): void {
    for (const p of this.#byContext.values()) if (p.status === null) p.failed = true;
  }

  /**
   * The unanswered request a request for `path` sent at `sent` may re-send, taken out, or null.
   * FFmpeg reuses a keep-alive connection the origin may have closed meanwhile (nginx's
   * keepalive_timeout, Node's 5 s keepAliveTimeout); the request meets end of file, and FFmpeg
   * sends it again on a new connection at once, saying nothing (9.0: `Error reading HTTP
   * response: End of file`). The origin never saw the first one
   * (testdata/ffmpeg-X/stderr_trace_keepalive_closed.txt: 83 request lines, 44 in nginx's log).
   * An origin that reads a request and closes without an answer (nginx's 444) looks the same
   * until the re-send is answered too, or not: so the re-send is counted once its fate is known.
   * A request for the same path, unanswered, sent within {@linkcode RESEND_MS}, with no lines
   * lost since and no failure logged (`keepalive request failed … timed out`), is the one
   * re-sent; a request that timed out or was answered late is not.
   */
  takeResent(path: string, sent: LineTime): PendingRequest | null {
    for (const [addr, p] of this.#byContext) {
      if (p.status !== null || p.gap || p.failed || p.resends || p.path !== path) continue;
      if (elapsedMs(p.sent, sent) > RESEND_MS) continue;
      this.#byContext.delete(addr);
      return p;
    }
    return null;
  }
}
