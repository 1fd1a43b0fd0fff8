import { assert, assertEquals } from "../testing/assert.ts";
import { mergeSnapshots } from "../fleet/merge.ts";
import { readSnapshot, type Snapshot } from "./snapshot.ts";
import type { HttpEvent } from "../parser/http_event.ts";
import { PartitionStats } from "./partition_stats.ts";
import type { ClientGroups } from "./groups.ts";

const groupsOf = (id: number): ClientGroups => ({
  rendition: id % 3 === 0 ? "1080p" : "720p",
  address: id % 2 === 0 ? "127.0.0.2" : "127.0.0.3",
});

/** A viewer's requests: a playlist, then segments, some failing, with TTFBs that vary by id. */
function feed(stats: PartitionStats, id: number): void {
  let req = 0;
  const at = 1000 + id;
  const events: HttpEvent[] = [];
  events.push({ type: "request", req: ++req, kind: "manifest", path: "/m.m3u8", at });
  events.push({ type: "response", req, kind: "manifest", status: 200, ttfbMs: 3 });
  for (let s = 0; s < 5 + id; s++) {
    events.push({ type: "request", req: ++req, kind: "segment", path: `/s${s}.ts`, at });
    const status = (id + s) % 7 === 0 ? 503 : 200;
    events.push({ type: "response", req, kind: "segment", status, ttfbMs: 2 + id * 1.5 + s });
    if (status === 200) events.push({ type: "body_bytes", req, kind: "segment", bytes: 1000 * id });
  }
  events.push({ type: "count", key: "unanswered", n: 1 });
  for (const e of events) stats.record(id, e);
}

function shard(ids: readonly number[]): Snapshot {
  const stats = new PartitionStats({
    targetClients: ids.length,
    targetDurationMs: 2000,
    dropThreshold: 0.01,
    groupsOf,
  });
  for (const id of ids) feed(stats, id);
  const now = Date.UTC(2026, 11, 7, 12);
  stats.tick(1000, now);
  return readSnapshot(JSON.parse(JSON.stringify(stats.snapshot(now))), "test");
}

Deno.test("figures by rendition and edge address merge exactly: two shards = one", () => {
  const ids = Array.from({ length: 12 }, (_, i) => i);
  const whole = shard(ids);
  const merged = mergeSnapshots([
    shard(ids.filter((i) => i % 2 === 0)),
    shard(ids.filter((i) => i % 2 === 1)),
  ]);
  assertEquals(merged.renditions, whole.renditions);
  assertEquals(merged.edgeAddresses, whole.edgeAddresses);
  const r = whole.renditions!;
  assertEquals(r["1080p"].viewers, 4);
  assertEquals(r["720p"].viewers, 8);
  // Every request of the shard is in exactly one rendition and one address.
  const total = (g: Snapshot["renditions"]) =>
    Object.values(g!).reduce((n, c) => n + c.requests.segment, 0);
  assertEquals(total(whole.renditions), whole.requests.segment);
  assertEquals(total(whole.edgeAddresses), whole.requests.segment);
  assert(r["1080p"].errors > 0 && r["1080p"].ttfbMs.count > 0);
});

Deno.test("a snapshot without groups merges with one that has them", () => {
  const plain = new PartitionStats({
    targetClients: 1,
    targetDurationMs: 2000,
    dropThreshold: 0.01,
  });
  feed(plain, 0);
  const now = Date.UTC(2026, 11, 7, 12);
  plain.tick(1000, now);
  const none = plain.snapshot(now);
  assertEquals(none.renditions, undefined);
  const merged = mergeSnapshots([none, shard([2, 3])]);
  assertEquals(Object.keys(merged.renditions!), ["1080p", "720p"]);
  assertEquals(merged.requests.segment, none.requests.segment + shard([2, 3]).requests.segment);
});
