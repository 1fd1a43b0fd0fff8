/**
 * IP addresses as the flags give them.
 * @module
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

/**
 * Whether `s` is an IPv4 or IPv6 address (IPv6 without brackets).
 *
 * @example
 * ```ts
 * isIp("127.0.0.2"); // true
 * isIp("::1"); // true
 * isIp("cdn.example"); // false
 * ```
 */
export function isIp(s: string): boolean {
  return IPV4.test(s) || (s.includes(":") && IPV6.test(s) && s.split(":").length <= 8);
}
