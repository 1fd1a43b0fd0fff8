/**
 * The one-line progress report logged every few seconds when no dashboard is up (CI logs,
 * containers): lifecycle counts and the figures a person watches.
 * @module
 */
import type { Snapshot } from "../stats/snapshot.ts";
import type { FleetView } from "../fleet/view.ts";

/** Fields of one progress line. */
export interface ProgressFields {
  [key: string]: number | null;
  running: number;
  target: number;
  started: number;
  restarts: number;
  unexpected_exits: number;
  /** Requests per second over the last 10 s. */
  requests_per_s: number | null;
  /** Failed requests in % of all, over the run. */
  error_pct: number | null;
  segment_ttfb_p95_ms: number | null;
  /** Body bytes per second over the last 10 s, in Mbit/s. */
  mbit_s: number | null;
  stalled: number;
}

/**
 * The progress fields of a snapshot and its view.
 *
 * @example Not run: it needs a running swarm's snapshot
 * ```ts ignore
 * log.info("progress", progressLine(snap, fleetView(snap)));
 * ```
 */
export function progressLine(snap: Snapshot, view: FleetView): ProgressFields {
  const round = (v: number | null, digits: number) => v === null ? null : Number(v.toFixed(digits));
  return {
    running: snap.clients.running,
    target: snap.clients.target,
    started: snap.clients.started,
    restarts: snap.lifecycle.restarts,
    unexpected_exits: snap.lifecycle.exits
      .filter((e) => !e.requested)
      .reduce((n, e) => n + e.count, 0),
    requests_per_s: round(view.rates.requests, 1),
    error_pct: view.totalRequests ? round(view.errorRate * 100, 2) : null,
    segment_ttfb_p95_ms: view.ttfbMs.segment.p95,
    mbit_s: round(view.rates.bytes === null ? null : (view.rates.bytes * 8) / 1e6, 2),
    stalled: view.playback.stalled,
  };
}
