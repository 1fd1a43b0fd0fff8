/**
 * The HTML report's plots per interval and per second of the load box, and its tables by
 * rendition and edge address, on a real run's summary (testdata/merge/whole.json) given
 * hand-built series and groups: what a summary lacks is said where its plot would be, gaps stay
 * gaps, long series are merged as their captions say, and every group cell shows the JSON's
 * figure. (tests/html_report_test.ts renders real runs' reports in Chromium.)
 */
import { assert, assertEquals } from "../../testing/assert.ts";
import { groupReports } from "../../stats/groups_wire.ts";
import { Sketch } from "../../math/sketch.ts";
import { ViewerStats } from "../../viewer/stats.ts";
import type { ShardSummary } from "../merge.ts";
import type { ReportInput } from "./data.ts";
import {
  type IntervalFigures,
  loadboxPlots,
  shardIntervalPlots,
  ttfbPlots,
} from "./interval_plots.ts";
import { renderHtmlReport } from "./mod.ts";

const whole: ReportInput = JSON.parse(
  await Deno.readTextFile(new URL("../../../testdata/merge/whole.json", import.meta.url)),
);
const start = whole.snapshot.series.start;
const seconds = whole.snapshot.series.fields.segments.length;
const domain = { from: start, to: start + seconds - 1 };

/** The `<svg>` of plot `id` in a page ("" when absent). */
function plotOf(html: string, id: string): string {
  return new RegExp(`<svg data-plot="${id}".*?</svg>`, "s").exec(html)?.[0] ?? "";
}

/** Each polyline of line `name` in a plot: its point count. */
function runs(svg: string, name: string): number[] {
  return [...svg.matchAll(new RegExp(`<polyline data-line="${name}"[^>]*points="([^"]*)"`, "g"))]
    .map((m) => m[1].trim().split(/\s+/).length);
}

const fig = (p50: number, count = 10): IntervalFigures => ({
  p50,
  p95: p50 * 2,
  p99: p50 * 3,
  count,
});
const none: IntervalFigures = { p50: null, p95: null, p99: null, count: 0 };

/** Hand-built series over the fixture's seconds: 10 s intervals with a gap, and a busy second. */
function withSeries(s: ReportInput): ReportInput {
  const first = Math.floor(start / 10) * 10;
  const intervals = Math.ceil((start + seconds - first) / 10);
  const segment = Array.from({ length: intervals }, (_, i) => (i === 2 ? none : fig(20 + i)));
  return {
    ...s,
    ttfbPercentiles: {
      intervalSeconds: 10,
      start: first,
      segment,
      manifest: segment.map((x, i) => (i === 0 ? fig(5) : x.count ? fig(4) : none)),
    },
    loadboxSeries: {
      start,
      cpuBusyMs: Array.from({ length: seconds }, (_, i) => (i === 5 ? 1900 : 500)),
      cpuCapacityMs: Array(seconds).fill(2000),
      loopLagMaxMs: Array.from({ length: seconds }, (_, i) => (i === 5 ? 250 : 3)),
    },
  };
}

Deno.test("a summary without the series says so where each plot would be", () => {
  // A summary written before the TTFB intervals and the load box's seconds joined it.
  const older = { ...whole, ttfbPercentiles: undefined, loadboxSeries: undefined };
  const html = renderHtmlReport(older);
  for (const id of ["ttfb-interval", "loadbox"]) {
    assert(html.includes(`<figure data-missing="${id}">`), id);
  }
  assert(html.includes("not recorded: this summary has no TTFB per interval"), "why");
  for (const id of ["ttfb-segment-interval", "loadbox-cpu", "loadbox-lag"]) {
    assertEquals(plotOf(html, id), "", `no ${id} plot`);
  }
});

Deno.test("TTFB per interval: p50/p95/p99 lines broken at an interval without samples", () => {
  const s = withSeries(whole);
  const html = renderHtmlReport(s);
  assert(!html.includes("data-missing="), "nothing said missing");
  const t = s.ttfbPercentiles!;
  const before = 2, after = t.segment.length - 3;
  for (const q of ["p50", "p95", "p99"]) {
    assertEquals(runs(plotOf(html, "ttfb-segment-interval"), q), [before, after].filter(Boolean));
  }
  const [seg, man] = ttfbPlots(s, domain);
  assertEquals(seg.lines[2].values[2], null, "the gap");
  assertEquals(seg.lines[1].values[3], t.segment[3].p95);
  assertEquals(man.lines[0].values[0], 5);
  // Points sit mid-interval, on the run's axis.
  assertEquals([seg.start, seg.step, seg.domain], [t.start + 5, 10, domain]);
});

