import { assert, assertBetween, assertEquals } from "../testing/assert.ts";
import { rampOffsets } from "./ramp.ts";
import { VirtualClock } from "../testing/virtual_clock.ts";
import { AudienceNow, type AudiencePlan, runAudience } from "./audience.ts";
import { PartitionStats } from "../stats/partition_stats.ts";
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

/** The times the target asks for its 1st, 2nd … viewer (a rising target: one step each). */
function stepTimes(stages: Stage[], viewers: number, everyMs = 1): number[] {
  const times: number[] = [];
  for (let t = 0; times.length < viewers; t += everyMs) {
    while (times.length < stageTarget(stages, t)) times.push(t);
  }
  return times;
}

/** Runs a plan on virtual time; the time of every join, in order. */
async function joinTimes(plan: AudiencePlan): Promise<number[]> {
  const clock = new VirtualClock();
  const times: number[] = [];
  await runAudience(plan, clock, new AbortController().signal, {
    join: () => times.push(clock.now()),
    leave: () => {},
    busy: () => false,
  });
  return times;
}

Deno.test("--ramp-jitter with stages: each join within min(jitter, half a step) of its step", async () => {
  // 0 → 10 in 10 s: a step each second; then 10 → 30 in 2 s: a step each 100 ms.
  const stages = [
    { durationMs: 10_000, target: 10 },
    { durationMs: 2_000, target: 30 },
    { durationMs: 1_000, target: 30 },
  ];
  const steps = stepTimes(stages, 30);
  const exact = config(stages, { rampJitterMs: 0 });
  assertEquals(await joinTimes(audiencePlan(exact, processPlan(exact), 7)!), steps);
  for (const jitter of [300, 5_000]) {
    const c = config(stages, { rampJitterMs: jitter });
    const joins = await joinTimes(audiencePlan(c, processPlan(c), 7)!);
    assertEquals(joins.length, 30);
    const delays = joins.map((t, k) => t - steps[k]);
    delays.forEach((d, k) => {
      // Half the interval to the next step (the last step: the hold after it).
      const cap = Math.min(jitter, k < 10 ? 500 : k < 29 ? 50 : Infinity);
      assertBetween(d, 0, cap - 1e-9, `viewer ${k + 1}: ${d} ms after its step`);
    });
    // Drawn, not all at the cap nor all none; never adding up (the last as small as the first).
    assert(new Set(delays.map((d) => Math.round(d))).size > 20, delays.join());
    assertEquals(
      await joinTimes(audiencePlan(c, processPlan(c), 7)!),
      joins,
      "the same seed, the same joins",
    );
  }
});

Deno.test("--ramp-jitter with sessions: first joins as the plain ramp starts, later ones per session", async () => {
  const c = config(null, {
    clients: 6,
    rampRate: 4,
    rampJitterMs: 200,
    durationMs: 0,
    sessionDuration: { kind: "fixed", ms: 10_000 },
  });
  // Ended at 25 s, so the run stops on virtual time (a second sleeper would move it too).
  const plan = { ...audiencePlan(c, processPlan(c), 11)!, endMs: 25_000 };
  const clock = new VirtualClock();
  const joins: { slot: number; t: number }[] = [];
  await runAudience(plan, clock, new AbortController().signal, {
    join: (slot) => joins.push({ slot, t: clock.now() }),
    leave: () => {},
    busy: () => false,
  });
  const first = joins.slice(0, 6).map((j) => j.t);
  const ramp = rampOffsets(6, 4, 200, 11);
  first.forEach((t, k) => assertBetween(t, ramp[k] - 1e-6, ramp[k] + 1e-6, `client ${k}`));
  // A slot's next session joins after the last one's 10 s, jittered by its own draw (below
  // min(200, 250 / 2) ms: the ramp's interval still bounds it), and differently from its first.
  const second = joins.slice(6, 12);
  assertEquals(second.map((j) => j.slot), [0, 1, 2, 3, 4, 5]);
  second.forEach((j, k) => {
    const end = first[k] + 10_000;
    assertBetween(j.t, end, end + 125, `slot ${k}'s second session`);
  });
  assert(second.some((j, k) => j.t - first[k] - 10_000 !== first[k] - k * 250));
});

Deno.test("a target that falls before a jittered join cancels it: no join, no leave", async () => {
  const plan: AudiencePlan = {
    slots: 2,
    endMs: 3000,
    sessionMs: null,
    // One viewer at 1 s, gone again at 1.05 s, before its 100 ms delay is up.
    target: (t) => (t >= 1000 && t < 1050 ? 1 : 0),
    nextChange: (t) => (t < 1000 ? 1000 : t < 1050 ? 1050 : Infinity),
    joinDelayMs: () => 100,
  };
  const { result } = await follow(plan);
  assertEquals(result, { joins: 0, leaves: 0, heldMs: 0, completed: true });
});

Deno.test("AudienceNow keeps the target per wall-clock second and puts it in the series", () => {
  let wall = 1_733_061_736_000;
  const now = new AudienceNow(() => wall);
  const status = (target: number) => now.set({ target, stageMs: 0, held: false, heldMs: 0 });
  status(2);
  wall += 400;
  status(3); // the same second: its end holds the last value
  wall += 2_700; // a second slept through keeps the target it had
  status(7);
  const seconds = [735, 736, 737, 738, 739, 740].map((s) => now.targetAt(1_733_061_000 + s));
  assertEquals(seconds, [0, 3, 3, 3, 7, 7]);
  const stats = new PartitionStats({
    targetClients: 7,
    targetDurationMs: 2000,
    dropThreshold: 0.01,
  });
  for (let t = 1_733_061_736_500; t <= 1_733_061_740_500; t += 1000) stats.tick(t - 1e12, t);
  const snap = now.overlay(stats.snapshot(wall));
  const { start, fields } = snap.series;
  assertEquals(fields.target, fields.segments.map((_, i) => now.targetAt(start + i)));
  assert(fields.target.includes(3) && fields.target.includes(7), fields.target.join(","));
});
