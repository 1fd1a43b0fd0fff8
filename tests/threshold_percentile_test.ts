/**
 * A `p(N)` threshold judged on a real run: 3 FFmpeg clients for 8 s against the built-in origin.
 * The percentile is read back from the summary's own sketch, so the pass and the fail are decided
 * on the measured value, not on a guessed bound.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import type { ThresholdResult } from "../src/report/thresholds.ts";
import { Sketch } from "../src/math/sketch.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { runSwarm } from "./helpers.ts";

Deno.test("p(99.9) and startup:p(90) thresholds are judged on a real 3-client run", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-pn-" });
  try {
    const json = `${dir}/summary.json`;
    const run = await runSwarm([
      "-c",
      "3",
      "-d",
      "8s",
      "--ramp-rate=3",
      "--metrics=off",
      `--summary-json=${json}`,
      "--threshold=p(99.9)<10s", // passes: a local origin answers in milliseconds
      "--threshold=segment_ttfb:p(99.9)<0.001ms", // fails: no TTFB is under 1 µs
      "--threshold=startup:p(90)<1m",
      origin.url,
    ]);
    assertEquals(run.code, 99, run.stderr.slice(-1500));
    const s: RunSummary & { thresholds: ThresholdResult[] } = JSON.parse(
      await Deno.readTextFile(json),
    );
    const seg = Sketch.fromWire(s.snapshot.latency.ttfbSegment);
    assert(seg.count >= 3, `${seg.count} segment TTFBs`);
    const p999 = Math.round(seg.quantile(0.999)! * 10) / 10;
    assert(p999 > 0 && p999 <= s.traffic.ttfbMs.segment.max!, `p(99.9) ${p999}`);
    assert(p999 >= s.traffic.ttfbMs.segment.p99!, `p(99.9) ${p999} under p99`);
    assertEquals(
      s.thresholds.map((t) => [t.threshold, t.figure, t.actual, t.passed]),
      [
        ["p(99.9)<10s", "segment_ttfb:p(99.9)", p999, true],
        ["segment_ttfb:p(99.9)<0.001ms", "segment_ttfb:p(99.9)", p999, false],
        ["startup:p(90)<1m", "startup:p(90)", s.thresholds[2].actual, true],
      ],
    );
    assert(s.thresholds[2].actual! > 0, "startup p(90) measured");
    assertStringIncludes(run.stdout, "FAIL  segment_ttfb:p(99.9)<0.001ms");
    assertStringIncludes(run.stdout, "PASS  p(99.9)<10s");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await origin.close();
  }
});
