import { assertEquals } from "../testing/assert.ts";
import { mergeSnapshots } from "../fleet/merge.ts";
import { readSnapshot } from "./snapshot.ts";
import type { HttpEvent } from "../parser/http_event.ts";
import type { CacheStatus } from "../parser/cache_headers.ts";
import type { RequestKind } from "../parser/url_kind.ts";
import { CdnStats, MAX_WIRE_EDGES, OTHER_EDGE, TOP_EDGES } from "./cdn.ts";
import { cdnReport } from "./cdn_report.ts";
import { PartitionStats } from "./partition_stats.ts";

const OPTIONS = { targetClients: 4, targetDurationMs: 2000, dropThreshold: 0.01 };
const STATUSES: CacheStatus[] = ["hit", "hit", "hit", "miss", "stale", "pass", "unknown"];
const KINDS: RequestKind[] = ["segment", "segment", "manifest", "init"];

/** Client `id`'s `n` responses: request, response, cache, body. */
function responses(id: number, n: number, edges: number): HttpEvent[] {
  return Array.from({ length: n }, (_, i): HttpEvent[] => {
    const req = i + 1, kind = KINDS[(i + id) % KINDS.length];
    const status = i % 11 === 5 ? 503 : 206;
    const cache = STATUSES[(i * 3 + id) % STATUSES.length];
    // Hits come from the edge, misses from the origin: they are timed apart.
    const ttfbMs = (cache === "hit" ? 1 : 100) + ((i * 37 + id * 11) % 40);
    return [
      { type: "request", req, kind, path: `/s${i}.ts`, at: i },
      { type: "response", req, kind, status, ttfbMs },
      {
        type: "cache",
        req,
        kind,
        status,
        ttfbMs,
        cache,
        ageS: i % 9,
        edge: `edge-${(i + id) % edges}`,
      },
      ...(status === 206 ? [{ type: "body_bytes", req, kind, bytes: 1000 + i } as const] : []),
    ];
  }).flat();
}

Deno.test("two shards' CDN figures merge exactly: equal to one shard that saw everything", () => {
  const a = new PartitionStats(OPTIONS),
    b = new PartitionStats(OPTIONS),
    whole = new PartitionStats(OPTIONS);
  for (const id of [0, 1, 2, 3]) {
    for (const e of responses(id, 300, 30)) {
      (id < 2 ? a : b).record(id, e);
      whole.record(id, e);
    }
  }
  for (const s of [a, b, whole]) s.tick(0, 1.8e12);
  const merged = mergeSnapshots([a.snapshot(1.8e12), b.snapshot(1.8e12)]);
  const want = whole.snapshot(1.8e12);
  assertEquals(merged.cdn, want.cdn);
  const r = cdnReport(merged.cdn);
  const seg = r.byKind.segment;
  console.log(
    `merged: ${seg.requests} segments, hit ratio ${seg.hitRatio?.toFixed(4)}, ` +
      `hit TTFB p95 ${seg.byStatus.hit.ttfbMs.p95?.toFixed(1)} ms, miss p95 ` +
      `${seg.byStatus.miss.ttfbMs.p95?.toFixed(1)} ms, ${
        Object.keys(merged.cdn.edges).length
      } edges, ` +
      `listed ${r.edges.length} (top ${TOP_EDGES} + ${r.edges.at(-1)?.edge})`,
  );
  assertEquals(seg.requests, 600);
  assertEquals(r.edges.length, TOP_EDGES + 1);
  assertEquals(r.edges.at(-1)?.edge, OTHER_EDGE);
  // Listing folds, it does not lose: every edge's requests still add up to all requests.
  const all = Object.values(r.byKind).reduce((n, k) => n + k.requests, 0);
  assertEquals(r.edges.reduce((n, e) => n + e.requests, 0), all);
  // The snapshot with CDN figures passes validation, and reads back the same.
  assertEquals(readSnapshot(JSON.parse(JSON.stringify(merged)), "merged").cdn, merged.cdn);
});

Deno.test("edges past the wire bound count as other, in a shard and in a merge", () => {
  const cdn = new CdnStats();
  const event = (req: number, edge: string): HttpEvent => ({
    type: "cache",
    req,
    kind: "segment",
    status: 200,
    ttfbMs: 1,
    cache: "hit",
    ageS: null,
    edge,
  });
  for (let i = 0; i < MAX_WIRE_EDGES + 50; i++) cdn.record(0, event(i, `e${i}`));
  const w = cdn.toWire();
  assertEquals(Object.keys(w.edges).length, MAX_WIRE_EDGES);
  assertEquals(w.edges[OTHER_EDGE].requests.hit, 51);
  // Two shards of 400 distinct edges each: the union (800) is cut to the bound, counts kept.
  const shard = (from: number) => {
    const s = new PartitionStats(OPTIONS);
    for (let i = 0; i < 400; i++) s.record(0, event(i, `e${from + i}`));
    return s.snapshot(1.8e12);
  };
  const merged = mergeSnapshots([shard(0), shard(400)]);
  const edges = Object.values(merged.cdn.edges);
  assertEquals(edges.length, MAX_WIRE_EDGES);
  assertEquals(edges.reduce((n, e) => n + e.requests.hit, 0), 800);
});

/** The message `fn` throws (the test fails when it throws none). */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("nothing thrown");
}

Deno.test("a snapshot whose CDN cell claims more errors than requests is refused", () => {
  const s = new PartitionStats(OPTIONS).snapshot(1.8e12);
  s.cdn.byKind.segment.hit.errors = 3;
  const a = thrown(() => readSnapshot(JSON.parse(JSON.stringify(s)), "bad.json"));
  const t = new PartitionStats(OPTIONS).snapshot(1.8e12);
  (t.cdn.edges as Record<string, unknown>)['x"}'] = {
    requests: { hit: 1, miss: 0, stale: 0, pass: 0, unknown: 0 },
    bytes: 0,
    errors: 0,
  };
  const b = thrown(() => readSnapshot(JSON.parse(JSON.stringify(t)), "bad.json"));
  console.log(a + "\n" + b);
  assertEquals(a.includes("cdn.byKind.segment.hit.errors: 3 is more than the requests (0)"), true);
  assertEquals(b.includes("cdn.edges") && b.includes("edge name"), true);
});
