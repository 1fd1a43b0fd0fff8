import { assertBetween, assertEquals } from "../testing/assert.ts";
import { VirtualClock } from "../testing/virtual_clock.ts";
import { type AudiencePlan, runAudience } from "./audience.ts";
import { audiencePlan, processPlan } from "./audience_plan.ts";
import type { Stage } from "../config/stages.ts";
import { stageTarget } from "../config/stages.ts";

/** Runs a plan on virtual time, recording the busy slots over time. */
async function follow(plan: AudiencePlan, busy: (t: number) => boolean = () => false) {
  const clock = new VirtualClock();
  const active = new Set<number>();
  const timeline: { t: number; n: number }[] = [];
  const log: string[] = [];
  const result = await runAudience(plan, clock, new AbortController().signal, {
    join: (s) => {
      assertEquals(active.has(s), false, `slot ${s} joined twice`);
      active.add(s);
      timeline.push({ t: clock.now(), n: active.size });
    },
    leave: (s) => {
      assertEquals(active.delete(s), true, `slot ${s} left while not busy`);
      timeline.push({ t: clock.now(), n: active.size });
    },
    busy: () => busy(clock.now()),
    onHold: (held) => log.push(`${held ? "held" : "resumed"} at ${clock.now()}`),
  });
  /** The number of viewers at time t. */
  const at = (t: number) => timeline.filter((e) => e.t <= t).at(-1)?.n ?? 0;
  return { result, at, log, active };
}

const config = (
  stages: Stage[] | null,
  extra: Partial<Parameters<typeof processPlan>[0]> = {},
) => ({
  stages,
  sessionDuration: null,
  shard: null,
  clients: stages ? Math.max(...stages.map((s) => s.target)) : 10,
  rampRate: 5,
  durationMs: 0,
  ...extra,
});

Deno.test("the audience follows the stages' target at every moment, and ends with them", async () => {
  const stages = [
    { durationMs: 6000, target: 12 },
    { durationMs: 6000, target: 12 },
    { durationMs: 2000, target: 20 },
    { durationMs: 4000, target: 0 },
  ];
  const c = config(stages);
  const { result, at, active } = await follow(audiencePlan(c, processPlan(c), 1)!);
  for (let t = 0; t < 18_000; t += 37) assertEquals(at(t), stageTarget(stages, t), `at ${t} ms`);
  assertEquals(result, { joins: 20, leaves: 20, heldMs: 0, completed: true });
  assertEquals(active.size, 0);
});

Deno.test("three shards' audiences add up to the whole target", async () => {
  const stages = [{ durationMs: 3000, target: 10 }, { durationMs: 2000, target: 4 }];
  const runs = await Promise.all([0, 1, 2].map((index) => {
    const c = config(stages, { shard: { index, count: 3 } });
    return follow(audiencePlan(c, processPlan(c), 1)!);
  }));
  for (let t = 0; t < 5000; t += 50) {
    assertEquals(runs.reduce((n, r) => n + r.at(t), 0), stageTarget(stages, t), `at ${t} ms`);
  }
});

Deno.test("sessions end and new viewers take the slots while the target asks", async () => {
  const c = config([{ durationMs: 1000, target: 5 }, { durationMs: 60_000, target: 5 }], {
    sessionDuration: { kind: "fixed", ms: 10_000 },
  });
  const { result, at } = await follow(audiencePlan(c, processPlan(c), 1)!);
  // Every slot: sessions of 10 s from its join (0.1 s … 0.9 s) to the end at 61 s: 6 full ones
  // and a 7th that the end of the stages cuts (the last stage's target stays 5: no leave).
  assertEquals(result.joins, 5 * 7);
  assertEquals(result.leaves, 5 * 6);
  for (let t = 1000; t < 61_000; t += 100) assertEquals(at(t), 5, `at ${t} ms`);
});

Deno.test("while the box is saturated no viewer joins and the stage clock stands still", async () => {
  const stages = [{ durationMs: 10_000, target: 10 }];
  const c = config(stages);
  // Saturated from 2 s to 5 s.
  const { result, at, log } = await follow(
    audiencePlan(c, processPlan(c), 1)!,
    (t) => t >= 2000 && t < 5000,
  );
  // Viewer 3 was due at 2.5 s: it waits until 5 s, and the shape resumes from there, 2.5 s late.
  assertEquals([at(2400), at(4999), at(5000), at(5999), at(6000)], [2, 2, 3, 3, 4]);
  assertEquals(result.completed, true);
  assertEquals(result.heldMs, 2500);
  assertEquals(log.length, 2);
});

Deno.test("the plain ramp with sessions: starts at the ramp rate, then replaces leavers", async () => {
  const c = config(null, {
    clients: 4,
    rampRate: 2,
    sessionDuration: { kind: "exp", meanMs: 3000 },
  });
  const stop = new AbortController();
  const clock = new VirtualClock();
  const joins: number[] = [];
  let active = 0, max = 0;
  const done = runAudience(audiencePlan(c, processPlan(c), 3)!, clock, stop.signal, {
    join: () => {
      joins.push(clock.now());
      max = Math.max(max, ++active);
    },
    leave: () => {
      active--;
      if (clock.now() >= 60_000) stop.abort();
    },
    busy: () => false,
  });
  const result = await done;
  assertEquals(joins.slice(0, 4), [0, 500, 1000, 1500]);
  assertEquals(max, 4);
  // About 4 × 60 s / 3 s = 80 sessions.
  assertBetween(result.joins, 55, 110);
  assertEquals(result.completed, false);
});
