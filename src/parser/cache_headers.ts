/**
 * What a CDN says about each response, read from the response headers FFmpeg logs at trace
 * (`[http @ 0x…] [trace] header='X-Cache: HIT'`): the cache status, the object's `Age`, and the
 * edge that served it.
 *
 * - Cache status: `X-Cache`, `X-Cache-Status`, `CF-Cache-Status`, `X-Proxy-Cache`, or the header
 *   `--cache-header NAME` names, normalised by {@linkcode normaliseCacheStatus}.
 * - Edge: `X-Served-By`, `X-Amz-Cf-Pop`, the colo of `CF-RAY` (after its last `-`), `Via`, or the
 *   header `--edge-header NAME` names.
 *
 * A chain (`X-Cache: MISS, HIT`, `X-Served-By: cache-sea1927-SEA, cache-ams4133-AMS`, `Via: 1.1
 * a, 1.1 b`) is read at its LAST entry: every hop appends its own value on the way back to the
 * client (RFC 9110 §7.6.3 for `Via`; Fastly documents that it appends to `X-Cache` and
 * `X-Served-By` at the shield, then at the edge), so the last one is the edge the viewer talked
 * to. The configured headers come first: naming a header is asking for it.
 *
 * Cost: this runs on every header line of every client. A line is rejected by its first two
 * characters unless some known header starts with them; only then is the name lower-cased and
 * looked up. No regular expression runs.
 * @module
 */

/** The normalised cache statuses. */
export const CACHE_STATUSES = ["hit", "miss", "stale", "pass", "unknown"] as const;
export type CacheStatus = typeof CACHE_STATUSES[number];

/** One more header to read for each (`--cache-header`, `--edge-header`). */
export interface CacheHeadersOptions {
  cacheHeader?: string | null;
  edgeHeader?: string | null;
}

/** What one response's headers said. */
export interface CacheReading {
  status: CacheStatus | null;
  /** `Age`, whole seconds (null: absent or not a number). */
  ageS: number | null;
  /** The edge, sanitised ({@linkcode edgeName}; null: absent). */
  edge: string | null;
}

/** Which header a name is, and how strongly it is believed (lower wins). */
type Field =
  | { what: "status"; rank: number }
  | { what: "edge"; rank: number; cfRay?: true; via?: true }
  | { what: "age" };

/** The headers read, lower-cased, by default. Ranks: a configured header (0) beats these. */
const KNOWN: ReadonlyArray<[string, Field]> = [
  ["x-cache", { what: "status", rank: 1 }],
  ["x-cache-status", { what: "status", rank: 2 }],
  ["cf-cache-status", { what: "status", rank: 3 }],
  ["x-proxy-cache", { what: "status", rank: 4 }],
  ["age", { what: "age" }],
  ["x-served-by", { what: "edge", rank: 1 }],
  ["x-amz-cf-pop", { what: "edge", rank: 2 }],
  ["cf-ray", { what: "edge", rank: 3, cfRay: true }],
  ["via", { what: "edge", rank: 4, via: true }],
];

/**
 * Normalises one status value. Values are those of nginx (`$upstream_cache_status`), Varnish
 * and Fastly (`HIT`/`MISS`/`PASS`), Cloudflare (`HIT`, `MISS`, `EXPIRED`, `STALE`, `UPDATING`,
 * `REVALIDATED`, `BYPASS`, `DYNAMIC`), CloudFront (`Hit from cloudfront`, `RefreshHit from
 * cloudfront`, `Miss from cloudfront`, `Error from cloudfront`) and Squid (`TCP_HIT`,
 * `TCP_MISS`, `TCP_REFRESH_HIT`…). A chain is read at its last entry (see the module doc).
 *
 * @example
 * ```ts
 * normaliseCacheStatus("MISS, HIT"); // "hit"
 * normaliseCacheStatus("RefreshHit from cloudfront"); // "stale"
 * normaliseCacheStatus("DYNAMIC"); // "pass"
 * ```
 */
export function normaliseCacheStatus(value: string): CacheStatus {
  const comma = value.lastIndexOf(",");
  let v = (comma < 0 ? value : value.slice(comma + 1)).trim().toUpperCase();
  const space = v.indexOf(" ");
  if (space > 0) v = v.slice(0, space); // `Hit from cloudfront`
  if (v.startsWith("TCP_")) v = v.slice(4); // Squid: TCP_MEM_HIT, TCP_REFRESH_HIT
  return STATUS_WORDS.get(v) ?? (v.endsWith("_HIT") ? "hit" : "unknown");
}

/** Status words, upper-case. Revalidated and refreshed objects count as stale: the edge had
 * the object but had to ask upstream whether it was still good. */
const STATUS_WORDS: ReadonlyMap<string, CacheStatus> = new Map([
  ["HIT", "hit"],
  ["MEM_HIT", "hit"],
  ["TCP_HIT", "hit"],
  ["MISS", "miss"],
  ["EXPIRED", "stale"],
  ["STALE", "stale"],
  ["UPDATING", "stale"],
  ["REVALIDATED", "stale"],
  ["REFRESHHIT", "stale"],
  ["REFRESH_HIT", "stale"],
  ["PASS", "pass"],
  ["BYPASS", "pass"],
  ["DYNAMIC", "pass"],
]);

/** The longest edge name kept: enough for a POP, a host name or a colo. */
export const EDGE_NAME_MAX = 64;

