/**
 * The merge of snapshots: a fleet is the merge of its shards. Counters add, sketches merge bin
 * by bin, series add on aligned wall-clock seconds, the largest drift is a max and the newest
 * time a max. Every step is associative and commutative, so shards can be merged in any order
 * and grouping (workers into a process, processes into a fleet) with the same result, up to the
 * order of floating-point additions in sketch sums.
 * @module
 */
import { EVENT_KEYS } from "../events/catalog.ts";
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import { LATENCIES } from "../stats/http_stats.ts";
import { SERIES_FIELDS, WallSeries } from "../stats/series.ts";
import { Sketch, type SketchWire } from "../math/sketch.ts";
import { mergeAudience } from "../stats/audience.ts";
import type { GroupsWire } from "../stats/groups.ts";
import { mergeGroups } from "../stats/groups_wire.ts";
import { mergeTtfbSeries, TTFB_KINDS } from "../stats/ttfb_series.ts";
import { mergeLoadboxSeries } from "../stats/loadbox_series.ts";
import type { ViewerWire } from "../viewer/stats.ts";
import { CACHE_STATUSES } from "../parser/cache_headers.ts";
import {
  addEdge,
  type CdnWire,
  type EdgeCell,
  edgeCell,
  MAX_WIRE_EDGES,
  topEdges,
} from "../stats/cdn.ts";
import {
  type ExitCount,
  PLAYBACK_SUMS,
  type Snapshot,
  SnapshotError,
  START_OUTCOMES,
  VIEWER_SUMS,
} from "../stats/snapshot.ts";

/**
 * Merges snapshots into one. Throws a {@linkcode SnapshotError} when their sketch accuracies
 * differ (their bins would not line up). An empty list is an error too: there is nothing to
 * describe.
 *
 * @example
 * ```ts
 * import { PartitionStats } from "../stats/partition_stats.ts";
 * const worker = () => new PartitionStats({ targetClients: 1, targetDurationMs: 2000, dropThreshold: 0.01 });
 * const fleet = mergeSnapshots([worker().snapshot(Date.now()), worker().snapshot(Date.now())]);
 * fleet.requests.segment; // the sum of both: 0
 * ```
 */
export function mergeSnapshots(parts: readonly Snapshot[]): Snapshot {
  if (!parts.length) throw new SnapshotError("nothing to merge");
  const accuracy = parts[0].accuracy;
  const odd = parts.find((p) => p.accuracy !== accuracy);
  if (odd) {
    throw new SnapshotError(
      `cannot merge sketches of relative accuracy ${accuracy} and ${odd.accuracy}; ` +
        "every shard must run the same hls-swarm version",
    );
  }
  // Every sum is checked: counts must stay exact (below 2^53), float sums finite. Two shards
  // claiming 1.7e308 requests each once added up to Infinity, which JSON wrote as null and a
  // threshold then passed.
  const sum = <T extends string>(
    keys: readonly T[],
    pick: (p: Snapshot) => Partial<Record<T, number>>,
    path: string,
  ): Record<T, number> => {
    const out = {} as Record<T, number>;
    for (const k of keys) {
      const total = parts.reduce((n, p) => n + (pick(p)[k] ?? 0), 0);
      out[k] = FLOAT_SUMS.has(k) ? finite(total, `${path}.${k}`) : exact(total, `${path}.${k}`);
    }
    return out;
  };
  const series = new WallSeries();
  try {
    for (const p of parts) series.add(p.series);
  } catch (e) {
    throw new SnapshotError((e as Error).message);
  }
  const seriesWire = series.toWire();
  for (const f of SERIES_FIELDS) {
    for (const v of seriesWire.fields[f]) exact(v, `series.fields.${f}`);
  }
  return {
    version: parts[0].version,
    accuracy,
    takenAt: parts.reduce((m, p) => Math.max(m, p.takenAt), -Infinity),
    clients: sum(["target", "started", "running", "withMedia"], (p) => p.clients, "clients"),
    lifecycle: {
      ...sum(["starts", "restarts", "spawnErrors"], (p) => p.lifecycle, "lifecycle"),
      exits: mergeExits(parts.flatMap((p) => p.lifecycle.exits)),
      uptimeMs: mergeSketches(
        parts.map((p) => p.lifecycle.uptimeMs),
        accuracy,
        "lifecycle.uptimeMs",
      ),
    },
    requests: sum(REQUEST_KINDS, (p) => p.requests, "requests"),
    bytes: sum(REQUEST_KINDS, (p) => p.bytes, "bytes"),
    responses: Object.fromEntries(
      REQUEST_KINDS.map((kind) => {
        const codes = [...new Set(parts.flatMap((p) => Object.keys(p.responses[kind])))]
          .sort((a, b) => Number(a) - Number(b));
        return [kind, sum(codes, (p) => p.responses[kind], `responses.${kind}`)];
      }),
    ) as Snapshot["responses"],
    events: sum(EVENT_KEYS, (p) => p.events, "events"),
    latency: Object.fromEntries(
      LATENCIES.map((n) => [
        n,
        mergeSketches(parts.map((p) => p.latency[n]), accuracy, `latency.${n}`),
      ]),
    ) as Snapshot["latency"],
    lines: {
      progress: sum(LINE_COUNT_KEYS, (p) => p.lines.progress, "lines.progress"),
      stderr: sum(LINE_COUNT_KEYS, (p) => p.lines.stderr, "lines.stderr"),
      ...sum(["truncated", "degradedClients"], (p) => p.lines, "lines"),
    },
    playback: {
      ...sum(PLAYBACK_SUMS, (p) => p.playback, "playback"),
      maxDriftMs: parts.reduce((m, p) => Math.max(m, p.playback.maxDriftMs), 0),
    },
    viewers: mergeViewers(parts.map((p) => p.viewers), accuracy, "viewers"),
    cdn: mergeCdn(parts.map((p) => p.cdn), accuracy),
    audience: mergeAudience(
      parts.map((p) => p.audience),
      (wires, path) => mergeSketches(wires, accuracy, path),
      exact,
    ),
    ...mergeAllGroups(parts, accuracy),
    series: seriesWire,
    ...mergeLaterSeries(parts, accuracy),
  };
}

