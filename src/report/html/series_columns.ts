/**
 * Columns of the summary's per-second series as the report's plots read them: a field an older
 * summary lacks reads empty, viewers joined and not left are summed from joins and leaves, and
 * long series are averaged over buckets of seconds.
 * @module
 */
import type { SeriesField, SeriesWire } from "../../stats/series.ts";

/** One field of the series; empty when the summary was written before the field existed. */
export function column(series: SeriesWire, field: SeriesField): number[] {
  return series.fields[field] ?? [];
}

/** Viewers joined and not yet left at the end of each second (the audience's joins - leaves). */
export function joinedNotLeft(series: SeriesWire): number[] {
  let n = 0;
  return column(series, "joins").map((j, i) => (n += j - (series.fields.leaves[i] ?? 0)));
}

/**
 * Averages `values` over buckets of `step` elements (the last bucket may be shorter).
 *
 * @example
 * ```ts
 * bucketAverage([1, 3, 5, 7, 9], 2); // [2, 6, 9]
 * ```
 */
export function bucketAverage(values: readonly number[], step: number): number[] {
  if (step <= 1) return [...values];
  const out: number[] = [];
  for (let i = 0; i < values.length; i += step) {
    let sum = 0;
    const end = Math.min(values.length, i + step);
    for (let j = i; j < end; j++) sum += values[j];
    out.push(sum / (end - i));
  }
  return out;
}
