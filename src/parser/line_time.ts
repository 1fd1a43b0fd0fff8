/**
 * When an FFmpeg log line was written. Every line has its arrival time at the reader; with the
 * `datetime` log flag (FFmpeg 9.0; 5.1 and 7.1 reject it) it also carries FFmpeg's own wall-clock
 * time, `YYYY-MM-DD HH:MM:SS.mmm ` in the FFmpeg process's local time zone, milliseconds truncated.
 *
 * Only differences between two lines of one FFmpeg run are ever used, so the time zone does not
 * matter: the stamp is read as if it were UTC. FFmpeg's stamps are preferred because they are
 * taken as FFmpeg logs, before the pipe and the reader add their latency and batching.
 * @module
 */

/** Length of the `datetime` prefix, its trailing space included. */
export const DATETIME_PREFIX_LENGTH = 24;

/** A stamp difference this far beyond the arrival difference means the wall clock was stepped. */
const CLOCK_STEP_MS = 60_000;

/** When a line was seen: arrival at the reader (ms, monotonic) and FFmpeg's stamp (ms) or null. */
export interface LineTime {
  at: number;
  stamp: number | null;
}

/**
 * Whether `line` starts with the `datetime` prefix. Checks the separators only (the digits are
 * read by {@linkcode datetimePrefixMs} when a stamp is needed), so it costs a few comparisons on
 * every line.
 *
 * @example
 * ```ts
 * hasDatetimePrefix("2026-12-01 14:37:32.911 [http @ 0x5] [debug] request: GET /a.m3u8"); // true
 * hasDatetimePrefix("[http @ 0x5] [debug] request: GET /a.m3u8"); // false
 * ```
 */
export function hasDatetimePrefix(line: string): boolean {
  return line.length > DATETIME_PREFIX_LENGTH && line.charCodeAt(23) === 32 &&
    line.charCodeAt(4) === 45 && line.charCodeAt(7) === 45 && line.charCodeAt(10) === 32 &&
    line.charCodeAt(13) === 58 && line.charCodeAt(16) === 58 && line.charCodeAt(19) === 46;
}

let cachedDay = -1;
let cachedDayMs = 0;

/**
 * The `datetime` prefix of `line` as milliseconds since 1970, reading FFmpeg's local time as
 * UTC; null when the line has no valid prefix.
 *
 * @example
 * ```ts
 * datetimePrefixMs("2026-12-01 14:37:32.911 [info] x")! -
 *   datetimePrefixMs("2026-12-01 14:37:32.900 [info] y")!; // 11
 * datetimePrefixMs("[info] x"); // null
 * ```
 */
export function datetimePrefixMs(line: string): number | null {
  if (!hasDatetimePrefix(line)) return null;
  const year = digits(line, 0, 4), month = digits(line, 5, 2), day = digits(line, 8, 2);
  const h = digits(line, 11, 2), m = digits(line, 14, 2), s = digits(line, 17, 2);
  const ms = digits(line, 20, 3);
  if ((year | month | day | h | m | s | ms) < 0 || month < 1 || month > 12 || day < 1) return null;
  const dayKey = year * 10_000 + month * 100 + day;
  if (dayKey !== cachedDay) {
    cachedDay = dayKey;
    cachedDayMs = Date.UTC(year, month - 1, day);
  }
  return cachedDayMs + ((h * 60 + m) * 60 + s) * 1000 + ms;
}

function digits(line: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * Milliseconds from line `from` to line `to`.
 *
 * With FFmpeg's stamps on both lines, their difference. Each stamp is truncated to the
 * millisecond, so a difference of d ≥ 1 means anything in (d − 1, d + 1), centred on d, and a
 * difference of 0 means 0–1 ms: it is reported as 0.5 ms, the middle of what it can be, never as
 * a 0 that would claim more than the clock can tell. Arrival times are the fallback when either
 * line has no stamp (the unprefixed continuation lines of a `request:` block, FFmpeg 5.1 and 7.1),
 * and when the stamps run backwards or more than a minute ahead of the arrival times: the wall
 * clock was stepped between the two lines (NTP, a daylight-saving change in FFmpeg's zone).
 *
 * @example
 * ```ts
 * elapsedMs({ at: 100, stamp: 5_000 }, { at: 130, stamp: 5_012 }); // 12 (FFmpeg's stamps)
 * elapsedMs({ at: 100, stamp: 5_000 }, { at: 101, stamp: 5_000 }); // 0.5 (same millisecond)
 * elapsedMs({ at: 100, stamp: null }, { at: 130, stamp: 5_012 }); // 30 (arrival)
 * ```
 */
export function elapsedMs(from: LineTime, to: LineTime): number {
  const arrival = to.at - from.at;
  if (from.stamp === null || to.stamp === null) return arrival;
  const stamped = to.stamp - from.stamp;
  if (stamped < 0 || stamped > arrival + CLOCK_STEP_MS) return arrival;
  return stamped === 0 ? 0.5 : stamped;
}
