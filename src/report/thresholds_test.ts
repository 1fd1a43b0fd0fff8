import { assert, assertEquals } from "../testing/assert.ts";
import { PERCENTILE_METRICS } from "../config/percentile_figures.ts";
import { Sketch } from "../math/sketch.ts";
import type { RunSummary } from "./summary.ts";
import { evaluateThresholds, figureOf } from "./thresholds.ts";
import { parseThreshold, type Threshold } from "../config/thresholds.ts";

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
    '"error_rate": expected figure<value, e.g. segment_ttfb_p95<500ms or p(99.9)<2s',
  );
});

/** A real run's summary (3 clients against the built-in origin), as `merge` reads it. */
const WHOLE: RunSummary = JSON.parse(
  Deno.readTextFileSync(new URL("../../testdata/merge/whole.json", import.meta.url)),
);

Deno.test("p(N) as k6 spells it: a bare p(N) is segment TTFB, metric:p(N) names the sketch", () => {
  const bare = parseThreshold("p(99.9)<2s") as Threshold;
  assertEquals(bare, {
    source: "p(99.9)<2s",
    figure: "segment_ttfb:p(99.9)",
    op: "<",
    value: 2000,
  });
  assertEquals(
    (parseThreshold(" startup : p( 90 ) <= 3s ") as Threshold).figure,
    "startup:p(90)",
  );
  assertEquals((parseThreshold("segment_ttfb:p(90)<500ms") as Threshold).value, 500);
  for (const metric of Object.keys(PERCENTILE_METRICS)) {
    assertEquals((parseThreshold(`${metric}:p(50)<1m`) as Threshold).value, 60_000);
  }
});

Deno.test("p(N) reads the same sketch as the fixed names, on a real summary", () => {
  const read = (name: string) => {
    const f = figureOf(name);
    if (typeof f === "string") throw new Error(f);
    return f.read(WHOLE);
  };
  const seg = WHOLE.traffic.ttfbMs.segment;
  assertEquals(read("segment_ttfb:p(95)"), seg.p95);
  assertEquals(read("p(50)"), seg.p50);
  assertEquals(read("p(100)"), seg.max);
  assertEquals(read("manifest_ttfb:p(99)"), WHOLE.traffic.ttfbMs.manifest.p99);
  assertEquals(read("startup:p(50)"), WHOLE.viewers.startupMs.p50);
  // 99.9 lies between p99 and the max.
  const p999 = read("p(99.9)")!;
  assert(p999 >= seg.p99! && p999 <= seg.max!, `${p999} outside [${seg.p99}, ${seg.max}]`);
  const [pass, fail] = evaluateThresholds(WHOLE, [
    parseThreshold(`p(99.9)<=${seg.max}ms`) as Threshold,
    parseThreshold(`p(99.9)<${seg.p50}ms`) as Threshold,
  ]);
  assertEquals([pass.passed, pass.actual, fail.passed], [true, p999, false]);
  assertEquals(read("live_latency:p(95)"), WHOLE.viewers.liveLatencyMs.p95);
  // A percentile of an empty sketch (a stream without program date-time has no live latency)
  // is not measured, and fails.
  const noPdt: RunSummary = {
    ...WHOLE,
    snapshot: {
      ...WHOLE.snapshot,
      viewers: { ...WHOLE.snapshot.viewers, liveLatencyMs: new Sketch().toWire() },
    },
  };
  const [unmeasured] = evaluateThresholds(noPdt, [
    parseThreshold("live_latency:p(50)<1h") as Threshold,
  ]);
  assertEquals([unmeasured.actual, unmeasured.passed], [null, false]);
});

Deno.test("bad p(N) says what is wrong", () => {
  assertEquals(
    parseThreshold("ttfb:p(90)<1s"),
    '"ttfb:p(90)<1s": unknown metric "ttfb" for p(N); p(N) takes segment_ttfb, ' +
      "manifest_ttfb, tcp_connect, segment_download, startup, live_latency",
  );
  assertEquals(parseThreshold("p(0)<1s"), '"p(0)<1s": p(0): N must be above 0, at most 100');
  assertEquals(
    parseThreshold("p(101)<1s"),
    '"p(101)<1s": p(101): N must be above 0, at most 100',
  );
  assertEquals(parseThreshold("p(99)<1%"), '"p(99)<1%": segment_ttfb:p(99) takes units ms, s, m');
  assertEquals(
    parseThreshold("<1s"),
    '"<1s": expected figure<value, e.g. segment_ttfb_p95<500ms or p(99.9)<2s',
  );
});
