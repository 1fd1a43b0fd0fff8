/**
 * The HTML report of a 1-hour run of 1,000 viewers: its size, and how long rendering and
 * writing it take.
 *
 * What is real and what is synthesized: the snapshot's counters, sketches and exits come from
 * 1,000 clients each fed the real FFmpeg 5.1 keep-alive capture (bench/fixtures.ts), as
 * merge_bench.ts does; its per-second series is synthesized, since no hour-long 1,000-viewer run
 * was recorded: 3,600 seconds of a 100 s ramp to 1,000 running viewers on 2 s segments (a
 * manifest and a segment every 2 s per viewer, 160 kB/s each), with seeded noise, a few
 * rebuffers, and three saturation windows of the load box to shade. So are the TTFBs per
 * interval (a segment and a playlist sample per viewer every 2 s, slower in the saturated
 * windows, through the run's TtfbSeries: 360 intervals of 10 s) and the load box per second (8
 * CPUs, 5 CPU-ms a viewer, 98 % and 120 ms lag in the windows). The series is what the
 * report's size scales with (a point per line per plotted second, 900 at most). No rendition
 * or edge-address groups (their tables are a few rows).
 *
 *   deno bench -A bench/html_report.ts
 *   HLS_SWARM_BENCH_HTML=/tmp/hour.html deno bench -A bench/html_report.ts   (keeps the page)
 */
import { buildSummary, type RunRecord } from "../src/report/summary.ts";
import { renderHtmlReport, writeHtmlReport } from "../src/report/html/mod.ts";
import type { ReportInput } from "../src/report/html/data.ts";
import { SERIES_FIELDS, type SeriesField } from "../src/stats/series.ts";
import { SATURATION } from "../src/loadbox/monitor.ts";
import { TtfbSeries } from "../src/stats/ttfb_series.ts";
import { LoadboxSeries } from "../src/stats/loadbox_series.ts";
import { shardFromCaptures } from "./fixtures.ts";

const VIEWERS = 1000;
const SECONDS = 3600;
const EPOCH = 1_700_000_000_000;
const START = EPOCH / 1000;

const run: RunRecord = {
  hlsSwarmVersion: "bench",
  ffmpeg: {
    path: "ffmpeg",
    version: "5.1",
    datetimeLogFlag: false,
    segMaxRetry: false,
    reconnectOnNetworkError: true,
    inputProtocols: ["http"],
  },
  ffmpegArgv: ["ffmpeg"],
  lineReader: "native",
  workers: 2,
  tls: "n/a",
  host: { hostname: "bench", cpus: 8, memoryBytes: null, openFilesLimit: null, processLimit: null },
  config: {
    clients: VIEWERS,
    rampRate: 10,
    durationMs: SECONDS * 1000,
    variant: "all",
    statsLogLevel: "trace",
    playerBufferMs: 2000,
  },
};

