import { assertEquals } from "../testing/assert.ts";
import { clientRandom } from "../math/random.ts";
import { mergeSnapshots } from "../fleet/merge.ts";
import { PartitionStats } from "../stats/partition_stats.ts";
import { viewerReport } from "./report.ts";
import { type SessionResult, type StartOutcome, ViewerSession } from "./session.ts";

Deno.test("ViewerSession: one outcome per session, startup from the first request", () => {
  const started = new ViewerSession(2000);
  started.request("manifest", 100);
  started.segmentArrived(950);
  started.segmentArrived(1200);
  started.media(6000, 960);
  assertEquals(started.end("stopped", 10_000).outcome, "started");
  assertEquals(started.end("error", 99_999).startupMs, 850); // the first end wins

  const vsf = new ViewerSession(2000);
  vsf.request("manifest", 0);
  assertEquals(vsf.end("error", 500).outcome, "vsf");
  const ebvs = new ViewerSession(2000);
  ebvs.request("manifest", 0);
  assertEquals(ebvs.end("stopped", 500), {
    outcome: "ebvs",
    startupMs: null,
    rebuffers: 0,
    rebufferMs: 0,
    playMs: 0,
    expiredSegments: 0,
    mediaBytes: 0,
    mediaMs: 0,
  });
});

Deno.test("ViewerSession: live latency needs program date-time and media, placed when it arrived", () => {
  const s = new ViewerSession(2000);
  s.request("manifest", 0);
  s.programDateTime(990_000, 2000);
  // Each figure is of the moment two segments (4 s) before it is asked for.
  const at = (t: number) => s.liveLatencyMs(t + 4000, 1_000_000 + 4000);
  assertEquals(at(1000), null, "no segment yet");
  s.segmentAnswered(2);
  s.segmentAnswered(3);
  s.segmentArrived(100, 3); // two segments, from 100 on: media to 994 000
  assertEquals(at(50), null, "a moment before they came");
  assertEquals(at(200), 6000);
  // Told late (when FFmpeg asked for the next one), the third arrived at 3000: a moment before
  // that still holds two.
  s.segmentArrived(3000, 4);
  assertEquals(at(2000), 6000);
  assertEquals(at(3000), 4000);
});

/** A random ended session, as many as a shard might see. */
function randomSession(rand: () => number): SessionResult {
  const r = rand();
  const outcome: StartOutcome = r < 0.05 ? "vsf" : r < 0.1 ? "ebvs" : "started";
  const started = outcome === "started";
  const rebuffers = started && rand() < 0.2 ? 1 + Math.floor(rand() * 3) : 0;
  return {
    outcome,
    startupMs: started ? 200 + Math.floor(rand() * 5000) : null,
    rebuffers,
    rebufferMs: rebuffers * Math.floor(rand() * 4000),
    playMs: started ? Math.floor(rand() * 600_000) : 0,
    expiredSegments: rand() < 0.05 ? 1 : 0,
    mediaBytes: started ? Math.floor(rand() * 1e8) : 0,
    mediaMs: started ? Math.floor(rand() * 600_000) : 0,
  };
}

Deno.test("viewers: three shards' snapshots merged equal one shard fed the same sessions", () => {
  const options = { targetClients: 1, targetDurationMs: 2000, dropThreshold: 0.01 };
  for (let seed = 0; seed < 20; seed++) {
    const rand = clientRandom(seed, 42);
    const whole = new PartitionStats(options);
    const shards = [
      new PartitionStats(options),
      new PartitionStats(options),
      new PartitionStats(options),
    ];
    const n = 50 + Math.floor(rand() * 500);
    for (let i = 0; i < n; i++) {
      const s = randomSession(rand);
      const latency = 1000 + rand() * 9000;
      for (const v of [whole.viewers, shards[Math.floor(rand() * 3)].viewers]) {
        if (s.outcome === "started") v.started();
        if (s.startupMs !== null) v.startup(s.startupMs);
        v.ended(s);
        v.liveLatency(latency);
      }
    }
    const wall = Date.UTC(2026, 11, 7);
    const merged = mergeSnapshots(shards.map((s) => s.snapshot(wall))).viewers;
    const one = whole.snapshot(wall).viewers;
    assertEquals(viewerReport(merged), viewerReport(one));
    assertEquals(merged, one);
  }
});