/**
 * The TTFB sketches per interval and the load box's seconds, present when a part has them (a
 * part without covers no second of them).
 */
function mergeLaterSeries(
  parts: readonly Snapshot[],
  accuracy: number,
): Pick<Snapshot, "ttfbSeries" | "loadboxSeries"> {
  let ttfbSeries, loadboxSeries;
  try {
    ttfbSeries = mergeTtfbSeries(parts.map((p) => p.ttfbSeries), accuracy);
    loadboxSeries = mergeLoadboxSeries(parts.map((p) => p.loadboxSeries));
  } catch (e) {
    // A span beyond the bound (clocks a week apart), or sketches of another accuracy.
    if (e instanceof RangeError) throw new SnapshotError(e.message);
    throw e;
  }
  for (const kind of TTFB_KINDS) {
    for (const w of ttfbSeries?.[kind] ?? []) {
      exact(w.count, `ttfbSeries.${kind}.count`);
      finite(w.sum, `ttfbSeries.${kind}.sum`);
    }
  }
  // Busy and capacity are sums of counts; the lag is a max, which stays what a part said.
  for (const f of ["cpuBusyMs", "cpuCapacityMs"] as const) {
    for (const v of loadboxSeries?.[f] ?? []) exact(v, `loadboxSeries.${f}`);
  }
  return {
    ...(ttfbSeries ? { ttfbSeries } : {}),
    ...(loadboxSeries ? { loadboxSeries } : {}),
  };
}

/** The viewer experience: sessions and sums add, sketches merge (the fleet's and each group's). */
function mergeViewers(wires: readonly ViewerWire[], accuracy: number, path: string): ViewerWire {
  const add = (pick: (w: ViewerWire) => number, f: string) =>
    exact(wires.reduce((n, w) => n + pick(w), 0), `${path}.${f}`);
  const sessions = Object.fromEntries(
    START_OUTCOMES.map((o) => [o, add((w) => w.sessions[o], `sessions.${o}`)]),
  ) as ViewerWire["sessions"];
  const sums = Object.fromEntries(VIEWER_SUMS.map((k) => [k, add((w) => w[k], k)])) as Record<
    typeof VIEWER_SUMS[number],
    number
  >;
  return {
    sessions,
    ...sums,
    startupMs: mergeSketches(wires.map((w) => w.startupMs), accuracy, `${path}.startupMs`),
    liveLatencyMs: mergeSketches(
      wires.map((w) => w.liveLatencyMs),
      accuracy,
      `${path}.liveLatencyMs`,
    ),
  };
}

