/**
 * The dashboard's layout: a pure function from a {@linkcode DashboardModel} and a screen size to
 * the screen's lines. No terminal I/O happens here, so every layout is testable as text.
 *
 * Layout: a header (target, clients, time, metrics health, ramp), then panels in rows of two
 * (requests | throughput, playback | errors) with latency and the origin at full width, the
 * per-client table when asked for, and a footer. When the full panels do not fit the height,
 * every panel switches to its compact form; when even those leave no room for the client table,
 * panels are dropped, least important first.
 * @module
 */
import picocolors from "picocolors";
import type { Percentiles } from "../stats/sketch.ts";
import { formatBitrate, formatBytes } from "../report/format.ts";
import type { ClientRow, Coverage, DashboardModel, OriginSnapshot } from "./model.ts";
import {
  bar,
  fit,
  formatClockShort,
  formatCount,
  formatMsShort,
  formatPercent,
  formatRate,
  formatSpeed,
  sparkline,
  spread,
  visibleWidth,
} from "./text.ts";

/** Screen size and display switches of one frame. */
export interface RenderOptions {
  width: number;
  height: number;
  /** Show the per-client table (the `d` key). */
  showDetails: boolean;
  /** ANSI colours; false for NO_COLOR. */
  color: boolean;
}

type Colors = ReturnType<typeof picocolors.createColors>;
const COLORS_ON: Colors = picocolors.createColors(true);
const COLORS_OFF: Colors = picocolors.createColors(false);

/** Above this share of dropped output lines the metrics are severely degraded. */
export const SEVERE_DROP_RATE = 0.1;

/** The fewest lines the client table needs to be worth showing: title, header, 3 rows. */
const MIN_TABLE_LINES = 5;

/** Two panels side by side need at least this width; below it they stack. */
const MIN_PAIR_WIDTH = 70;

interface Ctx {
  m: DashboardModel;
  c: Colors;
}

/** A panel drawn at a given width, full or compact; the first line is its title rule. */
type Panel = (ctx: Ctx, width: number, compact: boolean) => string[];

interface Section {
  name: string;
  /** Lower is dropped first when even compact panels leave no room for the client table. */
  keep: number;
  draw(compact: boolean): string[];
}

/**
 * The dashboard's lines for one frame: at most `height` lines, each at most `width` visible
 * cells (ANSI colour codes do not count).
 *
 * @example
 * ```ts
 * const lines = renderDashboard(model, { width: 80, height: 24, showDetails: false, color: false });
 * Deno.stdout.writeSync(new TextEncoder().encode(lines.join("\n")));
 * ```
 */
export function renderDashboard(model: DashboardModel, opts: RenderOptions): string[] {
  const width = Math.max(1, Math.floor(opts.width));
  const height = Math.max(1, Math.floor(opts.height));
  const ctx: Ctx = { m: model, c: opts.color ? COLORS_ON : COLORS_OFF };
  const head = header(ctx, width);
  const foot = footer(ctx, width, opts.showDetails);
  const budget = height - head.length - foot.length;

  const sections: Section[] = [
    { name: "traffic", keep: 5, draw: (k) => row(ctx, width, k, requestsPanel, throughputPanel) },
    { name: "latency", keep: 3, draw: (k) => latencyPanel(ctx, width, k) },
    { name: "health", keep: 4, draw: (k) => row(ctx, width, k, playbackPanel, errorsPanel) },
  ];
  if (model.origin) {
    const origin = model.origin;
    sections.push({ name: "origin", keep: 2, draw: (k) => originPanel(ctx, width, k, origin) });
  }
  const tableNeed = opts.showDetails ? MIN_TABLE_LINES : 0;
  const measure = (compact: boolean) => sections.map((s) => s.draw(compact));
  let compact = false;
  let drawn = measure(false);
  if (total(drawn) + tableNeed > budget) {
    compact = true;
    drawn = measure(true);
  }
  // Only the client table forces panels out: without it the bottom is simply cut off.
  while (opts.showDetails && drawn.length && total(drawn) + tableNeed > budget) {
    let weakest = 0;
    for (let i = 1; i < sections.length; i++) {
      if (sections[i].keep < sections[weakest].keep) weakest = i;
    }
    sections.splice(weakest, 1);
    drawn.splice(weakest, 1);
  }
  const body = drawn.flat();
  if (opts.showDetails) {
    body.push(...clientTable(ctx, width, Math.max(0, budget - body.length), compact));
  }
  const shown = body.slice(0, Math.max(0, budget));
  // The footer stays on the bottom row, where the keys and the log file are always found.
  while (shown.length < budget) shown.push("");
  const lines = [...head, ...shown, ...foot].slice(0, height);
  return lines.map((l) => fit(l, width));
}

