import { assertEquals } from "../testing/assert.ts";
import { LossyLineQueue } from "./lossy_queue.ts";
import { zeroLineCounts } from "./transport.ts";

Deno.test("a full queue drops and counts instead of waiting", () => {
  const parsed: string[] = [];
  const counts = zeroLineCounts();
  const q = new LossyLineQueue(3, counts, (text) => parsed.push(text));
  const accepted = ["a", "b", "c", "d", "e"].map((l, i) => q.offer(l, i));
  assertEquals(accepted, [true, true, true, false, false]);
  assertEquals(q.drain(2), 2);
  q.offer("f", 9);
  q.drain(10);
  assertEquals(parsed, ["a", "b", "c", "f"]);
  // The queue counts what it read and dropped; `parsed` is its consumer's to count.
  assertEquals(counts, { read: 6, dropped: 2, parsed: 0, filtered: 0 });
});

Deno.test("the line after a drop carries the gap, so nothing pairs across it", () => {
  const seen: [string, boolean][] = [];
  const q = new LossyLineQueue(1, zeroLineCounts(), (text, _, gap) => seen.push([text, gap]));
  q.offer("a", 0);
  q.offer("lost", 0);
  q.drain(1);
  q.offer("b", 0);
  q.drain(1);
  q.offer("c", 0);
  q.drain(1);
  assertEquals(seen, [["a", false], ["b", true], ["c", false]]);
});

Deno.test("arrival stamps travel with the line", () => {
  const stamps: number[] = [];
  const q = new LossyLineQueue(4, zeroLineCounts(), (_, at) => stamps.push(at));
  q.offer("x", 10.5);
  q.offer("y", 11.25);
  q.drain(4);
  assertEquals(stamps, [10.5, 11.25]);
});

Deno.test("the ring grows past its first slots up to the capacity, in order", () => {
  const seen: string[] = [];
  const counts = zeroLineCounts();
  const q = new LossyLineQueue(40, counts, (text) => seen.push(text));
  // Wrap the small ring first, so growing has to unroll it.
  for (let i = 0; i < 10; i++) q.offer(`w${i}`, i);
  q.drain(10);
  const accepted = Array.from({ length: 45 }, (_, i) => q.offer(`l${i}`, i)).filter(Boolean);
  assertEquals(accepted.length, 40);
  q.drain(100);
  assertEquals(seen.slice(10), Array.from({ length: 40 }, (_, i) => `l${i}`));
  assertEquals(counts, { read: 55, dropped: 5, parsed: 0, filtered: 0 });
});