Deno.test("the load box per second: CPU % is busy over capacity, lag its max; shaded windows", () => {
  const s = withSeries(whole);
  const at = (sec: number) => new Date((start + sec) * 1000).toISOString();
  s.loadbox = {
    ...s.loadbox!,
    windows: [{
      from: at(5),
      to: at(6),
      seconds: 1,
      reasons: ["cpu", "loop lag"],
      cpuMaxPercent: 95,
      loopLagMaxMs: 250,
    }],
  };
  const [cpu, lag] = loadboxPlots(s, domain);
  assertEquals(cpu.lines[0].values.slice(4, 7), [25, 95, 25]);
  assertEquals(lag.lines[0].values.slice(4, 7), [3, 250, 3]);
  assertEquals(cpu.reference?.value, 95);
  const html = renderHtmlReport(s);
  for (const id of ["loadbox-cpu", "loadbox-lag"]) {
    const svg = plotOf(html, id);
    assertEquals(runs(svg, id === "loadbox-cpu" ? "CPU busy" : "lag max"), [seconds]);
    assert(svg.includes('data-shade="cpu, loop lag"'), `${id} shades the window`);
  }
});

Deno.test("long series: an hour of seconds and 1,000 intervals stay under 900 points", () => {
  const s = withSeries(whole);
  const hour = 3600;
  s.loadboxSeries = {
    start,
    cpuBusyMs: Array.from({ length: hour }, (_, i) => (i % 4 === 0 ? 2000 : 0)),
    cpuCapacityMs: Array(hour).fill(2000),
    loopLagMaxMs: Array.from({ length: hour }, (_, i) => i),
  };
  const [cpu, lag] = loadboxPlots(s, domain);
  // 4 s a point: one busy second of four is 25 %, and the lag the highest of the four.
  assertEquals([cpu.step, cpu.lines[0].values.length, cpu.lines[0].values[0]], [4, 900, 25]);
  assertEquals(lag.lines[0].values.slice(0, 2), [3, 7]);
  s.ttfbPercentiles = {
    intervalSeconds: 10,
    start: 0,
    segment: Array.from({ length: 1000 }, (_, i) => fig(i)),
    manifest: Array.from({ length: 1000 }, () => none),
  };
  const [seg, man] = ttfbPlots(s, domain);
  // Two intervals a point, each the higher of the two (a percentile cannot be averaged).
  assertEquals([seg.step, seg.lines[0].values.length, seg.lines[0].values[0]], [20, 500, 1]);
  assert(seg.caption.includes("the highest of 2 intervals"), seg.caption);
  assert(man.lines.every((l) => l.values.every((v) => v === null)), "no sample, no point");
});

/** A group with a viewer and its requests; its sketch holds `ttfb`. */
function cell(viewers: number, segments: number, errors: number, ttfb: number[]) {
  const k = new Sketch();
  for (const v of ttfb) k.add(v);
  return {
    viewers,
    requests: { manifest: segments / 2, segment: segments, init: 0, other: 0 },
    bytes: segments * 1000,
    errors,
    ttfbMs: k.toWire(),
    experience: new ViewerStats().toWire(),
  };
}

Deno.test("tables by rendition and edge address: the fleet's rows, then each shard's", () => {
  const renditions = groupReports({ "180p": cell(1, 8, 0, [3, 4]), "360p": cell(2, 20, 1, [9]) });
  const edges = groupReports({ "127.0.0.2": cell(2, 18, 1, [5]), "127.0.0.3": cell(1, 10, 0, []) });
  const fleet: ReportInput = { ...whole, renditions, edgeAddresses: edges };
  const shardOf = (index: number, r: ReturnType<typeof groupReports>): ShardSummary => ({
    ...withSeries(whole),
    shard: { index, count: 2, firstClient: index, clients: 1, startAt: null, startOffsetMs: null },
    renditions: r,
    edgeAddresses: r,
  });
  const shards = [
    shardOf(0, groupReports({ "360p": cell(2, 20, 1, [9]) })),
    shardOf(1, groupReports({ "180p": cell(1, 8, 0, [3, 4]) })),
  ];
  const html = renderHtmlReport(fleet, { shards });
  const cells = [...html.matchAll(/<td data-key="([^"]+)"[^>]*>([^<]*)</g)];
  const doc = { ...fleet, shards: { 0: shards[0], 1: shards[1] } } as unknown;
  const at = (path: string) =>
    path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], doc);
  const group = cells.filter(([, k]) => /renditions|edgeAddresses/.test(k));
  assert(group.length >= 40, `${group.length} group cells`);
  for (const [, key, text] of group) {
    const want = at(key);
    if (want === null) assertEquals(text, "n/a", key);
    else assertEquals(Number(text.replace(/,/g, "")), Math.round((want as number) * 10) / 10, key);
  }
  // Each rendition's fleet row, then the shard that played it.
  const table = /<table data-table="renditions">.*?<\/table>/s.exec(html)![0];
  const labels = [...table.matchAll(/<tr><td>([^<]*)</g)].map((m) => m[1]);
  assertEquals(labels, ["180p", "↳ shard 1", "360p", "↳ shard 0"]);
  assert(html.includes('<table data-table="edgeAddresses">'), "the edge address table");
  // The shards' own series as lines of their own.
  for (const id of ["shard-ttfb", "shard-cpu"]) {
    assertEquals(
      plotOf(html, id).match(/<polyline data-line="shard \d"/g)?.length,
      id === "shard-ttfb" ? 4 : 2,
      `${id}: a line a shard (the TTFB one broken at its gap)`,
    );
  }
  assertEquals(shardIntervalPlots({ shards: [] }, domain), []);
});
