/**
 * Matching the run's requests with the CDN's lines: by viewer (the User-Agent's
 * `/client-<id>`, or a CMCD `sid` ending in `-<id>`), by path, and by time. The CDN's clock
 * and hls-swarm's differ: the skew is the median offset of unambiguous pairs (a viewer and
 * path seen exactly once on each side, as a live segment is), and every pair must then lie
 * within `windowMs` of it. Memory grows with the run's requests, never with the log's size:
 * lines of other traffic are only counted.
 * @module
 */
import type { CacheStatus, CdnRecord } from "./record.ts";
import type { SwarmRequest } from "./swarm_log.ts";

/** A CDN line of one of the run's viewers, kept for matching. */
export interface CdnEntry {
  time: number;
  path: string;
  client: number;
  status: number | null;
  cache: CacheStatus | null;
  edge: string;
}

/** Both sides of one viewer and path. */
interface Group {
  swarm: SwarmRequest[];
  cdn: CdnEntry[];
}

/** How a request or line came out of matching. */
export type Outcome =
  | { type: "matched"; swarm: SwarmRequest; cdn: CdnEntry; statusDiffers: boolean }
  | { type: "only_swarm"; swarm: SwarmRequest; explained: boolean }
  | { type: "only_cdn"; cdn: CdnEntry; explained: boolean; outsideRun: boolean };

/** Lines that were not the run's viewers' requests. */
export interface Ignored {
  /** No `/client-<id>` User-Agent and no CMCD sid: someone else's traffic. */
  notViewer: number;
  /** A viewer id that is not in the request logs (another run, or a shard not given). */
  otherViewers: number;
}

/** The clock skew: CDN time minus hls-swarm time, the median of `samples` pairs. */
export interface Skew {
  ms: number;
  samples: number;
}

/** Client ids below this (a key is `pathId * CLIENT_IDS + client`, exact up to 2^53). */
const CLIENT_IDS = 2 ** 24;
const CLIENT_UA = /\/client-(\d+)$/;
const CLIENT_SID = /-(\d+)$/;

/**
 * The viewer of a CDN line: the CMCD sid's `-<id>` suffix first, then the User-Agent's.
 *
 * @example
 * ```ts
 * viewerOf({ sid: null, userAgent: "hls-swarm/0.1.0/client-3" }); // 3
 * ```
 */
export function viewerOf(r: Pick<CdnRecord, "sid" | "userAgent">): number | null {
  const m = (r.sid ? CLIENT_SID.exec(r.sid) : null) ?? (r.userAgent && CLIENT_UA.exec(r.userAgent));
  return m ? Number(m[1]) : null;
}

/**
 * Collects both sides, then matches them.
 *
 * @example Not run: it needs a run's request log (match_test.ts)
 * ```ts ignore
 * const m = new Matcher(requests, 2000);
 * m.add(record, "edge-a.log");
 * const { outcomes, skew } = m.finish();
 * ```
 */
export class Matcher {
  #pathIds = new Map<string, number>();
  /** Each path once: requests and lines point to these, not to a string each. */
  #paths: string[] = [];
  #byKey = new Map<number, Group>();
  #clients = new Set<number>();
  readonly ignored: Ignored = { notViewer: 0, otherViewers: 0 };
  /** The run's first and last request, hls-swarm's clock. */
  readonly run: { start: number; end: number };

  constructor(swarm: readonly SwarmRequest[], private windowMs: number) {
    let start = Infinity, end = -Infinity;
    for (const r of swarm) {
      this.#group(r.client, r.path).swarm.push(r);
      r.path = this.#paths[this.#pathIds.get(r.path)!];
      this.#clients.add(r.client);
      if (r.time < start) start = r.time;
      if (r.time > end) end = r.time;
    }
    this.run = { start, end };
  }

