/**
 * What the HTML report plots, taken from the summary alone: per-second lines from the snapshot's
 * wall-clock series (src/stats/series.ts), saturation windows from the load box's report, and
 * histograms regrouped from the latency sketches' bins (src/math/sketch.ts). Nothing here is
 * estimated beyond what the summary holds; what it does not hold (errors by status per second,
 * groups over time) is named in {@linkcode notInSummary} so the page can say so instead of
 * drawing a guess. TTFB per interval and the load box per second: ./interval_plots.ts.
 * @module
 */
import type { RunSummary } from "../summary.ts";
import type { ThresholdResult } from "../thresholds.ts";
import type { RunOutcome } from "../outcome.ts";
import type { ShardSummary } from "../merge.ts";
import type { SeriesField, SeriesWire } from "../../stats/series.ts";
import { bucketAverage, column, joinedNotLeft } from "./series_columns.ts";
export { bucketAverage } from "./series_columns.ts";
import type { SketchWire } from "../../math/sketch.ts";

/** What a report is made from: the (redacted) summary with its thresholds and outcome, as the
 * JSON summary holds them. */
export type ReportInput = RunSummary & {
  thresholds: readonly ThresholdResult[];
  outcome: RunOutcome;
};

/** Extra material a merged report can show: each shard's own summary. */
export interface ReportExtras {
  shards?: readonly ShardSummary[];
}

/** One line of a time plot: a value per point, oldest first; null is a gap (no sample). */
export interface PlotLine {
  name: string;
  values: (number | null)[];
  /** Epoch second of its first point, when not the plot's (a shard that started late). */
  start?: number;
}

/** The epoch seconds a time plot's axis spans. */
export interface Domain {
  from: number;
  to: number;
}

/** A time plot: lines over the run, one point per `step` seconds from epoch second `start`. */
export interface TimePlot {
  id: string;
  title: string;
  unit: string;
  /** What the lines are and how they were measured; shown under the plot. */
  caption: string;
  start: number;
  step: number;
  lines: PlotLine[];
  /** A horizontal reference (e.g. the target clients), drawn dashed. */
  reference: { label: string; value: number } | null;
  /** The time axis, when not the lines' own span: plots of other steps share the run's. */
  domain?: Domain;
}

/** A span to shade, in epoch seconds. */
export interface Shade {
  from: number;
  to: number;
  label: string;
}

/** One histogram bar: samples in (lo, hi] ms (a bar of zeros has lo = hi = 0). */
export interface Bar {
  lo: number;
  hi: number;
  count: number;
}

/** A histogram of one sketch. */
export interface Histogram {
  id: string;
  title: string;
  count: number;
  bars: Bar[];
}

/** The most points a line gets; longer series are averaged over buckets of seconds, so a
 * one-hour run stays a few hundred kilobytes. */
export const MAX_POINTS = 900;

/** The most shards drawn as lines of their own: more would be a tangle of repeated colours (the
 * shard table still lists every one). */
export const MAX_SHARD_LINES = 12;

/** What the summary does not hold, said on the page rather than drawn (the plots whose series
 * it lacks are said where they would be: ./interval_plots.ts). */
export function notInSummary(s: ReportInput): string[] {
  const missing = (["joins", "leaves", "errors4xx", "target"] as const).filter((f) =>
    !s.snapshot.series.fields[f]
  );
  return [
    ...(missing.length
      ? [
        `${missing.join(" and ")} per second: this summary was written before the series ` +
        "counted them.",
      ]
      : []),
    "Errors per second are split by status class (4xx, 5xx, no response); each status is " +
    "for the whole run only (the status table).",
    "Requests by rendition or edge address over time: the summary splits them for the whole " +
    "run only (the tables by rendition and by edge address).",
  ];
}

/**
 * The report's time plots, from the summary's per-second series. Every value is a per-second
 * figure; with more than {@linkcode MAX_POINTS} seconds each point averages `step` of them.
 *
 * @example Not run: it needs a finished run's summary (tests/html_report_test.ts makes one)
 * ```ts ignore
 * timePlots(summary).map((p) => p.id); // ["viewers", "joins", "requests", "errors", …]
 * ```
 */
