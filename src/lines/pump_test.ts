import { assertBetween, assertEquals } from "../testing/assert.ts";
import { LossyLineQueue } from "./lossy_queue.ts";
import { ParsePump } from "./pump.ts";
import { zeroLineCounts } from "./transport.ts";

Deno.test("under a slow parser the reader never blocks: lines drop, every line is counted", async () => {
  let slowParsed = 0;
  const c = zeroLineCounts();
  const q = new LossyLineQueue(50, c, () => {
    const until = performance.now() + 0.2; // a parser far slower than the reader
    while (performance.now() < until) { /* busy */ }
    c.parsed++;
    slowParsed++;
  });
  const pump = new ParsePump(2);
  // The reader offers 100 lines per turn for 20 turns, yielding between turns like a pipe read.
  for (let turn = 0; turn < 20; turn++) {
    for (let i = 0; i < 100; i++) q.offer(`line ${turn}.${i}`, performance.now());
    pump.wake(q);
    await new Promise((r) => setTimeout(r, 0));
  }
  pump.flush(q);
  assertEquals(c.read, 2000);
  assertEquals(c.read, c.dropped + c.parsed);
  assertEquals(c.parsed, slowParsed);
  assertBetween(c.dropped, 1, 1950);
});

Deno.test("a fast parser keeps up: nothing dropped", async () => {
  const c = zeroLineCounts();
  const q = new LossyLineQueue(1000, c, () => c.parsed++);
  const pump = new ParsePump();
  for (let turn = 0; turn < 20; turn++) {
    for (let i = 0; i < 100; i++) q.offer("frame=1", 0);
    pump.wake(q);
    await new Promise((r) => setTimeout(r, 1));
  }
  pump.flush(q);
  assertEquals(c, { read: 2000, dropped: 0, parsed: 2000, filtered: 0 });
});
