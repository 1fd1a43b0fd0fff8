import { assertEquals } from "../testing/assert.ts";
import { LossyLineQueue } from "./lossy_queue.ts";

Deno.test("a full queue drops and counts instead of waiting", () => {
  const parsed: string[] = [];
  const q = new LossyLineQueue(3, (l) => parsed.push(l.line));
  const accepted = ["a", "b", "c", "d", "e"].map((l, i) => q.offer(l, i));
  assertEquals(accepted, [true, true, true, false, false]);
  assertEquals(q.drain(2), 2);
  q.offer("f", 9);
  q.drain(10);
  assertEquals(parsed, ["a", "b", "c", "f"]);
  assertEquals(q.counts(), { read: 6, dropped: 2, parsed: 4 });
});

Deno.test("arrival stamps travel with the line", () => {
  const stamps: number[] = [];
  const q = new LossyLineQueue(4, (l) => stamps.push(l.at));
  q.offer("x", 10.5);
  q.offer("y", 11.25);
  q.drain(4);
  assertEquals(stamps, [10.5, 11.25]);
});