export function timePlots(s: ReportInput): TimePlot[] {
  const series = s.snapshot.series;
  const n = column(series, "segments").length;
  const step = Math.max(1, Math.ceil(n / MAX_POINTS));
  const per = (f: SeriesField, scale = 1) =>
    bucketAverage(column(series, f).map((v) => v * scale), step);
  const avg = step > 1 ? ` Each point averages ${step} s.` : "";
  const plot = (
    id: string,
    title: string,
    unit: string,
    caption: string,
    lines: PlotLine[],
    reference: TimePlot["reference"] = null,
  ): TimePlot => ({
    id,
    title,
    unit,
    caption: caption + avg,
    start: series.start,
    step,
    lines,
    reference,
  });
  const withMedia = s.clients.receivedMedia === null
    ? "not measured (--stats=false)"
    : String(s.clients.receivedMedia);
  const plots = [
    plot(
      "viewers",
      "Viewers",
      "viewers",
      "running: FFmpeg processes at the end of each second (measured). playing and " +
        "rebuffering: viewer-seconds of the virtual player in that second, i.e. how many " +
        "viewers were playing or frozen on average (inferred from media arrivals; play time is " +
        "credited as FFmpeg tells of each segment, so the line steps around the true count, " +
        "and what is left when a session ends lands in its last second). stalled: " +
        "clients silent for 1.5× the target duration (measured). joined, not left: sessions begun " +
        "less sessions left (measured); plan target: what --stages or --session-duration asked " +
        "for at the end of each second. Dashed: the viewer count (peak). Clients " +
        `that received media are counted for the whole run only (${withMedia}).`,
      [
        // The plan's target per second (--stages, --session-duration), when there was one.
        ...(column(series, "target").some((v) => v > 0)
          ? [{ name: "plan target", values: per("target") }]
          : []),
        { name: "joined, not left", values: bucketAverage(joinedNotLeft(series), step) },
        { name: "running", values: per("running") },
        { name: "playing", values: per("playMs", 1 / 1000) },
        { name: "rebuffering", values: per("rebufferMs", 1 / 1000) },
        { name: "stalled", values: per("stalled") },
      ],
      { label: "target", value: s.clients.target },
    ),
    plot(
      "joins",
      "Joins, leaves and start failures per second",
      "/s",
      "joins: viewer sessions begun (hls-swarm starting a slot's FFmpeg); leaves: sessions " +
        "ended because the viewer left; video starts: first media segment arrived; start " +
        "failures (VSF) and exits before start (EBVS); all counted as they happen (measured).",
      [
        { name: "joins", values: per("joins") },
        { name: "leaves", values: per("leaves") },
        { name: "video starts", values: per("videoStarts") },
        { name: "start failures", values: per("startFailures") },
        { name: "exits before start", values: per("exitsBeforeStart") },
      ],
    ),
    plot(
      "requests",
      "Requests per second by kind",
      "/s",
      "one per FFmpeg request line, counted in the second it was read (measured).",
      [
        { name: "manifests", values: per("manifests") },
        { name: "segments", values: per("segments") },
        { name: "inits", values: per("inits") },
        { name: "others", values: per("others") },
      ].filter((l, i) => i < 2 || l.values.some((v) => v > 0)),
    ),
    plot(
      "errors",
      "Failed requests per second",
      "/s",
      "requests answered with status ≥ 400 or not answered, by status class (measured); each " +
        "status: see the status table.",
      [
        { name: "all", values: per("errors") },
        { name: "4xx", values: per("errors4xx") },
        { name: "5xx", values: per("errors5xx") },
        {
          name: "no response",
          values: bucketAverage(
            column(series, "errors").map((e, i) =>
              e - (series.fields.errors4xx?.[i] ?? e) - (series.fields.errors5xx?.[i] ?? 0)
            ),
            step,
          ),
        },
      ],
    ),
    plot(
      "throughput",
      "Throughput",
      "Mbit/s",
      "Content-Length of 2xx responses, in the second their request line was read (measured).",
      [{ name: "Mbit/s", values: per("bytes", 8 / 1e6) }],
    ),
    plot(
      "rebuffering",
      "Rebuffering",
      "per second",
      "rebuffers: stalls of the virtual player that began in that second; viewers frozen: " +
        "rebuffer-seconds spent in it (both inferred from media arrival times).",
      [
        { name: "rebuffers", values: per("rebuffers") },
        { name: "viewers frozen", values: per("rebufferMs", 1 / 1000) },
      ],
    ),
  ];
  // A summary written before a field joined the series lacks it: no line rather than a flat 0.
  const points = Math.ceil(n / step);
  for (const p of plots) p.lines = p.lines.filter((l) => l.values.length === points);
  return plots.filter((p) => p.lines.length > 0);
}

/**
 * For a merged fleet given its shards' summaries: running clients and requests per second of
 * each shard, on the fleet's seconds (a shard's series is aligned by its wall-clock start; a
 * second it did not hold reads 0), so a shard that started late, stopped early or lagged shows.
 *
 * @example Not run: it needs a merged summary and its shards'
 * ```ts ignore
 * shardPlots(fleet, { shards }).map((p) => p.id); // ["shard-running", "shard-requests"]
 * ```
 */
