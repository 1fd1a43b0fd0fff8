/**
 * The mergeable snapshot: everything a set of clients measured, as plain JSON that adds up
 * exactly. A worker thread, a process and a Kubernetes pod all produce one; the fleet's figures
 * are those of the merge of its shards' snapshots ({@link ../fleet/merge.ts}). Counters add, sketches
 * merge bin by bin, series align on wall-clock seconds, and averages travel as sums and counts.
 * @module
 */
import type { EventCounts } from "../events/catalog.ts";
import type { LineCounts } from "../lines/transport.ts";
import { REQUEST_KINDS, type RequestKind } from "../parser/url_kind.ts";
import { type ByKind, LATENCIES, type LatencyName } from "./http_stats.ts";
import type { SeriesWire } from "./series.ts";
import { MAX_SERIES_SECONDS, SERIES_ADDED, SERIES_FIELDS } from "./series.ts";
import { sketchKeyRange, type SketchWire } from "../math/sketch.ts";
import type { ViewerWire } from "../viewer/stats.ts";
import { CACHE_STATUSES } from "../parser/cache_headers.ts";
import { type CdnWire, MAX_WIRE_EDGES } from "./cdn.ts";
import { audienceRule, type AudienceWire } from "./audience.ts";
import type { GroupsWire } from "./groups.ts";
import { groupsRule } from "./groups_wire.ts";
import { ttfbSeriesRule, type TtfbSeriesWire } from "./ttfb_series.ts";
import { loadboxSeriesRule, type LoadboxSeriesWire } from "./loadbox_series.ts";
import {
  bool,
  count,
  type CrossCheck,
  int,
  list,
  map,
  nullable,
  num,
  obj,
  optional,
  type Rule,
  str,
  validate,
  ValidationError,
} from "./validate.ts";

/** Bumped whenever a field changes meaning; snapshots of other versions are refused. */
export const SNAPSHOT_VERSION = 3;

// One type, the transport's: a client's counts are summed into the snapshot's as they are.
export type { LineCounts };

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
  /** The viewer experience: sessions, startup, rebuffering, live latency (src/viewer/). */
  viewers: ViewerWire;
  /** What the CDN said in its response headers (src/stats/cdn.ts). */
  cdn: CdnWire;
  /** Joins, leaves, session lengths, sessions per viewer slot (src/stats/audience.ts). */
  audience: AudienceWire;
  /** By rendition (--variant-mix) and by edge address (--resolve); src/stats/groups.ts. */
  renditions?: GroupsWire["renditions"];
  edgeAddresses?: GroupsWire["edgeAddresses"];
  series: SeriesWire;
  /** Manifest and segment TTFB sketches per wall-clock interval (src/stats/ttfb_series.ts);
   * in a finished shard's snapshot (not in live ones), absent in those written before it. */
  ttfbSeries?: TtfbSeriesWire;
  /** The load box's CPU busy and capacity ms and loop lag per second
   * (src/stats/loadbox_series.ts); absent before it, and in a worker's snapshot. */
  loadboxSeries?: LoadboxSeriesWire;
}

/** The viewer fields that add up across shards (besides sessions and the sketches). */
export const VIEWER_SUMS = [
  "rebufferedSessions",
  "rebuffers",
  "rebufferMs",
  "playMs",
  "expiredSegments",
  "mediaBytes",
  "mediaMs",
] as const;
/** The start outcomes of viewer sessions. */
export const START_OUTCOMES = ["started", "vsf", "ebvs"] as const;

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

/** Wall-clock seconds a snapshot may name: 2000 to 2200. Anything else is not a clock. */
const FIRST_SECOND = Date.UTC(2000, 0, 1) / 1000;
const LAST_SECOND = Date.UTC(2200, 0, 1) / 1000;
/** Event keys (the catalog's, and any a newer catalog adds: they are a key → count map). */
const EVENT_KEY = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
/** The largest float sum a snapshot may carry (speed, drift, sketch sums): far beyond any run,
 * far below where two of them add up to Infinity. */
const MAX_FLOAT_SUM = 1e15;

