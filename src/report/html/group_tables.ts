/**
 * The HTML report's tables by rendition (`--variant-mix`) and by edge address (`--resolve`),
 * from the summary's `renditions` and `edgeAddresses` (src/stats/groups_wire.ts), as the text
 * summary's "By rendition" and "By edge address" sections show them (src/report/groups_text.ts).
 * For a merged fleet given its shards' summaries, each group's fleet row is followed by a row
 * per shard, from that shard's own summary, so an edge or rendition that only one shard saw
 * fail shows.
 *
 * Every figure cell carries the `data-key` of the JSON figure it shows (`renditions.0.bytes`,
 * `shards.1.edgeAddresses.0.errors`), as the other tables do.
 * @module
 */
import type { GroupReport } from "../../stats/groups_wire.ts";
import type { ReportExtras, ReportInput } from "./data.ts";
import { type Cell, table } from "./tables.ts";
import { esc, int, ms, pct } from "./text.ts";

/** Which groups: the summary's field, and what the table is called. */
export type GroupKind = "renditions" | "edgeAddresses";

/** Short headings: thirteen columns must fit the page's width (the notes say the rest). */
const HEAD = [
  "",
  "viewers",
  "manifests",
  "segments",
  "bytes",
  "errors",
  "seg. TTFB p50",
  "seg. TTFB p95",
  "sessions",
  "VSF",
  "startup p50",
  "rebuffering",
];

/**
 * One group's row; `key` is where it is in the JSON (`renditions.0`, `shards.2.renditions.1`).
 *
 * @example
 * ```ts
 * import { groupReports } from "../../stats/groups_wire.ts";
 * import { ViewerStats } from "../../viewer/stats.ts";
 * import { Sketch } from "../../math/sketch.ts";
 * const [g] = groupReports({
 *   "720p": {
 *     viewers: 2, requests: { manifest: 4, segment: 6, init: 0, other: 0 }, bytes: 900,
 *     errors: 1, ttfbMs: new Sketch().toWire(), experience: new ViewerStats().toWire(),
 *   },
 * })!;
 * groupRow("720p", g, "renditions.0")[1]; // { text: "2", key: "renditions.0.viewers" }
 * ```
 */
export function groupRow(label: string, g: GroupReport, key: string): Cell[] {
  const c = (text: string | number, field?: string): Cell =>
    field === undefined
      ? { text: typeof text === "number" ? int(text) : text }
      : { text: typeof text === "number" ? int(text) : text, key: `${key}.${field}` };
  const e = g.experience;
  return [
    c(label),
    c(g.viewers, "viewers"),
    c(g.requests.manifest, "requests.manifest"),
    c(g.requests.segment, "requests.segment"),
    c(g.bytes, "bytes"),
    c(g.errors, "errors"),
    c(ms(g.segmentTtfbMs.p50), "segmentTtfbMs.p50"),
    c(ms(g.segmentTtfbMs.p95), "segmentTtfbMs.p95"),
    c(e.sessions.started, "experience.sessions.started"),
    c(e.sessions.vsf, "experience.sessions.vsf"),
    c(ms(e.startupMs.p50), "experience.startupMs.p50"),
    c(pct(e.rebufferRatio)),
  ];
}

/**
 * The table of one kind of groups: a row per group (the fleet's, in a merged report), then,
 * given the shards' summaries, a row per shard that had the group. A note when the run had none.
 *
 * @example Not run: it needs a summary of a run with --variant-mix
 * ```ts ignore
 * groupTable(summary, {}, "renditions"); // '<table data-table="renditions">…'
 * ```
 */
export function groupTable(s: ReportInput, extras: ReportExtras, kind: GroupKind): string {
  const groups = s[kind];
  if (!groups?.length) {
    return `<p class="note">${
      kind === "renditions"
        ? "The run had no --variant-mix, so there is no table by rendition (every viewer " +
          "played the variant --variant chose)."
        : "The run had no --resolve, so there is no table by edge address (each viewer " +
          "connected where DNS sent it; the CDN edges table names the edges that answered)."
    }</p>`;
  }
  const shards = [...(extras.shards ?? [])].sort((a, b) =>
    (a.shard?.index ?? 0) - (b.shard?.index ?? 0)
  );
  const rows: Cell[][] = [];
  groups.forEach((g, i) => {
    rows.push(groupRow(g.name, g, `${kind}.${i}`));
    shards.forEach((x, k) => {
      const index = x.shard?.index ?? k;
      const j = x[kind]?.findIndex((h) => h.name === g.name) ?? -1;
      if (j < 0) return;
      rows.push(groupRow(`↳ shard ${index}`, x[kind]![j], `shards.${index}.${kind}.${j}`));
    });
  });
  const head = [kind === "renditions" ? "rendition" : "edge address", ...HEAD.slice(1)];
  const how = kind === "renditions"
    ? "Viewers --variant-mix assigned to each rendition, by client id; FFmpeg's opening reads " +
      "of every variant while it opens the master count under the viewer's rendition"
    : "Viewers --resolve sent to each address, by client id: the address FFmpeg connected to, " +
      "not what a CDN header named (that is the CDN edges table)";
  return table(kind, head, rows) +
    `<p class="note">${esc(how)}. TTFB, startup in ms; sessions: sessions started. All ` +
    `measured, except rebuffering (rebuffer time over watch time, inferred by the virtual ` +
    `player).${shards.length ? " ↳ rows: each shard's own summary." : ""}</p>`;
}
