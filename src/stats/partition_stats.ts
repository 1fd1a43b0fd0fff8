/**
 * Everything a partition (a set of a process's clients) measures: the fleet-level counters and sketches of its
 * clients, each client's light counters and playback, the lifecycle, and the per-second series.
 * {@linkcode PartitionStats.snapshot} turns it into the mergeable {@link ./snapshot.ts}.
 *
 * Per-client state is deliberately small (counters and a playback tracker, no sketches): a
 * client's samples go straight into the partition's sketches, which is the same as merging per-client
 * sketches and costs a fraction of the memory.
 * @module
 */
import { type Snapshot, SNAPSHOT_VERSION } from "./snapshot.ts";
import { type ClientLineCounts, zeroLineCounts } from "../lines/transport.ts";
import type { ProgressBlock } from "../parser/progress.ts";
import type { HttpEvent } from "../parser/http_event.ts";
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import { type ByKind, byKind, HttpStats, LATENCIES } from "./http_stats.ts";
import { CdnStats } from "./cdn.ts";
import { AudienceStats } from "./audience.ts";
import { type ClientGroups, GroupStats } from "./groups.ts";
import { LifecycleStats } from "./lifecycle.ts";
import { HIGH_DRIFT_MS, type PlaybackState, PlaybackTracker, STALL_SPEED } from "./playback.ts";
import { SERIES_COUNTERS, type SeriesCounter, type SeriesValues, WallSeries } from "./series.ts";
import { SKETCH_ACCURACY } from "../math/sketch.ts";
import { TtfbSeries } from "./ttfb_series.ts";
import type { SessionTotals } from "../viewer/session.ts";
import { ViewerStats } from "../viewer/stats.ts";
import { Viewer } from "../viewer/viewer.ts";

/** One client's figures; they live as long as the client, across FFmpeg restarts. */
export interface ClientRecord {
  id: number;
  requests: ByKind;
  bytes: number;
  /** Responses ≥ 400 plus unanswered requests. */
  failed: number;
  playback: PlaybackTracker;
  state: PlaybackState;
  /** The client as a viewer: its current viewing session (src/viewer/). */
  viewer: Viewer;
  /** The client's pipeline counts, read from its queues. */
  lines(): ClientLineCounts;
}

/** How a partition judges its clients. */
export interface PartitionStatsOptions {
  /** Clients the partition was asked to run. */
  targetClients: number;
  /** Expected segment duration, for stall detection. */
  targetDurationMs: number;
  /** A client whose dropped-line share exceeds this is degraded. */
  dropThreshold: number;
  /** The virtual player's startup buffer (`--player-buffer`); default: one target duration. */
  playerBufferMs?: number;
  /** Each client's rendition and edge address, for the figures by group (src/stats/groups.ts). */
  groupsOf?: (id: number) => ClientGroups;
}

/** Kinds of parser error a partition logs; more kinds are counted but not logged (a flood of bugs). */
const LOGGED_PARSER_ERROR_KINDS = 20;

const NO_LINES: ClientLineCounts = {
  progress: { read: 0, dropped: 0, parsed: 0 },
  stderr: { read: 0, dropped: 0, parsed: 0 },
};

/**
 * A partition's statistics.
 *
 * @example
 * ```ts
 * const stats = new PartitionStats({ targetClients: 2, targetDurationMs: 2000, dropThreshold: 0.01 });
 * stats.record(0, { type: "request", req: 1, kind: "segment", path: "/s1.ts", at: 0 });
 * stats.tick(performance.now(), Date.now());
 * stats.snapshot(Date.now()).requests.segment; // 1
 * ```
 */
