/**
 * What the snapshot's later series cost for a 1-hour run of 1,000 viewers: the TTFB sketches
 * per 10 s interval (manifest and segment) and the load box per second. Printed: the snapshot's
 * JSON size with and without them, the summary's `ttfbPercentiles`, and one shard's heap for
 * them; benched: a snapshot (taken every second by the dashboard and /metrics), reading one
 * from JSON, and merging 10 shards.
 *
 * What is real and what is synthesized: the shard's counters and whole-run sketches come from
 * 1,000 clients fed the real FFmpeg 5.1 keep-alive capture (bench/fixtures.ts); the hour's TTFB
 * samples are synthesized (no hour-long 1,000-viewer run was recorded): a manifest and a segment
 * per viewer every 2 s (1,000 samples a second), log-normal around 15 ms with 1 % slow ones up
 * to 2 s, from a seeded generator. The load box's seconds are synthesized too (2 cores).
 *
 *   deno bench -A bench/series_bench.ts
 */
import { mergeSnapshots } from "../src/fleet/merge.ts";
import { readSnapshot, type Snapshot } from "../src/stats/snapshot.ts";
import { ttfbPercentiles } from "../src/stats/ttfb_series.ts";
import { gzipSync } from "node:zlib";
import { shardFromCaptures } from "./fixtures.ts";

const VIEWERS = 1000;
const SECONDS = 3600;
const SHARDS = 10;
const EPOCH = 1_700_000_000_000;

let seed = 42;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
/** A standard normal draw (Box–Muller). */
const normal = () => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
const ttfb = () => rnd() < 0.01 ? 200 + rnd() * 1800 : 15 * Math.exp(0.8 * normal());

const heapBefore = Deno.memoryUsage().heapUsed;
const shard = shardFromCaptures(VIEWERS);
const built = performance.now();
for (let t = 1; t <= SECONDS; t++) {
  for (let v = 0; v < VIEWERS / 2; v++) {
    shard.ttfb.add("manifest", ttfb());
    shard.ttfb.add("segment", ttfb());
  }
  shard.tick(t * 1000, EPOCH + t * 1000, t === SECONDS);
}
const feedMs = performance.now() - built;
const box = { start: EPOCH / 1000, cpuBusyMs: [] as number[], cpuCapacityMs: [] as number[] };
for (let t = 0; t < SECONDS; t++) {
  box.cpuCapacityMs.push(2000);
  box.cpuBusyMs.push(Math.round(600 + 400 * rnd()) * 1);
}
const snapshot: Snapshot = {
  ...shard.snapshot(EPOCH + SECONDS * 1000),
  loadboxSeries: {
    ...box,
    loopLagMaxMs: box.cpuBusyMs.map(() => Math.round(rnd() * 30 * 10) / 10),
  },
};
// Heap of the whole shard after the hour, the series included (a rough figure: GC timing).
const heapMiB = (Deno.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
const text = JSON.stringify(snapshot);
const { ttfbSeries, loadboxSeries, ...without } = snapshot;
const kib = (v: unknown) => (JSON.stringify(v).length / 1024).toFixed(0);
const gzKib = (s: string) => (gzipSync(s).length / 1024).toFixed(0);
const t = ttfbSeries!;
const bins = t.segment.reduce((n, w) => n + w.bins.length, 0) / t.segment.length;
console.log(
  `1 h × ${VIEWERS} viewers, one shard: snapshot ${kib(snapshot)} KiB of JSON, of which ` +
    `ttfbSeries ${kib(ttfbSeries)} KiB (${t.segment.length} intervals of ${t.intervalSeconds} s, ` +
    `${bins.toFixed(0)} bins per segment sketch on average) and loadboxSeries ` +
    `${kib(loadboxSeries)} KiB; without them ${kib(without)} KiB (gzipped, as a pod's ` +
    `summary line carries it: ${gzKib(text)} and ${
      gzKib(JSON.stringify(without))
    } KiB). The summary's ` +
    `ttfbPercentiles: ${kib(ttfbPercentiles(t))} KiB. Feeding the hour's ` +
    `${(SECONDS * VIEWERS / 1e6).toFixed(1)} M TTFBs and ticks: ${feedMs.toFixed(0)} ms; ` +
    `the shard's heap after it: ~${heapMiB.toFixed(0)} MiB`,
);

const texts = Array.from({ length: SHARDS }, () => text);
const t0 = performance.now();
const merged = mergeSnapshots(texts.map((x, i) => readSnapshot(JSON.parse(x), `shard-${i}`)));
console.log(
  `${SHARDS} shards read and merged once in ${(performance.now() - t0).toFixed(0)} ms; the ` +
    `fleet's interval 100 holds ${merged.ttfbSeries!.segment[100].count} segment TTFBs`,
);

Deno.bench("the final snapshot() of a 1 h shard of 1,000 viewers", () => {
  shard.snapshot(EPOCH + SECONDS * 1000);
});
Deno.bench("JSON.stringify of that snapshot", () => {
  JSON.stringify(snapshot);
});
Deno.bench("readSnapshot(JSON.parse) of that snapshot (validation)", () => {
  readSnapshot(JSON.parse(text), "shard");
});
Deno.bench(`merge ${SHARDS} such snapshots (already read)`, () => {
  mergeSnapshots(Array.from({ length: SHARDS }, () => snapshot));
});
Deno.bench(`merge ${SHARDS} such snapshots without the later series`, () => {
  mergeSnapshots(Array.from({ length: SHARDS }, () => without));
});
