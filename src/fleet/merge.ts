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
import { WallSeries } from "../stats/series.ts";
import { Sketch, type SketchWire } from "../stats/sketch.ts";
import {
  type ExitCount,
  type LineCounts,
  PLAYBACK_SUMS,
  type Snapshot,
  SnapshotError,
} from "./snapshot.ts";

/**
 * Merges snapshots into one. Throws a {@linkcode SnapshotError} when their sketch accuracies
 * differ (their bins would not line up). An empty list is an error too: there is nothing to
 * describe.
 *
 * @example
 * ```ts
 * const fleet = mergeSnapshots([workerA.snapshot(), workerB.snapshot()]);
 * fleet.requests.segment; // the sum of both
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
  const sum = <T extends string>(keys: readonly T[], pick: (p: Snapshot) => Record<T, number>) =>
    Object.fromEntries(keys.map((k) => [k, parts.reduce((n, p) => n + pick(p)[k], 0)])) as Record<
      T,
      number
    >;
  const series = new WallSeries();
  try {
    for (const p of parts) series.add(p.series);
  } catch (e) {
    throw new SnapshotError((e as Error).message);
  }
  return {
    version: parts[0].version,
    accuracy,
    takenAt: Math.max(...parts.map((p) => p.takenAt)),
    clients: sum(["target", "started", "running", "withMedia"], (p) => p.clients),
    lifecycle: {
      ...sum(["starts", "restarts", "spawnErrors"], (p) => p.lifecycle),
      exits: mergeExits(parts.flatMap((p) => p.lifecycle.exits)),
      uptimeMs: mergeSketches(parts.map((p) => p.lifecycle.uptimeMs), accuracy),
    },
    requests: sum(REQUEST_KINDS, (p) => p.requests),
    bytes: sum(REQUEST_KINDS, (p) => p.bytes),
    responses: Object.fromEntries(
      REQUEST_KINDS.map((kind) => {
        const codes = [...new Set(parts.flatMap((p) => Object.keys(p.responses[kind])))]
          .sort((a, b) => Number(a) - Number(b));
        return [kind, sum(codes, (p) => fillMissing(p.responses[kind], codes))];
      }),
    ) as Snapshot["responses"],
    events: sum(EVENT_KEYS, (p) => p.events),
    latency: Object.fromEntries(
      LATENCIES.map((n) => [n, mergeSketches(parts.map((p) => p.latency[n]), accuracy)]),
    ) as Snapshot["latency"],
    lines: {
      progress: sumLines(parts.map((p) => p.lines.progress)),
      stderr: sumLines(parts.map((p) => p.lines.stderr)),
      ...sum(["truncated", "degradedClients"], (p) => p.lines),
    },
    playback: {
      ...sum(PLAYBACK_SUMS, (p) => p.playback),
      maxDriftMs: Math.max(...parts.map((p) => p.playback.maxDriftMs)),
    },
    series: series.toWire(),
  };
}

function mergeSketches(wires: readonly SketchWire[], accuracy: number): SketchWire {
  const merged = new Sketch(accuracy);
  for (const w of wires) merged.merge(Sketch.fromWire(w));
  return merged.toWire();
}

function mergeExits(exits: readonly ExitCount[]): ExitCount[] {
  const byKey = new Map<string, ExitCount>();
  for (const e of exits) {
    const key = `${e.code}:${e.requested}:${e.reason}`;
    const seen = byKey.get(key);
    if (seen) seen.count += e.count;
    else byKey.set(key, { ...e });
  }
  return [...byKey.values()].sort((a, b) =>
    a.code - b.code || Number(b.requested) - Number(a.requested) ||
    String(a.reason).localeCompare(String(b.reason))
  );
}

function sumLines(parts: readonly LineCounts[]): LineCounts {
  return parts.reduce(
    (n, p) => ({
      read: n.read + p.read,
      dropped: n.dropped + p.dropped,
      parsed: n.parsed + p.parsed,
    }),
    { read: 0, dropped: 0, parsed: 0 },
  );
}

function fillMissing(
  statuses: Record<string, number>,
  keys: readonly string[],
): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, statuses[k] ?? 0]));
}
