/**
 * How well parsing kept up with FFmpeg's output: lines read, dropped and parsed per stream, and
 * how many clients dropped more than the degraded threshold. Metrics built from a degraded
 * client's lines undercount; the summary says so.
 * @module
 */
import type { LineCounts } from "../lines/lossy_queue.ts";

/** The two output streams of every client. */
export type StreamName = "progress" | "stderr";

/** Counts of one client's streams. */
export type ClientLineCounts = Record<StreamName, LineCounts>;

/** Fleet-wide pipeline health. */
export interface LineHealth {
  byStream: Record<StreamName, LineCounts>;
  read: number;
  dropped: number;
  /** dropped / read over all clients (0 when nothing was read). */
  dropRate: number;
  /** Clients whose own drop rate exceeds the threshold. */
  degradedClients: number;
  threshold: number;
  /** Lines longer than the limit, kept truncated (counted at each FFmpeg run's end). */
  truncated: number;
}

/**
 * Sums per-client counts and finds the degraded clients.
 *
 * @example
 * ```ts
 * const h = lineHealth([{ progress: { read: 10, dropped: 0, parsed: 10 },
 *   stderr: { read: 100, dropped: 5, parsed: 95 } }], 0.01);
 * h.degradedClients; // 1 (5 of 110 lines dropped is above 1 %)
 * ```
 */
export function lineHealth(
  clients: Iterable<ClientLineCounts>,
  threshold: number,
  truncated = 0,
): LineHealth {
  const zero = (): LineCounts => ({ read: 0, dropped: 0, parsed: 0 });
  const byStream: Record<StreamName, LineCounts> = { progress: zero(), stderr: zero() };
  let degradedClients = 0;
  for (const client of clients) {
    let read = 0, dropped = 0;
    for (const stream of ["progress", "stderr"] as const) {
      const c = client[stream];
      byStream[stream].read += c.read;
      byStream[stream].dropped += c.dropped;
      byStream[stream].parsed += c.parsed;
      read += c.read;
      dropped += c.dropped;
    }
    if (read > 0 && dropped / read > threshold) degradedClients++;
  }
  const read = byStream.progress.read + byStream.stderr.read;
  const dropped = byStream.progress.dropped + byStream.stderr.dropped;
  return {
    byStream,
    read,
    dropped,
    dropRate: read ? dropped / read : 0,
    degradedClients,
    threshold,
    truncated,
  };
}
