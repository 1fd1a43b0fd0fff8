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
 * `--dns-server IP[:PORT]` asks that resolver instead of the system's (like `dig @server`); the
 * flags are read in src/net/dns_plan.ts.
 * @module
 */
import type { DnsLookup } from "../net/dns.ts";
import type { DnsPlan } from "../net/dns_plan.ts";
import type { ResolvePlan } from "../config/resolve.ts";

/**
 * A partition's viewers' lookups: each client id looks the host up once, the first time its slot
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
