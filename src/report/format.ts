/**
 * Every formatter of figures people read: durations, clocks, bytes, bit rates, latencies,
 * counts, rates, percentages, speeds and exit labels. The summary, the dashboard and the logs
 * all use these, so a figure reads the same everywhere.
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

/**
 * Formats milliseconds the way Go prints durations ("1m30s", "250ms", "0s").
 *
 * @example
 * ```ts
 * formatDuration(90_000); // "1m30s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${Number(ms.toFixed(3))}ms`;
  let rest = ms / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const s = Number(rest.toFixed(3));
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

/**
 * Formats milliseconds as HH:MM:SS for summaries.
 *
 * @example
 * ```ts
 * formatClock(3_723_000); // "01:02:03"
 * ```
 */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

/**
 * Elapsed time as `m:ss` or `h:mm:ss`.
 *
 * @example
 * ```ts
 * formatClockShort(75_000); // "1:15"
 * ```
 */
export function formatClockShort(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * A count in at most 6 cells: `12345`, `123.4k`, `12.3M`.
 *
 * @example
 * ```ts
 * formatCount(1_234_567); // "1.23M"
 * ```
 */
export function formatCount(n: number): string {
  if (n < 100_000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)}M`;
  return `${(n / 1e9).toFixed(2)}G`;
}

/**
 * A per-second rate, or "…" while it is not known yet (fewer than two samples).
 *
 * @example
 * ```ts
 * formatRate(4.25); // "4.3/s"
 * formatRate(null); // "…"
 * ```
 */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return "…";
  if (perSecond >= 1000) return `${formatCount(perSecond)}/s`;
  return `${perSecond.toFixed(1)}/s`;
}

/**
 * A share between 0 and 1 as a percentage with two decimals.
 *
 * @example
 * ```ts
 * formatPercent(0.0123); // "1.23 %"
 * ```
 */
export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}

/**
 * A latency for a narrow column: `12.3`, `1234`, `12.3s` (milliseconds unless marked), or "n/a".
 *
 * @example
 * ```ts
 * formatMsShort(12.34); // "12.3"
 * formatMsShort(null); // "n/a"
 * ```
 */
export function formatMsShort(ms: number | null): string {
  if (ms === null) return "n/a";
  if (ms < 100) return ms.toFixed(1);
  if (ms < 10_000) return String(Math.round(ms));
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * A playback speed in at most 7 cells. FFmpeg's speed starts in the thousands during the
 * start-up burst, so large values lose their decimals instead of their column.
 *
 * @example
 * ```ts
 * formatSpeed(0.987); // "0.99x"
 * formatSpeed(21300); // "21300x"
 * ```
 */
export function formatSpeed(speed: number): string {
  if (speed < 10) return `${speed.toFixed(2)}x`;
  if (speed < 100) return `${speed.toFixed(1)}x`;
  return `${formatCount(speed)}x`;
}
