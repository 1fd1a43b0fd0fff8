/**
 * Number formatting shared by the summary and the dashboard.
 * @module
 */

/**
 * Bytes with a binary-free SI unit, as network people read them.
 *
 * @example
 * ```ts
 * formatBytes(3_691_168); // "3.69 MB"
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(2)} ${units[i]}`;
}

/**
 * Bits per second from bytes per second.
 *
 * @example
 * ```ts
 * formatBitrate(125_000); // "1.00 Mbit/s"
 * ```
 */
export function formatBitrate(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  if (bits >= 1e9) return `${(bits / 1e9).toFixed(2)} Gbit/s`;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(2)} Mbit/s`;
  return `${(bits / 1e3).toFixed(1)} kbit/s`;
}

/**
 * A millisecond figure, or "n/a" when there is none.
 *
 * @example
 * ```ts
 * formatMs(12.34); // "12.3 ms"
 * formatMs(null);  // "n/a"
 * ```
 */
export function formatMs(ms: number | null): string {
  if (ms === null) return "n/a";
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`;
}
