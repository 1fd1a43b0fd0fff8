/**
 * The reconcile report: per kind and per viewer, what hls-swarm counted, what the CDN logged,
 * what matched and what only one side has; the hit ratio by the log beside the one by the
 * response headers; per edge; the clock skew; the first unmatched as examples.
 * @module
 */
import type { CacheStatus } from "./record.ts";
import type { CdnEntry, Ignored, Outcome, Skew } from "./match.ts";
import type { SwarmRequest } from "./swarm_log.ts";

/** Counts of one kind, one viewer, or everything. */
export interface Tally {
  /** Requests in the request logs. */
  counted: number;
  /** Lines of the run's viewers in the CDN logs (lines dated outside the run excluded). */
  logged: number;
  matched: number;
  /** Matched, but the viewer got another status (or none) than the edge logged. */
  statusDiffers: number;
  onlySwarm: number;
  onlyCdn: number;
  /** Unmatched, but in flight at the run's start or stop: not mismatches. */
  explained: number;
}

/** Cache outcomes of one edge (or one kind), by the log. */
export interface CacheCounts {
  lines: number;
  hit: number;
  miss: number;
  expired: number;
  pass: number;
  error: number;
  unknown: number;
  /** hit / (hit + miss + expired + pass); null without cache fields. */
  hitRatio: number | null;
}

/** One unmatched or disagreeing request, for the eye. */
export interface Example {
  type: "only_swarm" | "only_cdn" | "status_differs";
  client: number;
  kind: string;
  path: string;
  /** hls-swarm's time (only_cdn: the CDN's time less the skew), ISO 8601. */
  time: string;
  edge: string | null;
  swarmStatus: number | null;
  cdnStatus: number | null;
  event: string | null;
}

/** The whole report (`--json` prints it). */
export interface ReconcileReport {
  version: 1;
  windowMs: number;
  skew: Skew;
  run: { start: string | null; end: string | null };
  total: Tally;
  byKind: Record<string, Tally>;
  byViewer: Record<string, Tally>;
  /** Hit ratio by kind: by the CDN's log, and by the response headers (request log). */
  hitRatio: Record<string, { log: number | null; headers: number | null }>;
  edges: Record<string, CacheCounts>;
  ignored: Ignored & { outsideRun: number };
  /** statusDiffers + onlySwarm + onlyCdn. */
  mismatches: number;
  tolerance: number;
  ok: boolean;
  examples: Example[];
}

const emptyTally = (): Tally => ({
  counted: 0,
  logged: 0,
  matched: 0,
  statusDiffers: 0,
  onlySwarm: 0,
  onlyCdn: 0,
  explained: 0,
});

const emptyCache = (): CacheCounts => ({
  lines: 0,
  hit: 0,
  miss: 0,
  expired: 0,
  pass: 0,
  error: 0,
  unknown: 0,
  hitRatio: null,
});

/** A path's kind, for lines only the CDN has (the request log gives the others'). */
const KIND_BY_EXTENSION: ReadonlyArray<readonly [RegExp, string]> = [
  [/\.m3u8$/i, "manifest"],
  [/init[^/]*\.(mp4|m4s)$/i, "init"],
  [/\.(ts|m4s|mp4|aac|m4a|vtt|cmfv|cmfa)$/i, "segment"],
];

function kindOfPath(path: string): string {
  for (const [re, kind] of KIND_BY_EXTENSION) if (re.test(path)) return kind;
  return "other";
}

/**
 * Builds the report from the matcher's outcomes.
 *
 * @param tolerance how many mismatches still pass (0: exact)
 * @example Not run: it needs a filled Matcher (match_test.ts)
 * ```ts ignore
 * const { outcomes, skew } = matcher.finish();
 * const report = buildReport({ outcomes, skew, ignored: matcher.ignored, run: matcher.run,
 *   windowMs: 2000, tolerance: 0, examples: 5, edges: ["edge-a.log"] });
 * ```
 */
