/**
 * The dashboard's panels: requests, throughput, latency, playback, errors and the origin's
 * exporters, each a pure function of the model, drawn full or compact at a given width.
 * @module
 */
import type picocolors from "picocolors";
import { EVENTS } from "../events/catalog.ts";
import type { Percentiles } from "../math/sketch.ts";
import {
  formatBitrate,
  formatBytes,
  formatClockShort,
  formatCount,
  formatMsShort,
  formatPercent,
  formatRate,
  formatSpeed,
} from "../report/format.ts";
import type { DashboardModel, OriginPanel } from "./model.ts";
import { bar, fit, sparkline, visibleWidth } from "./text.ts";

export type Colors = ReturnType<typeof picocolors.createColors>;

/** What every panel draws from: the model and the colours. */
export interface Ctx {
  m: DashboardModel;
  c: Colors;
}

/** A panel drawn at a given width, full or compact; the first line is its title rule. */
export type Panel = (ctx: Ctx, width: number, compact: boolean) => string[];

/** A title rule: `── Title ─────── right ──`. */
export function rule(c: Colors, title: string, width: number, right = ""): string {
  const left = `── ${title} `;
  const tail = right ? ` ${right} ──` : "";
  const fill = Math.max(1, width - visibleWidth(left) - visibleWidth(tail));
  return c.cyan(c.bold(left) + "─".repeat(fill)) + (right ? ` ${right} ${c.cyan("──")}` : "");
}

/** Right-aligns `text` in `width` cells (colour codes do not count). */
export function r(text: string | number, width: number): string {
  const s = String(text);
  const w = visibleWidth(s);
  return w >= width ? s : " ".repeat(width - w) + s;
}

/** Left-aligns `text` in `width` cells. */
export function l(text: string, width: number): string {
  const w = visibleWidth(text);
  return w >= width ? text : text + " ".repeat(width - w);
}

export function na(c: Colors, text = "n/a"): string {
  return c.dim(text);
}

/** A rate, dimmed while unknown ("…"). */
export function rate(c: Colors, perSecond: number | null): string {
  return perSecond === null ? na(c, "…") : formatRate(perSecond);
}

export const requestsPanel: Panel = ({ m, c }, width, compact) => {
  const title = rule(c, "Requests", width, compact ? "" : "total      rate");
  if (!m.coverage.requests) return [title, ` ${na(c, m.coverage.note ?? "n/a")}`];
  const f = m.fleet;
  const line = (label: string, count: number, perSecond: number | null) =>
    ` ${l(label, 17)}${r(formatCount(count), 8)} ${r(rate(c, perSecond), 9)}`;
  const rows = [
    line("manifest (.m3u8)", f.requests.manifest, f.rates.manifests),
    line("segment", f.requests.segment, f.rates.segments),
  ];
  // Init segments and other URLs are rare; compact mode shows them only when they occurred.
  if (!compact || f.requests.init) rows.push(line("init", f.requests.init, m.kindRates.init));
  if (!compact || f.requests.other) rows.push(line("other", f.requests.other, m.kindRates.other));
  rows.push(c.bold(line("all", f.totalRequests, f.rates.requests)));
  return [title, ...rows];
};

export const throughputPanel: Panel = ({ m, c }, width, compact) => {
  const f = m.fleet;
  const history = m.history;
  const points = Math.max(history.segments.length, history.bytes.length);
  const label = 12;
  const maxOf = (v: number[]) => v.reduce((a, b) => Math.max(a, b), 0);
  // No peak before the first interval: a "peak 0" would be a made-up figure.
  const segPeak = points ? `peak ${maxOf(history.segments).toFixed(1)}/s` : "peak …";
  const bytesPeak = points ? `peak ${formatBitrate(maxOf(history.bytes))}` : "peak …";
  // Both sparklines share one width and one time scale, so their cells line up.
  const peakWidth = Math.max(segPeak.length, m.coverage.responses ? bytesPeak.length : 0);
  const sparkWidth = Math.max(4, width - label - peakWidth - 2);
  // The whole history (up to 10 min) squeezed into the line: one cell per second at first.
  const perCell = Math.max(1, Math.ceil(points / sparkWidth));
  const span = points
    ? `last ${formatClockShort(Math.min(points, sparkWidth * perCell) * 1000)}`
    : "";
  const title = rule(c, "Throughput", width, c.dim(span));
  const spark = (name: string, values: number[], peak: string) =>
    ` ${l(name, label - 1)}${c.cyan(sparkline(values, sparkWidth, perCell))} ${c.dim(peak)}`;
  const segSpark = spark("segments/s", history.segments, segPeak);
  const bytesSpark = m.coverage.responses
    ? spark("throughput", history.bytes, bytesPeak)
    : ` ${l("throughput", label - 1)}${na(c, m.coverage.note ?? "n/a")}`;
  if (!m.coverage.responses) {
    const note = na(c, m.coverage.note ?? "n/a");
    return compact
      ? [title, ` now ${note}`, segSpark]
      : [title, ` ${l("now", label - 1)}${note}`, segSpark, bytesSpark];
  }
  const now = f.rates.bytes === null ? na(c, "…") : formatBitrate(f.rates.bytes);
  const avg = m.averageBytesPerSecond === null
    ? na(c, "…")
    : formatBitrate(m.averageBytesPerSecond);
  if (compact) {
    return [
      title,
      ` now ${c.bold(now)} · avg ${avg}`,
      ` total ${formatBytes(f.totalBytes)}`,
      segSpark,
      bytesSpark,
    ];
  }
  return [
    title,
    ` ${l("now", label - 1)}${c.bold(now)}`,
    ` ${l("average", label - 1)}${avg}`,
    ` ${l("total", label - 1)}${formatBytes(f.totalBytes)}` +
    `  ${c.dim(`segments ${formatBytes(f.bytes.segment)}`)}`,
    segSpark,
    bytesSpark,
  ];
};