export function shardPlots(s: ReportInput, extras: ReportExtras): TimePlot[] {
  const shards = [...(extras.shards ?? [])].sort((a, b) =>
    (a.shard?.index ?? 0) - (b.shard?.index ?? 0)
  );
  const fleet = s.snapshot.series;
  const n = column(fleet, "segments").length;
  if (!shards.length || shards.length > MAX_SHARD_LINES || !n) return [];
  const step = Math.max(1, Math.ceil(n / MAX_POINTS));
  const aligned = (w: SeriesWire, pick: (f: SeriesWire["fields"], i: number) => number) =>
    bucketAverage(
      Array.from({ length: n }, (_, i) => {
        const j = fleet.start + i - w.start;
        return j >= 0 && j < column(w, "segments").length ? pick(w.fields, j) : 0;
      }),
      step,
    );
  const name = (x: ShardSummary, i: number) => `shard ${x.shard?.index ?? i}`;
  const avg = step > 1 ? ` Each point averages ${step} s.` : "";
  const plot = (id: string, title: string, unit: string, caption: string, lines: PlotLine[]) => ({
    id,
    title,
    unit,
    caption: caption + avg,
    start: fleet.start,
    step,
    lines,
    reference: null,
  });
  return [
    plot(
      "shard-running",
      "Running clients by shard",
      "clients",
      "each shard's FFmpeg processes at the end of each second, from its own summary (measured).",
      shards.map((x, i) => ({
        name: name(x, i),
        values: aligned(x.snapshot.series, (f, j) => f.running[j] ?? 0),
      })),
    ),
    plot(
      "shard-requests",
      "Requests per second by shard",
      "/s",
      "each shard's manifest, segment, init and other requests per second (measured).",
      shards.map((x, i) => ({
        name: name(x, i),
        values: aligned(
          x.snapshot.series,
          (f, j) =>
            (f.manifests[j] ?? 0) + (f.segments[j] ?? 0) + (f.inits[j] ?? 0) + (f.others[j] ?? 0),
        ),
      })),
    ),
  ];
}

/**
 * The load box's saturated windows, to shade on every time plot (a merged report's carry their
 * shard).
 *
 * @example Not run: it needs a summary
 * ```ts ignore
 * saturationShades(summary); // [{ from: 1733061736, to: 1733061745, label: "cpu" }]
 * ```
 */
export function saturationShades(s: ReportInput): Shade[] {
  return (s.loadbox?.windows ?? []).map((w) => {
    const shard = (w as { shard?: number }).shard;
    return {
      from: Math.floor(Date.parse(w.from) / 1000),
      to: Math.ceil(Date.parse(w.to) / 1000),
      label: `${w.reasons.join(", ")}${shard === undefined ? "" : ` (shard ${shard})`}`,
    };
  });
}

/**
 * Regroups a sketch's bins into at most `buckets` log-spaced bars between its smallest and
 * largest sample. A bin goes to the bar of its representative value (DDSketch: within the
 * sketch's accuracy of every sample in it), so the bars add up to the sketch's count exactly;
 * samples of 0 get a bar of their own.
 *
 * @example
 * ```ts
 * import { Sketch } from "../../math/sketch.ts";
 * const k = new Sketch();
 * for (const v of [1, 2, 4, 8, 100]) k.add(v);
 * histogramBars(k.toWire(), 4).reduce((n, b) => n + b.count, 0); // 5
 * ```
 */
export function histogramBars(w: SketchWire, buckets = 20): Bar[] {
  const bars: Bar[] = [];
  if (w.zeros > 0) bars.push({ lo: 0, hi: 0, count: w.zeros });
  if (w.count - w.zeros <= 0 || w.min === null || w.max === null) return bars;
  const gamma = 1 + (2 * w.accuracy) / (1 - w.accuracy);
  const lo = Math.max(w.min, 1e-3);
  const hi = Math.max(w.max, lo);
  const n = hi / lo < 1.0001 ? 1 : buckets;
  const span = Math.log(hi / lo) || 1;
  const edge = (i: number) => (n === 1 ? (i === 0 ? lo : hi) : lo * Math.exp((span * i) / n));
  const counts = new Array<number>(n).fill(0);
  w.bins.forEach((c, i) => {
    if (!c) return;
    const value = Math.min(hi, Math.max(lo, Math.pow(gamma, w.offset + i) * 2 / (1 + gamma)));
    const b = Math.min(n - 1, Math.max(0, Math.floor((n * Math.log(value / lo)) / span)));
    counts[b] += c;
  });
  counts.forEach((count, i) => bars.push({ lo: edge(i), hi: edge(i + 1), count }));
  return bars;
}

/** The histograms the report draws: segment and manifest TTFB, viewer startup. */
export function histograms(s: ReportInput): Histogram[] {
  const make = (id: string, title: string, w: SketchWire): Histogram => ({
    id,
    title,
    count: w.count,
    bars: histogramBars(w),
  });
  return [
    make("ttfb-segment", "Segment time to first byte (ms)", s.snapshot.latency.ttfbSegment),
    make("ttfb-manifest", "Manifest time to first byte (ms)", s.snapshot.latency.ttfbManifest),
    make("startup", "Viewer startup time (ms)", s.snapshot.viewers.startupMs),
  ];
}
