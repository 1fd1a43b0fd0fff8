import { assertEquals } from "../testing/assert.ts";
import { exitLabel, LifecycleStats, percentile } from "./lifecycle.ts";

const exit = (code: number, requested: boolean, uptimeMs = 1000) => ({
  clientId: 0,
  pid: 1,
  code,
  signal: null,
  uptimeMs,
  requested,
  reason: requested ? "shutdown" : null,
  stderrTail: [],
  truncatedLines: 0,
});

Deno.test("running counts processes running now; peak is remembered", () => {
  const life = new LifecycleStats(3);
  life.onState(0, "running");
  life.onState(1, "running");
  life.onState(0, "backoff");
  life.onState(0, "running");
  life.onState(1, "stopped");
  assertEquals([life.running, life.peakRunning, life.startedClients], [1, 2, 2]);
});

Deno.test("exits are grouped by code and cause", () => {
  const life = new LifecycleStats(3);
  for (const e of [exit(255, true), exit(1, false), exit(255, true), exit(1, false)]) {
    life.onExit(e);
  }
  assertEquals(life.exits(), [
    { code: 1, requested: false, reason: null, count: 2 },
    { code: 255, requested: true, reason: "shutdown", count: 2 },
  ]);
  assertEquals(life.unexpectedExits, 2);
});

Deno.test("labels say who stopped the process", () => {
  assertEquals(exitLabel(255, true), "stopped by hls-swarm (SIGTERM)");
  assertEquals(exitLabel(137, true), "killed by hls-swarm (SIGKILL after grace period)");
  assertEquals(exitLabel(137, false), "SIGKILL");
  assertEquals(exitLabel(0, false), "clean");
  assertEquals(exitLabel(255, true, "stalled"), "restarted by hls-swarm (stalled)");
});

Deno.test("percentile by nearest rank", () => {
  assertEquals(percentile([5, 1, 4, 2, 3], 50), 3);
  assertEquals(percentile([1, 2, 3, 4], 95), 4);
  assertEquals(Number.isNaN(percentile([], 50)), true);
});