export function latencyPanel({ m, c }: Ctx, width: number, compact: boolean): string[] {
  const cols = compact
    ? (["p50", "p95", "p99", "max"] as const)
    : (["p50", "p90", "p95", "p99", "max"] as const);
  const labelWidth = 28;
  const colWidth = 8;
  const headerCells = cols.map((k) => r(k, colWidth)).join("") + r("samples", 10);
  const titleRule = c.cyan(c.bold("── Latency, ms ") + "─".repeat(Math.max(1, labelWidth - 14)));
  const line = (label: string, p: Percentiles | null) => {
    if (!p) return ` ${l(label, labelWidth)}${na(c, m.coverage.note ?? "n/a")}`;
    const cells = cols.map((k) => {
      const v = p[k];
      return r(v === null ? na(c) : formatMsShort(v), colWidth);
    }).join("");
    return ` ${l(label, labelWidth)}${cells}${r(p.count ? formatCount(p.count) : na(c, "0"), 10)}`;
  };
  const f = m.fleet;
  const measured = m.coverage.responses;
  const rest = Math.max(0, width - visibleWidth(titleRule) - visibleWidth(headerCells) - 1);
  return [
    `${titleRule}${c.dim(headerCells)} ${c.cyan("─".repeat(rest))}`,
    line("TTFB segment", measured ? f.ttfbMs.segment : null),
    line("TTFB manifest", measured ? f.ttfbMs.manifest : null),
    line("TCP connect", m.coverage.requests ? f.tcpConnectMs : null),
    line("segment download (inferred)", measured ? f.segmentDownloadInferredMs : null),
  ];
}

export const playbackPanel: Panel = ({ m, c }, width, compact) => {
  const title = rule(c, "Playback", width);
  if (!m.coverage.playback) return [title, ` ${na(c, m.coverage.note ?? "n/a")}`];
  const p = m.fleet.playback;
  const speed = p.averageSpeed === null ? na(c) : formatSpeed(p.averageSpeed);
  const drift = (ms: number | null) => ms === null ? na(c) : `${(ms / 1000).toFixed(1)} s`;
  const stalled = p.stalled > 0 ? c.red(c.bold(String(p.stalled))) : c.green("0");
  const behind = p.fallingBehind > 0 ? c.yellow(String(p.fallingBehind)) : "0";
  const known = p.keepingUp + p.fallingBehind;
  const speedBar = known
    ? c.green(bar(p.keepingUp / known, Math.max(0, Math.min(20, width - 32))))
    : na(c, "…");
  const maxDrift = p.clientsWithMedia ? drift(p.maxDriftMs) : na(c);
  if (compact) {
    return [
      title,
      ` media ${p.clientsWithMedia}/${m.clients.started} · up ${p.keepingUp} · behind ${behind}`,
      ` stalled ${stalled} (episodes ${p.stallEpisodes}) · speed ${speed}`,
      ` drift avg ${drift(p.averageDriftMs)} · max ${maxDrift}`,
    ];
  }
  const lab = (s: string) => ` ${l(s, 17)}`;
  return [
    title,
    `${lab("with media")}${p.clientsWithMedia} of ${m.clients.started} started`,
    `${lab("keeping up")}${r(p.keepingUp, 4)}  ${speedBar}`,
    `${lab("falling behind")}${r(behind, 4)}  ${c.dim("(speed < 0.9x)")}`,
    `${lab("stalled now")}${r(stalled, 4)}  ${c.dim(`episodes ${p.stallEpisodes}`)}`,
    `${lab("average speed")}${speed}`,
    `${lab("drift avg / max")}${drift(p.averageDriftMs)} / ${maxDrift}  ` +
    c.dim(`(> 5 s: ${p.highDrift})`),
  ];
};

