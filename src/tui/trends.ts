/**
 * The trends panel: the run's per-second series (src/stats/series.ts) as sparklines on one time
 * scale, the same figures as the report's plots: viewers running and playing, rebuffering,
 * requests, errors, throughput, starts and start failures. Each row says its value now (the
 * last 10 s, as the other panels' rates) and its peak second.
 * @module
 */
import { formatBitrate, formatClockShort, formatRate } from "../report/format.ts";
import type { SeriesField } from "../stats/series.ts";
import type { Coverage, DashboardModel } from "./model.ts";
import { type Ctx, l, na, r, rule } from "./panels.ts";
import { sparkRows, visibleWidth } from "./text.ts";

/** One series as the panel draws it. */
interface Trend {
  label: string;
  /** Which coverage flag it needs; "always" for process state. */
  needs: keyof Omit<Coverage, "note"> | "always";
  /** Counters average their last 10 s for "now"; gauges show their last second. */
  kind: "counter" | "gauge";
  values(s: Readonly<Record<SeriesField, number[]>>): number[];
  format(v: number): string;
  /** Whether a non-zero "now" is bad news (drawn red). */
  bad?: boolean;
  /** Shown only while an audience plan runs (its joins and leaves). */
  audience?: true;
}

const viewers = (v: number) => v.toFixed(1);
const sum = (cols: number[][]) => cols[0].map((_, i) => cols.reduce((n, c) => n + (c[i] ?? 0), 0));

/** The rows, most important first: a short screen keeps the first ones. */
export const TRENDS: readonly Trend[] = [
  {
    label: "viewers running",
    needs: "always",
    kind: "gauge",
    values: (s) => s.running,
    format: (v) => String(Math.round(v)),
  },
  {
    label: "joins/s",
    needs: "always",
    kind: "counter",
    values: (s) => s.joins,
    format: formatRate,
    audience: true,
  },
  {
    label: "leaves/s",
    needs: "always",
    kind: "counter",
    values: (s) => s.leaves,
    format: formatRate,
    audience: true,
  },
  {
    // Play time per second is the average number of viewers playing in it.
    label: "viewers playing",
    needs: "playback",
    kind: "counter",
    values: (s) => s.playMs.map((ms) => ms / 1000),
    format: viewers,
  },
  {
    label: "viewers rebuffering",
    needs: "playback",
    kind: "counter",
    values: (s) => s.rebufferMs.map((ms) => ms / 1000),
    format: viewers,
    bad: true,
  },
  {
    label: "requests/s",
    needs: "requests",
    kind: "counter",
    values: (s) => sum([s.manifests, s.segments, s.inits, s.others]),
    format: formatRate,
  },
  {
    label: "errors/s",
    needs: "requests",
    kind: "counter",
    values: (s) => s.errors,
    format: formatRate,
    bad: true,
  },
  {
    label: "throughput",
    needs: "responses",
    kind: "counter",
    values: (s) => s.bytes,
    format: formatBitrate,
  },
  {
    label: "video starts/s",
    needs: "playback",
    kind: "counter",
    values: (s) => s.videoStarts,
    format: formatRate,
  },
  {
    label: "start failures/s",
    needs: "playback",
    kind: "counter",
    values: (s) => s.startFailures,
    format: formatRate,
    bad: true,
  },
];

/** Tallest sparkline a row gets when the screen has room to spare. */
export const MAX_TREND_HEIGHT = 3;

/** Seconds behind "now" (as the other panels' current rates). */
const NOW_WINDOW_S = 10;

/** The rows this run measures. */
function shown(m: DashboardModel): Trend[] {
  return TRENDS.filter((t) =>
    (t.needs === "always" || m.coverage[t.needs]) && (!t.audience || m.audience !== null)
  );
}

/**
 * Lines the panel takes with sparklines `height` rows tall: its title and each measured row.
 *
 * @example
 * ```ts
 * import { DashboardModelBuilder } from "./model.ts";
 * import { syntheticSource, syntheticSwarm } from "./synthetic.ts";
 * const m = new DashboardModelBuilder(syntheticSource(syntheticSwarm({ clients: 2, seconds: 5 })))
 *   .build(5000, 0);
 * trendsHeight(m, 1); // 9: the title and 8 rows at --stats-loglevel trace
 * ```
 */
export function trendsHeight(m: DashboardModel, height: number): number {
  return 1 + shown(m).length * height;
}

/**
 * The panel in at most `lines` lines: every row with sparklines as tall as fit (up to
 * {@linkcode MAX_TREND_HEIGHT}), or, on a short screen, the first rows one line tall. Empty when
 * not even a title and one row fit.
 */
export function trendsPanel({ m, c }: Ctx, width: number, lines: number): string[] {
  const all = shown(m);
  if (lines < 2 || !all.length) return [];
  const trends = all.slice(0, lines - 1);
  const height = Math.max(1, Math.min(MAX_TREND_HEIGHT, Math.floor((lines - 1) / trends.length)));
  const rows = trends.map((t) => {
    const values = t.values(m.series);
    const recent = values.slice(-NOW_WINDOW_S);
    const now = !values.length
      ? null
      : t.kind === "gauge"
      ? values[values.length - 1]
      : recent.reduce((a, b) => a + b, 0) / recent.length;
    const peak = values.reduce((a, b) => Math.max(a, b), 0);
    return { t, values, now, peak };
  });
  const points = rows.reduce((n, x) => Math.max(n, x.values.length), 0);
  const nowText = (x: typeof rows[number]) => x.now === null ? "…" : x.t.format(x.now);
  // No peak before the first second: a "peak 0" would be a made-up figure.
  const peakText = (x: typeof rows[number]) => points ? `peak ${x.t.format(x.peak)}` : "peak …";
  const label = 20;
  const nowW = rows.reduce((n, x) => Math.max(n, visibleWidth(nowText(x))), 0);
  const peakW = rows.reduce((n, x) => Math.max(n, visibleWidth(peakText(x))), 0);
  // Every row shares one width and one time scale, so their cells line up in time.
  const sparkWidth = Math.max(4, width - 1 - label - 2 - nowW - 2 - peakW);
  const perCell = Math.max(1, Math.ceil(points / sparkWidth));
  const span = points
    ? `last ${formatClockShort(Math.min(points, sparkWidth * perCell) * 1000)}`
    : "";
  const missing = m.coverage.note ? `${m.coverage.note} · ` : "";
  const title = rule(
    c,
    "Trends, per second",
    width,
    c.dim(`${missing}${span ? `${span} · ` : ""}now = last ${NOW_WINDOW_S} s`),
  );
  const out = [title];
  for (const x of rows) {
    const spark = sparkRows(x.values, sparkWidth, perCell, height).map((s) => c.cyan(s));
    const now = x.now === null
      ? na(c, "…")
      : x.t.bad && x.now > 0
      ? c.red(nowText(x))
      : c.bold(nowText(x));
    for (let i = 0; i < spark.length - 1; i++) out.push(` ${" ".repeat(label)}${spark[i]}`);
    out.push(
      ` ${l(x.t.label, label)}${spark[spark.length - 1]}  ${r(now, nowW)}  ` +
        c.dim(peakText(x)),
    );
  }
  return out;
}