export function buildReport(input: {
  outcomes: Iterable<Outcome>;
  skew: Skew;
  ignored: Ignored;
  run: { start: number; end: number };
  windowMs: number;
  tolerance: number;
  examples: number;
  /** Every edge read, so an edge with no line of the run still shows. */
  edges: readonly string[];
}): ReconcileReport {
  const total = emptyTally();
  const byKind: Record<string, Tally> = {};
  const byViewer: Record<string, Tally> = {};
  const edges: Record<string, CacheCounts> = {};
  for (const e of input.edges) edges[e] = emptyCache();
  const logCache: Record<string, CacheCounts> = {};
  const headerCache: Record<string, CacheCounts> = {};
  const examples: Example[] = [];
  let outsideRun = 0;
  const tallies = (client: number, kind: string) => [
    total,
    byKind[kind] ??= emptyTally(),
    byViewer[client] ??= emptyTally(),
  ];
  const seeCdn = (c: CdnEntry, kind: string) => {
    countCache(edges[c.edge] ??= emptyCache(), c.cache);
    countCache(logCache[kind] ??= emptyCache(), c.cache);
  };
  const seeSwarm = (s: SwarmRequest) =>
    countCache(headerCache[s.kind] ??= emptyCache(), normalise(s.cache));
  for (const o of input.outcomes) {
    if (o.type === "only_cdn" && o.outsideRun) {
      outsideRun++;
      continue;
    }
    const client = o.type === "only_cdn" ? o.cdn.client : o.swarm.client;
    const kind = o.type === "only_cdn" ? kindOfPath(o.cdn.path) : o.swarm.kind;
    for (const t of tallies(client, kind)) {
      if (o.type !== "only_cdn") t.counted++;
      if (o.type !== "only_swarm") t.logged++;
      if (o.type === "matched") {
        t.matched++;
        if (o.statusDiffers) t.statusDiffers++;
      } else if (o.explained) t.explained++;
      else if (o.type === "only_swarm") t.onlySwarm++;
      else t.onlyCdn++;
    }
    if (o.type !== "only_swarm") seeCdn(o.cdn, kind);
    if (o.type !== "only_cdn") seeSwarm(o.swarm);
    const example = exampleOf(o, kind, input.skew.ms);
    if (example) examples.push(example);
  }
  examples.sort((a, b) => a.time.localeCompare(b.time));
  for (const c of Object.values(edges)) c.hitRatio = ratio(c);
  const hitRatio: ReconcileReport["hitRatio"] = {};
  for (const kind of new Set([...Object.keys(logCache), ...Object.keys(headerCache)])) {
    hitRatio[kind] = {
      log: logCache[kind] ? ratio(logCache[kind]) : null,
      headers: headerCache[kind] ? ratio(headerCache[kind]) : null,
    };
  }
  const mismatches = total.statusDiffers + total.onlySwarm + total.onlyCdn;
  const iso = (t: number) => Number.isFinite(t) ? new Date(t).toISOString() : null;
  return {
    version: 1,
    windowMs: input.windowMs,
    skew: input.skew,
    run: { start: iso(input.run.start), end: iso(input.run.end) },
    total,
    byKind,
    byViewer,
    hitRatio,
    edges,
    ignored: { ...input.ignored, outsideRun },
    mismatches,
    tolerance: input.tolerance,
    ok: mismatches <= input.tolerance,
    examples: pickExamples(examples, input.examples),
  };
}

/** The first `n` of each type, in time order. */
function pickExamples(all: Example[], n: number): Example[] {
  const seen: Record<string, number> = {};
  return all.filter((e) => (seen[e.type] = (seen[e.type] ?? 0) + 1) <= n);
}

function exampleOf(o: Outcome, kind: string, skewMs: number): Example | null {
  if (o.type === "matched" && !o.statusDiffers) return null;
  if (o.type !== "matched" && o.explained) return null;
  const s = o.type === "only_cdn" ? null : o.swarm;
  const c = o.type === "only_swarm" ? null : o.cdn;
  return {
    type: o.type === "matched" ? "status_differs" : o.type,
    client: (s ?? c)!.client,
    kind,
    path: (s ?? c)!.path,
    time: new Date(s ? s.time : c!.time - skewMs).toISOString(),
    edge: c?.edge ?? null,
    swarmStatus: s?.status ?? null,
    cdnStatus: c?.status ?? null,
    event: s?.event ?? null,
  };
}

function countCache(c: CacheCounts, status: CacheStatus | null): void {
  c.lines++;
  if (status) c[status]++;
}

/** As the summary's CDN section counts it: a stale answer or a pass is not a hit. */
function ratio(c: CacheCounts): number | null {
  const cached = c.hit + c.miss + c.expired + c.pass;
  return cached ? c.hit / cached : null;
}

/** The request log's cache status (written by the headers' part), to this module's words. */
function normalise(s: string | null): CacheStatus | null {
  if (s === null) return null;
  if (s === "stale") return "expired";
  if (s === "bypass") return "pass";
  return (["hit", "miss", "expired", "pass", "error", "unknown"] as const).find((w) => w === s) ??
    "unknown";
}
