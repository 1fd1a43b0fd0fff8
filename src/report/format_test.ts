import { assertEquals } from "../testing/assert.ts";
import { exitLabel } from "../stats/lifecycle.ts";
import {
  formatClock,
  formatClockShort,
  formatCount,
  formatDuration,
  formatMsShort,
  formatRate,
  formatSpeed,
} from "./format.ts";

Deno.test("every formatter, by example: durations, clocks, counts, rates, latencies, speeds", () => {
  const cases: [string, string][] = [
    [formatDuration(90_000), "1m30s"],
    [formatDuration(250), "250ms"],
    [formatDuration(0), "0s"],
    [formatClock(3_723_000), "01:02:03"],
    [formatClockShort(75_000), "1:15"],
    [formatClockShort(3_725_000), "1:02:05"],
    [formatCount(99_999), "99999"],
    [formatCount(123_456), "123.5k"],
    [formatCount(1_234_567), "1.23M"],
    [formatRate(null), "…"],
    [formatRate(0), "0.0/s"],
    [formatMsShort(null), "n/a"],
    [formatMsShort(12.34), "12.3"],
    [formatMsShort(1234.5), "1235"],
    [formatMsShort(12_345), "12.3s"],
    [formatSpeed(0.987), "0.99x"],
    [formatSpeed(21_300), "21300x"],
    [formatSpeed(1_234_567), "1.23Mx"],
  ];
  assertEquals(cases.map(([got]) => got), cases.map(([, want]) => want));
});

Deno.test("exit labels say who stopped the process", () => {
  assertEquals(exitLabel(255, true), "stopped by hls-swarm (SIGTERM)");
  assertEquals(exitLabel(137, true), "killed by hls-swarm (SIGKILL after grace period)");
  assertEquals(exitLabel(137, false), "SIGKILL");
  assertEquals(exitLabel(0, false), "clean");
  assertEquals(exitLabel(255, true, "stalled"), "restarted by hls-swarm (stalled)");
});
