/**
 * The dashboard's row by rendition (`--variant-mix`, label `rendition`) and by edge address
 * (`--resolve`, `--resolve-dns`, label `edge_address`), from src/metrics/groups.ts: one line of
 * the same four panels for each. The families exist only with a mix or edge addresses, so
 * without them these panels are empty. These are the addresses hls-swarm connected to; the CDN
 * row's edges are the names the edges give themselves in their response headers.
 * @module
 */
import {
  bargauge,
  type JsonPanel,
  type Line,
  q,
  quantile,
  rate,
  type Row,
  sel,
  timeseries,
} from "./panels.ts";

/** One group label: its families' prefix, its label, and how a panel names it. */
interface Group {
  prefix: string;
  label: string;
  what: string;
  /** Which flag makes the groups, and how viewers are put in them. */
  source: string;
}

/** The groups, top to bottom. */
const GROUPS: Group[] = [
  {
    prefix: "hlsswarm_rendition_",
    label: "rendition",
    what: "rendition",
    source: "--variant-mix assigns each viewer (client id) one rendition, as the flag names it",
  },
  {
    prefix: "hlsswarm_edge_address_",
    label: "edge_address",
    what: "edge address",
    source: "--resolve assigns each viewer (client id) one address, or --resolve-dns the first " +
      "answer of its own lookup; a viewer counts under its address once it has one",
  },
];

/** The four panels of one group: viewers, throughput, segment TTFB, errors. */
function groupLine(g: Group): Line {
  const m = (name: string) => g.prefix + name;
  const by = g.label, legend = `{{${g.label}}}`;
  const head = `Measured, by ${g.what}: ${g.source}. Summed over shards.`;
  const panels: JsonPanel[] = [
    bargauge(
      `Viewers by ${g.what}`,
      `${head} Viewer slots of each ${g.what} that ran, so far.`,
      { unit: "short", min: 0, decimals: 0 },
      [q(`sum by (${by}) (${m("viewers")}${sel()})`, legend)],
    ),
    timeseries(
      `Throughput by ${g.what}`,
      `${head} Body bytes × 8 per second received by each ${g.what}'s viewers. FFmpeg reads ` +
        "the first segments of every variant while it opens a master playlist: those count " +
        "under the viewer's own rendition.",
      { unit: "bps", min: 0 },
      [q(`8 * ${rate(m("bytes_total"), by)}`, legend)],
    ),
    timeseries(
      `Segment TTFB by ${g.what}`,
      `${head} Segment time to first byte, p50 and p95, from each ${g.what}'s histogram ` +
        "(20 buckets a decade, interpolated inside a bucket).",
      { unit: "s", min: 0 },
      ([[0.5, "p50"], [0.95, "p95"]] as const).map(([p, name]) =>
        q(quantile(p, m("segment_ttfb_seconds"), by), `${name} ${legend}`)
      ),
    ),
    timeseries(
      `Errors by ${g.what}`,
      `${head} Responses >= 400 and requests without a response, as a share of the requests ` +
        `of each ${g.what}'s viewers in the rate interval (0 when none failed).`,
      { unit: "percentunit", min: 0 },
      [q(`${rate(m("errors_total"), by)} / ${rate(m("requests_total"), by)}`, legend)],
    ),
  ];
  return { h: 7, panels: panels.map((p): [number, JsonPanel] => [6, p]) };
}

/** By rendition, then by edge address. */
export const GROUP_ROWS: Row[] = [{
  title: "Renditions and edge addresses: did each rendition and each edge fare alike?",
  lines: GROUPS.map(groupLine),
}];
