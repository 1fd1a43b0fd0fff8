/**
 * FFmpeg's `[tcp @ 0x…]` lines: connections made, refused, timed out, and how long a connect
 * took (attempt → success on the same context).
 * @module
 */
import type { HttpEvent } from "./http_event.ts";
import { elapsedMs, type LineTime } from "./line_time.ts";
import { count } from "./event_helpers.ts";

/**
 * One FFmpeg run's TCP connects.
 *
 * @example
 * ```ts
 * const tcp = new TcpConnects();
 * tcp.line("0x1", "Starting connection attempt to 127.0.0.1 port 80", { at: 0, stamp: null });
 * tcp.line("0x1", "Successfully connected to 127.0.0.1 port 80", { at: 2, stamp: null });
 * // [{ type: "count", key: "tcpConnected", n: 1 }, { type: "tcp_connect", ms: 2 }]
 * ```
 */
export class TcpConnects {
  #starts = new Map<string, LineTime>();

  /** One `[tcp @ addr]` message, at `time`: the events it completes. */
  line(addr: string, msg: string, time: LineTime): HttpEvent[] {
    if (msg.startsWith("Starting connection attempt")) {
      this.#starts.set(addr, time);
      return NONE;
    }
    if (msg.startsWith("Successfully connected")) {
      const start = this.#starts.get(addr);
      this.#starts.delete(addr);
      return start === undefined
        ? [count("tcpConnected")]
        : [count("tcpConnected"), { type: "tcp_connect", ms: elapsedMs(start, time) }];
    }
    if (msg.startsWith("Connection attempt to ") && msg.includes(" failed: ")) {
      this.#starts.delete(addr);
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

  /** Lines were lost, or the run ended: no connect is timed across that. */
  clear(): void {
    this.#starts.clear();
  }
}

const NONE: HttpEvent[] = [];
