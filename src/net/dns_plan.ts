/**
 * What `--resolve-dns` and `--dns-server` ask for, read from the flags: the name each viewer looks
 * up (the stream URL's host) and the resolver it asks. The lookups themselves are in
 * {@link ./dns.ts}; each viewer's, kept for the run, in src/client/dns_pins.ts.
 * @module
 */
import { describeDnsServer, type DnsServer } from "./dns.ts";
import { isIp } from "./ip.ts";

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
