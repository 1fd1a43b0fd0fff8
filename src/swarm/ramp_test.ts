import { assertBetween, assertEquals } from "../testing/assert.ts";
import { VirtualClock } from "../testing/virtual_clock.ts";
import { rampOffsets, runRamp } from "./ramp.ts";

Deno.test("offsets are absolute: i / rate plus jitter below min(maxJitter, interval/2)", () => {
  const offsets = rampOffsets(100, 10, 200, 7);
  assertEquals(offsets[0], 0);
  for (let i = 1; i < 100; i++) assertBetween(offsets[i], i * 100, i * 100 + 50 - 1e-9);
  assertEquals(rampOffsets(4, 2, 0, 1), [0, 500, 1000, 1500]);
});

Deno.test("jitter is deterministic per client and seed", () => {
  assertEquals(rampOffsets(20, 5, 100, 3), rampOffsets(20, 5, 100, 3));
  assertEquals(rampOffsets(20, 5, 100, 3).join() === rampOffsets(20, 5, 100, 4).join(), false);
});

Deno.test("the achieved rate equals the requested rate: jitter never accumulates", async () => {
  const clock = new VirtualClock();
  const startedAt: number[] = [];
  const offsets = rampOffsets(200, 10, 200, 42);
  await runRamp(offsets, clock, new AbortController().signal, () => startedAt.push(clock.now()));
  assertEquals(startedAt.length, 200);
  // 199 intervals at 10/s = 19.9 s; the last client's jitter adds under 50 ms.
  assertBetween(startedAt[199], 19_900, 19_950);
  assertEquals(startedAt, offsets);
});

Deno.test("aborting stops the ramp", async () => {
  const clock = new VirtualClock();
  const stop = new AbortController();
  const ids: number[] = [];
  const started = await runRamp(rampOffsets(10, 1, 0, 1), clock, stop.signal, (id) => {
    ids.push(id);
    if (id === 2) stop.abort();
  });
  assertEquals([started, ids], [3, [0, 1, 2]]);
});

Deno.test("a held start shifts the rest of the schedule: no burst of catch-up starts", async () => {
  const clock = new VirtualClock();
  const startedAt: number[] = [];
  // The box is busy once, for 2.5 s, before client 3.
  let calls = 0;
  const hold = async () => {
    if (calls++ === 3) await clock.sleep(2500);
  };
  await runRamp(
    rampOffsets(6, 2, 0, 1),
    clock,
    new AbortController().signal,
    () => startedAt.push(clock.now()),
    hold,
  );
  assertEquals(startedAt, [0, 500, 1000, 4000, 4500, 5000]);
});
