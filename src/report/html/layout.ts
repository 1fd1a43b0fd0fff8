/**
 * The HTML report's page: one self-contained document (inline CSS, inline SVG, no script, no
 * link, no image, no font to fetch), so it opens the same on an air-gapped CI runner, in a mail
 * attachment or from an artifact store. Its order is the reader's: the verdict first, then what
 * ran, then the plots over time, the distributions, and the tables.
 * @module
 */
import { EXIT_CODES, type ExitName } from "../../exit/codes.ts";
import {
  histograms,
  notInSummary,
  type ReportExtras,
  type ReportInput,
  saturationShades,
  shardPlots,
  timePlots,
} from "./data.ts";
import { groupTable } from "./group_tables.ts";
import { loadboxPlots, missingPlots, shardIntervalPlots, ttfbPlots } from "./interval_plots.ts";
import { histogramSvg, timePlotSvg } from "./svg.ts";
import {
  edgeTable,
  exitTable,
  kindTable,
  latencyTable,
  loadboxTable,
  shardTable,
  statusTable,
  thresholdTable,
  viewerTable,
} from "./tables.ts";
import { esc, int } from "./text.ts";

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;
background:#f6f7f9}
main{max-width:980px;margin:0 auto;padding:16px 20px 40px}
h1{font-size:20px;margin:8px 0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d4da}
h3{font-size:14px;margin:16px 0 4px}
.verdict{padding:12px 16px;border-radius:6px;margin:12px 0;color:#fff}
.verdict.pass{background:#1a7f37}.verdict.fail{background:#cf222e}
.verdict strong{font-size:20px;margin-right:12px}
dl.head{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}
dl.head dt{color:#57606a}dl.head dd{margin:0;word-break:break-all}
table{border-collapse:collapse;margin:6px 0 10px;background:#fff;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d4da;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#eef1f4}td{white-space:nowrap}
td.pass{color:#1a7f37}td.fail{color:#cf222e;font-weight:600}
figure{margin:8px 0 18px;background:#fff;border:1px solid #d0d4da;border-radius:6px;padding:8px}
figure svg{width:100%;height:auto;display:block}
figcaption,.note{color:#57606a;font-size:12.5px}
svg .grid{stroke:#e1e4e8;stroke-width:1}svg .ref{stroke:#57606a;stroke-dasharray:5 4}
svg .ax{font-size:11px;fill:#57606a}svg .lg{font-size:12px;fill:#1b1f24}
svg .sat{fill:#cf222e;fill-opacity:.14}svg .bar{fill:#0072B2}
`;

/** The exit code's name (`ok`, `thresholds` …), or "unknown". */
function exitName(code: number): string {
  const hit = (Object.keys(EXIT_CODES) as ExitName[]).find((k) => EXIT_CODES[k].code === code);
  return hit ?? "unknown";
}

/**
 * The verdict banner: pass or fail, the exit code with its name, and why. The element carries
 * `data-exit-code` and `data-verdict` so a reader (or a test) need not parse prose.
 *
 * @example Not run: it needs a summary with its outcome
 * ```ts ignore
 * verdictHtml(record); // '<section id="verdict" data-exit-code="0" data-verdict="pass" …'
 * ```
 */
export function verdictHtml(s: ReportInput): string {
  const code = s.outcome.code;
  const pass = code === 0;
  const failed = s.thresholds.filter((t) => !t.passed).length;
  const why = s.outcome.reason ??
    (s.thresholds.length
      ? `all ${s.thresholds.length} threshold${s.thresholds.length > 1 ? "s" : ""} passed`
      : "the run ended as planned (no threshold was given)");
  return `<section id="verdict" class="verdict ${
    pass ? "pass" : "fail"
  }" data-exit-code="${code}" ` +
    `data-verdict="${pass ? "pass" : "fail"}"><strong>${pass ? "PASS" : "FAIL"}</strong>` +
    `exit code <span data-key="outcome.code">${code}</span> (${esc(exitName(code))}): ` +
    `${esc(why)}${failed ? ` — ${failed} of ${s.thresholds.length} thresholds failed` : ""}` +
    `</section>`;
}

/** The run's header: what ran, against what, for how long. */
export function headerHtml(s: ReportInput): string {
  const shards = s.fleet
    ? `${s.fleet.present.length} of ${s.fleet.shards} present` +
      (s.fleet.missing.length ? `; missing ${s.fleet.missing.join(", ")}` : "") +
      (s.fleet.failed.length ? `; failed ${s.fleet.failed.map((f) => f.index).join(", ")}` : "")
    : s.shard
    ? `shard ${s.shard.index} of ${s.shard.count} (clients ${s.shard.firstClient}–${
      s.shard.firstClient + s.shard.clients - 1
    })`
    : "one process (not sharded)";
  const media = s.clients.receivedMedia === null ? "not measured" : int(s.clients.receivedMedia);
  const rows: [string, string][] = [
    ["target", s.target],
    ["run id", s.runId],
    ["shards", shards],
    ["hls-swarm", s.run.hlsSwarmVersion],
    ["line reader", s.run.lineReader ?? "unknown"],
    ["FFmpeg", `${s.run.ffmpeg.version} (${s.run.ffmpeg.path})`],
    ["started", `${s.startedAt} (ramp ${s.rampStartedAt})`],
    ["duration", `${(s.durationMs / 1000).toFixed(1)} s, stopped by ${s.stopReason}`],
    [
      "clients",
      `${int(s.clients.target)} target, ${int(s.clients.peakRunning)} peak running, ` +
      `${int(s.clients.started)} started, ${media} received media`,
    ],
    ["host", `${s.run.host.hostname} (${s.run.host.cpus} CPUs), TLS: ${s.run.tls}`],
  ];
  return `<dl class="head">${
    rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd data-head="${esc(k)}">${esc(v)}</dd>`).join("")
  }</dl>`;
}

/**
 * The whole page.
 *
 * @example Not run: it needs a summary with its thresholds and outcome
 * ```ts ignore
 * const html = reportPage(record, {});
 * html.startsWith("<!DOCTYPE html>"); // true
 * ```
 */
export function reportPage(s: ReportInput, extras: ReportExtras): string {
  const shades = saturationShades(s);
  const runStart = Math.floor(Date.parse(s.startedAt) / 1000);
  const seconds = s.snapshot.series.fields.segments.length;
  // Every time plot spans the run's per-second series, so plots of other steps line up.
  const domain = { from: s.snapshot.series.start, to: s.snapshot.series.start + seconds - 1 };
  const missing = missingPlots(s).map((m) =>
    `<figure data-missing="${esc(m.id)}"><p class="note"><b>${esc(m.title)}</b>: ${
      esc(m.why)
    }</p></figure>`
  ).join("");
  const plots = seconds
    ? [
      ...timePlots(s),
      ...ttfbPlots(s, domain),
      ...loadboxPlots(s, domain),
      ...shardPlots(s, extras),
      ...shardIntervalPlots(extras, domain),
    ].map((p) =>
      `<figure>${timePlotSvg({ ...p, domain: p.domain ?? domain }, shades, runStart)}` +
      `<figcaption><b>${esc(p.title)}</b> (${esc(p.unit)}). ${esc(p.caption)}</figcaption>` +
      `</figure>`
    ).join("") + missing
    : `<p class="note">The run recorded no second of traffic, so there is nothing to plot.</p>`;
  const hists = histograms(s).map((h) =>
    h.count
      ? `<figure>${histogramSvg(h.id, h.title, h.bars)}<figcaption><b>${esc(h.title)}</b>: ` +
        `${int(h.count)} samples, whole run (from the sketch's bins, within 1 %).</figcaption>` +
        `</figure>`
      : `<p class="note">${esc(h.title)}: no sample.</p>`
  ).join("");
  const shardPart = shardTable(s, extras);
  const title = `hls-swarm report: ${s.runId}`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>` +
    `<h1>${esc(title)}</h1>` +
    verdictHtml(s) +
    `<h3>Thresholds</h3>${thresholdTable(s)}` +
    `<h2>Run</h2>${headerHtml(s)}` +
    `<h2>Over time</h2>` +
    (shades.length
      ? `<p class="note">Shaded: seconds in which the load box was saturated; figures there ` +
        `may measure the load box rather than the target.</p>`
      : "") +
    plots +
    `<h2>Distributions</h2>${hists}` +
    `<h2>Viewer experience</h2>${viewerTable(s)}` +
    `<h2>Latency (whole run)</h2>${latencyTable(s)}` +
    `<h2>Requests by kind</h2>${kindTable(s)}` +
    `<h2>Responses by status</h2>${statusTable(s)}` +
    `<h2>FFmpeg exits</h2>${exitTable(s)}` +
    `<h2>By rendition</h2>${groupTable(s, extras, "renditions")}` +
    `<h2>By edge address</h2>${groupTable(s, extras, "edgeAddresses")}` +
    `<h2>CDN edges (named by response headers)</h2>${edgeTable(s)}` +
    (shardPart ? `<h2>Shards</h2>${shardPart}` : "") +
    `<h2>Load box</h2>${loadboxTable(s)}` +
    `<h2>Not in this report</h2><ul class="note">${
      notInSummary(s).map((t) => `<li>${esc(t)}</li>`).join("")
    }</ul>` +
    `</main></body></html>\n`;
}
