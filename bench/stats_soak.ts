/**
 * What the statistics keep over a long run, without FFmpeg: one shard of N clients fed, for each
 * simulated second, what a live viewer's FFmpeg reports (every 2 s a playlist and a new segment:
 * request, response with its TTFB, body bytes; a progress block a second), ticked on wall-clock
 * seconds as a run ticks. Time is simulated, so hours take seconds. Every `--every` simulated
 * minutes it collects garbage and prints the V8 heap in use, and the lengths of what grows with
 * time (the per-second series, the TTFB intervals), so a growth per hour can be put on a
 * structure. Not FFmpeg's output nor the line pipeline (bench/soak.ts runs those for real).
 *
 *   deno run -A --v8-flags=--expose-gc bench/stats_soak.ts [--clients 100] [--hours 4] [--every 30]
 */
import { parseArgs } from "node:util";
import { PartitionStats } from "../src/stats/partition_stats.ts";
import type { HttpEvent } from "../src/parser/http_event.ts";

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "100" },
    hours: { type: "string", default: "4" },
    every: { type: "string", default: "30" },
  },
});
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");
const clients = Number(opts.clients);
const seconds = Number(opts.hours) * 3600;
const every = Number(opts.every) * 60;
const EPOCH = 1_700_000_000_000;

let seed = 7;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

const heapMiB = () => {
  gc();
  gc();
  return Deno.memoryUsage().heapUsed / 2 ** 20;
};
const base = heapMiB();
const stats = new PartitionStats({
  targetClients: clients,
  targetDurationMs: 2000,
  dropThreshold: 0.01,
});
let req = 0;
const fetch = (id: number, kind: "manifest" | "segment", path: string, bytes: number) => {
  req++;
  const events: HttpEvent[] = [
    { type: "request", req, kind, path, at: 0 },
    { type: "response", req, kind, status: 200, ttfbMs: 2 + 30 * rnd() * rnd() },
    { type: "body_bytes", req, kind, bytes },
  ];
  for (const e of events) stats.record(id, e);
};
for (let id = 0; id < clients; id++) stats.lifecycle.onState(id, "running");

const rows: string[] = [];
const t0 = performance.now();
for (let s = 1; s <= seconds; s++) {
  const now = s * 1000;
  for (let id = 0; id < clients; id++) {
    if ((s + id) % 2 === 0) {
      fetch(id, "manifest", "/stream.m3u8", 400);
      fetch(id, "segment", `/seg${Math.floor(s / 2)}.ts`, 320_000);
    }
    stats.recordProgress(id, {
      frame: s * 25,
      fps: 25,
      bitrateKbps: 1280,
      totalSize: null,
      outTimeUs: s * 1e6,
      dupFrames: 0,
      dropFrames: 0,
      speed: 1,
      end: false,
    }, now);
  }
  stats.tick(now, EPOCH + now);
  if (s % every === 0) {
    const snap = stats.snapshot(EPOCH + now);
    const heap = heapMiB() - base;
    rows.push(
      `minute ${s / 60}: heap ${
        heap.toFixed(2)
      } MiB; series ${snap.series.fields.segments.length} s; TTFB intervals ${stats.ttfb.toWire().segment.length} of ${stats.ttfb.intervalSeconds} s`,
    );
    console.log(rows.at(-1));
  }
}
console.log(
  `${clients} clients, ${opts.hours} h simulated in ${
    ((performance.now() - t0) / 1000).toFixed(0)
  } s of CPU`,
);
