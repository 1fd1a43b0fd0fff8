import { assertEquals } from "../testing/assert.ts";
import { EVENTS } from "../events/catalog.ts";
import { mergeSnapshots } from "../fleet/merge.ts";
import { fleetView } from "../fleet/view.ts";
import { parseThreshold } from "../config/thresholds.ts";
import { PartitionStats } from "./partition_stats.ts";

const options = { targetClients: 10, targetDurationMs: 2000, dropThreshold: 0.01 };

Deno.test("shard percentiles hold every client's samples, not the worst client's percentile", () => {
  const stats = new PartitionStats(options);
  // 9 fast clients (10 ms) and 1 slow one (1000 ms), 10 responses each.
  for (let id = 0; id < 10; id++) {
    for (let i = 0; i < 10; i++) {
      stats.record(id, { type: "request", req: 1, kind: "segment", path: "/s.ts", at: 0 });
      stats.record(id, {
        type: "response",
        req: 1,
        kind: "segment",
        status: 206,
        ttfbMs: id === 9 ? 1000 : 10,
      });
    }
  }
  const v = fleetView(stats.snapshot(0));
  assertEquals(v.ttfbMs.segment.count, 100);
  assertEquals(Math.round(v.ttfbMs.segment.p50!), 10);
  assertEquals(Math.round(v.ttfbMs.segment.p99! / 10), 100);
  assertEquals(v.requests.segment, 100);
  assertEquals(stats.clients.get(9)?.requests.segment, 10);
});

Deno.test("bytes, statuses by kind and error rate; counters only grow across runs", () => {
  const stats = new PartitionStats(options);
  stats.record(0, { type: "request", req: 1, kind: "segment", path: "/a.ts", at: 0 });
  stats.record(0, { type: "response", req: 1, kind: "segment", status: 206, ttfbMs: 1 });
  stats.record(0, { type: "body_bytes", req: 1, kind: "segment", bytes: 1000 });
  stats.record(0, { type: "request", req: 1, kind: "segment", path: "/b.ts", at: 0 });
  stats.record(0, { type: "response", req: 1, kind: "segment", status: 404, ttfbMs: 1 });
  stats.record(0, { type: "request", req: 1, kind: "manifest", path: "/p.m3u8", at: 0 });
  stats.record(0, { type: "count", key: "unanswered", n: 1, kind: "manifest" });
  // A restarted FFmpeg reports from zero again: totals keep growing.
  stats.record(0, { type: "body_bytes", req: 1, kind: "segment", bytes: 500 });
  const v = fleetView(stats.snapshot(0));
  assertEquals([v.totalBytes, v.totalRequests, v.failedRequests], [1500, 3, 2]);
  assertEquals(v.errorRate, 2 / 3);
  assertEquals(v.statuses, [{ status: 206, count: 1 }, { status: 404, count: 1 }]);
  assertEquals(v.responses, [
    { kind: "segment", status: 206, count: 1 },
    { kind: "segment", status: 404, count: 1 },
  ]);
  assertEquals(stats.clients.get(0)?.failed, 2);
});

Deno.test("each tick puts what happened since the last one into the second that just ended", () => {
  const stats = new PartitionStats(options);
  const epoch = 1_733_000_000_000;
  stats.record(0, { type: "request", req: 1, kind: "segment", path: "/a.ts", at: 0 });
  stats.tick(1000, epoch + 1001);
  stats.record(0, { type: "request", req: 1, kind: "segment", path: "/b.ts", at: 0 });
  stats.record(0, { type: "request", req: 1, kind: "segment", path: "/c.ts", at: 0 });
  stats.tick(2000, epoch + 2001);
  stats.record(0, { type: "request", req: 1, kind: "manifest", path: "/p.m3u8", at: 0 });
  stats.tick(2500, epoch + 2500, true); // the final tick goes to the current second
  const w = stats.snapshot(epoch + 2500).series;
  assertEquals(w.start, epoch / 1000);
  assertEquals(w.fields.segments, [1, 2, 0]);
  assertEquals(w.fields.manifests, [0, 0, 1]);
});

Deno.test("parser errors: every one counted, each kind first once; a catalog event end to end", () => {
  const a = new PartitionStats(options), b = new PartitionStats(options);
  const first = [
    a.parserError(0, "TypeError at x.ts:1:1"),
    a.parserError(1, "TypeError at x.ts:1:1"),
    a.parserError(1, "RangeError at y.ts:2:2"),
  ];
  assertEquals(first, [true, false, true]);
  // A flood of distinct kinds is counted in full, but only the first 20 kinds are new to the log.
  const news = Array.from({ length: 50 }, (_, i) => b.parserError(0, `kind ${i}`));
  assertEquals(news.filter(Boolean).length, 20);
  const merged = mergeSnapshots([a.snapshot(0), b.snapshot(0)]);
  assertEquals([a.snapshot(0).events.parserErrors, merged.events.parserErrors], [3, 53]);
  const row = EVENTS.find((e) => e.key === "parserErrors");
  assertEquals([row?.metric, row?.summary], ["parser_errors", "Parser errors:"]);
  assertEquals((parseThreshold("parser_errors<1") as { figure: string }).figure, "parser_errors");
});