function total(parts: string[][]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

// ── Header and footer ────────────────────────────────────────────────────────────────────────

function header(ctx: Ctx, width: number): string[] {
  const { m, c } = ctx;
  const title = `${c.bold(c.cyan(" hls-swarm"))}  ${m.target}`;
  const cl = m.clients;
  const running = cl.running === cl.target
    ? c.green(`${cl.running}/${cl.target}`)
    : c.yellow(`${cl.running}/${cl.target}`);
  const time = m.elapsedMs === null
    ? "elapsed …"
    : `elapsed ${formatClockShort(m.elapsedMs)}  ${remaining(m)}`;
  const phase = m.phase === "stopping"
    ? c.yellow(`stopping (${m.stopReason})`)
    : m.phase === "running"
    ? c.green("running")
    : c.yellow(m.phase === "starting" ? "starting (preflight)" : "ramping");
  // Restarts and unexpected exits always show when they happened; when all is well they give
  // way to the target URL on narrow screens.
  const wide = width >= 110;
  let status = ` clients ${running} running · peak ${cl.peak}`;
  if (wide || cl.restarts) status += ` · restarts ${cl.restarts}`;
  if (wide || cl.unexpectedExits) {
    status += ` · unexpected exits ${cl.unexpectedExits > 0 ? c.red(cl.unexpectedExits) : 0}`;
  }
  return [
    spread(title, metricsHealth(ctx, wide), width),
    spread(status, `${time}  ${phase} `, width),
    rampLine(ctx, width),
  ];
}

function remaining(m: DashboardModel): string {
  if (m.durationMs <= 0) return "remaining: until stopped";
  return `remaining ${formatClockShort(Math.max(0, m.durationMs - (m.elapsedMs ?? 0)))}`;
}

function metricsHealth({ m, c }: Ctx, wide: boolean): string {
  const h = m.lines;
  if (h.read === 0) return c.dim("● metrics: no FFmpeg output yet ");
  if (h.dropped === 0) return c.green("● metrics healthy ");
  const detail = wide
    ? ` (${formatPercent(h.dropRate)} of output lines dropped, ${h.degradedClients} clients over ` +
      `${formatPercent(h.threshold)})`
    : `: ${formatPercent(h.dropRate)} dropped`;
  return h.dropRate > SEVERE_DROP_RATE
    ? c.red(c.bold(`● metrics SEVERELY degraded${detail} `))
    : c.yellow(`● metrics degraded${detail} `);
}

function rampLine({ m, c }: Ctx, width: number): string {
  const { started, target } = m.clients;
  const share = target ? started / target : 0;
  const tail = started >= target
    ? c.green("complete")
    : m.phase === "stopping"
    ? c.yellow("cancelled")
    : `${m.rampRate}/s, ~${formatClockShort(((target - started) / m.rampRate) * 1000)} left`;
  const text = ` ${started}/${target} started (${Math.round(share * 100)} %) ${tail}`;
  const barWidth = Math.max(0, Math.min(60, width - 7 - visibleWidth(text)));
  return ` ramp ${c.cyan(bar(share, barWidth))}${text}`;
}

function footer({ m, c }: Ctx, width: number, showDetails: boolean): string[] {
  const keys = !m.keys
    ? "keys off (stdin is not a terminal) · Ctrl+C stops"
    : m.phase === "stopping"
    ? c.yellow("stopping… Ctrl+C again kills every FFmpeg now")
    : `q quit · d ${showDetails ? "hide" : "show"} clients`;
  const lines: string[] = [];
  if (m.lastWarning) lines.push(c.yellow(` last warning: ${m.lastWarning}`));
  lines.push(spread(` ${keys}`, m.logPath ? c.dim(`logs: ${m.logPath} `) : "", width));
  return lines;
}

// ── Panels ───────────────────────────────────────────────────────────────────────────────────

/** A title rule: `── Title ─────── right ──`. */
function rule(c: Colors, title: string, width: number, right = ""): string {
  const left = `── ${title} `;
  const tail = right ? ` ${right} ──` : "";
  const fill = Math.max(1, width - visibleWidth(left) - visibleWidth(tail));
  return c.cyan(c.bold(left) + "─".repeat(fill)) + (right ? ` ${right} ${c.cyan("──")}` : "");
}

/** Two panels side by side, or stacked when the screen is narrow. */
function row(ctx: Ctx, width: number, compact: boolean, left: Panel, right: Panel): string[] {
  if (width < MIN_PAIR_WIDTH) return [...left(ctx, width, compact), ...right(ctx, width, compact)];
  const lw = Math.floor((width - 2) / 2);
  const rw = width - 2 - lw;
  const a = left(ctx, lw, compact);
  const b = right(ctx, rw, compact);
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    out.push(fit(a[i] ?? "", lw, true) + "  " + fit(b[i] ?? "", rw));
  }
  return out;
}

