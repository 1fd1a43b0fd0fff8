/**
 * The HTML report's plots of series the summary gained later, and so may lack: TTFB p50/p95/p99
 * per interval (`ttfbPercentiles`, from per-interval sketches that merge exactly across shards)
 * and the load box's CPU and event-loop lag per second (`loadboxSeries`). A summary without them
 * (written before they existed) gets a note saying so where the plot would be, never a guess.
 *
 * Both are drawn on the same time axis as the per-second plots (the run's series), with the
 * saturation windows shaded.
 * @module
 */
import type { IntervalPercentiles } from "../../stats/ttfb_series.ts";
import type { LoadboxSeriesWire } from "../../stats/loadbox_series.ts";
import type { Domain, ReportExtras, ReportInput, TimePlot } from "./data.ts";
import { MAX_POINTS, MAX_SHARD_LINES } from "./data.ts";

/** One interval's TTFB figures; null percentiles when it had no sample. */
export type IntervalFigures = IntervalPercentiles;

/** A plot the summary cannot draw, and why: shown as a note where the plot would be. */
export interface MissingPlot {
  id: string;
  title: string;
  why: string;
}

/**
 * The TTFB p50/p95/p99 plots, one for segments and one for playlists. A point sits in the middle
 * of its interval; an interval without a sample is a gap. More intervals than
 * {@linkcode MAX_POINTS} would be merged by the highest of each figure (the worst interval shows),
 * which the caption says: a percentile of several intervals cannot be had from theirs.
 *
 * @example
 * ```ts
 * import type { ReportInput } from "./data.ts";
 * const s = { ttfbPercentiles: { intervalSeconds: 10, start: 100,
 *   segment: [{ p50: 5, p95: 9, p99: 12, count: 30 }, { p50: null, p95: null, p99: null, count: 0 }],
 *   manifest: [{ p50: 2, p95: 3, p99: 4, count: 10 }, { p50: 2, p95: 2, p99: 2, count: 3 }] } };
 * const [seg] = ttfbPlots(s as unknown as ReportInput, { from: 100, to: 119 });
 * seg.lines.map((l) => l.values); // [[5, null], [9, null], [12, null]]
 * ```
 */
export function ttfbPlots(s: ReportInput, domain: Domain): TimePlot[] {
  const t = s.ttfbPercentiles;
  if (!t) return [];
  const n = Math.max(t.segment.length, t.manifest.length);
  const merge = Math.max(1, Math.ceil(n / MAX_POINTS));
  const step = t.intervalSeconds * merge;
  const worst = (list: readonly IntervalFigures[], q: "p50" | "p95" | "p99") => {
    const out: (number | null)[] = [];
    for (let i = 0; i < list.length; i += merge) {
      let top: number | null = null;
      for (const x of list.slice(i, i + merge)) {
        const v = x[q];
        if (x.count > 0 && v !== null && (top === null || v > top)) top = v;
      }
      out.push(top);
    }
    return out;
  };
  const how = (kind: string) =>
    `the ${kind} TTFBs measured in each ${t.intervalSeconds} s interval (wall clock), from ` +
    "per-interval sketches (within 1 %; a merged fleet's are its shards' samples together, " +
    "not an average of their percentiles). A point sits mid-interval; a gap is an interval " +
    "without a sample." +
    (merge > 1 ? ` Each point is the highest of ${merge} intervals.` : "");
  const plot = (id: string, title: string, kind: string, list: IntervalFigures[]): TimePlot => ({
    id,
    title,
    unit: "ms",
    caption: how(kind),
    start: t.start + step / 2,
    step,
    domain,
    lines: (["p50", "p95", "p99"] as const).map((q) => ({ name: q, values: worst(list, q) })),
    reference: null,
  });
  return [
    plot("ttfb-segment-interval", "Segment TTFB p50/p95/p99 per interval", "segment", t.segment),
    plot(
      "ttfb-manifest-interval",
      "Playlist TTFB p50/p95/p99 per interval",
      "playlist",
      t.manifest,
    ),
  ];
}

/**
 * Sums `values` over buckets of `step` elements, or takes their maximum.
 *
 * @example
 * ```ts
 * bucketed([1, 2, 3, 4, 5], 2, "sum"); // [3, 7, 5]
 * bucketed([1, 2, 3, 4, 5], 2, "max"); // [2, 4, 5]
 * ```
 */
export function bucketed(values: readonly number[], step: number, how: "sum" | "max"): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i += step) {
    const part = values.slice(i, i + step);
    out.push(how === "sum" ? part.reduce((a, b) => a + b, 0) : Math.max(...part));
  }
  return out;
}

/** CPU % of each bucket: busy over capacity of its seconds; null where no capacity was read. */
function cpuPercent(b: LoadboxSeriesWire, step: number): (number | null)[] {
  const busy = bucketed(b.cpuBusyMs, step, "sum");
  return bucketed(b.cpuCapacityMs, step, "sum").map((cap, i) =>
    cap > 0 ? (100 * busy[i]) / cap : null
  );
}

/**
 * The load box's CPU % and event-loop lag per second, with the saturation limits dashed. Past
 * {@linkcode MAX_POINTS} seconds a point is its seconds' CPU-ms summed (busy over capacity) and
 * their highest lag.
 *
 * @example
 * ```ts
 * import type { ReportInput } from "./data.ts";
 * const s = { loadbox: { limits: { cpuPercent: 95, loopLagMs: 200 } }, loadboxSeries:
 *   { start: 100, cpuBusyMs: [500, 2000], cpuCapacityMs: [2000, 2000], loopLagMaxMs: [3, 250] } };
 * const [cpu, lag] = loadboxPlots(s as unknown as ReportInput, { from: 100, to: 101 });
 * [cpu.lines[0].values, lag.lines[0].values]; // [[25, 100], [3, 250]]
 * ```
 */
