/**
 * `--resolve-dns`: each viewer looks the stream's host up once itself, when its slot first
 * starts, and keeps that address for all its sessions and restarts. A CDN's GSLB that rotates
 * its answers, or answers by where a query comes from, then spreads the viewers as it would
 * spread real players, which each look the name up themselves; one lookup for the whole swarm
 * would send every viewer to one edge.
 *
 * A viewer takes the resolver's FIRST answer, as a player connecting to the first address
 * `getaddrinfo` gives: the spread is the DNS's, not hls-swarm's (for a spread chosen by client
 * id, give the addresses to `--resolve`). The address is then used as a `--resolve` address is
 * (src/config/resolve.ts): the URL names the address, the Host header and the certificate name
 * (`-verifyhost`) stay the URL's host, and FFmpeg sends no SNI to an address.
 *
 * `--dns-server IP[:PORT]` asks that resolver instead of the system's (like `dig @server`).
 * @module
 */
import { describeDnsServer, type DnsLookup, type DnsServer } from "../net/dns.ts";
import { isIp, type ResolvePlan } from "./resolve.ts";

/** What `--resolve-dns` looks up, and where. */
export interface DnsPlan {
  /** The stream URL's host name: the name looked up, the Host header, the certificate's name. */
  host: string;
  port: number;
  /** `--dns-server`, or null: the system's resolver. */
  server: DnsServer | null;
}

/**
 * Reads `--dns-server`: `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 (port 53 by default).
 * A problem is pushed to `errors`; null then.
 *
 * @example
 * ```ts
 * parseDnsServer("127.0.0.1:5353", []); // { ipAddr: "127.0.0.1", port: 5353 }
 * parseDnsServer("[::1]:53", []); // { ipAddr: "::1", port: 53 }
 * parseDnsServer("9.9.9.9", []); // { ipAddr: "9.9.9.9", port: 53 }
 * ```
 */
export function parseDnsServer(text: string, errors: string[]): DnsServer | null {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const [ip, portText] = m ? [m[1], m[2]] : [text, undefined];
  const port = portText === undefined ? 53 : Number(portText);
  if (!isIp(ip)) {
    errors.push(`dns-server: "${text}" is not IP[:PORT] (a resolver's address, as dig @IP)`);
    return null;
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    errors.push(`dns-server: the port must be from 1 to 65535 (got ${portText})`);
    return null;
  }
  return { ipAddr: ip.toLowerCase(), port };
}

/**
 * Reads `--resolve-dns` and `--dns-server` against the stream URL and `--resolve` (given:
 * whether it was). Problems are pushed to `errors`, one line each; null when not asked for or
 * with errors.
 *
 * @example
 * ```ts
 * const errors: string[] = [];
 * resolveDnsPlan(true, "127.0.0.1:5353", false, "http://cdn.example/a.m3u8", errors);
 * // { host: "cdn.example", port: 80, server: { ipAddr: "127.0.0.1", port: 5353 } }
 * resolveDnsPlan(true, "", true, "http://cdn.example/a.m3u8", errors); // null
 * errors; // ["resolve-dns: give --resolve or --resolve-dns, not both (…)"]
 * ```
 */
export function resolveDnsPlan(
  enabled: boolean,
  serverText: string,
  resolveGiven: boolean,
  streamUrl: string,
  errors: string[],
): DnsPlan | null {
  const before = errors.length;
  const server = serverText ? parseDnsServer(serverText, errors) : null;
  if (!enabled) {
    if (serverText) errors.push("dns-server: only used with --resolve-dns (give both)");
    return null;
  }
  if (resolveGiven) {
    errors.push(
      "resolve-dns: give --resolve or --resolve-dns, not both (--resolve names the addresses, " +
        "--resolve-dns has each viewer look them up)",
    );
  }
  let url: URL;
  try {
    url = new URL(streamUrl);
  } catch {
    return null; // The URL's own check says what is wrong with it.
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIp(host)) {
    errors.push(
      `resolve-dns: the stream URL's host ${host} is an address: there is nothing to look up`,
    );
  }
  if (errors.length > before) return null;
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return { host, port, server };
}

/**
 * How the summary header, `--print-cmd` and `k8s render` show the plan.
 *
 * @example
 * ```ts
 * describeResolveDns({ host: "cdn.example", port: 80, server: { ipAddr: "127.0.0.1", port: 5353 } });
 * // "cdn.example:80 → each viewer's own DNS lookup at 127.0.0.1:5353 (first answer, kept for the run)"
 * ```
 */
export function describeResolveDns(plan: DnsPlan): string {
  return `${plan.host}:${plan.port} → each viewer's own DNS lookup at ` +
    `${describeDnsServer(plan.server)} (first answer, kept for the run)`;
}

/**
 * A shard's viewers' lookups: each client id looks the host up once, the first time its slot
 * starts, and keeps the answer; a failed lookup is not kept, so the next start (after the usual
 * backoff) asks again. Lookups run concurrently, each in its own viewer's start.
 *
 * @example
 * ```ts
 * const plan = { host: "cdn.example", port: 80, server: null };
 * const pins = new DnsPins(plan, () => Promise.resolve(["127.0.0.3", "127.0.0.2"]));
 * const signal = new AbortController().signal;
 * (await pins.pin(4, signal)).addresses; // [{ ip: "127.0.0.3", weight: 1 }]
 * pins.addressOf(4); // "127.0.0.3"
 * ```
 */
export class DnsPins {
  readonly #plan: DnsPlan;
  readonly #lookup: DnsLookup;
  readonly #pinned = new Map<number, ResolvePlan>();
  readonly #answers = new Map<number, string[]>();
  /** Viewers whose lookup is under way (a restart while one runs waits for the same). */
  readonly #pending = new Map<number, Promise<ResolvePlan>>();

  constructor(plan: DnsPlan, lookup: DnsLookup) {
    this.#plan = plan;
    this.#lookup = lookup;
  }

  /** Client `id`'s address, or null before its lookup has answered. */
  addressOf(id: number): string | null {
    return this.#pinned.get(id)?.addresses[0].ip ?? null;
  }

  /** Every address client `id`'s lookup answered, in the resolver's order (empty before). */
  answersOf(id: number): string[] {
    return this.#answers.get(id) ?? [];
  }

  /**
   * Client `id`'s pin as a one-address `--resolve` plan: looked up the first time, then kept.
   * Throws the lookup's error (a DnsLookupError, or the abort).
   */
  pin(id: number, signal: AbortSignal): Promise<ResolvePlan> {
    const known = this.#pinned.get(id);
    if (known) return Promise.resolve(known);
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = this.#lookup(this.#plan.host, signal).then((answers) => {
        const pin: ResolvePlan = {
          host: this.#plan.host,
          port: this.#plan.port,
          addresses: [{ ip: answers[0].toLowerCase(), weight: 1 }],
        };
        this.#pinned.set(id, pin);
        this.#answers.set(id, answers);
        return pin;
      }).finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    return pending;
  }
}
