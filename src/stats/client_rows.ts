/**
 * One row per client for the dashboard's table and the per-client metrics (tier 2): each
 * client's counters and playback state, worst first.
 * @module
 */
import { STALL_SPEED } from "./playback.ts";
import type { ClientRecord } from "./partition_stats.ts";
import type { ByKind } from "./http_stats.ts";

/** One client's figures. */
export interface ClientRow {
  id: number;
  status: "stalled" | "behind" | "ok" | "waiting";
  /** Recent speed (media seconds per wall second), or FFmpeg's average before that is known. */
  speed: number | null;
  driftMs: number | null;
  maxDriftMs: number;
  stalls: number;
  requests: ByKind;
  failed: number;
  bytes: number;
}

/**
 * The rows of `clients`, worst first: stalled, then most failed requests, then highest drift,
 * then by id so the order is stable between frames. At most `limit` rows.
 *
 * @example Not run: it needs a shard's clients
 * ```ts ignore
 * clientRows(shard.stats.clients.values(), 10)[0].status; // "stalled" when any client is
 * ```
 */
export function clientRows(clients: Iterable<ClientRecord>, limit = Infinity): ClientRow[] {
  const rows: ClientRow[] = [];
  for (const c of clients) {
    const s = c.state;
    const speed = s.recentSpeed ?? s.speed;
    rows.push({
      id: c.id,
      status: !s.hasMedia
        ? "waiting"
        : s.stalled
        ? "stalled"
        : speed !== null && speed < STALL_SPEED
        ? "behind"
        : "ok",
      speed,
      driftMs: s.driftMs,
      maxDriftMs: c.playback.maxDriftMs,
      stalls: c.playback.stalls,
      requests: { ...c.requests },
      failed: c.failed,
      bytes: c.bytes,
    });
  }
  return sortWorstFirst(rows).slice(0, limit);
}

/**
 * Sorts rows worst first (in place), so rows of several shards can be merged and cut again.
 *
 * @example Not run: it needs the shards' client rows
 * ```ts ignore
 * sortWorstFirst([...rowsA, ...rowsB]).slice(0, 10);
 * ```
 */
export function sortWorstFirst(rows: ClientRow[]): ClientRow[] {
  const rank = (r: ClientRow) => r.status === "stalled" ? 0 : 1;
  return rows.sort((a, b) =>
    rank(a) - rank(b) || b.failed - a.failed || (b.driftMs ?? -1) - (a.driftMs ?? -1) ||
    a.id - b.id
  );
}
