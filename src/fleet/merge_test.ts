import { clientRandom } from "../math/random.ts";
import type { HttpEvent } from "../parser/http_event.ts";
import { REQUEST_KINDS } from "../parser/url_kind.ts";
import { LATENCIES } from "../stats/http_stats.ts";
import { PartitionStats } from "../stats/partition_stats.ts";
import { Sketch, type SketchWire } from "../math/sketch.ts";
import { TTFB_KINDS } from "../stats/ttfb_series.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { mergeSnapshots } from "./merge.ts";
import { readSnapshot, type Snapshot, SnapshotError } from "../stats/snapshot.ts";

const EPOCH = 1_733_000_000_000;

/** A random run: `clients` clients for `seconds`, each event drawn from `seed`. */
function randomRun(clients: number, seconds: number, seed: number) {
  const rnd = clientRandom(0, seed);
  const events: { second: number; id: number; e: HttpEvent }[] = [];
  for (let second = 0; second < seconds; second++) {
    for (let id = 0; id < clients; id++) {
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) {
        const kind = REQUEST_KINDS[Math.floor(rnd() * 4)];
        const status = [200, 206, 404, 503][Math.floor(rnd() * 4)];
        // Latencies over five orders of magnitude, some of them 0.
        const ms = rnd() < 0.05 ? 0 : Math.exp(rnd() * 11 - 3);
        events.push({ second, id, e: { type: "request", req: 1, kind, path: "/x", at: 0 } });
        events.push({ second, id, e: { type: "response", req: 1, kind, status, ttfbMs: ms } });
        if (status < 300) {
          events.push({
            second,
            id,
            e: { type: "body_bytes", req: 1, kind, bytes: Math.floor(rnd() * 1e6) },
          });
        }
        if (rnd() < 0.3) {
          events.push({
            second,
            id,
            e: { type: "segment_download_inferred", req: 1, ms: ms * 3, at: second * 1000 },
          });
        }
        if (rnd() < 0.1) events.push({ second, id, e: { type: "tcp_connect", ms: ms / 7 } });
        if (rnd() < 0.1) {
          events.push({
            second,
            id,
            e: { type: "count", key: "segmentsExpired", n: 1 + Math.floor(rnd() * 3) },
          });
        }
        if (rnd() < 0.05) {
          events.push({ second, id, e: { type: "count", key: "unanswered", n: 1, kind } });
        }
      }
    }
  }
  return events;
}

/** Feeds `events` into one shard per part (client id → part), ticking every second. */
function shards(
  clients: number,
  seconds: number,
  events: ReturnType<typeof randomRun>,
  part: (id: number) => number,
  k: number,
): Snapshot[] {
  const stats = Array.from({ length: k }, (_, i) =>
    new PartitionStats({
      targetClients: Array.from({ length: clients }, (_, id) =>
        id).filter((id) => part(id) === i).length,
      targetDurationMs: 2000,
      dropThreshold: 0.01,
    }));
  for (let id = 0; id < clients; id++) {
    const life = stats[part(id)].lifecycle;
    life.onState(id, "running");
    life.onStart(false);
    life.onExit({
      clientId: id,
      pid: id,
      code: id % 3 === 0 ? 1 : 255,
      signal: null,
      uptimeMs: 1000 + id * 37,
      requested: id % 3 !== 0,
      reason: id % 3 ? "shutdown" : null,
      stderrTail: [],
      truncatedLines: id % 2,
    });
  }
  let i = 0;
  for (let second = 0; second < seconds; second++) {
    for (; i < events.length && events[i].second === second; i++) {
      stats[part(events[i].id)].record(events[i].id, events[i].e);
    }
    const wall = EPOCH + (second + 1) * 1000 + 1;
    for (const s of stats) s.tick(second * 1000, wall);
  }
  // The final tick: the run is over (a finished shard's snapshot has its TTFB intervals).
  for (const s of stats) s.tick(seconds * 1000, EPOCH + seconds * 1000 + 2, true);
  return stats.map((s) => s.snapshot(EPOCH + seconds * 1000));
}

function assertSameFigures(merged: Snapshot, whole: Snapshot, what: string): void {
  const { latency: ml, lifecycle: mlife, ttfbSeries: mt, ...mRest } = merged;
  const { latency: wl, lifecycle: wlife, ttfbSeries: wt, ...wRest } = whole;
  // Everything but sketch sums (float addition order) must be identical.
  assertEquals(mRest, wRest, `${what}: counters, series and playback`);
  assertEquals({ ...mlife, uptimeMs: null }, { ...wlife, uptimeMs: null }, `${what}: lifecycle`);
  const sameSketch = (m: SketchWire, w: SketchWire, name: string) => {
    const a = Sketch.fromWire(m), b = Sketch.fromWire(w);
    assertEquals({ ...m, sum: 0 }, { ...w, sum: 0 }, `${what}: ${name} bins`);
    assert(Math.abs(a.sum - b.sum) <= 1e-9 * Math.max(1, Math.abs(b.sum)), `${what}: ${name} sum`);
    for (let q = 0; q <= 1; q += 0.01) {
      assertEquals(a.quantile(q), b.quantile(q), `${what}: ${name} q${q.toFixed(2)}`);
    }
  };
  for (const name of LATENCIES) sameSketch(ml[name], wl[name], name);
  // The TTFB sketches per interval: each interval's sketch of the shards' samples is the one
  // a single shard fed them all has, so its p99 is the p99 of the union.
  assert(mt && wt, `${what}: a TTFB series`);
  assertEquals([mt.intervalSeconds, mt.start], [wt.intervalSeconds, wt.start], `${what}: bins`);
  for (const kind of TTFB_KINDS) {
    assertEquals(mt[kind].length, wt[kind].length, `${what}: ${kind} intervals`);
    mt[kind].forEach((m, i) => sameSketch(m, wt[kind][i], `ttfbSeries.${kind}[${i}]`));
  }
}

