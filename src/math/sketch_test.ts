import { clientRandom } from "./random.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { Sketch } from "./sketch.ts";

Deno.test("every quantile is within 1 % of a true sample, min and max exact", () => {
  const rnd = clientRandom(1, 1);
  const values = Array.from({ length: 20_000 }, () => Math.exp(rnd() * 12 - 4));
  const s = new Sketch();
  for (const v of values) s.add(v);
  const sorted = [...values].sort((a, b) => a - b);
  for (let q = 0; q <= 1; q += 0.05) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))];
    const got = s.quantile(q)!;
    assert(Math.abs(got - exact) <= 0.0101 * exact, `q${q.toFixed(2)}: ${got} vs ${exact}`);
  }
  assertEquals([s.quantile(0), s.quantile(1)], [sorted[0], sorted.at(-1)]);
  assertEquals(s.count, values.length);
});

Deno.test("zeros are kept apart; an empty sketch has no quantiles", () => {
  const s = new Sketch();
  assertEquals(s.quantile(0.5), null);
  assertEquals(s.percentiles().p50, null);
  s.add(0);
  s.add(0);
  s.add(10);
  assertEquals(s.quantile(0.5), 0);
  assert(Math.abs(s.quantile(1)! - 10) < 0.1);
  s.add(-1);
  s.add(NaN);
  assertEquals(s.count, 3);
});

Deno.test("countAtMost counts each bin by its value (for Prometheus buckets)", () => {
  const s = new Sketch();
  for (const v of [1, 2, 3, 10, 100]) s.add(v);
  assertEquals([s.countAtMost(0.5), s.countAtMost(2.5), s.countAtMost(50), s.countAtMost(1e9)], [
    0,
    2,
    4,
    5,
  ]);
});

Deno.test("fromWire refuses counts that do not add up", () => {
  const w = new Sketch().toWire();
  let message = "";
  try {
    Sketch.fromWire({ ...w, count: 5 });
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, "bad sketch: count 5 is not the sum of its bins (0)");
});

Deno.test("between: the samples a later state of a sketch added, bin for bin", () => {
  const s = new Sketch();
  for (const v of [1, 2, 3]) s.add(v);
  const older = s.toWire();
  for (let i = 0; i < 99; i++) s.add(100);
  s.add(0);
  const span = Sketch.between(older, s.toWire());
  assertEquals(span.count, 100);
  assert(Math.abs(span.quantile(0.5)! - 100) < 1, String(span.quantile(0.5)));
  assertEquals(span.quantile(0), 0);
});
