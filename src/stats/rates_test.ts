import { assertEquals } from "../testing/assert.ts";
import { RateSeries } from "./rates.ts";

Deno.test("rates come from samples at least the window apart; readers do not disturb each other", () => {
  const s = new RateSeries(100);
  for (let t = 0; t <= 20_000; t += 1000) s.record(t, { segments: t / 100 }); // 10/s
  assertEquals(s.rate("segments", 10_000, 20_000), 10);
  assertEquals(s.rate("segments", 10_000, 20_000), 10); // a second reader sees the same
  assertEquals(s.rate("segments", 1000, 20_000), 10);
  assertEquals(s.history("segments", 3), [10, 10, 10]);
});

Deno.test("no rate before two samples, or when sampling stopped long ago", () => {
  const s = new RateSeries(10);
  assertEquals(s.rate("x", 1000, 0), null);
  s.record(0, { x: 0 });
  assertEquals(s.rate("x", 1000, 0), null);
  s.record(1000, { x: 5 });
  assertEquals(s.rate("x", 1000, 1000), 5);
  assertEquals(s.rate("x", 1000, 60_000), null);
});

Deno.test("the ring keeps only its capacity", () => {
  const s = new RateSeries(3);
  for (let t = 0; t < 10; t++) s.record(t * 1000, { x: t });
  assertEquals(s.history("x", 10), [1, 1]);
});
