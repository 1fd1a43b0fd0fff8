/**
 * The mergeable snapshot: everything a set of clients measured, as plain JSON that adds up
 * exactly. A worker thread, a process and a Kubernetes pod all produce one; the fleet's figures
 * are those of the merge of its shards' snapshots ({@link ./merge.ts}). Counters add, sketches
 * merge bin by bin, series align on wall-clock seconds, and averages travel as sums and counts.
 * @module
 */
import { EVENT_KEYS, type EventCounts } from "../events/catalog.ts";
import { REQUEST_KINDS, type RequestKind } from "../parser/url_kind.ts";
import { type ByKind, LATENCIES, type LatencyName } from "../stats/http_stats.ts";
import type { SeriesWire } from "../stats/series.ts";
import { SERIES_FIELDS } from "../stats/series.ts";
import type { SketchWire } from "../stats/sketch.ts";

/** Bumped whenever a field changes meaning; snapshots of other versions are refused. */
export const SNAPSHOT_VERSION = 1;

/** Line counts of one output stream. */
export interface LineCounts {
  read: number;
  dropped: number;
  parsed: number;
}

/** FFmpeg exits grouped by code and by why hls-swarm asked (null reason: it did not). */
export interface ExitCount {
  code: number;
  requested: boolean;
  reason: string | null;
  count: number;
}

/** Everything a set of clients measured. Every field merges exactly (see merge.ts). */
export interface Snapshot {
  version: typeof SNAPSHOT_VERSION;
  /** Relative accuracy of every sketch in it. */
  accuracy: number;
  /** Wall-clock ms at which it was taken (a merge keeps the latest). */
  takenAt: number;
  clients: {
    /** Clients this set was asked to run. */
    target: number;
    /** Clients started at least once. */
    started: number;
    /** Clients whose FFmpeg runs now. */
    running: number;
    /** Clients whose FFmpeg decoded media at least once (from -progress). */
    withMedia: number;
  };
  lifecycle: {
    starts: number;
    restarts: number;
    spawnErrors: number;
    exits: ExitCount[];
    /** Uptime of every ended FFmpeg run. */
    uptimeMs: SketchWire;
  };
  requests: ByKind;
  bytes: ByKind;
  /** Responses by request kind, then by status code (a string key, for JSON). */
  responses: Record<RequestKind, Record<string, number>>;
  events: EventCounts;
  latency: Record<LatencyName, SketchWire>;
  lines: {
    progress: LineCounts;
    stderr: LineCounts;
    /** Overlong lines, kept truncated. */
    truncated: number;
    /** Clients whose share of dropped lines exceeds the run's threshold. */
    degradedClients: number;
  };
  /** Playback at the moment of the snapshot, as counts and sums so averages merge. */
  playback: {
    keepingUp: number;
    behind: number;
    stalled: number;
    highDrift: number;
    stallEpisodes: number;
    speedSum: number;
    speedCount: number;
    driftSumMs: number;
    driftCount: number;
    maxDriftMs: number;
  };
  series: SeriesWire;
}

/** The playback fields that add up across shards (maxDriftMs is a max). */
export const PLAYBACK_SUMS = [
  "keepingUp",
  "behind",
  "stalled",
  "highDrift",
  "stallEpisodes",
  "speedSum",
  "speedCount",
  "driftSumMs",
  "driftCount",
] as const;

/** A snapshot that cannot be used: wrong version, wrong accuracy, or malformed. */
export class SnapshotError extends Error {
  override name = "SnapshotError";
}

/**
 * Checks that `value` is a snapshot this build can merge, and returns it typed. Every problem
 * found is listed in one error, prefixed with `where` (a file name, a worker).
 *
 * @example
 * ```ts
 * const snap = readSnapshot(JSON.parse(text), "shard-3.json");
 * ```
 */
export function readSnapshot(value: unknown, where: string): Snapshot {
  const problems: string[] = [];
  const obj = (v: unknown, path: string): Record<string, unknown> => {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      return v as Record<string, unknown>;
    }
    problems.push(`${path}: expected an object`);
    return {};
  };
  const num = (o: Record<string, unknown>, key: string, path: string) => {
    const v = o[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      problems.push(`${path}.${key}: expected a non-negative number (got ${JSON.stringify(v)})`);
    }
  };
  const nums = (o: Record<string, unknown>, keys: readonly string[], path: string) =>
    keys.forEach((k) => num(o, k, path));

  const s = obj(value, "snapshot");
  if (s.version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(
      `${where}: snapshot version ${JSON.stringify(s.version)} cannot be read by this ` +
        `hls-swarm (it reads version ${SNAPSHOT_VERSION}); merge with the version that wrote it`,
    );
  }
  num(s, "accuracy", "snapshot");
  num(s, "takenAt", "snapshot");
  nums(obj(s.clients, "clients"), ["target", "started", "running", "withMedia"], "clients");
  const life = obj(s.lifecycle, "lifecycle");
  nums(life, ["starts", "restarts", "spawnErrors"], "lifecycle");
  if (!Array.isArray(life.exits)) problems.push("lifecycle.exits: expected a list");
  else {
    life.exits.forEach((e, i) => {
      const x = obj(e, `lifecycle.exits[${i}]`);
      if (!Number.isInteger(x.code)) problems.push(`lifecycle.exits[${i}].code: not an integer`);
      num(x, "count", `lifecycle.exits[${i}]`);
    });
  }
  sketch(life.uptimeMs, "lifecycle.uptimeMs");
  nums(obj(s.requests, "requests"), REQUEST_KINDS, "requests");
  nums(obj(s.bytes, "bytes"), REQUEST_KINDS, "bytes");
  const responses = obj(s.responses, "responses");
  for (const kind of REQUEST_KINDS) {
    const byStatus = obj(responses[kind], `responses.${kind}`);
    for (const code of Object.keys(byStatus)) {
      if (!/^\d{3}$/.test(code)) problems.push(`responses.${kind}: "${code}" is not a status code`);
    }
    nums(byStatus, Object.keys(byStatus), `responses.${kind}`);
  }
  nums(obj(s.events, "events"), EVENT_KEYS, "events");
  const latency = obj(s.latency, "latency");
  for (const name of LATENCIES) sketch(latency[name], `latency.${name}`);
  const lines = obj(s.lines, "lines");
  nums(obj(lines.progress, "lines.progress"), ["read", "dropped", "parsed"], "lines.progress");
  nums(obj(lines.stderr, "lines.stderr"), ["read", "dropped", "parsed"], "lines.stderr");
  nums(lines, ["truncated", "degradedClients"], "lines");
  nums(obj(s.playback, "playback"), [...PLAYBACK_SUMS, "maxDriftMs"], "playback");
  const series = obj(s.series, "series");
  if (!Number.isInteger(series.start)) problems.push("series.start: expected an epoch second");
  const fields = obj(series.fields, "series.fields");
  for (const f of SERIES_FIELDS) {
    const col = fields[f];
    if (!Array.isArray(col) || col.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
      problems.push(`series.fields.${f}: expected a list of numbers`);
    }
  }
  if (problems.length) {
    throw new SnapshotError(`${where}: not a valid snapshot: ${problems.join("; ")}`);
  }
  return value as Snapshot;

  function sketch(v: unknown, path: string): void {
    const w = obj(v, path);
    nums(w, ["accuracy", "count", "sum", "zeros"], path);
    if (!Number.isInteger(w.offset)) problems.push(`${path}.offset: not an integer`);
    if (!Array.isArray(w.bins)) problems.push(`${path}.bins: expected a list`);
  }
}
