/**
 * The dashboard's audience: a header line (viewers against the plan's target, the stage, and
 * whether the ramp is held), the Audience panel (joins and leaves per second, totals, sessions
 * per slot, time held), and the Renditions panel of a run with several renditions. Each figure
 * is measured; what is not known yet shows as "…", never as 0.
 * @module
 */
import {
  formatBitrate,
  formatClockShort,
  formatCount,
  formatMsShort,
  formatPercent,
} from "../report/format.ts";
import type { AudienceModel, StageNow } from "./audience_model.ts";
import { type Ctx, l, na, type Panel, r, rate, rule } from "./panels.ts";
import { bar, visibleWidth } from "./text.ts";

/** Renditions the compact panel lists before it sums up the rest in one line. */
const COMPACT_RENDITIONS = 4;

/**
 * The stage in words: `stage 3/5 14→20 in 2s` or, once over, `stages over, 0 holds`.
 *
 * @example
 * ```ts
 * stageText({ index: 3, count: 5, from: 14, to: 20, durationMs: 2000, intoMs: 500 });
 * // "stage 3/5: 14→20 over 0:02"
 * ```
 */
export function stageText(s: StageNow): string {
  if (s.index > s.count) return `stages over: ${s.to} holds`;
  const shape = s.from === s.to ? `hold ${s.to}` : `${s.from}→${s.to}`;
  return `stage ${s.index}/${s.count}: ${shape} over ${formatClockShort(s.durationMs)}`;
}

/** Whether the ramp is held now, in red, with why (the load box's saturated resources). */
function heldText({ m, c }: Ctx, a: AudienceModel): string {
  if (!a.held) return "";
  const why = m.loadbox?.saturated.length ? ` (${m.loadbox.saturated.join(", ")})` : "";
  return c.red(c.bold(`HELD: load box saturated${why}`));
}

/**
 * The header's third line with an audience plan, in place of the ramp's: viewers against the
 * target, the stage, and the hold.
 */
export function audienceLine(ctx: Ctx, width: number, a: AudienceModel): string {
  const { c } = ctx;
  const count = (a.viewers === a.target ? c.green : c.yellow)(`${a.viewers} viewers`);
  const parts = [`${count}, target ${a.target}`];
  if (a.stage) parts.push(stageText(a.stage) + (a.wholeRun ? " (whole run)" : ""));
  // The first header line already says why the box is saturated.
  if (a.held) parts.push(c.red(c.bold("ramp HELD")));
  const text = ` ${parts.join(" · ")}`;
  const share = a.target ? Math.min(1, a.viewers / a.target) : a.viewers ? 1 : 0;
  const barWidth = Math.max(0, Math.min(40, width - 11 - visibleWidth(text)));
  return ` audience ${c.cyan(bar(share, barWidth))}${text}`;
}

/** The Audience panel: joins and leaves, sessions per slot, and the time the ramp was held. */
export function audiencePanel(ctx: Ctx, width: number, compact: boolean): string[] {
  const { m, c } = ctx;
  const a = m.audience;
  if (!a) return [];
  const title = rule(c, "Audience", width, c.dim("rates: last 10 s"));
  const perSlot = a.sessionsPerSlot === null ? na(c, "…") : a.sessionsPerSlot.toFixed(2);
  const heldS = `${(a.heldMs / 1000).toFixed(1)} s`;
  const heldFor = `held ${heldS} in all (load box saturated)`;
  const held = heldText(ctx, a);
  if (compact) {
    // One line: the header says whether the ramp is held now.
    return [
      title,
      ` joins ${rate(c, a.joinsPerSecond)} (${formatCount(a.joins)}) · leaves ` +
      `${rate(c, a.leavesPerSecond)} (${formatCount(a.leaves)}) · sessions/slot ${perSlot} · ` +
      `held ${heldS}`,
    ];
  }
  const lab = (s: string) => ` ${l(s, 18)}`;
  return [
    title,
    `${lab("joins")}${r(rate(c, a.joinsPerSecond), 9)}  ${c.dim(`total ${formatCount(a.joins)}`)}`,
    `${lab("leaves")}${r(rate(c, a.leavesPerSecond), 9)}  ` +
    c.dim(`total ${formatCount(a.leaves)} (a leave is not a failure)`),
    `${lab("sessions per slot")}${r(perSlot, 9)}`,
    `${lab("ramp")}${held ? `${held} · ` : ""}${heldFor}`,
  ];
}

/** The Renditions panel: one row per rendition (empty without several). */
export const renditionsPanel: Panel = ({ m, c }, width, compact) => {
  const rows = m.renditions;
  if (!rows.length) return [];
  const cov = m.coverage;
  const title = rule(c, "Renditions", width, c.dim("rates: last 10 s · TTFB, rebuffering: run"));
  const cols: { head: string; w: number; cell(x: typeof rows[number]): string }[] = [
    { head: "viewers", w: 8, cell: (x) => String(x.viewers) },
    ...(compact ? [] : [{
      head: "requests",
      w: 10,
      cell: (x: typeof rows[number]) => cov.requests ? formatCount(x.requests) : na(c),
    }]),
    { head: "req/s", w: 9, cell: (x) => cov.requests ? rate(c, x.requestsPerSecond) : na(c) },
    {
      head: "throughput",
      w: 13,
      cell: (x) =>
        !cov.responses ? na(c) : x.bytesPerSecond === null ? na(c, "…") : formatBitrate(
          x.bytesPerSecond,
        ),
    },
    {
      head: "TTFB p95 ms",
      w: 13,
      cell: (x) => cov.responses && x.ttfbP95Ms !== null ? formatMsShort(x.ttfbP95Ms) : na(c),
    },
    {
      head: "rebuffering",
      w: 12,
      cell: (x) =>
        cov.playback && x.rebufferRatio !== null ? formatPercent(x.rebufferRatio) : na(c),
    },
    ...(compact ? [] : [{
      head: "errors",
      w: 8,
      cell: (x: typeof rows[number]) =>
        !cov.requests ? na(c) : x.errors ? c.red(formatCount(x.errors)) : "0",
    }]),
  ];
  const name = Math.min(16, Math.max(9, ...rows.map((x) => x.name.length)) + 1);
  const head = ` ${l("rendition", name)}${cols.map((k) => r(k.head, k.w)).join("")}`;
  const shown = compact && rows.length > COMPACT_RENDITIONS
    ? rows.slice(0, COMPACT_RENDITIONS - 1)
    : rows;
  const lines = shown.map((x) =>
    ` ${l(x.name.slice(0, name - 1), name)}${cols.map((k) => r(k.cell(x), k.w)).join("")}`
  );
  if (shown.length < rows.length) {
    lines.push(
      c.dim(` … ${rows.length - shown.length} more renditions (a taller screen shows all)`),
    );
  }
  return [title, c.dim(head), ...lines];
};
