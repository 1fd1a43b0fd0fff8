import { mergeSnapshots } from "../fleet/merge.ts";
import { readSnapshot, type Snapshot } from "../stats/snapshot.ts";
import { PartitionStats } from "../stats/partition_stats.ts";
import { AudienceNow } from "../swarm/audience.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { audienceFamilies } from "./audience.ts";
import { exposition, type Family } from "./exposition.ts";

const value = (families: Family[], name: string): number | undefined => {
  const f = families.find((x) => x.name === name);
  if (!f || f.type === "histogram") return undefined;
  return f.samples[0]?.[1];
};

/** A shard that ran `sessions` sessions of 30 s in slot 0, each a join and a leave. */
function shard(sessions: number): Snapshot {
  const stats = new PartitionStats({
    targetClients: 4,
    targetDurationMs: 2000,
    dropThreshold: 0.01,
  });
  for (let i = 0; i < sessions; i++) {
    stats.audience.join(0, i * 30_000);
    stats.audience.leave(0);
    stats.audience.ended(0, (i + 1) * 30_000, "leave");
  }
  stats.audience.join(1, 0);
  // One second of series, so the snapshot reads back (an empty series has no epoch second).
  stats.tick(1_000, 1_700_000_001_000);
  return stats.snapshot(1_700_000_001_000);
}

Deno.test("without a plan: joins, leaves and sessions, and no target or held time", () => {
  const families = audienceFamilies(shard(2).audience);
  assertEquals(value(families, "hlsswarm_audience_joins_total"), 3);
  assertEquals(value(families, "hlsswarm_audience_leaves_total"), 2);
  assertEquals(value(families, "hlsswarm_audience_viewers"), 1);
  assertEquals(value(families, "hlsswarm_audience_sessions_begun_total"), 3, "2 in slot 0, 1 in 1");
  assertEquals(value(families, "hlsswarm_audience_slots_used"), 2);
  assertEquals(value(families, "hlsswarm_audience_target_viewers"), undefined);
  assertEquals(value(families, "hlsswarm_audience_ramp_held_seconds_total"), undefined);
  const text = exposition(families);
  assert(text.includes("hlsswarm_audience_session_seconds_count 2\n"), text);
  assert(text.includes('hlsswarm_audience_session_seconds_bucket{le="25.1"} 0\n'), text);
  assert(text.includes('hlsswarm_audience_session_seconds_bucket{le="31.6"} 2\n'), text);
});

Deno.test("shards' plans merge: targets and held time add, and the merge reads back", () => {
  const a = new AudienceNow(), b = new AudienceNow();
  a.set({ target: 7, stageMs: 10_000, held: true, heldMs: 1_500 });
  b.set({ target: 6, stageMs: 10_400, held: false, heldMs: 250 });
  const merged = mergeSnapshots([a.overlay(shard(1)), b.overlay(shard(2)), shard(0)]);
  // The merge is what `merge` and a fleet's pods write: it must read back as a snapshot.
  const back = readSnapshot(JSON.parse(JSON.stringify(merged)), "the merge");
  const families = audienceFamilies(back.audience);
  assertEquals(value(families, "hlsswarm_audience_target_viewers"), 13);
  assertEquals(value(families, "hlsswarm_audience_ramp_held_seconds_total"), 1.75);
  assertEquals(value(families, "hlsswarm_audience_ramp_held"), 1, "one shard held now");
  assertEquals(value(families, "hlsswarm_audience_joins_total"), 2 + 3 + 1);
  assertEquals(value(families, "hlsswarm_audience_sessions_begun_total"), 6);
  // Shards without a plan merge without one.
  assertEquals(mergeSnapshots([shard(1), shard(2)]).audience.target, undefined);
});