/** Sketch bins that lie within the keys a real latency maps to, and add up to the count. */
const checkSketch: CrossCheck = (w) => {
  const [lo, hi] = sketchKeyRange(w.accuracy as number);
  const offset = w.offset as number, bins = w.bins as number[];
  if (bins.length && (offset < lo || offset > hi)) {
    return ["offset", `${offset} is outside ${lo} .. ${hi} (the keys of 1 µs .. 1 year)`];
  }
  if (bins.length && offset + bins.length - 1 > hi) {
    return ["bins", `${bins.length} bins from key ${offset} reach beyond key ${hi} (1 year)`];
  }
  let n = w.zeros as number;
  for (const b of bins) n += b;
  if (n !== w.count) return ["count", `${w.count} is not zeros + the bins (${n})`];
  const { min, max } = w;
  if (n > 0 && (typeof min !== "number" || typeof max !== "number" || min > max)) {
    return ["min", "min and max must be numbers, min ≤ max, when there are samples"];
  }
  return null;
};

const SKETCH: Rule = obj({
  accuracy: num(0.001, 0.5),
  count,
  sum: num(0, MAX_FLOAT_SUM),
  min: nullable(num(0, Number.MAX_VALUE)),
  max: nullable(num(0, Number.MAX_VALUE)),
  zeros: count,
  // Any integer here: checkSketch bounds it by the accuracy's key range, and says so.
  offset: int(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  bins: list(count, 100_000),
}, checkSketch);

const counts = (keys: readonly string[]): Rule =>
  obj(Object.fromEntries(keys.map((k) => [k, count])));
const LINE_COUNTS = obj({ read: count, dropped: count, parsed: count, filtered: optional(count) });

/** A cache cell's errors and timed responses are some of its requests. */
const checkCdnCell: CrossCheck = (c) => {
  const requests = c.requests as number, timed = (c.ttfbMs as { count: number }).count;
  if ((c.errors as number) > requests) {
    return ["errors", `${c.errors} is more than the requests (${requests})`];
  }
  return timed > requests
    ? ["ttfbMs.count", `${timed} is more than the requests (${requests})`]
    : null;
};

/** Series columns of one length: a second per index. */
const checkSeries: CrossCheck = (s) => {
  const cols = s.fields as Record<string, unknown[]>;
  const n = cols[SERIES_FIELDS[0]].length;
  const odd = SERIES_FIELDS.find((f) => cols[f] !== undefined && cols[f].length !== n);
  return odd
    ? [`fields.${odd}`, `${cols[odd].length} seconds, but ${SERIES_FIELDS[0]} has ${n}`]
    : null;
};

/** The viewer experience (src/viewer/stats.ts): the fleet's, and each group's. */
const VIEWERS: Rule = obj({
  sessions: counts(START_OUTCOMES),
  ...Object.fromEntries(VIEWER_SUMS.map((k) => [k, count])),
  startupMs: SKETCH,
  liveLatencyMs: SKETCH,
});

const EPOCH_SECOND = int(FIRST_SECOND, LAST_SECOND, "an epoch second from 2000 to 2200");

/** Every field of a snapshot, with the bounds real measurements stay within. */
const SNAPSHOT: Rule = obj({
  version: int(SNAPSHOT_VERSION, SNAPSHOT_VERSION),
  accuracy: num(0.001, 0.5),
  takenAt: int(FIRST_SECOND * 1000, LAST_SECOND * 1000, "epoch ms"),
  clients: counts(["target", "started", "running", "withMedia"]),
  lifecycle: obj({
    starts: count,
    restarts: count,
    spawnErrors: count,
    exits: list(
      obj({
        code: int(-(2 ** 31), 2 ** 32, "an exit code"),
        requested: bool,
        reason: nullable(str(64)),
        count,
      }),
      10_000,
    ),
    uptimeMs: SKETCH,
  }),
  requests: counts(REQUEST_KINDS),
  bytes: counts(REQUEST_KINDS),
  responses: obj(Object.fromEntries(
    REQUEST_KINDS.map((k) => [k, map(/^[1-9]\d\d$/, "an HTTP status code", count, 1000)]),
  )),
  events: map(EVENT_KEY, "an event name", count, 256),
  latency: obj(Object.fromEntries(LATENCIES.map((n) => [n, SKETCH]))),
  lines: obj({
    progress: LINE_COUNTS,
    stderr: LINE_COUNTS,
    truncated: count,
    degradedClients: count,
  }),
  playback: obj({
    keepingUp: count,
    behind: count,
    stalled: count,
    highDrift: count,
    stallEpisodes: count,
    speedSum: num(0, MAX_FLOAT_SUM),
    speedCount: count,
    driftSumMs: num(0, MAX_FLOAT_SUM),
    driftCount: count,
    maxDriftMs: num(0, MAX_FLOAT_SUM),
  }),
  viewers: VIEWERS,
  cdn: obj({
    byKind: obj(Object.fromEntries(REQUEST_KINDS.map((k) => [
      k,
      obj(Object.fromEntries(CACHE_STATUSES.map((c) => [
        c,
        obj({ requests: count, bytes: count, errors: count, ttfbMs: SKETCH }, checkCdnCell),
      ]))),
    ]))),
    // Edge names as src/parser/cache_headers.ts edgeName makes them.
    edges: map(
      /^[A-Za-z0-9._:-]{1,64}$/,
      "an edge name",
      obj({ requests: counts(CACHE_STATUSES), bytes: count, errors: count }),
      MAX_WIRE_EDGES,
    ),
    segmentAgeS: SKETCH,
  }),
  audience: audienceRule(SKETCH),
  renditions: optional(groupsRule(SKETCH, VIEWERS)),
  edgeAddresses: optional(groupsRule(SKETCH, VIEWERS)),
  series: obj({
    start: EPOCH_SECOND,
    fields: obj(Object.fromEntries(SERIES_FIELDS.map((f) => {
      const seconds = list(count, MAX_SERIES_SECONDS);
      return [f, SERIES_ADDED.includes(f) ? optional(seconds) : seconds];
    }))),
  }, checkSeries),
  ttfbSeries: optional(ttfbSeriesRule(SKETCH, EPOCH_SECOND)),
  loadboxSeries: optional(loadboxSeriesRule(EPOCH_SECOND)),
});

/**
 * Checks that `value` is a snapshot this build can merge, every field of it, and returns it
 * typed. Throws a {@linkcode SnapshotError} naming `where` (a file name, a worker), the first
 * problem's path and what is wrong. Event keys missing from an older snapshot count as 0.
 *
 * @example
 * ```ts
 * import { PartitionStats } from "./partition_stats.ts";
 * const stats = new PartitionStats({ targetClients: 1, targetDurationMs: 2000, dropThreshold: 0.01 });
 * stats.tick(performance.now(), Date.now()); // one second of the run
 * const text = JSON.stringify(stats.snapshot(Date.now())); // as a shard's summary carries it
 * const snap = readSnapshot(JSON.parse(text), "shard-3.json");
 * ```
 */
export function readSnapshot(value: unknown, where: string, path = "snapshot"): Snapshot {
  const version = typeof value === "object" && value !== null
    ? (value as { version?: unknown }).version
    : undefined;
  if (version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(
      `${where}: snapshot version ${
        typeof version === "number" ? version : typeOfVersion(version)
      } cannot be read by this hls-swarm (it reads version ${SNAPSHOT_VERSION}); merge with ` +
        "the version that wrote it",
    );
  }
  try {
    validate(value, SNAPSHOT, path);
  } catch (e) {
    if (e instanceof ValidationError) throw new SnapshotError(`${where}: ${e.message}`);
    throw e;
  }
  const snap = value as Snapshot;
  // An older snapshot's series lacks the fields added since: zeros, so every reader sees them.
  const cols = snap.series.fields;
  for (const f of SERIES_ADDED) cols[f] ??= new Array<number>(cols.segments.length).fill(0);
  return snap;
}

function typeOfVersion(v: unknown): string {
  return v === undefined ? "undefined" : v === null ? "null" : `(${typeof v})`;
}