/** The catalog's events the errors panel lists, with their dashboard labels. */
const EVENT_LABELS = EVENTS.flatMap((e) => "tui" in e ? [[e.key, e.tui] as const] : []);

/** Joins `items` with " · " into lines of at most `width` cells, at most `maxLines` lines. */
function wrap(items: string[], width: number, indent: string, maxLines: number): string[] {
  const out: string[] = [];
  let cur = "";
  for (const item of items) {
    const next = cur ? `${cur} · ${item}` : item;
    if (cur && visibleWidth(indent + next) > width) {
      out.push(indent + cur);
      cur = item;
    } else cur = next;
  }
  if (cur) out.push(indent + cur);
  if (out.length > maxLines) {
    out.length = maxLines;
    out[maxLines - 1] = fit(out[maxLines - 1] + " …", width);
  }
  return out;
}

export const errorsPanel: Panel = ({ m, c }, width, compact) => {
  const f = m.fleet;
  const title = rule(c, "Errors", width);
  if (!m.coverage.requests) return [title, ` ${na(c, m.coverage.note ?? "n/a")}`];
  const ratePart = f.totalRequests
    ? (f.errorRate > 0 ? c.red : c.green)(formatPercent(f.errorRate))
    : na(c);
  const first = ` error rate ${ratePart}  ${c.dim(`(${f.failedRequests} of ${f.totalRequests})`)}` +
    (!compact && f.rates.errors ? `  ${c.red(formatRate(f.rates.errors))}` : "");
  const statuses = f.statuses.map(({ status, count }) => {
    const text = `${status}×${formatCount(count)}`;
    return status >= 400 ? c.red(text) : status >= 300 ? c.yellow(text) : c.green(text);
  });
  const statusLines = !m.coverage.responses
    ? [` statuses ${na(c, m.coverage.note ?? "n/a")}`]
    : statuses.length
    ? wrap(statuses, width, " statuses ", compact ? 1 : 2).map((s, i) =>
      i ? " ".repeat(10) + s.trimStart() : s
    )
    : [` statuses ${na(c, "none yet")}`];
  const events = EVENT_LABELS.filter(([k]) => f.events[k] > 0).map(([k, label]) =>
    `${label} ${c.red(formatCount(f.events[k]))}`
  );
  const eventLines = events.length
    ? wrap(events, width, " ", compact ? 1 : 3)
    : [` ${c.green("no error events")}`];
  return [title, first, ...statusLines, ...eventLines];
};

export function originPanel(ctx: Ctx, width: number, compact: boolean, o: OriginPanel): string[] {
  const { c } = ctx;
  const health = o.healthy === null
    ? c.dim("waiting for the first scrape")
    : o.healthy
    ? c.green("healthy")
    : c.red(c.bold("unhealthy"));
  const num = (v: number | null | undefined, f: (x: number) => string) =>
    v === null || v === undefined ? na(c) : f(v);
  const pct = (v: number) => `${v.toFixed(1)} %`;
  const { memory: mem, net: io, nginx: ngx } = o;
  const memory =
    `memory ${num(mem?.usedBytes, formatBytes)} of ${num(mem?.totalBytes, formatBytes)}` +
    ` (${num(mem?.percent, pct)})`;
  const cpu = `CPU ${num(o.cpuPercent, pct)}`;
  const net = `net rx ${num(io?.rxBytesPerSecond, formatBitrate)} · ` +
    `tx ${num(io?.txBytesPerSecond, formatBitrate)}`;
  const nginx = `nginx ${num(ngx?.activeConnections, (v) => `${formatCount(v)} connections`)}` +
    ` · requests ${num(ngx?.requestsPerSecond, (v) => formatRate(v))}`;
  const lines = [rule(c, "Origin", width, health)];
  const one = ` ${cpu} · ${memory} · ${net} · ${nginx}`;
  // Compact takes one line only when nothing is cut from it.
  if (compact && visibleWidth(one) <= width) lines.push(one);
  else lines.push(` ${cpu}  ·  ${memory}`, ` ${net}  ·  ${nginx}`);
  if (o.error) lines.push(c.red(` error: ${o.error}`));
  return lines;
}
