/**
 * The origin panel's view of the origin exporter scraper (`--origin-metrics`,
 * `--nginx-metrics`): the same figures, plus one health verdict over its sources.
 * @module
 */
import type { ExporterSnapshot } from "../exporters/scraper.ts";
import type { OriginPanel } from "./model.ts";

/** Names of the scraper's sources as people know them. */
const SOURCE_NAMES: Record<string, string> = {
  node: "node_exporter",
  nginx: "nginx exporter",
};

/**
 * Converts a scraper snapshot. Healthy when every source's latest scrape succeeded; unknown
 * (null) while a source has not been scraped yet; otherwise unhealthy, with each failing
 * source's latest error.
 *
 * @example Not run: it needs a running swarm's origin scraper
 * ```ts ignore
 * const view = originPanelOf(swarm.origin.snapshot());
 * view.healthy; // true, false, or null before the first scrape
 * ```
 */
export function originPanelOf(s: ExporterSnapshot): OriginPanel {
  const sources = Object.entries(s.sources).filter(([, h]) => h !== undefined);
  const failing = sources.filter(([, h]) => h!.scrapes > 0 && !h!.healthy);
  const pending = sources.some(([, h]) => h!.scrapes === 0);
  const error = failing.map(([name, h]) =>
    `${SOURCE_NAMES[name] ?? name}: ${h!.lastError ?? "failed"}`
  ).join("; ");
  return {
    cpuPercent: s.cpuPercent,
    memory: s.memory,
    net: s.net,
    nginx: s.nginx,
    healthy: failing.length ? false : pending || !sources.length ? null : true,
    ...(error ? { error } : {}),
  };
}
