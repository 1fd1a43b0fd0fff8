/**
 * The dashboard's layout: a pure function from a {@linkcode DashboardModel} and a screen size to
 * the screen's lines. No terminal I/O happens here, so every layout is testable as text.
 *
 * Layout: a header (target, clients, time, metrics health, ramp or audience), then panels in rows
 * of two (requests | throughput, playback | errors) with the audience (a plan runs), latency,
 * the renditions (several run) and the origin at full width, the
 * per-client table when asked for, and a footer. When the full panels do not fit the height,
 * every panel switches to its compact form; when even those leave no room for the client table,
 * panels are dropped, least important first. Without the table, the lines the panels leave go
 * to the lower half: trends over time, then the worst clients, each as tall as it measures.
 * @module
 */
import picocolors from "picocolors";
import { formatClockShort, formatPercent } from "../report/format.ts";
import { clientTable } from "./client_table.ts";
import type { DashboardModel } from "./model.ts";
import {
  type Colors,
  type Ctx,
  errorsPanel,
  latencyPanel,
  originPanel,
  type Panel,
  playbackPanel,
  requestsPanel,
  throughputPanel,
} from "./panels.ts";
import { bar, fit, spread, visibleWidth } from "./text.ts";
import { MAX_TREND_HEIGHT, trendsHeight, trendsPanel } from "./trends.ts";
import { audienceLine, audiencePanel, renditionsPanel } from "./audience_panel.ts";

/** Screen size and display switches of one frame. */
export interface RenderOptions {
  width: number;
  height: number;
  /** Show the per-client table (the `d` key). */
  showDetails: boolean;
  /** ANSI colours; false for NO_COLOR. */
  color: boolean;
}

const COLORS_ON: Colors = picocolors.createColors(true);
const COLORS_OFF: Colors = picocolors.createColors(false);

/** Above this share of dropped output lines the metrics are severely degraded. */
export const SEVERE_DROP_RATE = 0.1;

/** The fewest lines the client table needs to be worth showing: title, header, 3 rows. */
const MIN_TABLE_LINES = 5;

/** The client table's full width; narrower screens get its compact form. */
const TABLE_WIDTH = 91;

/** Two panels side by side need at least this width; below it they stack. */
const MIN_PAIR_WIDTH = 70;

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
 * import { DashboardModelBuilder } from "./model.ts";
 * import { syntheticSource, syntheticSwarm } from "./synthetic.ts";
 * const source = syntheticSource(syntheticSwarm({ clients: 3, seconds: 5 }));
 * const model = new DashboardModelBuilder(source).build(performance.now(), 20);
 * const lines = renderDashboard(model, { width: 80, height: 24, showDetails: false, color: false });
 * lines.length; // 24 at most
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
  // The audience's shape comes first when a plan runs; the renditions after the latencies.
  if (model.audience) {
    sections.unshift({ name: "audience", keep: 4.5, draw: (k) => audiencePanel(ctx, width, k) });
  }
  if (model.renditions.length) {
    const at = sections.findIndex((s) => s.name === "latency") + 1;
    sections.splice(at, 0, {
      name: "renditions",
      keep: 2.5,
      draw: (k) => renditionsPanel(ctx, width, k),
    });
  }
  if (model.origin) {
    const origin = model.origin;
    sections.push({ name: "origin", keep: 2, draw: (k) => originPanel(ctx, width, k, origin) });
  }
  const tableNeed = opts.showDetails ? MIN_TABLE_LINES : 0;
  // Full panels when they leave room for the table (d) or for every trend, one line each.
  const lowerNeed = opts.showDetails ? tableNeed : trendsHeight(model, 1);
  const measure = (compact: boolean) => sections.map((s) => s.draw(compact));
  let compact = false;
  let drawn = measure(false);
  if (total(drawn) + lowerNeed > budget) {
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
  const room = Math.max(0, budget - body.length);
  if (opts.showDetails) body.push(...clientTable(ctx, width, room, compact));
  else body.push(...lowerHalf(ctx, width, room));
  const shown = body.slice(0, Math.max(0, budget));
  // The footer stays on the bottom row, where the keys and the log file are always found.
  while (shown.length < budget) shown.push("");
  const lines = [...head, ...shown, ...foot].slice(0, height);
  return lines.map((l) => fit(l, width));
}

/**
 * The lower half in `room` lines: the trends, then the worst clients. The table gets the lines
 * its rows need (when at least {@linkcode MIN_TABLE_LINES} are left beside one-line trends); the
 * trends get the rest, their sparklines growing taller with it. Nothing is padded: on a big
 * screen with few clients the bottom stays blank.
 */
function lowerHalf(ctx: Ctx, width: number, room: number): string[] {
  const m = ctx.m;
  const flat = trendsHeight(m, 1);
  const tableNeed = 2 + Math.max(1, Math.min(m.clientRows.length, m.clientCount));
  if (room < flat + MIN_TABLE_LINES) return trendsPanel(ctx, width, room);
  const tallest = trendsHeight(m, MAX_TREND_HEIGHT);
  const trends = trendsPanel(ctx, width, Math.max(flat, Math.min(tallest, room - tableNeed)));
  const table = clientTable(ctx, width, room - trends.length, width < TABLE_WIDTH, false);
  return [...trends, ...table];
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
    spread(title, loadboxHealth(ctx) + metricsHealth(ctx, wide), width),
    spread(status, `${time}  ${phase} `, width),
    m.audience ? audienceLine(ctx, width, m.audience) : rampLine(ctx, width),
  ];
}

function remaining(m: DashboardModel): string {
  if (m.durationMs <= 0) return "remaining: until stopped";
  return `remaining ${formatClockShort(Math.max(0, m.durationMs - (m.elapsedMs ?? 0)))}`;
}

/** The load box itself: red when it is saturated, since figures then reflect it. */
function loadboxHealth({ m, c }: Ctx): string {
  const b = m.loadbox;
  if (!b || b.cpuPercent === null) return "";
  if (b.saturated.length) return c.red(c.bold(`● load box SATURATED (${b.saturated.join(", ")}) `));
  return c.dim(`box CPU ${b.cpuPercent.toFixed(0)} % `);
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