Deno.test("property: random samples split into k shards and merged equal one shard fed them all", () => {
  for (const [seed, k] of [[1, 2], [2, 3], [3, 8], [4, 5], [5, 16]]) {
    const clients = 40, seconds = 30;
    const events = randomRun(clients, seconds, seed);
    const [whole] = shards(clients, seconds, events, () => 0, 1);
    const rnd = clientRandom(99, seed);
    const assignment = Array.from({ length: clients }, () => Math.floor(rnd() * k));
    const parts = shards(clients, seconds, events, (id) => assignment[id], k);
    assertSameFigures(mergeSnapshots(parts), whole, `seed ${seed}, k ${k}`);
    // Every TTFB sample is in one interval: the intervals add up to the whole-run sketches.
    const sumOf = (w: readonly SketchWire[]) => w.reduce((n, x) => n + x.count, 0);
    assertEquals(sumOf(whole.ttfbSeries!.segment), whole.latency.ttfbSegment.count);
    assertEquals(sumOf(whole.ttfbSeries!.manifest), whole.latency.ttfbManifest.count);
    assert(whole.ttfbSeries!.segment.length >= 3, "30 s of samples span 3 or 4 intervals");
    // Associative and commutative: any grouping and order gives the same figures.
    const half = Math.ceil(k / 2);
    const grouped = mergeSnapshots([
      mergeSnapshots(parts.slice(half).reverse()),
      mergeSnapshots(parts.slice(0, half)),
    ]);
    assertSameFigures(grouped, whole, `seed ${seed}, k ${k}, regrouped`);
  }
});

Deno.test("a snapshot survives a JSON round trip unchanged", () => {
  const events = randomRun(10, 10, 7);
  const parts = shards(10, 10, events, (id) => id % 2, 2);
  const merged = mergeSnapshots(parts);
  const back = readSnapshot(JSON.parse(JSON.stringify(merged)), "round trip");
  assertEquals(back, merged);
  assertSameFigures(mergeSnapshots([back]), merged, "re-merged");
});

Deno.test("another version, another accuracy or a malformed snapshot is refused clearly", () => {
  const [snap] = shards(2, 2, randomRun(2, 2, 1), () => 0, 1);
  const refused = (f: () => unknown, pattern: RegExp) => {
    try {
      f();
    } catch (e) {
      assert(e instanceof SnapshotError, String(e));
      assert(pattern.test(e.message), e.message);
      return;
    }
    throw new Error(`accepted; expected ${pattern}`);
  };
  refused(
    () => readSnapshot({ ...snap, version: 99 }, "shard-3.json"),
    /^shard-3\.json: snapshot version 99 cannot be read by this hls-swarm \(it reads version 3\)/,
  );
  refused(
    () => mergeSnapshots([snap, { ...snap, accuracy: 0.02 }]),
    /cannot merge sketches of relative accuracy 0\.01 and 0\.02/,
  );
  refused(
    () => readSnapshot({ ...snap, requests: { ...snap.requests, segment: -1 }, series: {} }, "x"),
    /^x: snapshot\.requests\.segment: -1 is outside 0 \.\. 9007199254740991 \(a count\)$/,
  );
  refused(() => readSnapshot("garbage", "stdin"), /stdin: snapshot version undefined/);
});

Deno.test("events are a key → count map: a key a newer catalog adds is read, one an older snapshot lacks counts 0", () => {
  const [a, b] = shards(4, 3, randomRun(4, 3, 2), (id) => id % 2, 2);
  const { segmentsExpired: _, ...older } = a.events;
  const oldA = readSnapshot({ ...a, events: { ...older } }, "older.json");
  const newB = readSnapshot({ ...b, events: { ...b.events, parserErrors: 3 } }, "newer.json");
  assertEquals(mergeSnapshots([oldA, newB]).events.segmentsExpired, b.events.segmentsExpired);
  const refused = (events: unknown) => {
    try {
      readSnapshot({ ...a, events }, "x.json");
    } catch (e) {
      return (e as Error).message;
    }
    return "accepted";
  };
  assertEquals(
    refused({ ...a.events, "no such key!": 1 }),
    "x.json: snapshot.events: a key that is not an event name",
  );
  assertEquals(
    refused({ ...a.events, timeouts: -2 }),
    "x.json: snapshot.events.timeouts: -2 is outside 0 .. 9007199254740991 (a count)",
  );
});
