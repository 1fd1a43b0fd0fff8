/**
 * Addresses as people and clients use them.
 * @module
 */

/**
 * The host part of a URL that reaches a server bound to `host`: wildcard binds map to
 * loopback, IPv6 addresses get brackets.
 *
 * @example
 * ```ts
 * urlHost("0.0.0.0"); // "127.0.0.1"
 * urlHost("::");      // "[::1]"
 * urlHost("::1");     // "[::1]"
 * ```
 */
export function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
