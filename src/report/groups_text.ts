/**
 * The summary's header rows for the rendition mix and the edge addresses, and its sections "By
 * rendition" and "By edge address" (src/stats/groups.ts): each group's viewers, requests, bytes,
 * errors, segment TTFB and viewer experience. Shown only when the run had a mix or --resolve.
 * @module
 */
import type { GroupReport } from "../stats/groups_wire.ts";
import { formatBytes, formatMs, formatPercent } from "./format.ts";
import type { RunSummary } from "./summary.ts";

const THIN = "─".repeat(79);

function row(label: string, value: string): string {
  return `  ${label.padEnd(24)}${value}`;
}

/**
 * The header rows: what the mix and --resolve were (absent when unused).
 *
 * @example
 * ```ts
 * formatGroupsHeader({ variantMix: null, resolve: "cdn.example:80 → 127.0.0.2, 127.0.0.3" });
 * // ["  Edge addresses:         cdn.example:80 → 127.0.0.2, 127.0.0.3"]
 * ```
 */
export function formatGroupsHeader(
  config: { variantMix?: string | null; resolve?: string | null },
): string[] {
  return [
    ...(config.variantMix ? [row("Rendition mix:", config.variantMix)] : []),
    ...(config.resolve ? [row("Edge addresses:", config.resolve)] : []),
  ];
}

/**
 * The "By rendition" and "By edge address" sections.
 *
 * @example
 * ```ts
 * formatGroups({ renditions: null, edgeAddresses: null }); // []
 * ```
 */
export function formatGroups(s: Pick<RunSummary, "renditions" | "edgeAddresses">): string[] {
  return [
    ...section("By rendition (the viewers --variant-mix assigned to each; measured)", s.renditions),
    ...section(
      "By edge address (the viewers --resolve or --resolve-dns sent to each; measured)",
      s.edgeAddresses,
    ),
  ];
}

function section(title: string, groups: readonly GroupReport[] | null): string[] {
  if (!groups?.length) return [];
  const pct = (x: number | null) => (x === null ? "n/a" : formatPercent(x));
  const lines = ["", title, THIN];
  for (const g of groups) {
    const requests = g.requests.manifest + g.requests.segment + g.requests.init +
      g.requests.other;
    const t = g.segmentTtfbMs;
    const e = g.experience;
    lines.push(
      row(
        `${g.name}:`,
        `${g.viewers} viewers, ${requests} requests (${g.requests.segment} segments), ` +
          `${formatBytes(g.bytes)}, ${g.errors} errors (${pct(g.errorRate)})`,
      ),
      row(
        "  segment TTFB:",
        t.count ? `p50 ${formatMs(t.p50)}, p95 ${formatMs(t.p95)} (${t.count})` : "n/a",
      ),
      row(
        "  experience:",
        `${e.sessions.started} started, VSF ${pct(e.vsfRate)}, startup p50 ` +
          `${formatMs(e.startupMs.p50)}, rebuffering ${pct(e.rebufferRatio)}`,
      ),
    );
  }
  return lines;
}
