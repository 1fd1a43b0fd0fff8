/**
 * Small pieces the stderr parser builds its events with: counts it believes, line times, and the
 * median of a few samples.
 * @module
 */
import type { Body } from "./body_ledger.ts";
import type { HttpEvent } from "./http_event.ts";
import { datetimePrefixMs, type LineTime } from "./line_time.ts";
import type { RequestKind } from "./url_kind.ts";
import type { EventKey } from "../events/catalog.ts";

/**
 * A count or a size FFmpeg printed, believed only as a whole number JavaScript holds exactly:
 * past 2^53 a hostile or garbled line would add an absurd figure to the totals.
 */
export function wholeCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * The median of `values`, or null when there are none.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A line's time: arrival, and FFmpeg's stamp when the line has one. */
export function lineTime(raw: string, at: number): LineTime {
  return { at, stamp: raw.charCodeAt(0) === 91 ? null : datetimePrefixMs(raw) };
}

/** The event of a body's bytes. */
export function bodyBytes(b: Body): HttpEvent {
  return { type: "body_bytes", req: b.req, kind: b.kind, bytes: b.bytes };
}

/** A counted event of the catalog, with its request's kind and number when it has them. */
export function count(key: EventKey, n = 1, kind?: RequestKind, req?: number): HttpEvent {
  if (!kind) return { type: "count", key, n };
  return req === undefined ? { type: "count", key, n, kind } : { type: "count", key, n, kind, req };
}