/** By rendition and by edge address (src/stats/groups_wire.ts): present when a part has them. */
function mergeAllGroups(parts: readonly Snapshot[], accuracy: number): GroupsWire {
  const tools = {
    exact,
    sketches: (w: readonly SketchWire[], path: string) => mergeSketches(w, accuracy, path),
    viewers: (w: readonly ViewerWire[], path: string) => mergeViewers(w, accuracy, path),
  };
  const renditions = mergeGroups(parts.map((p) => p.renditions), "renditions", tools);
  const edgeAddresses = mergeGroups(parts.map((p) => p.edgeAddresses), "edgeAddresses", tools);
  return { ...(renditions ? { renditions } : {}), ...(edgeAddresses ? { edgeAddresses } : {}) };
}

/**
 * CDN figures: cells add, sketches merge; edge maps merge as their union, exactly while it holds
 * at most {@linkcode MAX_WIRE_EDGES} edges, beyond which the smallest fold into `other`.
 */
function mergeCdn(parts: readonly CdnWire[], accuracy: number): CdnWire {
  const byKind = Object.fromEntries(REQUEST_KINDS.map((k) => [
    k,
    Object.fromEntries(CACHE_STATUSES.map((c) => {
      const path = `cdn.byKind.${k}.${c}`;
      const cells = parts.map((p) => p.byKind[k][c]);
      const add = (f: "requests" | "bytes" | "errors") =>
        exact(cells.reduce((n, x) => n + x[f], 0), `${path}.${f}`);
      return [c, {
        requests: add("requests"),
        bytes: add("bytes"),
        errors: add("errors"),
        ttfbMs: mergeSketches(cells.map((x) => x.ttfbMs), accuracy, `${path}.ttfbMs`),
      }];
    })),
  ])) as CdnWire["byKind"];
  const union: Record<string, EdgeCell> = {};
  for (const p of parts) {
    for (const [name, e] of Object.entries(p.edges)) addEdge(union[name] ??= edgeCell(), e);
  }
  for (const [name, e] of Object.entries(union)) {
    for (const c of CACHE_STATUSES) exact(e.requests[c], `cdn.edges.${name}.requests.${c}`);
    exact(e.bytes, `cdn.edges.${name}.bytes`);
    exact(e.errors, `cdn.edges.${name}.errors`);
  }
  const edges = Object.keys(union).length > MAX_WIRE_EDGES
    ? Object.fromEntries(topEdges(union, MAX_WIRE_EDGES - 1))
    : Object.fromEntries(Object.entries(union).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    byKind,
    edges,
    segmentAgeS: mergeSketches(parts.map((p) => p.segmentAgeS), accuracy, "cdn.segmentAgeS"),
  };
}

function mergeSketches(wires: readonly SketchWire[], accuracy: number, path: string): SketchWire {
  const merged = new Sketch(accuracy);
  for (const w of wires) merged.merge(Sketch.fromWire(w));
  const wire = merged.toWire();
  exact(wire.count, `${path}.count`);
  finite(wire.sum, `${path}.sum`);
  return wire;
}

/** Fields that are sums of measurements, not counts. */
const FLOAT_SUMS: ReadonlySet<string> = new Set(["speedSum", "driftSumMs"]);
/** A stream's line counts; `filtered` is absent (0) in snapshots from before the fan-in filtered. */
const LINE_COUNT_KEYS = ["read", "dropped", "parsed", "filtered"] as const;

/** `n`, when a sum of counts is still exact; else a SnapshotError naming `path`. */
function exact(n: number, path: string): number {
  if (Number.isSafeInteger(n)) return n;
  throw new SnapshotError(`${path}: the parts add up to ${n}, beyond 2^53 where counts stay exact`);
}

/** `n`, when a sum of measurements is finite; else a SnapshotError naming `path`. */
function finite(n: number, path: string): number {
  if (Number.isFinite(n)) return n;
  throw new SnapshotError(`${path}: the parts add up to ${n}`);
}

function mergeExits(exits: readonly ExitCount[]): ExitCount[] {
  const byKey = new Map<string, ExitCount>();
  for (const e of exits) {
    const key = `${e.code}:${e.requested}:${e.reason}`;
    const seen = byKey.get(key);
    if (seen) seen.count = exact(seen.count + e.count, "lifecycle.exits.count");
    else byKey.set(key, { ...e });
  }
  return [...byKey.values()].sort((a, b) =>
    a.code - b.code || Number(b.requested) - Number(a.requested) ||
    String(a.reason).localeCompare(String(b.reason))
  );
}
