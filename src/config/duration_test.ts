import { assertEquals } from "../testing/assert.ts";
import { parseDuration } from "./duration.ts";

Deno.test("parseDuration reads Go-style durations", () => {
  assertEquals(parseDuration("250ms"), { ok: true, ms: 250 });
  assertEquals(parseDuration("1m30s"), { ok: true, ms: 90_000 });
  assertEquals(parseDuration("1.5s"), { ok: true, ms: 1500 });
  assertEquals(parseDuration("2h"), { ok: true, ms: 7_200_000 });
  assertEquals(parseDuration("0"), { ok: true, ms: 0 });
});

Deno.test("parseDuration rejects a bare number and names the unit to add", () => {
  assertEquals(parseDuration("30"), { ok: false, error: 'needs a unit, e.g. "30s" or "30ms"' });
});

Deno.test("parseDuration rejects garbage and negatives", () => {
  for (const bad of ["", "abc", "5x", "-1s", "1s garbage", "s"]) {
    assertEquals(parseDuration(bad).ok, false, bad);
  }
});