/**
 * An edge label from a header value: its last hop, the received-by part of a `Via` entry
 * (`1.1 varnish` → `varnish`), CF-RAY's colo, cut to {@linkcode EDGE_NAME_MAX} characters of
 * `[A-Za-z0-9._:-]` (anything else becomes `_`), so a header cannot inject label syntax or
 * carry a long secret into /metrics. Null when nothing is left.
 *
 * @example
 * ```ts
 * edgeName("cache-sea1927-SEA, cache-ams4133-AMS", false, false); // "cache-ams4133-AMS"
 * edgeName("8a1b2c3d4e5f6789-FRA", true, false); // "FRA"
 * edgeName("1.1 a.cloudfront.net (CloudFront)", false, true); // "a.cloudfront.net"
 * ```
 */
export function edgeName(value: string, cfRay: boolean, via: boolean): string | null {
  const comma = value.lastIndexOf(",");
  let v = (comma < 0 ? value : value.slice(comma + 1)).trim();
  if (cfRay) v = v.slice(v.lastIndexOf("-") + 1);
  if (via) {
    const parts = v.split(" ");
    v = parts.length > 1 ? parts[1] : parts[0];
  }
  v = v.slice(0, EDGE_NAME_MAX).replace(/[^A-Za-z0-9._:-]/g, "_");
  // `other` is the label of the edges beyond the top N (src/stats/cdn.ts): no edge may be it.
  return v === "" ? null : v === "other" ? "other_" : v;
}

/**
 * Reads the CDN headers of one client's responses: {@linkcode CacheHeaders.begin} at a
 * response's status, {@linkcode CacheHeaders.header} for each `header='…'` message, and
 * {@linkcode CacheHeaders.take} at the end of the headers returns what they said (null: no CDN
 * header at all) and forgets it.
 *
 * @example
 * ```ts
 * const h = new CacheHeaders({ cacheHeader: "X-My-Cache" });
 * h.begin("0x1", 12);
 * h.header("0x1", "header='X-Cache: HIT'");
 * h.header("0x1", "header='Age: 3'");
 * h.take("0x1"); // { status: "hit", ageS: 3, edge: null, ttfbMs: 12 }
 * ```
 */
export class CacheHeaders {
  readonly #fields: Map<string, Field>;
  /** The first two characters of every name read, lower-cased ({@link prefixKey}): the cheap
   * rejection. `Content-Length`, `Cache-Control`, `Connection` share a first letter with
   * `CF-RAY`, not the first two. */
  readonly #prefixes = new Set<number>();
  #open = new Map<string, Open>();

  constructor(options: CacheHeadersOptions = {}) {
    this.#fields = new Map(KNOWN);
    if (options.cacheHeader) {
      this.#fields.set(options.cacheHeader.toLowerCase(), { what: "status", rank: 0 });
    }
    if (options.edgeHeader) {
      this.#fields.set(options.edgeHeader.toLowerCase(), { what: "edge", rank: 0 });
    }
    for (const name of this.#fields.keys()) this.#prefixes.add(prefixKey(name, 0));
  }

  /** One `header='Name: value'` message of the response open on context `addr`. */
  header(addr: string, msg: string): void {
    // msg is `header='…'`: the name starts at 8.
    if (!this.#prefixes.has(prefixKey(msg, 8))) return;
    const colon = msg.indexOf(":", 8);
    if (colon < 0) return;
    const field = this.#fields.get(msg.slice(8, colon).toLowerCase());
    if (!field) return;
    const value = msg.slice(colon + 1, msg.length - 1).trim(); // drop the closing quote
    const o = this.#open.get(addr);
    if (!o) return; // headers of no response this reader was told of
    o.seen = true;
    if (field.what === "age") {
      const n = Number(value);
      if (value !== "" && Number.isSafeInteger(n) && n >= 0) o.ageS = n;
    } else if (field.what === "status") {
      if (field.rank < o.statusRank) {
        o.status = normaliseCacheStatus(value);
        o.statusRank = field.rank;
      }
    } else if (field.rank < o.edgeRank) {
      const edge = edgeName(value, field.cfRay === true, field.via === true);
      if (edge !== null) {
        o.edge = edge;
        o.edgeRank = field.rank;
      }
    }
  }

  /** A response began on `addr` (its status line), `ttfbMs` after its request. */
  begin(addr: string, ttfbMs: number | null): void {
    this.#open.set(addr, {
      status: null,
      statusRank: 99,
      ageS: null,
      edge: null,
      edgeRank: 99,
      ttfbMs,
      seen: false,
    });
  }

  /**
   * What the response on `addr` said, once its headers ended (FFmpeg logs `header=''`), with
   * the TTFB given to {@linkcode CacheHeaders.begin}; null when no CDN header came.
   */
  take(addr: string): (CacheReading & { ttfbMs: number | null }) | null {
    const o = this.#open.get(addr);
    if (!o) return null;
    this.#open.delete(addr);
    return o.seen ? { status: o.status, ageS: o.ageS, edge: o.edge, ttfbMs: o.ttfbMs } : null;
  }

  /** Forgets everything (the FFmpeg run ended, or lines were lost). */
  clear(): void {
    this.#open.clear();
  }
}

/** Two characters from `at`, case folded (`| 0x20` lower-cases letters, keeps `-` and digits). */
function prefixKey(text: string, at: number): number {
  return ((text.charCodeAt(at) | 0x20) << 8) | (text.charCodeAt(at + 1) | 0x20);
}

interface Open extends CacheReading {
  statusRank: number;
  edgeRank: number;
  ttfbMs: number | null;
  /** A CDN header came. */
  seen: boolean;
}
