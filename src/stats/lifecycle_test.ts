import { assertEquals } from "../testing/assert.ts";
import { LifecycleStats } from "./lifecycle.ts";

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

Deno.test("running counts processes running now; started counts clients ever started", () => {
  const life = new LifecycleStats();
  life.onState(0, "running");
  life.onState(1, "running");
  life.onState(0, "backoff");
  life.onState(0, "running");
  life.onState(1, "stopped");
  assertEquals([life.running, life.startedClients], [1, 2]);
});

Deno.test("exits are grouped by code and cause; uptimes go into a sketch", () => {
  const life = new LifecycleStats();
  for (const e of [exit(255, true), exit(1, false, 10), exit(255, true), exit(1, false, 10)]) {
    life.onExit(e);
  }
  assertEquals(life.exits(), [
    { code: 1, requested: false, reason: null, count: 2 },
    { code: 255, requested: true, reason: "shutdown", count: 2 },
  ]);
  assertEquals(life.uptimeMs.count, 4);
  assertEquals(life.uptimeMs.percentiles().max, 1000);
});
