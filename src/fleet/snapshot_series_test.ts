/**
 * The snapshot's later series (TTFB per interval, the load box per second) as read from files:
 * optional (older snapshots still read and merge), and bounded (a hostile shard file cannot make
 * a merge allocate without limit).
 */
import { PartitionStats } from "../stats/partition_stats.ts";
import { MAX_SERIES_SECONDS } from "../stats/series.ts";
import { MAX_TTFB_INTERVALS } from "../stats/ttfb_series.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { mergeSnapshots } from "./merge.ts";
import { readSnapshot, type Snapshot, SnapshotError } from "../stats/snapshot.ts";

const WALL = 1_733_061_725_500;

/** A real shard's snapshot with TTFBs in two intervals and three seconds of load box. */
function snapshot(): Snapshot {
  const stats = new PartitionStats({
    targetClients: 1,
    targetDurationMs: 2000,
    dropThreshold: 0.01,
  });
  for (const [i, at] of [[0, WALL], [1, WALL + 10_000]] as const) {
    stats.record(0, { type: "request", req: i, kind: "segment", path: "/s.ts", at: 0 });
    stats.record(0, { type: "response", req: i, kind: "segment", status: 200, ttfbMs: 20 + i });
    stats.tick(i * 1000, at, i === 1);
  }
  return {
    ...stats.snapshot(WALL + 10_000),
    loadboxSeries: {
      start: 1_733_061_720,
      cpuBusyMs: [500, 700, 0],
      cpuCapacityMs: [2000, 2000, 0],
      loopLagMaxMs: [3, 1.5, 0],
    },
  };
}

/** The message readSnapshot gives `value`, or "ok". */
function problem(value: unknown): string {
  try {
    readSnapshot(value, "shard.json");
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    return e.message;
  }
  return "ok";
}

Deno.test("the later series are optional: an older snapshot reads, and merges with a newer one", () => {
  const s = snapshot();
  assertEquals(problem(JSON.parse(JSON.stringify(s))), "ok");
  const { ttfbSeries: _t, loadboxSeries: _l, ...older } = s;
  assertEquals(problem(older), "ok");
  const merged = mergeSnapshots([readSnapshot(older, "old.json"), s]);
  assertEquals(merged.ttfbSeries?.segment.map((w) => w.count), [1, 1]);
  assertEquals(merged.loadboxSeries, s.loadboxSeries);
  const none = mergeSnapshots([readSnapshot(older, "old.json")]);
  assert(!("ttfbSeries" in none) && !("loadboxSeries" in none), "absent stays absent");
});

Deno.test("hostile TTFB series are refused by the rule, before a merge allocates", () => {
  const s = snapshot();
  const t = s.ttfbSeries!;
  const with_ = (change: Record<string, unknown>) => ({ ...s, ttfbSeries: { ...t, ...change } });
  const many = Array.from({ length: MAX_TTFB_INTERVALS + 1 }, () => t.segment[0]);
  const table: [Record<string, unknown>, string][] = [
    [
      { intervalSeconds: 11 },
      "snapshot.ttfbSeries.intervalSeconds: 11 is not one of 10, 60, 300, 1800",
    ],
    [
      { intervalSeconds: 1e9 },
      "snapshot.ttfbSeries.intervalSeconds: 1000000000 is outside 10 .. 1800",
    ],
    [{ start: t.start + 5 }, `snapshot.ttfbSeries.start: ${t.start + 5} is not a multiple of 10`],
    [
      { start: 0 },
      "snapshot.ttfbSeries.start: 0 is outside 946684800 .. 7258118400 (an epoch second from 2000 to 2200)",
    ],
    [
      { manifest: many, segment: many },
      `snapshot.ttfbSeries.manifest: a list of ${
        MAX_TTFB_INTERVALS + 1
      } items; at most ${MAX_TTFB_INTERVALS}`,
    ],
    [
      { segment: t.segment.slice(1) },
      "snapshot.ttfbSeries.segment: 1 intervals, but manifest has 2",
    ],
    [
      { segment: [{ ...t.segment[0], offset: 1e9 }, t.segment[1]] },
      "snapshot.ttfbSeries.segment[0].offset: 1000000000 is outside -345 .. 1209 (the keys of 1 µs .. 1 year)",
    ],
    [
      { segment: [{ ...t.segment[0], count: 1e6 }, t.segment[1]] },
      "snapshot.ttfbSeries.segment[0].count: 1000000 is not zeros + the bins (1)",
    ],
  ];
  for (const [change, message] of table) {
    assertEquals(problem(with_(change)), `shard.json: ${message}`);
  }
  // Valid alone, but a week and more apart: the merge refuses (a SnapshotError, exit 2's kind).
  const far = { ...t, start: t.start + 20 * 86_400 };
  let message = "";
  try {
    mergeSnapshots([s, readSnapshot({ ...s, ttfbSeries: far }, "far.json")]);
  } catch (e) {
    assert(e instanceof SnapshotError, String(e));
    message = e.message;
  }
  assert(message.includes("disagree by more than a week"), message);
});

Deno.test("hostile load-box series are refused: lengths, busier than capacity, beyond a week", () => {
  const s = snapshot();
  const b = s.loadboxSeries!;
  const with_ = (change: Record<string, unknown>) => ({ ...s, loadboxSeries: { ...b, ...change } });
  const long = new Array<number>(MAX_SERIES_SECONDS + 1).fill(0);
  const table: [Record<string, unknown>, string][] = [
    [
      { cpuBusyMs: [500, 700] },
      "snapshot.loadboxSeries.cpuCapacityMs: columns of 2, 3 and 3 seconds",
    ],
    [
      { cpuBusyMs: [500, 2001, 0] },
      "snapshot.loadboxSeries.cpuBusyMs: second 1: 2001 ms busy is more than the 2000 ms there was",
    ],
    [
      { cpuCapacityMs: [2000, -1, 0] },
      "snapshot.loadboxSeries.cpuCapacityMs[1]: -1 is outside 0 .. 9007199254740991 (a count)",
    ],
    [
      { loopLagMaxMs: [0, 1e300, 0] },
      "snapshot.loadboxSeries.loopLagMaxMs[1]: 1e+300 is outside 0 .. 86400000 (a lag in ms)",
    ],
    [
      { cpuBusyMs: long, cpuCapacityMs: long, loopLagMaxMs: long },
      `snapshot.loadboxSeries.cpuBusyMs: a list of ${
        MAX_SERIES_SECONDS + 1
      } items; at most ${MAX_SERIES_SECONDS}`,
    ],
  ];
  for (const [change, message] of table) {
    assertEquals(problem(with_(change)), `shard.json: ${message}`);
  }
  let message = "";
  try {
    mergeSnapshots([s, readSnapshot(with_({ start: b.start + 8 * 86_400 }), "far.json")]);
  } catch (e) {
    assert(e instanceof SnapshotError, String(e));
    message = e.message;
  }
  assert(message.includes("disagree by more than a week"), message);
});