/** A seeded generator (mulberry32), so every run of the bench draws the same hour. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const snapshot = shardFromCaptures(VIEWERS).snapshot(EPOCH + SECONDS * 1000);
const rnd = random(42);
const fields = Object.fromEntries(SERIES_FIELDS.map((f) => [f, [] as number[]])) as Record<
  SeriesField,
  number[]
>;
// TTFB per interval and the load box per second, through the classes a run fills them with.
const ttfb = new TtfbSeries();
const box = new LoadboxSeries();
const saturated = (i: number) => [600, 1800, 3000].some((s) => i >= s && i < s + 20);
for (let i = 0; i < SECONDS; i++) {
  const running = Math.min(VIEWERS, i * 10);
  for (let k = 0; k < running / 2; k++) {
    ttfb.add("segment", 20 * Math.exp(rnd() * 1.5) * (saturated(i) ? 4 : 1));
    ttfb.add("manifest", 8 * Math.exp(rnd() * 1.2));
  }
  ttfb.close(START + i);
  box.add(START + i, {
    cpuBusyMs: saturated(i) ? 7840 : Math.round(running * 5 * (0.9 + 0.2 * rnd())),
    cpuCapacityMs: 8000,
    loopLagMaxMs: saturated(i) ? 120 : 2 + 8 * rnd(),
  });
}
snapshot.ttfbSeries = ttfb.toWire();
for (let i = 0; i < SECONDS; i++) {
  const running = Math.min(VIEWERS, i * 10);
  const noisy = (mean: number) => Math.max(0, Math.round(mean * (0.9 + 0.2 * rnd())));
  const rebuffers = rnd() < 0.02 ? 1 + Math.floor(rnd() * 5) : 0;
  // Partial: fields the series may gain later read 0.
  const values: Partial<Record<SeriesField, number>> & Record<string, number> = {
    manifests: noisy(running / 2),
    segments: noisy(running / 2),
    inits: 0,
    others: 0,
    bytes: noisy(running * 160_000),
    errors: rnd() < 0.01 ? 1 : 0,
    videoStarts: i < 100 ? 10 : 0,
    joins: i < 100 ? 10 : 0,
    startFailures: 0,
    exitsBeforeStart: 0,
    rebuffers,
    rebufferMs: rebuffers * 1500,
    playMs: running * 1000 - rebuffers * 1500,
    running,
    stalled: 0,
  };
  for (const f of SERIES_FIELDS) fields[f].push(values[f] ?? 0);
}
snapshot.series = { start: START, fields };

const iso = (s: number) => new Date((START + s) * 1000).toISOString();
const windows = [600, 1800, 3000].map((s) => ({
  from: iso(s),
  to: iso(s + 20),
  seconds: 20,
  reasons: ["cpu"],
  cpuMaxPercent: 98,
  loopLagMaxMs: 120,
}));
const summary = buildSummary({
  run,
  runId: "bench-hour",
  shard: null,
  snapshot,
  target: "http://origin/stream.m3u8",
  startedAt: EPOCH,
  endedAt: EPOCH + SECONDS * 1000,
  stoppedAt: EPOCH + SECONDS * 1000,
  rampStartedAt: EPOCH,
  stopReason: "duration",
  metricsUrl: null,
  statsEnabled: true,
  dropThreshold: 0.01,
  origin: null,
  loadboxSeries: box.toWire(),
  loadbox: {
    samples: SECONDS,
    cpuMaxPercent: 98,
    stealMaxPercent: 0,
    loopLagMaxMs: 120,
    memoryMinAvailableBytes: null,
    saturatedSeconds: 60,
    windows,
    limits: SATURATION,
  },
});
const record: ReportInput = {
  ...summary,
  thresholds: [{
    threshold: "error_rate<1%",
    figure: "error_rate",
    actual: summary.traffic.errorRate,
    passed: true,
  }],
  outcome: { code: 0, reason: null },
};

const dir = await Deno.makeTempDir({ prefix: "hls-swarm-html-bench-" });
const path = `${dir}/report.html`;
const t0 = performance.now();
await writeHtmlReport(record, path);
const ms = performance.now() - t0;
const bytes = (await Deno.stat(path)).size;
const json = JSON.stringify(record).length;
console.log(
  `1 h × ${VIEWERS} viewers (series synthesized, see the module doc): report ` +
    `${(bytes / 1024).toFixed(0)} KiB (the JSON summary: ${(json / 1024).toFixed(0)} KiB), ` +
    `first write ${ms.toFixed(0)} ms`,
);

// A copy to look at (e.g. to screenshot): HLS_SWARM_BENCH_HTML=/path/report.html.
const keep = Deno.env.get("HLS_SWARM_BENCH_HTML");
if (keep) await Deno.copyFile(path, keep);

Deno.bench("render the HTML report of a 1-hour, 1,000-viewer run", () => {
  renderHtmlReport(record);
});

Deno.bench("render and write it (atomic write to a temp dir)", async () => {
  await writeHtmlReport(record, path);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
