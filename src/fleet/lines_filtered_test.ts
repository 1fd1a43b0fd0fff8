/**
 * Filtered lines (the native fan-in's line selection) in the snapshot: counted per client and
 * stream, added up by a merge, optional when read (a snapshot from before them reads as 0), and
 * in the summary's line health.
 */
import { PartitionStats } from "../stats/partition_stats.ts";
import { assertEquals } from "../testing/assert.ts";
import { mergeSnapshots } from "./merge.ts";
import { readSnapshot } from "../stats/snapshot.ts";
import { lineHealth } from "./view.ts";

const EPOCH = 1_733_000_000_000;

function shard(filtered: number[]) {
  const stats = new PartitionStats({
    targetClients: filtered.length,
    targetDurationMs: 2000,
    dropThreshold: 0.5,
  });
  filtered.forEach((n, id) =>
    stats.client(id, () => ({
      progress: { read: 10, dropped: 0, parsed: 10, filtered: 0 },
      stderr: { read: 5, dropped: 1, parsed: 4, filtered: n },
    }))
  );
  stats.tick(1000, EPOCH + 1000, true);
  return stats.snapshot(EPOCH + 1000);
}

Deno.test("filtered lines add up per shard and across a merge; absent reads as 0", () => {
  const a = shard([100, 20]), b = shard([7]);
  assertEquals(a.lines.stderr.filtered, 120);
  const merged = mergeSnapshots([a, b]);
  assertEquals(merged.lines.stderr, { read: 15, dropped: 3, parsed: 12, filtered: 127 });
  assertEquals(merged.lines.progress.filtered, 0);
  assertEquals(lineHealth(merged, 0.01).filtered, 127);

  // A snapshot from before filtering: no such field, still valid, merged as 0.
  const old = JSON.parse(JSON.stringify(b));
  delete old.lines.stderr.filtered;
  delete old.lines.progress.filtered;
  const read = readSnapshot(old, "old shard");
  assertEquals(read.lines.stderr.filtered, undefined);
  assertEquals(mergeSnapshots([a, read]).lines.stderr.filtered, 120);
});
