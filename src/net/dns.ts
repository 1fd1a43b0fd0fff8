/**
 * One DNS lookup of a host, as a viewer of `--resolve-dns` makes it: A records, then AAAA when
 * the name has no A record, through the system's resolver (`/etc/resolv.conf`) or a given one
 * (`--dns-server`, like `dig @server`). `Deno.resolveDns` asks DNS only: it does not read
 * `/etc/hosts`, so a name that only `/etc/hosts` knows does not resolve.
 *
 * Each call is a fresh query (Deno keeps no cache between calls), so a GSLB that answers per
 * query (rotating, or by where the query comes from) sees every viewer's lookup.
 * @module
 */

/** A resolver to ask instead of the system's: `--dns-server IP[:PORT]`. */
export interface DnsServer {
  ipAddr: string;
  port: number;
}

/** Looks `host` up; resolves with its addresses in the resolver's order, or throws a DnsLookupError. */
export type DnsLookup = (host: string, signal: AbortSignal) => Promise<string[]>;

/** A lookup that found no address: the viewer cannot start (a start failure, retried). */
export class DnsLookupError extends Error {
  override name = "DnsLookupError";
}

/**
 * How a server is written in messages: `IP:PORT`, `[v6]:PORT`, or "the system resolver".
 *
 * @example
 * ```ts
 * describeDnsServer({ ipAddr: "127.0.0.1", port: 5353 }); // "127.0.0.1:5353"
 * describeDnsServer(null); // "the system resolver"
 * ```
 */
export function describeDnsServer(server: DnsServer | null): string {
  if (!server) return "the system resolver";
  const ip = server.ipAddr.includes(":") ? `[${server.ipAddr}]` : server.ipAddr;
  return `${ip}:${server.port}`;
}

/**
 * A lookup through `server` (null: the system's resolver). IPv4 first: AAAA is asked only when
 * the name has no A record, so a name with both costs one query, as the DNS server counts it.
 *
 * @example Not run: it sends a DNS query
 * ```ts ignore
 * const lookup = dnsLookup({ ipAddr: "127.0.0.1", port: 5353 });
 * await lookup("cdn.example", new AbortController().signal); // ["127.0.0.2", "127.0.0.3"]
 * ```
 */
export function dnsLookup(server: DnsServer | null): DnsLookup {
  const nameServer = server ? { nameServer: { ipAddr: server.ipAddr, port: server.port } } : {};
  return async (host, signal) => {
    const problems: string[] = [];
    for (const type of ["A", "AAAA"] as const) {
      try {
        const answers = await Deno.resolveDns(host, type, { ...nameServer, signal });
        if (answers.length) return answers;
        problems.push(`no ${type} record`);
      } catch (e) {
        if (signal.aborted) throw e;
        // NotFound is "no such record of this type": the other type may still answer.
        if (!(e instanceof Deno.errors.NotFound)) {
          throw new DnsLookupError(
            `DNS lookup of ${host} (${type}) at ${describeDnsServer(server)} failed: ${
              e instanceof Error ? e.message : e
            }`,
          );
        }
        problems.push(`no ${type} record`);
      }
    }
    throw new DnsLookupError(
      `DNS lookup of ${host} at ${describeDnsServer(server)} found no address (${
        problems.join(", ")
      })`,
    );
  };
}
