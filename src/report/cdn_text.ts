/**
 * The summary's "CDN" section, after "Viewer experience": what the CDN said in its response
 * headers (cache status, edge, Age), by request kind and by edge, with the TTFB of hits and of
 * misses apart. Shown only when some response carried such a header: against a bare origin it
 * would be a table of zeros.
 * @module
 */
import { REQUEST_KINDS, type RequestKind } from "../parser/url_kind.ts";
import type { CdnReport, CdnStatusReport } from "../stats/cdn_report.ts";
import { formatBytes, formatMs, formatPercent } from "./format.ts";

const THIN = "─".repeat(79);
const KIND_LABELS: Record<RequestKind, string> = {
  manifest: "Playlists",
  segment: "Segments",
  init: "Init segments",
  other: "Other",
};

/**
 * The section's lines (none when no CDN header was seen).
 *
 * @example
 * ```ts
 * import { CdnStats } from "../stats/cdn.ts";
 * import { cdnReport } from "../stats/cdn_report.ts";
 * formatCdn(cdnReport(new CdnStats().toWire())); // []
 * ```
 */
export function formatCdn(c: CdnReport): string[] {
  if (!c.seen) return [];
  const row = (label: string, value: string) => `  ${label.padEnd(24)}${value}`;
  const ratio = (x: number | null) => (x === null ? "n/a" : formatPercent(x));
  const ttfb = (s: CdnStatusReport) =>
    s.ttfbMs.count === 0
      ? "n/a (no sample)"
      : `p50 ${formatMs(s.ttfbMs.p50)}, p95 ${formatMs(s.ttfbMs.p95)}, p99 ${
        formatMs(s.ttfbMs.p99)
      } (${s.ttfbMs.count})`;
  const lines = [
    "",
    "CDN (from response headers: X-Cache and kin, Age, X-Served-By and kin; measured)",
    THIN,
    row("Hit ratio:", `${ratio(c.hitRatio)} (hits / responses with a cache status)`),
  ];
  for (const k of REQUEST_KINDS) {
    const r = c.byKind[k];
    if (r.requests === 0) continue;
    const s = r.byStatus;
    lines.push(
      row(
        `${KIND_LABELS[k]}:`,
        `${r.requests} (hit ${s.hit.requests}, miss ${s.miss.requests}, stale ${s.stale.requests}, ` +
          `pass ${s.pass.requests}, unknown ${s.unknown.requests}), hit ratio ${ratio(r.hitRatio)}`,
      ),
      row("", `${formatBytes(r.bytes)}, ${r.errors} errors`),
      row("  TTFB of hits:", ttfb(s.hit)),
      row("  TTFB of misses:", ttfb(s.miss)),
    );
  }
  const age = c.segmentAgeS;
  if (age.count > 0) {
    const s = (x: number | null) => `${Math.round(x ?? 0)} s`;
    lines.push(
      row("Segment age at edge:", `p50 ${s(age.p50)}, p95 ${s(age.p95)}, max ${s(age.max)}`),
    );
  }
  if (c.edges.length) {
    lines.push(row(`Edges (top ${c.topEdges}):`, "requests, hit ratio, bytes, errors"));
    for (const e of c.edges) {
      lines.push(
        row(
          `  ${e.edge.length > 20 ? e.edge.slice(0, 19) + "…" : e.edge}`,
          `${e.requests}, ${ratio(e.hitRatio)}, ${formatBytes(e.bytes)}, ${e.errors}`,
        ),
      );
    }
  }
  return lines;
}