  /** One CDN line; false when it is not one of the run's viewers' (it is only counted). */
  add(r: CdnRecord, edge: string): boolean {
    const client = viewerOf(r);
    if (client === null) {
      this.ignored.notViewer++;
      return false;
    }
    if (!this.#clients.has(client) || client >= CLIENT_IDS) {
      this.ignored.otherViewers++;
      return false;
    }
    this.#group(client, r.path).cdn.push({
      time: r.time,
      path: this.#paths[this.#pathIds.get(r.path)!],
      client,
      status: r.status,
      cache: r.cache,
      edge: r.edge ?? edge,
    });
    return true;
  }

  /**
   * Matches everything collected; each request and each line gets one outcome. The outcomes
   * are produced as they are iterated (once): a million of them need not be held at once.
   */
  finish(): { outcomes: Iterable<Outcome>; skew: Skew } {
    const skew = this.#skew();
    return { outcomes: this.#outcomes(skew), skew };
  }

  *#outcomes(skew: Skew): Iterable<Outcome> {
    const w = this.windowMs, run = this.run;
    const nearEnds = (t: number) => Math.abs(t - run.start) <= w || Math.abs(t - run.end) <= w;
    const onlySwarm = (r: SwarmRequest): Outcome => ({
      type: "only_swarm",
      swarm: r,
      explained: r.event === "stopped" || r.event === "in_flight_at_stop" || nearEnds(r.time),
    });
    const onlyCdn = (e: CdnEntry): Outcome => {
      const t = e.time - skew.ms;
      return {
        type: "only_cdn",
        cdn: e,
        explained: nearEnds(t),
        outsideRun: t < run.start - w || t > run.end + w,
      };
    };
    for (const g of this.#groups()) {
      // Sorted in place: the groups are this matcher's own, and most hold one of each.
      const s = g.swarm, c = g.cdn;
      if (s.length > 1) s.sort((a, b) => a.time - b.time);
      if (c.length > 1) c.sort((a, b) => a.time - b.time);
      let i = 0, j = 0;
      // Both sides in time order: the earliest unpaired of each pair up when they are close.
      while (i < s.length && j < c.length) {
        const d = c[j].time - skew.ms - s[i].time;
        if (Math.abs(d) <= w) {
          yield {
            type: "matched",
            swarm: s[i],
            cdn: c[j],
            statusDiffers: statusDiffers(s[i], c[j], Math.abs(s[i].time - run.end) <= w),
          };
          i++, j++;
        } else if (d < 0) yield onlyCdn(c[j++]);
        else yield onlySwarm(s[i++]);
      }
      while (i < s.length) yield onlySwarm(s[i++]);
      while (j < c.length) yield onlyCdn(c[j++]);
    }
  }

  #skew(): Skew {
    const offsets: number[] = [];
    for (const g of this.#groups()) {
      if (g.swarm.length === 1 && g.cdn.length === 1) offsets.push(g.cdn[0].time - g.swarm[0].time);
    }
    if (!offsets.length) return { ms: 0, samples: 0 };
    offsets.sort((a, b) => a - b);
    const mid = offsets.length >> 1;
    const ms = offsets.length % 2 ? offsets[mid] : (offsets[mid - 1] + offsets[mid]) / 2;
    return { ms: Math.round(ms), samples: offsets.length };
  }

  // Keyed by a number: a path's id (a live stream has few paths, shared by every viewer) and
  // the client. Maps of a million string keys ("client path") cost a quarter of the time in
  // bench/reconcile.ts, building and hashing the keys.
  #group(client: number, path: string): Group {
    let id = this.#pathIds.get(path);
    if (id === undefined) {
      this.#pathIds.set(path, id = this.#paths.length);
      this.#paths.push(path);
    }
    const key = id * CLIENT_IDS + client;
    let g = this.#byKey.get(key);
    if (!g) this.#byKey.set(key, g = { swarm: [], cdn: [] });
    return g;
  }

  #groups(): Iterable<Group> {
    return this.#byKey.values();
  }
}

/**
 * Whether a pair disagrees: both have statuses and they differ, or the viewer saw no answer
 * to a request the edge logged with a status. A request without an answer at the run's stop
 * (`stopped`, or its body cut: `in_flight_at_stop`) is explained when it was sent within the
 * window of the stop: the edge may log what it pleases (499, client closed). hls-swarm marks
 * every request still unanswered at its FFmpeg's end `stopped`, even one the edge refused
 * long before (nginx's 444 closes the connection): that one is a difference.
 */
function statusDiffers(s: SwarmRequest, c: CdnEntry, nearStop: boolean): boolean {
  if (c.status === null) return false;
  if (s.event === "in_flight_at_stop") return false;
  if (s.event === "stopped" && nearStop) return false;
  return s.status !== c.status;
}
