/**
 * The reconcile report as text: tables by kind, edge and viewer, then the examples.
 * @module
 */
import type { CacheCounts, ReconcileReport, Tally } from "./report.ts";

const COLUMNS: ReadonlyArray<readonly [string, keyof Tally]> = [
  ["hls-swarm", "counted"],
  ["CDN", "logged"],
  ["matched", "matched"],
  ["status≠", "statusDiffers"],
  ["only hls-swarm", "onlySwarm"],
  ["only CDN", "onlyCdn"],
  ["explained", "explained"],
];

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].map((l) => `  ${l}\n`).join("");
}

const pct = (r: number | null) => r === null ? "-" : `${(r * 100).toFixed(1)}%`;

function tallyRows(entries: [string, Tally][]): string[][] {
  return entries.map(([name, t]) => [name, ...COLUMNS.map(([, k]) => String(t[k]))]);
}

/** How many viewer rows the text shows (all of them are in `--json`). */
const MAX_VIEWER_ROWS = 20;

/**
 * The text report.
 *
 * @example Not run: it needs a reconcile report and a CliIo
 * ```ts ignore
 * io.stdout(formatReconcile(report));
 * ```
 */
export function formatReconcile(r: ReconcileReport): string {
  const out: string[] = [];
  const head = ["", ...COLUMNS.map(([h]) => h)];
  out.push(
    `Reconcile: ${r.total.counted} requests by hls-swarm, ${r.total.logged} lines by the CDN, ` +
      `${r.total.matched} matched; clock skew ${r.skew.ms >= 0 ? "+" : ""}${r.skew.ms} ms ` +
      `(CDN minus hls-swarm, median of ${r.skew.samples} unambiguous pairs), window ±${r.windowMs} ms\n\n`,
  );
  out.push("By kind\n");
  out.push(table(head, tallyRows([...Object.entries(r.byKind).sort(), ["all", r.total]])));
  out.push("\nHit ratio        by the CDN's log   by the response headers\n");
  for (const [kind, h] of Object.entries(r.hitRatio).sort()) {
    out.push(`  ${kind.padEnd(15)}${pct(h.log).padStart(17)}${pct(h.headers).padStart(26)}\n`);
  }
  out.push("\nBy edge\n");
  const edgeRows = Object.entries(r.edges).sort().map(([name, c]: [string, CacheCounts]) => [
    name,
    String(c.lines),
    String(c.hit),
    String(c.miss),
    String(c.expired),
    String(c.pass),
    String(c.error),
    pct(c.hitRatio),
  ]);
  out.push(table(["", "lines", "hit", "miss", "expired", "pass", "error", "hit ratio"], edgeRows));
  const viewers = Object.entries(r.byViewer).sort(([a], [b]) => Number(a) - Number(b));
  const shown = viewers.filter(([, t]) => t.statusDiffers + t.onlySwarm + t.onlyCdn > 0);
  const rows = (shown.length ? shown : viewers).slice(0, MAX_VIEWER_ROWS);
  out.push(
    `\nBy viewer (${
      shown.length ? "those with mismatches" : "all match"
    }; ${viewers.length} viewers` +
      `${rows.length < (shown.length || viewers.length) ? `, first ${rows.length} shown` : ""})\n`,
  );
  out.push(table(head, tallyRows(rows.map(([id, t]) => [`client-${id}`, t]))));
  const ig = r.ignored;
  out.push(
    `\nNot the run's: ${ig.notViewer} lines without a viewer id, ${ig.otherViewers} of viewers ` +
      `not in the request logs, ${ig.outsideRun} dated outside the run\n`,
  );
  if (r.examples.length) {
    out.push("\nExamples\n");
    for (const e of r.examples) {
      const status = `hls-swarm ${e.swarmStatus ?? e.event ?? "-"}, CDN ${e.cdnStatus ?? "-"}`;
      out.push(
        `  ${e.type.padEnd(14)} ${e.time}  client-${e.client}  ${e.kind}  ${e.path}` +
          `${e.edge ? `  @${e.edge}` : ""}  (${status})\n`,
      );
    }
  }
  out.push(
    `\n${r.ok ? "OK" : "MISMATCH"}: ${r.mismatches} mismatches (tolerance ${r.tolerance})\n`,
  );
  return out.join("");
}
