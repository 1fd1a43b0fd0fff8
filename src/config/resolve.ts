/**
 * `--resolve HOST:PORT:IP[,IP…]`, as curl spells it: every viewer connects to one of the
 * addresses instead of what DNS says for the stream's host, so a test can spread its viewers over
 * the edges of a CDN. Each viewer keeps its address for the whole run (across FFmpeg restarts),
 * chosen by client id: round robin, or weighted with `IP*3`.
 *
 * FFmpeg has no --resolve, so a pinned viewer opens the URL with the address in place of the
 * host and sends the original host in a `Host` header; for https it verifies the certificate
 * against the original name (`-verifyhost HOST`). FFmpeg sends no SNI to an address, so an edge
 * that picks its certificate by SNI serves its default one: say so where SNI matters.
 *
 * Only the stream URL's own host can be pinned: FFmpeg connects to the hosts of absolute URLs in
 * the playlists (and to redirect targets) by DNS, and a rule for any other host is refused.
 * @module
 */
import { isIp } from "../net/ip.ts";
import { interleave } from "../math/weighted.ts";

/** One address of a rule and its weight (`IP*3` → 3). */
export interface EdgeAddress {
  ip: string;
  weight: number;
}

/** What `--resolve` pins: the stream's host and port, and the addresses viewers spread over. */
export interface ResolvePlan {
  /** The stream URL's host name, as the Host header and certificate check need it. */
  host: string;
  port: number;
  addresses: EdgeAddress[];
}

/** The most addresses a run may name: each is a label of the per-address figures. */
export const MAX_EDGE_ADDRESSES = 64;
/** The largest weight of one address. */
const MAX_WEIGHT = 1000;

/** The URL's port, or its scheme's default. */
function urlPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** One address with its weight: `IP`, `IP*3`, `[v6]` or `[v6]*3`. */
function parseAddress(text: string, errors: string[]): EdgeAddress | null {
  const star = text.lastIndexOf("*");
  let ip = star >= 0 ? text.slice(0, star) : text;
  const weightText = star >= 0 ? text.slice(star + 1) : "1";
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  const weight = Number(weightText);
  if (!isIp(ip)) {
    errors.push(`resolve: "${ip}" is not an IP address (give IP, IP*WEIGHT or [IPv6])`);
    return null;
  }
  if (!Number.isInteger(weight) || weight < 1 || weight > MAX_WEIGHT) {
    errors.push(`resolve: the weight of ${ip} must be a whole number from 1 to ${MAX_WEIGHT}`);
    return null;
  }
  return { ip: ip.toLowerCase(), weight };
}

/**
 * Reads the `--resolve` values against the stream URL. Each value is `HOST:PORT:IP[,IP…]`
 * (`*` for any host), or a bare IP (the Go tool's `RESOLVE_IP`: the stream's own host and
 * port). Several values pool their addresses. Problems are pushed to `errors`, one line each; the plan is null without values or
 * with errors.
 *
 * @example
 * ```ts
 * const errors: string[] = [];
 * resolvePlan(["cdn.example:443:127.0.0.2,127.0.0.3*3"], "https://cdn.example/a.m3u8", errors);
 * // { host: "cdn.example", port: 443, addresses: [{ ip: "127.0.0.2", weight: 1 },
 * //   { ip: "127.0.0.3", weight: 3 }] }
 * ```
 */
export function resolvePlan(
  values: readonly string[],
  streamUrl: string,
  errors: string[],
): ResolvePlan | null {
  if (!values.length) return null;
  let url: URL;
  try {
    url = new URL(streamUrl);
  } catch {
    return null; // The URL's own check says what is wrong with it.
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = urlPort(url);
  const before = errors.length;
  const addresses: EdgeAddress[] = [];
  for (const value of values) {
    if (value.includes("://")) {
      errors.push("resolve: give an IP address, not a URL (as HOST:PORT:IP[,IP…] or IP)");
      continue;
    }
    const bare = value.startsWith("[") ? value.slice(1, -1) : value;
    if (isIp(bare)) {
      addresses.push({ ip: bare.toLowerCase(), weight: 1 });
      continue;
    }
    const m = /^([^:]+):(\d{1,5}):(.+)$/.exec(value);
    if (!m) {
      errors.push(`resolve: "${value}" is not HOST:PORT:IP[,IP…] (as curl's --resolve)`);
      continue;
    }
    const [, ruleHost, rulePort, list] = m;
    if ((ruleHost !== "*" && ruleHost.toLowerCase() !== host) || Number(rulePort) !== port) {
      errors.push(
        `resolve: ${ruleHost}:${rulePort} is not the stream's ${host}:${port}; only the ` +
          "stream URL's own host can be pinned (FFmpeg looks up any other host itself)",
      );
      continue;
    }
    // Several rules for the one host pool their addresses, as one list.
    for (const a of list.split(",")) {
      const parsed = parseAddress(a.trim(), errors);
      if (parsed) addresses.push(parsed);
    }
  }
  const seen = new Set<string>();
  for (const a of addresses) {
    if (seen.has(a.ip)) errors.push(`resolve: ${a.ip} is given twice (weigh it with ${a.ip}*N)`);
    seen.add(a.ip);
  }
  if (addresses.length > MAX_EDGE_ADDRESSES) {
    errors.push(`resolve: at most ${MAX_EDGE_ADDRESSES} addresses (got ${addresses.length})`);
  }
  if (errors.length > before || !addresses.length) return null;
  return { host, port, addresses };
}

/** Each plan's round of addresses, computed once (a plan crosses to workers as plain data). */
const rounds = new WeakMap<ResolvePlan, number[]>();

/**
 * The address client `id` connects to: round robin over the addresses by id, each address
 * `weight` times per round, spread out (see weighted.ts).
 *
 * @example
 * ```ts
 * const plan = { host: "cdn.example", port: 80,
 *   addresses: [{ ip: "127.0.0.2", weight: 1 }, { ip: "127.0.0.3", weight: 1 }] };
 * [0, 1, 2, 3].map((id) => edgeAddressFor(plan, id)); // ["127.0.0.2", "127.0.0.3", "127.0.0.2", "127.0.0.3"]
 * ```
 */
export function edgeAddressFor(plan: ResolvePlan, id: number): string {
  let round = rounds.get(plan);
  if (!round) rounds.set(plan, round = interleave(plan.addresses.map((a) => a.weight)));
  return plan.addresses[round[id % round.length]].ip;
}

/**
 * How the summary header and `--print-cmd` show the plan.
 *
 * @example
 * ```ts
 * describeResolve({ host: "cdn.example", port: 443,
 *   addresses: [{ ip: "127.0.0.2", weight: 1 }, { ip: "127.0.0.3", weight: 3 }] });
 * // "cdn.example:443 → 127.0.0.2, 127.0.0.3×3 (round robin by client id)"
 * ```
 */
export function describeResolve(plan: ResolvePlan): string {
  const list = plan.addresses.map((a) => (a.weight > 1 ? `${a.ip}×${a.weight}` : a.ip));
  return `${plan.host}:${plan.port} → ${list.join(", ")} (round robin by client id)`;
}
