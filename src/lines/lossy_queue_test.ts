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
  assertEquals(q.counts(), { read: 6, dropped: 2, parsed: 4, filtered: 0 });
});

Deno.test("the line after a drop carries the gap, so nothing pairs across it", () => {
  const seen: [string, boolean][] = [];
  const q = new LossyLineQueue(1, (l) => seen.push([l.line, l.gap]));
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
  const q = new LossyLineQueue(4, (l) => stamps.push(l.at));
  q.offer("x", 10.5);
  q.offer("y", 11.25);
  q.drain(4);
  assertEquals(stamps, [10.5, 11.25]);
});

Deno.test("the ring grows past its first slots up to the capacity, in order", () => {
  const seen: string[] = [];
  const q = new LossyLineQueue(40, (l) => seen.push(l.line));
  // Wrap the small ring first, so growing has to unroll it.
  for (let i = 0; i < 10; i++) q.offer(`w${i}`, i);
  q.drain(10);
  const accepted = Array.from({ length: 45 }, (_, i) => q.offer(`l${i}`, i)).filter(Boolean);
  assertEquals(accepted.length, 40);
  q.drain(100);
  assertEquals(seen.slice(10), Array.from({ length: 40 }, (_, i) => `l${i}`));
  assertEquals(q.counts(), { read: 55, dropped: 5, parsed: 50, filtered: 0 });
});

Deno.test("pass parses at once, keeps the order behind queued lines, and lost() flags the gap", () => {
  const seen: string[] = [];
  const q = new LossyLineQueue(4, (l) => seen.push(`${l.line}${l.gap ? "!" : ""}@${l.at}`));
  q.pass("a", 1);
  assertEquals(seen, ["a@1"]);
  q.offer("b", 2);
  q.pass("c", 3); // "b" is still queued: "c" waits behind it
  assertEquals(seen, ["a@1"]);
  q.drain(10);
  q.lost(5);
  q.pass("d", 4);
  assertEquals(seen, ["a@1", "b@2", "c@3", "d!@4"]);
  assertEquals(q.counts(), { read: 9, dropped: 5, parsed: 4, filtered: 0 });
});

Deno.test("filtered lines are counted apart: neither read nor dropped, and no gap", () => {
  const seen: string[] = [];
  const q = new LossyLineQueue(4, (l) => seen.push(`${l.line}${l.gap ? "!" : ""}`));
  q.pass("a", 1);
  q.filtered(7);
  q.pass("b", 2);
  assertEquals(seen, ["a", "b"]);
  assertEquals(q.counts(), { read: 2, dropped: 0, parsed: 2, filtered: 7 });
});
