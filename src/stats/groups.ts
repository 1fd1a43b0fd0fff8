/**
 * Figures by group of viewers, as a mergeable part of the snapshot: by rendition
 * (`--variant-mix`, src/process/variant_match.ts) and by edge address (`--resolve`,
 * src/config/resolve.ts). A viewer belongs to one group of each kind for the whole run, chosen by
 * its client id, so every request, byte, TTFB and session of a viewer counts in its groups:
 * requests by kind, body bytes, errors (status ≥ 400 or no answer), segment TTFB (a sketch) and
 * the viewer experience (src/viewer/stats.ts). Counts add and sketches merge, exactly.
 *
 * A group is a rendition's label or an address, both from the run's own flags, so there are at
 * most {@linkcode MAX_GROUPS} of each: the labels are bounded without folding. With
 * `--resolve-dns` the DNS names the addresses: the shard folds those past the limit into one
 * (src/partition/partition_clients.ts).
 * @module
 */
import type { HttpEvent } from "../parser/http_event.ts";
import type { SessionResult, SessionTotals } from "../viewer/session.ts";
import { ViewerStats, type ViewerWire } from "../viewer/stats.ts";
import { type ByKind, byKind } from "./http_stats.ts";
import { Sketch, SKETCH_ACCURACY, type SketchWire } from "../math/sketch.ts";
import type { SwarmConfig } from "../config/config.ts";
import { edgeAddressFor } from "../config/resolve.ts";
import type { StreamMapping } from "../process/ffmpeg_args.ts";
import { renditionFor } from "../process/variant_match.ts";

/** The most groups of one kind: a mix has at most 16 renditions, --resolve 64 addresses. */
export const MAX_GROUPS = 64;

/** The groups a client belongs to (null: none of that kind in this run). */
export interface ClientGroups {
  rendition: string | null;
  address: string | null;
  /** Not known yet (--resolve-dns: the viewer's lookup has not answered): asked again later. */
  pending?: boolean;
}

/** One group's figures, on the wire. */
export interface GroupCell {
  /** Viewers (client ids) of the group that ran. */
  viewers: number;
  requests: ByKind;
  /** Body bytes of 2xx responses whose bodies arrived. */
  bytes: number;
  /** Responses ≥ 400 plus requests that got no answer. */
  errors: number;
  /** Segment time to first byte. */
  ttfbMs: SketchWire;
  experience: ViewerWire;
}

/** The groups of a snapshot: absent when the run had no mix or no --resolve. */
export interface GroupsWire {
  renditions?: Record<string, GroupCell>;
  edgeAddresses?: Record<string, GroupCell>;
}

interface Cell {
  viewers: number;
  requests: ByKind;
  bytes: number;
  errors: number;
  ttfbMs: Sketch;
  experience: ViewerStats;
}

/**
 * A {@linkcode ViewerStats} that keeps nothing itself and passes each session on to several:
 * a viewer's sessions count in the shard's figures and in each of its groups'.
 */
class TeeViewerStats extends ViewerStats {
  /** `targets` is asked at each session event: a viewer's groups may be known only later. */
  constructor(readonly targets: () => readonly ViewerStats[]) {
    super();
  }
  override started(): void {
    for (const t of this.targets()) t.started();
  }
  override startup(ms: number): void {
    for (const t of this.targets()) t.startup(ms);
  }
  override ended(r: SessionResult): void {
    for (const t of this.targets()) t.ended(r);
  }
}

/** The groups of one kind (renditions, or edge addresses). */
class GroupKind {
  readonly cells = new Map<string, Cell>();

  cell(label: string): Cell {
    let c = this.cells.get(label);
    if (!c) {
      c = {
        viewers: 0,
        requests: byKind(),
        bytes: 0,
        errors: 0,
        ttfbMs: new Sketch(SKETCH_ACCURACY),
        experience: new ViewerStats(),
      };
      this.cells.set(label, c);
    }
    return c;
  }

  toWire(live: Map<string, SessionTotals[]>): Record<string, GroupCell> {
    return Object.fromEntries(
      [...this.cells].sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, c]) => [label, {
        viewers: c.viewers,
        requests: { ...c.requests },
        bytes: c.bytes,
        errors: c.errors,
        ttfbMs: c.ttfbMs.toWire(),
        experience: c.experience.toWire(live.get(label) ?? []),
      }]),
    );
  }
}

/** What the groups read of a client: its id and its viewer's live session. */
export interface GroupClient {
  id: number;
  viewer: { totalsAt(at: number): SessionTotals | null };
}

