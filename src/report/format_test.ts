import { assertEquals } from "../testing/assert.ts";
import {
  exitLabel,
  formatClock,
  formatClockShort,
  formatCount,
  formatDuration,
  formatMsShort,
  formatRate,
  formatSpeed,
} from "./format.ts";

Deno.test("formatDuration and formatClock", () => {
  assertEquals(formatDuration(90_000), "1m30s");
  assertEquals(formatDuration(250), "250ms");
  assertEquals(formatDuration(0), "0s");
  assertEquals(formatClock(3_723_000), "01:02:03");
});

Deno.test("short formats: clock, counts, rates, latencies", () => {
  assertEquals(formatClockShort(75_000), "1:15");
  assertEquals(formatClockShort(3_725_000), "1:02:05");
  assertEquals(formatCount(99_999), "99999");
  assertEquals(formatCount(123_456), "123.5k");
  assertEquals(formatCount(1_234_567), "1.23M");
  assertEquals(formatRate(null), "…");
  assertEquals(formatRate(0), "0.0/s");
  assertEquals(formatMsShort(null), "n/a");
  assertEquals(formatMsShort(12.34), "12.3");
  assertEquals(formatMsShort(1234.5), "1235");
  assertEquals(formatMsShort(12_345), "12.3s");
  assertEquals(formatSpeed(0.987), "0.99x");
  assertEquals(formatSpeed(21_300), "21300x");
  assertEquals(formatSpeed(1_234_567), "1.23Mx");
});

Deno.test("exit labels say who stopped the process", () => {
  assertEquals(exitLabel(255, true), "stopped by hls-swarm (SIGTERM)");
  assertEquals(exitLabel(137, true), "killed by hls-swarm (SIGKILL after grace period)");
  assertEquals(exitLabel(137, false), "SIGKILL");
  assertEquals(exitLabel(0, false), "clean");
  assertEquals(exitLabel(255, true, "stalled"), "restarted by hls-swarm (stalled)");
});