/** Right-aligns `text` in `width` cells (colour codes do not count). */
function r(text: string | number, width: number): string {
  const s = String(text);
  const w = visibleWidth(s);
  return w >= width ? s : " ".repeat(width - w) + s;
}

/** Left-aligns `text` in `width` cells. */
function l(text: string, width: number): string {
  const w = visibleWidth(text);
  return w >= width ? text : text + " ".repeat(width - w);
}

function na(c: Colors, text = "n/a"): string {
  return c.dim(text);
}

/** A rate, dimmed while unknown ("…"). */
function rate(c: Colors, perSecond: number | null): string {
  return perSecond === null ? na(c, "…") : formatRate(perSecond);
}

const requestsPanel: Panel = ({ m, c }, width, compact) => {
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

const throughputPanel: Panel = ({ m, c }, width, compact) => {
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

function latencyPanel({ m, c }: Ctx, width: number, compact: boolean): string[] {
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

const playbackPanel: Panel = ({ m, c }, width, compact) => {
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

const EVENT_LABELS: [keyof DashboardModel["fleet"]["events"], string][] = [
  ["unanswered", "no response"],
  ["timeouts", "timeouts"],
  ["reconnects", "reconnects"],
  ["keepaliveRetries", "keep-alive retries"],
  ["tcpRefused", "tcp refused"],
  ["tcpTimeouts", "tcp timeouts"],
  ["tcpErrors", "tcp errors"],
  ["segmentsFailed", "segments failed"],
  ["segmentsSkipped", "segments skipped"],
  ["playlistsFailed", "playlists failed"],
  ["segmentsExpired", "segments expired"],
  ["sequenceSkips", "sequence skips"],
];

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

const errorsPanel: Panel = ({ m, c }, width, compact) => {
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

function originPanel(ctx: Ctx, width: number, compact: boolean, o: OriginSnapshot): string[] {
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

// ── Client table ─────────────────────────────────────────────────────────────────────────────

/** Column widths of the client table; compact drops "max drift". */
const TABLE_COLUMNS: [string, number][] = [
  ["id", 5],
  ["state", 10],
  ["speed", 7],
  ["drift", 9],
  ["max drift", 11],
  ["stalls", 8],
  ["requests", 10],
  ["segments", 10],
  ["failed", 8],
  ["bytes", 12],
];

/** One table line: the state column left-aligned after a gap, every other right-aligned. */
function tableLine(cells: string[], compact: boolean): string {
  let out = "";
  for (let i = 0; i < TABLE_COLUMNS.length; i++) {
    const [name, width] = TABLE_COLUMNS[i];
    if (compact && name === "max drift") continue;
    out += name === "state" ? "  " + l(cells[i], width - 2) : r(cells[i], width);
  }
  return out;
}

function clientTable({ m, c }: Ctx, width: number, lines: number, compact: boolean): string[] {
  if (lines < 3) return lines > 0 ? [c.dim(" (client table: no room; enlarge the terminal)")] : [];
  const rows = m.clientRows.slice(0, lines - 2);
  const shown = `${rows.length} of ${m.clientCount}`;
  const title = rule(c, "Clients, worst first", width, c.dim(`${shown} · d hides`));
  const head = c.dim(tableLine(TABLE_COLUMNS.map(([name]) => name), compact));
  const body = rows.map((row) => clientLine(c, row, compact, m.coverage));
  if (!rows.length) body.push(c.dim(" (no client started yet)"));
  return [title, head, ...body];
}

function clientLine(c: Colors, row: ClientRow, compact: boolean, cov: Coverage): string {
  const count = (n: number, measured: boolean, bad = false) =>
    !measured ? c.dim("n/a") : bad && n ? c.red(formatCount(n)) : formatCount(n);
  const state = row.status === "stalled"
    ? c.red(c.bold("stalled"))
    : row.status === "behind"
    ? c.yellow("behind")
    : row.status === "ok"
    ? c.green("ok")
    : c.dim("waiting");
  const drift = (ms: number | null) => ms === null ? c.dim("n/a") : `${(ms / 1000).toFixed(1)} s`;
  // Max drift is kept across restarts, so it is known even while this run's drift is not.
  const maxDrift = row.driftMs === null && row.maxDriftMs === 0
    ? c.dim("n/a")
    : drift(row.maxDriftMs);
  return tableLine([
    String(row.id),
    state,
    row.speed === null ? c.dim("n/a") : formatSpeed(row.speed),
    drift(row.driftMs),
    maxDrift,
    row.stalls ? c.yellow(String(row.stalls)) : "0",
    count(row.requests, cov.requests),
    count(row.segments, cov.requests),
    count(row.failed, cov.requests, true),
    cov.responses ? formatBytes(row.bytes) : c.dim("n/a"),
  ], compact);
}
