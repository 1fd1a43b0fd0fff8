import { assertEquals } from "../testing/assert.ts";
import { parseThreshold } from "./thresholds.ts";

Deno.test("thresholds parse with units scaled to the figure's base unit", () => {
  assertEquals(parseThreshold("segment_ttfb_p95<500ms"), {
    source: "segment_ttfb_p95<500ms",
    figure: "segment_ttfb_p95",
    op: "<",
    value: 500,
  });
  assertEquals((parseThreshold("segment_ttfb_p95 <= 0.5s") as { value: number }).value, 500);
  assertEquals((parseThreshold("error_rate<1%") as { value: number }).value, 0.01);
  assertEquals((parseThreshold("stalled_clients==0") as { op: string }).op, "==");
  assertEquals((parseThreshold("throughput>8Mbit/s") as { value: number }).value, 1e6);
});

Deno.test("bad thresholds say what is wrong", () => {
  assertEquals(
    parseThreshold("latency<5"),
    '"latency<5": unknown figure "latency" (see --help for the list)',
  );
  assertEquals(
    parseThreshold("error_rate<5ms"),
    '"error_rate<5ms": error_rate takes units (none), %',
  );
  assertEquals(
    parseThreshold("error_rate"),
    '"error_rate": expected figure<value, e.g. segment_ttfb_p95<500ms',
  );
});