export function loadboxPlots(s: ReportInput, domain: Domain): TimePlot[] {
  const b = s.loadboxSeries;
  if (!b) return [];
  const step = Math.max(1, Math.ceil(b.cpuBusyMs.length / MAX_POINTS));
  const avg = step > 1 ? ` Each point is ${step} s together.` : "";
  const limits = s.loadbox?.limits;
  return [
    {
      id: "loadbox-cpu",
      title: "Load-box CPU",
      unit: "%",
      caption: "CPU time all processes of the load box used in each second over the time its " +
        "CPUs had (/proc/stat, measured): hls-swarm, its FFmpeg viewers and anything else " +
        "running there" +
        (s.fleet
          ? "; a merged fleet's: its shards' boxes together (CPU-ms added, so shards sharing " +
            "a machine count it once per shard in both busy and capacity)"
          : "") +
        ". Dashed: the saturation limit." + avg,
      start: b.start,
      step,
      domain,
      lines: [{ name: "CPU busy", values: cpuPercent(b, step) }],
      reference: limits ? { label: "saturated above", value: limits.cpuPercent } : null,
    },
    {
      id: "loadbox-lag",
      title: "hls-swarm's event-loop lag",
      unit: "ms",
      caption: "the longest a 100 ms timer of hls-swarm's event loop fired late in each second " +
        "(measured): how far behind reading FFmpeg's output could fall" +
        (s.fleet ? " (a merged fleet's: the largest of its shards')" : "") +
        ". Dashed: the saturation limit." +
        (step > 1 ? ` Each point is the highest of ${step} s.` : ""),
      start: b.start,
      step,
      domain,
      lines: [{ name: "lag max", values: bucketed(b.loopLagMaxMs, step, "max") }],
      reference: limits ? { label: "saturated above", value: limits.loopLagMs } : null,
    },
  ];
}

/**
 * For a merged fleet given its shards' summaries: each shard's segment TTFB p95 per interval
 * and each shard's load-box CPU, as lines on the fleet's time axis (shards lacking a series
 * have no line).
 *
 * @example Not run: it needs a merged summary and its shards'
 * ```ts ignore
 * shardIntervalPlots({ shards }, domain).map((p) => p.id); // ["shard-ttfb", "shard-cpu"]
 * ```
 */
export function shardIntervalPlots(extras: ReportExtras, domain: Domain): TimePlot[] {
  const shards = [...(extras.shards ?? [])].sort((a, b) =>
    (a.shard?.index ?? 0) - (b.shard?.index ?? 0)
  );
  if (!shards.length || shards.length > MAX_SHARD_LINES) return [];
  const name = (x: ReportInput, i: number) => `shard ${x.shard?.index ?? i}`;
  const plots: TimePlot[] = [];
  const ttfb = shards.flatMap((x, i) => {
    const p = ttfbPlots(x as ReportInput, domain)[0];
    return p ? [{ p, line: { name: name(x as ReportInput, i), values: p.lines[1].values } }] : [];
  });
  // Lines share one start and step only when the shards binned alike (they do unless one ran
  // long enough to move to a coarser interval): draw the shards that match the first.
  const same = ttfb.filter((t) => t.p.start === ttfb[0]?.p.start && t.p.step === ttfb[0].p.step);
  if (same.length) {
    plots.push({
      ...same[0].p,
      id: "shard-ttfb",
      title: "Segment TTFB p95 per interval, by shard",
      caption: "each shard's own segment TTFB p95 per interval, from its summary (measured)." +
        (same.length < ttfb.length ? " Shards binned at another interval are left out." : ""),
      lines: same.map((t) => t.line),
    });
  }
  const cpu = shards.flatMap((x, i) => {
    const p = loadboxPlots(x as ReportInput, domain)[0];
    return p ? [{ p, line: { name: name(x as ReportInput, i), values: p.lines[0].values } }] : [];
  });
  if (cpu.length) {
    // Each shard's series has its own start: lines are placed by it (see timePlotSvg's starts).
    plots.push({
      ...cpu[0].p,
      id: "shard-cpu",
      title: "Load-box CPU by shard",
      caption: "each shard's load box, from its own summary (measured): shards on one machine " +
        "each see the whole machine's CPU.",
      lines: cpu.map((t) => ({ ...t.line, start: t.p.start })),
    });
  }
  return plots;
}

/**
 * The plots this summary cannot draw because it lacks their series, with why.
 *
 * @example
 * ```ts
 * import type { ReportInput } from "./data.ts";
 * missingPlots({} as unknown as ReportInput).map((m) => m.id); // ["ttfb-interval", "loadbox"]
 * ```
 */
export function missingPlots(s: ReportInput): MissingPlot[] {
  const out: MissingPlot[] = [];
  if (!s.ttfbPercentiles) {
    out.push({
      id: "ttfb-interval",
      title: "Segment and playlist TTFB p50/p95/p99 per interval",
      why: "not recorded: this summary has no TTFB per interval (ttfbPercentiles; written by an " +
        "hls-swarm before it kept them). Its whole-run percentiles are in the latency table.",
    });
  }
  if (!s.loadboxSeries) {
    out.push({
      id: "loadbox",
      title: "Load-box CPU and event-loop lag",
      why: s.loadbox
        ? "not recorded: this summary has the load box's maxima and saturated windows (shaded) " +
          "but no per-second series (loadboxSeries)."
        : "not recorded: the load box was not sampled.",
    });
  }
  return out;
}
