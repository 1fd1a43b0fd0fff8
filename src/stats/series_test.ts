import { assertEquals } from "../testing/assert.ts";
import { SERIES_FIELDS, type SeriesValues, WallSeries } from "./series.ts";

const zero = Object.fromEntries(SERIES_FIELDS.map((f) => [f, 0])) as SeriesValues;

Deno.test("ticks add counters and set gauges in their second; rates read the last seconds", () => {
  const s = new WallSeries();
  s.accumulate(100, { ...zero, segments: 4, running: 3 });
  s.accumulate(101, { ...zero, segments: 6, running: 5 });
  s.accumulate(101, { ...zero, segments: 1, running: 4 }); // a late tick of the same second
  assertEquals([s.at("segments", 101), s.at("running", 101)], [7, 4]);
  assertEquals(s.rate("segments", 2), 5.5);
  assertEquals(s.rate("segments", 10), 5.5); // fewer seconds held than asked
  assertEquals(s.rate("segments", 1, 101), 4); // the window ending before second 101
  assertEquals(s.history("segments", 5), [4, 7]);
  assertEquals(s.max("running"), 4);
});

Deno.test("two shards' series add on aligned seconds, gaps and different starts included", () => {
  const a = new WallSeries(), b = new WallSeries();
  a.accumulate(10, { ...zero, bytes: 1, running: 2 });
  a.accumulate(12, { ...zero, bytes: 3, running: 2 });
  b.accumulate(9, { ...zero, bytes: 5, running: 1 });
  b.accumulate(12, { ...zero, bytes: 7, running: 1 });
  const fleet = WallSeries.fromWire(a.toWire());
  fleet.add(b.toWire());
  assertEquals(fleet.start, 9);
  assertEquals(fleet.history("bytes", 10), [5, 1, 0, 10]);
  assertEquals(fleet.max("running"), 3); // the peak of the sum, not the sum of peaks
  assertEquals(fleet.toWire(11).fields.bytes, [0, 10]);
  assertEquals(new WallSeries().rate("bytes", 10), null);
});

Deno.test("a series refuses to span more than a week: clocks that disagree cannot fill memory", () => {
  const s = new WallSeries();
  s.accumulate(1_700_000_000, { ...zero, segments: 1 });
  let message = "";
  try {
    s.accumulate(1_733_000_000, { ...zero, segments: 1 });
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message.startsWith("a per-second series cannot span 33000001 s"), true, message);
  assertEquals(s.end, 1_700_000_001);
});
