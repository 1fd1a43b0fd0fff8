/**
 * Per-viewer faults of the built-in test origin, so a test knows the truth of what each viewer
 * went through: every hls-swarm client's User-Agent ends in `/client-<id>`, and a fault names the
 * clients it hits. The spellings (`--fault`, repeatable):
 *
 * | spec                                  | what the origin does                                                                                               |
 * | ------------------------------------- | ------------------------------------------------------------------------------------------------------------------ |
 * | `startup:hold=3s:clients=0,4`         | holds the first media segment each listed client asks for 3 s before answering (slow startup)                      |
 * | `stall:hold=4s:at=10s,30s:clients=1-3`| holds the first media segment a listed client asks for at or after each `at` (since its first request) for 4 s     |
 * | `playlist-fail:status=404:clients=7`  | answers every playlist request of the listed clients with the status (a video start failure)                       |
 * | `pause:at=30s:for=10s`                | from 30 s after the origin is ready, serves every playlist as it was then, for 10 s (a stalled encoder, everyone)  |
 *
 * A hold delays the whole response (status line included), so nginx-style `$request_time` and
 * this origin's access-log duration both carry it.
 * @module
 */
import { parseDuration } from "../config/duration.ts";

/** One parsed fault. */
export type Fault =
  | { kind: "startup"; holdMs: number; clients: ReadonlySet<number> }
  | { kind: "stall"; holdMs: number; atMs: readonly number[]; clients: ReadonlySet<number> }
  | { kind: "playlist-fail"; status: number; clients: ReadonlySet<number> }
  | { kind: "pause"; atMs: number; forMs: number };

/** What the origin does with one request. */
export type FaultAction =
  | { kind: "none" }
  | { kind: "hold"; ms: number }
  | { kind: "fail"; status: number }
  | { kind: "stale-playlist"; sinceMs: number };

const CLIENT_IN_UA = /\/client-(\d+)$/;
/** At most this many clients in one spec: a typo such as `0-999999999` must not fill memory. */
const MAX_CLIENTS = 100_000;

/**
 * Parses one `--fault` spec; throws a `RangeError` that names what is wrong.
 *
 * @example
 * ```ts
 * import { parseFault } from "./faults.ts";
 * const f = parseFault("stall:hold=4s:at=10s,30s:clients=1-3");
 * f.kind; // "stall"
 * ```
 */
export function parseFault(spec: string): Fault {
  const [kind, ...parts] = spec.trim().split(":");
  const fields = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new RangeError(`fault "${spec}": expected key=value, got "${part}"`);
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const take = (key: string): string => {
    const value = fields.get(key);
    if (value === undefined) throw new RangeError(`fault "${spec}": ${kind} needs ${key}=`);
    fields.delete(key);
    return value;
  };
  const ms = (key: string, text = take(key)): number => {
    const d = parseDuration(text);
    if (!d.ok) throw new RangeError(`fault "${spec}": ${key}: ${d.error}`);
    return d.ms;
  };
  let fault: Fault;
  switch (kind) {
    case "startup":
      fault = { kind, holdMs: ms("hold"), clients: clientSet(spec, take("clients")) };
      break;
    case "stall":
      fault = {
        kind,
        holdMs: ms("hold"),
        atMs: take("at").split(",").map((t) => ms("at", t)).sort((a, b) => a - b),
        clients: clientSet(spec, take("clients")),
      };
      break;
    case "playlist-fail": {
      const status = Number(take("status"));
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        throw new RangeError(`fault "${spec}": status must be 400..599`);
      }
      fault = { kind, status, clients: clientSet(spec, take("clients")) };
      break;
    }
    case "pause":
      fault = { kind, atMs: ms("at"), forMs: ms("for") };
      break;
    default:
      throw new RangeError(
        `fault "${spec}": unknown kind "${kind}" (startup, stall, playlist-fail or pause)`,
      );
  }
  if (fields.size > 0) {
    throw new RangeError(`fault "${spec}": unknown key ${[...fields.keys()].join(", ")}`);
  }
  return fault;
}

/** `0,4,7-9` → {0, 4, 7, 8, 9}. */
function clientSet(spec: string, text: string): Set<number> {
  const set = new Set<number>();
  for (const item of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item.trim());
    if (!m) throw new RangeError(`fault "${spec}": clients: "${item}" is not an id or a range`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to - from + set.size >= MAX_CLIENTS) {
      throw new RangeError(`fault "${spec}": clients: bad range "${item}"`);
    }
    for (let id = from; id <= to; id++) set.add(id);
  }
  return set;
}

/**
 * Decides, request by request, which fault applies. Stateful: it remembers each client's first
 * request and which holds it has served, so each fault fires once where it says once.
 *
 * @example
 * ```ts
 * import { FaultPlan, parseFault } from "./faults.ts";
 * const plan = new FaultPlan([parseFault("startup:hold=1s:clients=0")], 0);
 * plan.decide("/seg00001.ts", "hls-swarm/1/client-0", 5, true); // { kind: "hold", ms: 1000 }
 * plan.decide("/seg00002.ts", "hls-swarm/1/client-0", 9, true); // { kind: "none" }
 * ```
 */
export class FaultPlan {
  readonly #faults: readonly Fault[];
  #readyAt = Infinity;
  readonly #firstRequest = new Map<number, number>();
  readonly #startupServed = new Set<number>();
  /** Per client, how many of each stall fault's `at` times have been served. */
  readonly #stallsServed = new Map<string, number>();

  /** `readyAt`: when the stream became playable; `pause` times count from it (unset: never). */
  constructor(faults: readonly Fault[], readyAt = Infinity) {
    this.#faults = faults;
    this.#readyAt = readyAt;
  }

  /** Marks the moment the stream became playable. */
  markReady(now: number): void {
    this.#readyAt = now;
  }

  /** Whether any fault is configured. */
  get active(): boolean {
    return this.#faults.length > 0;
  }

  /** The action for a request of `path` by `userAgent` at `now` (ms, same clock as readyAt). */
  decide(path: string, userAgent: string, now: number, isSegment: boolean): FaultAction {
    const isPlaylist = path.endsWith(".m3u8");
    for (const fault of this.#faults) {
      if (fault.kind === "pause" && isPlaylist) {
        const since = this.#readyAt + fault.atMs;
        if (now >= since && now < since + fault.forMs) {
          return { kind: "stale-playlist", sinceMs: since };
        }
      }
    }
    const m = CLIENT_IN_UA.exec(userAgent);
    if (!m) return { kind: "none" };
    const id = Number(m[1]);
    if (!this.#firstRequest.has(id)) this.#firstRequest.set(id, now);
    const sessionMs = now - this.#firstRequest.get(id)!;
    for (const [i, fault] of this.#faults.entries()) {
      if (fault.kind === "pause" || !fault.clients.has(id)) continue;
      if (fault.kind === "playlist-fail" && isPlaylist) {
        return { kind: "fail", status: fault.status };
      }
      if (fault.kind === "startup" && isSegment && !this.#startupServed.has(id)) {
        this.#startupServed.add(id);
        return { kind: "hold", ms: fault.holdMs };
      }
      if (fault.kind === "stall" && isSegment) {
        const key = `${i}/${id}`;
        const served = this.#stallsServed.get(key) ?? 0;
        if (served < fault.atMs.length && sessionMs >= fault.atMs[served]) {
          this.#stallsServed.set(key, served + 1);
          return { kind: "hold", ms: fault.holdMs };
        }
      }
    }
    return { kind: "none" };
  }
}