/**
 * A shard's figures by rendition and by edge address.
 *
 * @example
 * ```ts
 * const groups = new GroupStats(() => ({ rendition: "720p", address: null }));
 * groups.record(0, { type: "request", req: 1, kind: "segment", path: "/720p/s1.ts", at: 0 });
 * groups.record(0, { type: "response", req: 1, kind: "segment", status: 200, ttfbMs: 12 });
 * groups.toWire([], 0).renditions?.["720p"].requests.segment; // 1
 * ```
 */
export class GroupStats {
  readonly #renditions = new GroupKind();
  readonly #addresses = new GroupKind();
  readonly #byClient = new Map<number, Cell[]>();

  constructor(readonly groupsOf: ((id: number) => ClientGroups) | null) {}

  /** Client `id`'s cells, found once (and the client counted in each). */
  #cells(id: number): Cell[] {
    let cells = this.#byClient.get(id);
    if (cells) return cells;
    const g = this.groupsOf?.(id);
    // Nothing is counted before the viewer's groups are known (it has not started yet).
    if (g?.pending) return [];
    cells = [];
    if (g?.rendition) cells.push(this.#renditions.cell(g.rendition));
    if (g?.address) cells.push(this.#addresses.cell(g.address));
    for (const c of cells) c.viewers++;
    this.#byClient.set(id, cells);
    return cells;
  }

  /**
   * The viewer stats client `id`'s Viewer reports into: `shard` alone without groups, else a
   * tee to `shard` and each group.
   */
  viewerStats(id: number, shard: ViewerStats): ViewerStats {
    if (!this.groupsOf) return shard;
    return new TeeViewerStats(() => [shard, ...this.#cells(id).map((c) => c.experience)]);
  }

  /** One event of client `id`. */
  record(id: number, e: HttpEvent): void {
    if (!this.groupsOf) return;
    for (const c of this.#cells(id)) {
      if (e.type === "request") c.requests[e.kind]++;
      else if (e.type === "body_bytes") c.bytes += e.bytes;
      else if (e.type === "response") {
        if (e.status >= 400) c.errors++;
        if (e.kind === "segment" && e.ttfbMs !== null) c.ttfbMs.add(Math.max(e.ttfbMs, 0.001));
      } else if (e.type === "count" && e.key === "unanswered") c.errors += e.n;
    }
  }

  /** One live-latency sample of client `id` (the shard's tick takes one per viewer-second). */
  liveLatency(id: number, ms: number): void {
    if (!this.groupsOf) return;
    for (const c of this.#cells(id)) c.experience.liveLatency(ms);
  }

  /** The wire form; live sessions' running totals (at monotonic `at`) count in their groups. */
  toWire(clients: Iterable<GroupClient>, at: number): GroupsWire {
    if (!this.groupsOf) return {};
    const live = {
      renditions: new Map<string, SessionTotals[]>(),
      addresses: new Map<string, SessionTotals[]>(),
    };
    const g = this.groupsOf;
    for (const c of clients) {
      const totals = c.viewer.totalsAt(at);
      if (!totals) continue;
      const { rendition, address } = g(c.id);
      if (rendition) push(live.renditions, rendition, totals);
      if (address) push(live.addresses, address, totals);
    }
    return {
      ...(this.#renditions.cells.size
        ? { renditions: this.#renditions.toWire(live.renditions) }
        : {}),
      ...(this.#addresses.cells.size
        ? { edgeAddresses: this.#addresses.toWire(live.addresses) }
        : {}),
    };
  }
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

/**
 * The groups client ids belong to, for the figures by rendition and by edge address; none
 * (an empty object) without --variant-mix and --resolve. Plain data in, so a worker computes
 * the same groups from its copy of the config and mapping.
 *
 * @example
 * ```ts
 * const plan = { host: "cdn.example", port: 80,
 *   addresses: [{ ip: "127.0.0.2", weight: 1 }, { ip: "127.0.0.3", weight: 1 }] };
 * clientGroupsOption({ resolve: plan }, { kind: "all" }).groupsOf?.(1);
 * // { rendition: null, address: "127.0.0.3" }
 * ```
 */
export function clientGroupsOption(
  config: Pick<SwarmConfig, "resolve">,
  mapping: StreamMapping,
): { groupsOf?: (id: number) => ClientGroups } {
  const { resolve } = config;
  if (mapping.kind !== "mix" && !resolve) return {};
  return {
    groupsOf: (id) => ({
      rendition: mapping.kind === "mix" ? renditionFor(mapping.renditions, id).label : null,
      address: resolve ? edgeAddressFor(resolve, id) : null,
    }),
  };
}