export class PartitionStats {
  readonly http = new HttpStats();
  readonly lifecycle = new LifecycleStats();
  /** Joins, leaves and session lengths (src/stats/audience.ts). */
  readonly audience = new AudienceStats();
  readonly series = new WallSeries();
  /**
   * Manifest and segment TTFB per wall-clock interval, beside the whole-run sketches. In the
   * snapshot once the partition has finished (its final tick): no live reader plots it, and a
   * worker's report a second would otherwise copy up to 1,440 sketches, and the main thread
   * merge them, every second (bench/series_bench.ts: 17 ms per 1-hour partition).
   */
  readonly ttfb = new TtfbSeries(SKETCH_ACCURACY);
  #finished = false;
  readonly viewers = new ViewerStats();
  readonly cdn = new CdnStats();
  readonly clients = new Map<number, ClientRecord>();
  readonly #parserErrorKinds = new Set<string>();
  /** Totals at the previous tick, so each second gets what happened in it. */
  #last: Record<SeriesCounter, number> = Object.fromEntries(
    SERIES_COUNTERS.map((f) => [f, 0]),
  ) as Record<SeriesCounter, number>;

  /** Monotonic time of the last tick: live sessions' running totals are taken at it. */
  #lastTickAt = 0;

  /** By rendition and by edge address (src/stats/groups.ts). */
  readonly groups: GroupStats;

  constructor(readonly options: PartitionStatsOptions) {
    this.groups = new GroupStats(options.groupsOf ?? null);
  }

  /** Client `id`'s record, created on first use. */
  client(id: number, lines: () => ClientLineCounts = () => NO_LINES): ClientRecord {
    let c = this.clients.get(id);
    if (!c) {
      c = {
        id,
        requests: byKind(),
        bytes: 0,
        failed: 0,
        playback: new PlaybackTracker(this.options.targetDurationMs),
        state: { hasMedia: false, speed: null, recentSpeed: null, stalled: false, driftMs: null },
        viewer: new Viewer(
          this.groups.viewerStats(id, this.viewers),
          this.options.playerBufferMs ?? this.options.targetDurationMs,
        ),
        lines,
      };
      this.clients.set(id, c);
    }
    return c;
  }

  /** Records one stderr event of client `id`. */
  record(id: number, e: HttpEvent): void {
    this.http.apply(e);
    // The same samples as the whole-run sketches http.apply just fed, so the intervals add up
    // to them.
    if (e.type === "response" && e.ttfbMs !== null) {
      if (e.kind === "manifest" || e.kind === "segment") this.ttfb.add(e.kind, e.ttfbMs);
    }
    const c = this.client(id);
    c.viewer.event(e);
    if (e.type === "cache" || e.type === "body_bytes") this.cdn.record(id, e);
    this.groups.record(id, e);
    if (e.type === "request") c.requests[e.kind]++;
    else if (e.type === "body_bytes") c.bytes += e.bytes;
    else if (
      (e.type === "response" && e.status >= 400) || (e.type === "count" && e.key === "unanswered")
    ) c.failed++;
  }

  /**
   * Counts a line of client `id` that a parser threw on (`parserErrors`). True the first time
   * this partition sees that `kind` of error (src/client/runner.ts logs it then): a bug that trips
   * on every line is logged once, not once a line.
   */
  parserError(id: number, kind: string): boolean {
    this.record(id, { type: "count", key: "parserErrors", n: 1 });
    const kinds = this.#parserErrorKinds;
    if (kinds.has(kind) || kinds.size >= LOGGED_PARSER_ERROR_KINDS) return false;
    kinds.add(kind);
    return true;
  }

  /** Records one progress block of client `id`, arrived at monotonic `at`. */
  recordProgress(id: number, block: ProgressBlock, at: number): void {
    if (block.frame) this.lifecycle.onMedia(id);
    const c = this.client(id);
    c.playback.onProgress(block, at);
    c.viewer.progress(block, at);
  }

  /**
   * The 1 s tick, run just after each wall-clock second: evaluates every client's playback and
   * adds what happened since the last tick to the second that just ended. With `final` (the
   * run's last tick, mid-second) it goes to the current second instead.
   */
  tick(now: number, wallNow: number, final = false): void {
    let stalled = 0;
    this.#lastTickAt = now;
    const live: SessionTotals[] = [];
    for (const c of this.clients.values()) {
      c.state = c.playback.state(now);
      if (c.state.stalled) stalled++;
      // One live-latency sample per viewer-second (program date-time streams only).
      const latency = c.viewer.liveLatencyMs(now, wallNow);
      if (latency !== null) {
        this.viewers.liveLatency(latency);
        this.groups.liveLatency(c.id, latency);
      }
      const totals = c.viewer.totalsAt(now);
      if (totals) live.push(totals);
    }
    const h = this.http;
    const v = this.viewers.sums(live);
    const totals: Record<SeriesCounter, number> = {
      manifests: h.requests.manifest,
      segments: h.requests.segment,
      inits: h.requests.init,
      others: h.requests.other,
      bytes: h.totalBytes,
      errors: h.failedRequests,
      errors4xx: h.responsesWithin(400, 499),
      errors5xx: h.responsesWithin(500, 599),
      videoStarts: v.sessions.started,
      startFailures: v.sessions.vsf,
      exitsBeforeStart: v.sessions.ebvs,
      rebuffers: v.rebuffers,
      rebufferMs: v.rebufferMs,
      playMs: v.playMs,
      joins: this.audience.joins,
      leaves: this.audience.leaves,
    };
    // The target is the plan's, set by the process that runs it (src/swarm/audience.ts).
    const values = { running: this.lifecycle.running, stalled, target: 0 } as SeriesValues;
    for (const f of SERIES_COUNTERS) {
      // A live session's rebuffer and play time is projected to `now`; a line that arrives
      // late can revise it down. A second never gets a negative count: what was projected
      // stays, and the next seconds count from the highest total seen.
      values[f] = Math.max(0, totals[f] - this.#last[f]);
      this.#last[f] = Math.max(this.#last[f], totals[f]);
    }
    const second = Math.floor(wallNow / 1000) - (final ? 0 : 1);
    this.series.accumulate(second, values);
    this.ttfb.close(second);
    if (final) this.#finished = true;
  }

  /** Everything measured so far, as a mergeable snapshot taken at wall time `wallNow`. */
  snapshot(wallNow: number): Snapshot {
    const h = this.http;
    const life = this.lifecycle;
    const lines = { progress: zeroLineCounts(), stderr: zeroLineCounts() };
    const play = {
      keepingUp: 0,
      behind: 0,
      stalled: 0,
      highDrift: 0,
      stallEpisodes: 0,
      speedSum: 0,
      speedCount: 0,
      driftSumMs: 0,
      driftCount: 0,
      maxDriftMs: 0,
    };
    const live: SessionTotals[] = [];
    let degraded = 0;
    for (const c of this.clients.values()) {
      const counts = c.lines();
      let read = 0, dropped = 0;
      for (const stream of ["progress", "stderr"] as const) {
        const l = counts[stream];
        lines[stream].read += l.read;
        lines[stream].dropped += l.dropped;
        lines[stream].parsed += l.parsed;
        lines[stream].filtered = (lines[stream].filtered ?? 0) + (l.filtered ?? 0);
        read += l.read;
        dropped += l.dropped;
      }
      if (read > 0 && dropped / read > this.options.dropThreshold) degraded++;
      const totals = c.viewer.totalsAt(this.#lastTickAt);
      if (totals) live.push(totals);
      play.stallEpisodes += c.playback.stalls;
      play.maxDriftMs = Math.max(play.maxDriftMs, c.playback.maxDriftMs);
      const s = c.state;
      if (!s.hasMedia) continue;
      if (s.stalled) play.stalled++;
      const speed = s.recentSpeed ?? s.speed;
      if (speed !== null) {
        if (speed >= STALL_SPEED) play.keepingUp++;
        else play.behind++;
        play.speedSum += speed;
        play.speedCount++;
      }
      if (s.driftMs !== null) {
        play.driftSumMs += Math.max(0, s.driftMs);
        play.driftCount++;
        if (s.driftMs > HIGH_DRIFT_MS) play.highDrift++;
      }
    }
    return {
      version: SNAPSHOT_VERSION,
      accuracy: SKETCH_ACCURACY,
      takenAt: wallNow,
      clients: {
        target: this.options.targetClients,
        started: life.startedClients,
        running: life.running,
        withMedia: life.clientsWithMedia,
      },
      lifecycle: {
        starts: life.starts,
        restarts: life.restarts,
        spawnErrors: life.spawnErrors,
        exits: life.exits(),
        uptimeMs: life.uptimeMs.toWire(),
      },
      requests: { ...h.requests },
      bytes: { ...h.bytes },
      responses: Object.fromEntries(
        REQUEST_KINDS.map((
          k,
        ) => [k, Object.fromEntries([...h.responses[k]].sort(([a], [b]) => a - b))]),
      ) as Snapshot["responses"],
      events: { ...h.events },
      latency: Object.fromEntries(
        LATENCIES.map((n) => [n, h.latency[n].toWire()]),
      ) as Snapshot["latency"],
      lines: { ...lines, truncated: life.truncatedLines, degradedClients: degraded },
      playback: play,
      viewers: this.viewers.toWire(live),
      cdn: this.cdn.toWire(),
      audience: this.audience.wire(),
      ...this.groups.toWire(this.clients.values(), this.#lastTickAt),
      series: this.series.toWire(),
      ...(this.#finished ? { ttfbSeries: this.ttfb.toWire(Math.floor(wallNow / 1000)) } : {}),
    };
  }
}
