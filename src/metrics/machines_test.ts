import { LoadboxMonitor } from "../loadbox/monitor.ts";
import { assert, assertBetween, assertEquals } from "../testing/assert.ts";
import { VirtualClock } from "../testing/virtual_clock.ts";
import type { Family } from "./exposition.ts";
import { loadboxFamilies, originFamilies } from "./machines.ts";

const value = (
  families: Family[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined => {
  const v = families.find((f) => f.name === name)?.samples.find(([l]) =>
    Object.entries(labels).every(([k, w]) => l[k] === w)
  )?.[1];
  return typeof v === "number" ? v : undefined;
};

Deno.test("load box CPU: counters of seconds from this machine's /proc/stat, not a 1 s ratio", async () => {
  const box = new LoadboxMonitor(new VirtualClock(), (path) => Deno.readTextFile(path));
  const before = loadboxFamilies(await box.sample(), 0);
  // Burn CPU for 300 ms so busy time grows between the readings.
  const end = performance.now() + 300;
  while (performance.now() < end) Math.sqrt(Math.random());
  await new Promise((r) => setTimeout(r, 50));
  const after = loadboxFamilies(await box.sample(), 0);
  const name = "hlsswarm_loadbox_cpu_seconds_total";
  assertEquals(after.find((f) => f.name === name)?.type, "counter");
  const busy = [value(before, name, { mode: "busy" })!, value(after, name, { mode: "busy" })!];
  const idle = [value(before, name, { mode: "idle" })!, value(after, name, { mode: "idle" })!];
  assert(busy[1] - busy[0] >= 0.2, `busy grew ${busy[1] - busy[0]} s while this test burned 0.3 s`);
  assert(idle[1] >= idle[0], "idle never goes down");
  // All CPU time since boot is about uptime × CPUs (/proc/uptime's first field).
  const uptime = Number((await Deno.readTextFile("/proc/uptime")).split(" ")[0]);
  const cpus = (await Deno.readTextFile("/proc/stat")).match(/^cpu\d+ /gm)!.length;
  assertBetween((busy[1] + idle[1]) / (uptime * cpus), 0.9, 1.05);
  const steal = value(after, "hlsswarm_loadbox_cpu_steal_seconds_total")!;
  assertBetween(steal, 0, busy[1]);
  // No gauge of a rate is left: the busy share is Prometheus' rate(busy) / rate(busy + idle).
  assert(!after.some((f) => /ratio$/.test(f.name)), after.map((f) => f.name).join(", "));
  assertEquals(loadboxFamilies(null, 0).find((f) => f.name === name)?.samples, []);
});

Deno.test("origin CPU and network: counters from the scraper's totals, absent before them", () => {
  const base = {
    memory: null,
    nginx: null,
    sources: {},
    net: {
      rxBytesPerSecond: 10,
      txBytesPerSecond: 20,
      rxP50: 10,
      rxMax: 10,
      txP50: 20,
      txMax: 20,
      windowMs: 1000,
    },
  };
  const totals = { cpuBusySeconds: 4, cpuIdleSeconds: 2.5, rxBytes: 23000, txBytes: 600 };
  const f = originFamilies({ ...base, cpuPercent: 61.5, totals });
  assertEquals(value(f, "hlsswarm_origin_cpu_seconds_total", { mode: "busy" }), 4);
  assertEquals(value(f, "hlsswarm_origin_cpu_seconds_total", { mode: "idle" }), 2.5);
  assertEquals(value(f, "hlsswarm_origin_network_bytes_total", { direction: "receive" }), 23000);
  assertEquals(value(f, "hlsswarm_origin_network_bytes_total", { direction: "transmit" }), 600);
  const none = originFamilies({ ...base, cpuPercent: null, net: null, totals: null });
  assertEquals(none.find((x) => x.name === "hlsswarm_origin_cpu_seconds_total")?.samples, []);
  assertEquals(none.find((x) => x.name === "hlsswarm_origin_network_bytes_total")?.samples, []);
});
