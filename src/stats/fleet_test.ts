import { assertEquals } from "../testing/assert.ts";
import { FleetStats } from "./fleet.ts";

Deno.test("fleet percentiles hold every client's samples, not the worst client's percentile", () => {
  const fleet = new FleetStats(2000);
  // 9 fast clients (10 ms) and 1 slow one (1000 ms), 10 responses each.
  for (let id = 0; id < 10; id++) {
    for (let i = 0; i < 10; i++) {
      fleet.recordEvent(id, { type: "request", kind: "segment", path: "/s.ts" });
      fleet.recordEvent(id, {
        type: "response",
        kind: "segment",
        status: 206,
        ttfbMs: id === 9 ? 1000 : 10,
      });
    }
  }
  const s = fleet.snapshot(0);
  assertEquals(s.ttfbMs.segment.count, 100);
  assertEquals(Math.round(s.ttfbMs.segment.p50!), 10);
  assertEquals(Math.round(s.ttfbMs.segment.p99! / 10), 100);
  assertEquals(s.requests.segment, 100);
  assertEquals(fleet.client(9).http.requests.segment, 10);
});

Deno.test("bytes and error rate; counters only grow across runs", () => {
  const fleet = new FleetStats(2000);
  fleet.recordEvent(0, { type: "request", kind: "segment", path: "/a.ts" });
  fleet.recordEvent(0, { type: "response", kind: "segment", status: 206, ttfbMs: 1 });
  fleet.recordEvent(0, { type: "body_bytes", kind: "segment", bytes: 1000 });
  fleet.recordEvent(0, { type: "request", kind: "segment", path: "/b.ts" });
  fleet.recordEvent(0, { type: "response", kind: "segment", status: 404, ttfbMs: 1 });
  fleet.recordEvent(0, { type: "request", kind: "manifest", path: "/p.m3u8" });
  fleet.recordEvent(0, { type: "unanswered", kind: "manifest" });
  // A restarted FFmpeg reports from zero again: totals keep growing.
  fleet.recordEvent(0, { type: "body_bytes", kind: "segment", bytes: 500 });
  const s = fleet.snapshot(0);
  assertEquals([s.totalBytes, s.totalRequests, s.failedRequests], [1500, 3, 2]);
  assertEquals(s.errorRate, 2 / 3);
  assertEquals(s.statuses, [{ status: 206, count: 1 }, { status: 404, count: 1 }]);
});
