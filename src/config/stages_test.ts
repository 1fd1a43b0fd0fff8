import { assertBetween, assertEquals } from "../testing/assert.ts";
import {
  nextStageChange,
  parseStages,
  shareOf,
  type Stage,
  stagesFlag,
  stageSlots,
  stageTarget,
  steepestRise,
} from "./stages.ts";

const SHAPE: Stage[] = [
  { durationMs: 60_000, target: 200 },
  { durationMs: 60_000, target: 200 },
  { durationMs: 10_000, target: 400 },
  { durationMs: 60_000, target: 400 },
  { durationMs: 30_000, target: 0 },
];

Deno.test("stages parse as k6 spells them; bad parts are named", () => {
  const r = parseStages("1m:200,1m:200,10s:400,1m:400,30s:0");
  assertEquals(r, { ok: true, stages: SHAPE });
  assertEquals(parseStages("1m:200,10:5"), {
    ok: false,
    error: 'stage 2 "10:5": needs a unit, e.g. "10s" or "10ms"',
  });
  assertEquals(parseStages("1m:-3").ok, false);
  assertEquals(parseStages("1m:0,5s:0"), {
    ok: false,
    error: "no stage asks for a viewer (every target is 0)",
  });
  assertEquals(parseStages(stagesFlag(SHAPE)), { ok: true, stages: SHAPE });
});

Deno.test("the target is linear within a stage, rounded, and stays at the last one", () => {
  assertEquals(stageTarget(SHAPE, 0), 0);
  assertEquals(stageTarget(SHAPE, 30_000), 100);
  assertEquals(stageTarget(SHAPE, 90_000), 200);
  assertEquals(stageTarget(SHAPE, 125_000), 300);
  assertEquals(stageTarget(SHAPE, 205_000), 200);
  assertEquals(stageTarget(SHAPE, 1e9), 0);
  // Over every second the mean of the rounded count is the line's mean, within half a viewer.
  for (let s = 0; s < 220; s++) {
    let sum = 0;
    for (let ms = 0; ms < 1000; ms += 10) sum += stageTarget(SHAPE, s * 1000 + ms);
    const line = s < 60 ? (s + 0.5) * 200 / 60 : null;
    if (line !== null) assertBetween(sum / 100, line - 0.5, line + 0.5);
  }
});

Deno.test("nextStageChange finds every change of the target, and no change is skipped", () => {
  let t = 0, changes = 0, last = stageTarget(SHAPE, 0);
  while (t < 220_000) {
    const next = nextStageChange(SHAPE, t);
    // Nothing changes strictly between t and next.
    for (const probe of [t + (next - t) * 0.25, t + (next - t) * 0.75]) {
      assertEquals(stageTarget(SHAPE, probe), last, `at ${probe} (from ${t} to ${next})`);
    }
    t = next;
    const now = stageTarget(SHAPE, t);
    if (now !== last) changes++;
    last = now;
  }
  // 200 up, 200 up, 400 down (a change at every viewer: they come and go one by one).
  assertBetween(changes, 800, 802);
  assertEquals(nextStageChange(SHAPE, 220_000), Infinity);
});

Deno.test("shards' shares add up to the whole target at every moment, and only grow with it", () => {
  for (const count of [1, 2, 3, 7]) {
    const before = new Array<number>(count).fill(0);
    for (let target = 0; target <= 50; target++) {
      const shares = Array.from({ length: count }, (_, i) => shareOf(target, i, count));
      assertEquals(shares.reduce((a, b) => a + b, 0), target);
      shares.forEach((s, i) => assertEquals(s >= before[i], true));
      shares.forEach((s, i) => (before[i] = s));
    }
  }
  // Slots: disjoint, consecutive, all of the peak.
  const slots = [0, 1, 2].map((index) => stageSlots(400, { index, count: 3 }));
  assertEquals(slots, [
    { firstClient: 0, clients: 134 },
    { firstClient: 134, clients: 133 },
    { firstClient: 267, clients: 133 },
  ]);
});

Deno.test("the steepest rise is the flash crowd a run is judged on", () => {
  assertEquals(steepestRise(SHAPE), {
    stage: 3,
    perSecond: 20,
    startMs: 120_000,
    endMs: 130_000,
  });
  assertEquals(steepestRise([{ durationMs: 0, target: 5 }]), null);
});
