/**
 * The per-interval TTFB sketches and the load box's seconds of a real run: two shards of real
 * FFmpeg clients against the built-in origin, the second started seconds after the first (so
 * their series begin on different wall-clock seconds), then `hls-swarm merge`. Each shard's
 * intervals add up to its whole-run TTFB counts; the fleet's interval percentiles are those of
 * the union of the shards' samples in that interval; the fleet's CPU busy and capacity in a
 * second are the sums of its shards'. One shard runs its clients on two worker threads, the
 * other on the main thread.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { Sketch } from "../src/math/sketch.ts";
import { TTFB_KINDS } from "../src/stats/ttfb_series.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { finishSwarm, runSwarm, spawnSwarm, uniqueAgent } from "./helpers.ts";

const CLIENTS = 6;

Deno.test("TTFB per interval and the load box per second: shards add up, a merge is exact", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-ttfb-series-" });
  const agent = uniqueAgent("ttfb-series");
  const runId = `ttfb-series-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const shard = (i: number) =>
      spawnSwarm([
        `--clients=${CLIENTS}`,
        "--ramp-rate=3",
        "--duration=22s",
        `--shard=${i}/2`,
        // Shard 0's clients run on two worker threads (their final reports merged in the
        // process), shard 1's on the main thread.
        `--workers=${i === 0 ? 2 : 0}`,
        `--run-id=${runId}`,
        `--summary-json=${dir}/shard-${i}.json`,
        "--metrics=off",
        `--user-agent=${agent}`,
        origin.url,
      ]);
    const first = shard(0);
    // The second shard starts 3.5 s later: its seconds and intervals begin elsewhere.
    await new Promise((r) => setTimeout(r, 3500));
    const runs = await Promise.all([finishSwarm(first), finishSwarm(shard(1))]);
    for (const run of runs) assertEquals(run.code, 0, run.stderr.slice(-2000));
    const parts: RunSummary[] = await Promise.all(
      [0, 1].map(async (i) => JSON.parse(await Deno.readTextFile(`${dir}/shard-${i}.json`))),
    );

    assertEquals(parts.map((p) => p.run.workers), [2, 0]);
    for (const [i, p] of parts.entries()) {
      const t = p.ttfbPercentiles, w = p.snapshot.ttfbSeries;
      assert(t && w, `shard ${i}: ttfbPercentiles and snapshot.ttfbSeries`);
      assertEquals([t.intervalSeconds, t.start % 10], [10, 0], `shard ${i}: 10 s on the clock`);
      // Every TTFB sample of the run is in exactly one interval.
      const whole = {
        manifest: p.snapshot.latency.ttfbManifest.count,
        segment: p.snapshot.latency.ttfbSegment.count,
      };
      for (const kind of TTFB_KINDS) {
        const sum = t[kind].reduce((n, x) => n + x.count, 0);
        assertEquals(sum, whole[kind], `shard ${i}: ${kind} intervals add up to the run's`);
        assert(sum > 0, `shard ${i}: ${kind} TTFBs measured`);
        for (const x of t[kind]) assertEquals(x.p50 === null, x.count === 0);
      }
      // 22 s of traffic spans 3 or 4 intervals (the run's start and end fall anywhere).
      assert(t.segment.length >= 3 && t.segment.length <= 4, `${t.segment.length} intervals`);
      const box = p.loadboxSeries;
      assert(box, `shard ${i}: loadboxSeries`);
      assertEquals(box, p.snapshot.loadboxSeries);
      const n = box.cpuBusyMs.length;
      assert(n >= 18 && n <= 28, `shard ${i}: ${n} seconds of the load box`);
      // A second holds about one sample: this box's cores × 1000 ms of capacity.
      const cores = p.run.host.cpus;
      const sampled = box.cpuCapacityMs.filter((c) => c > 0);
      assert(sampled.length >= n - 3, `shard ${i}: ${sampled.length} of ${n} seconds sampled`);
      const median = [...sampled].sort((a, b) => a - b)[Math.floor(sampled.length / 2)];
      assert(
        Math.abs(median - cores * 1000) <= cores * 150,
        `shard ${i}: median capacity ${median} ms, ${cores} cores`,
      );
      box.cpuBusyMs.forEach((b, s) => assert(b <= box.cpuCapacityMs[s], `second ${s}`));
    }
    assert(parts[0].loadboxSeries!.start < parts[1].loadboxSeries!.start, "shard 1 started later");

    const json = `${dir}/fleet.json`;
    const merged = await runSwarm([
      "merge",
      `${dir}/shard-0.json`,
      `${dir}/shard-1.json`,
      `--summary-json=${json}`,
    ]);
    assertEquals(merged.code, 0, merged.stderr);
    const fleet: RunSummary = JSON.parse(await Deno.readTextFile(json));
    const ft = fleet.ttfbPercentiles!, fw = fleet.snapshot.ttfbSeries!;
    assertEquals(ft.start, Math.min(...parts.map((p) => p.ttfbPercentiles!.start)));
    for (const kind of TTFB_KINDS) {
      ft[kind].forEach((x, j) => {
        // The union of the shards' samples in this interval, sketched anew.
        const union = new Sketch();
        for (const p of parts) {
          const w = p.snapshot.ttfbSeries!;
          const k = (ft.start + j * ft.intervalSeconds - w.start) / w.intervalSeconds;
          if (k >= 0 && k < w[kind].length) union.merge(Sketch.fromWire(w[kind][k]));
        }
        const u = union.percentiles();
        assertEquals(x, { p50: u.p50, p95: u.p95, p99: u.p99, count: u.count }, `${kind}[${j}]`);
        assertEquals(fw[kind][j].count, x.count);
      });
      const total = ft[kind].reduce((n, x) => n + x.count, 0);
      assertEquals(
        total,
        parts.reduce((n, p) => n + p.ttfbPercentiles![kind].reduce((m, x) => m + x.count, 0), 0),
      );
    }
    // The fleet's load box: busy and capacity add on aligned seconds, the lag is the larger.
    const fb = fleet.loadboxSeries!;
    const at = (p: RunSummary, f: "cpuBusyMs" | "cpuCapacityMs" | "loopLagMaxMs", s: number) =>
      p.loadboxSeries![f][s - p.loadboxSeries!.start] ?? 0;
    fb.cpuCapacityMs.forEach((c, i) => {
      const s = fb.start + i;
      assertEquals(c, at(parts[0], "cpuCapacityMs", s) + at(parts[1], "cpuCapacityMs", s));
      assertEquals(fb.cpuBusyMs[i], at(parts[0], "cpuBusyMs", s) + at(parts[1], "cpuBusyMs", s));
      assertEquals(
        fb.loopLagMaxMs[i],
        Math.max(at(parts[0], "loopLagMaxMs", s), at(parts[1], "loopLagMaxMs", s)),
      );
    });
    console.log(
      `segment TTFB per 10 s (fleet): ${
        ft.segment.map((x) => `${x.count} p99 ${x.p99} ms`).join(", ")
      }; fleet CPU ${
        fb.cpuBusyMs.map((b, i) =>
          fb.cpuCapacityMs[i] ? Math.round((100 * b) / fb.cpuCapacityMs[i]) : "?"
        ).join(" ")
      } %`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await origin.close();
  }
});
