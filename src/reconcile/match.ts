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
 * @example
 * ```ts
 * const m = new Matcher(requests, 2000);
 * m.add(record, "edge-a.log");
 * const { outcomes, skew } = m.finish();
 * ```
 */
export class Matcher {
  #groups = new Map<string, Group>();
  #clients = new Set<number>();
  readonly ignored: Ignored = { notViewer: 0, otherViewers: 0 };
  /** The run's first and last request, hls-swarm's clock. */
  readonly run: { start: number; end: number };

  constructor(swarm: readonly SwarmRequest[], private windowMs: number) {
    let start = Infinity, end = -Infinity;
    for (const r of swarm) {
      this.#group(r.client, r.path).swarm.push(r);
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
    if (!this.#clients.has(client)) {
      this.ignored.otherViewers++;
      return false;
    }
    this.#group(client, r.path).cdn.push({
      time: r.time,
      path: r.path,
      client,
      status: r.status,
      cache: r.cache,
      edge: r.edge ?? edge,
    });
    return true;
  }

  /** Matches everything collected; each request and each line gets one outcome. */
  finish(): { outcomes: Outcome[]; skew: Skew } {
    const skew = this.#skew();
    const outcomes: Outcome[] = [];
    const w = this.windowMs;
    const nearEnds = (t: number) =>
      Math.abs(t - this.run.start) <= w || Math.abs(t - this.run.end) <= w;
    for (const g of this.#groups.values()) {
      const s = [...g.swarm].sort((a, b) => a.time - b.time);
      const c = [...g.cdn].sort((a, b) => a.time - b.time);
      let i = 0, j = 0;
      const onlySwarm = (r: SwarmRequest) =>
        outcomes.push({
          type: "only_swarm",
          swarm: r,
          explained: r.event === "stopped" || r.event === "in_flight_at_stop" || nearEnds(r.time),
        });
      const onlyCdn = (e: CdnEntry) => {
        const t = e.time - skew.ms;
        outcomes.push({
          type: "only_cdn",
          cdn: e,
          explained: nearEnds(t),
          outsideRun: t < this.run.start - w || t > this.run.end + w,
        });
      };
      // Both sides in time order: the earliest unpaired of each pair up when they are close.
      while (i < s.length && j < c.length) {
        const d = c[j].time - skew.ms - s[i].time;
        if (Math.abs(d) <= w) {
          outcomes.push({
            type: "matched",
            swarm: s[i],
            cdn: c[j],
            statusDiffers: statusDiffers(s[i], c[j], Math.abs(s[i].time - this.run.end) <= w),
          });
          i++, j++;
        } else if (d < 0) onlyCdn(c[j++]);
        else onlySwarm(s[i++]);
      }
      while (i < s.length) onlySwarm(s[i++]);
      while (j < c.length) onlyCdn(c[j++]);
    }
    return { outcomes, skew };
  }

  #skew(): Skew {
    const offsets: number[] = [];
    for (const g of this.#groups.values()) {
      if (g.swarm.length === 1 && g.cdn.length === 1) offsets.push(g.cdn[0].time - g.swarm[0].time);
    }
    if (!offsets.length) return { ms: 0, samples: 0 };
    offsets.sort((a, b) => a - b);
    const mid = offsets.length >> 1;
    const ms = offsets.length % 2 ? offsets[mid] : (offsets[mid - 1] + offsets[mid]) / 2;
    return { ms: Math.round(ms), samples: offsets.length };
  }

  #group(client: number, path: string): Group {
    const key = `${client} ${path}`;
    let g = this.#groups.get(key);
    if (!g) this.#groups.set(key, g = { swarm: [], cdn: [] });
    return g;
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
