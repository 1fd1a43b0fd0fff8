/**
 * What the exporter scraper ({@link ./scraper.ts}) hands to the summary, /metrics and the
 * dashboard: plain data, safe to serialise.
 * @module
 */
import type { OriginMemory } from "./node.ts";
import type { OriginNginx } from "./nginx.ts";

export type { OriginMemory, OriginNginx };

/** How one exporter has been answering. */
export interface SourceHealth {
  url: string;
  /** The latest scrape succeeded. False before the first scrape. */
  healthy: boolean;
  /** The latest failure's message (kept after recovery, see `lastErrorAt`), or null. */
  lastError: string | null;
  /** Wall-clock ms of the latest failure, or null. */
  lastErrorAt: number | null;
  /** Wall-clock ms of the latest success, or null. */
  lastSuccessAt: number | null;
  /** Failures since the latest success. */
  consecutiveFailures: number;
  /** Scrapes attempted. */
  scrapes: number;
  /** Scrapes failed. */
  failures: number;
}

/** Origin network throughput, bytes per second, summed over the interfaces not excluded
 * (loopback and virtual ones by default: {@linkcode DEFAULT_EXCLUDED_DEVICES}). */
export interface OriginNet {
  /** Over the latest interval. */
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
  /** Median and max of the per-interval rates within the window. */
  rxP50: number;
  rxMax: number;
  txP50: number;
  txMax: number;
  windowMs: number;
}

/** Plain data, safe to serialise. A value is null until it has been obtained once. */
export interface ExporterSnapshot {
  /** Busy CPU over the latest interval, 0–100, all CPUs together. */
  cpuPercent: number | null;
  memory: OriginMemory | null;
  net: OriginNet | null;
  nginx: OriginNginx | null;
  sources: { node?: SourceHealth; nginx?: SourceHealth };
  /** Counters since the first node_exporter scrape; null before the second. */
  totals: OriginTotals | null;
}

/**
 * The origin's CPU time and traffic since hls-swarm first scraped it, added up from each
 * interval's increases: counters that only grow, which /metrics exports for Prometheus to
 * `rate()` over any window (a gauge of the last interval's rate showed Prometheus one interval
 * in each of its scrapes). An exporter restart or a re-created interface is absorbed here, once,
 * as the dashboard's rates absorb it.
 */
export interface OriginTotals {
  /** CPU seconds over all CPUs outside idle and iowait (steal included). */
  cpuBusySeconds: number;
  /** CPU seconds in idle and iowait. */
  cpuIdleSeconds: number;
  /** Bytes received and sent, every device but the excluded ones. */
  rxBytes: number;
  txBytes: number;
}

/** A source's health before its first scrape. */
export function newHealth(url: string): SourceHealth {
  return {
    url,
    healthy: false,
    lastError: null,
    lastErrorAt: null,
    lastSuccessAt: null,
    consecutiveFailures: 0,
    scrapes: 0,
    failures: 0,
  };
}
