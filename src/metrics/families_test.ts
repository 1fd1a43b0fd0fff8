import { fleetView, lineHealth } from "../fleet/view.ts";
import { LoadboxMonitor } from "../loadbox/monitor.ts";
import { PartitionStats } from "../stats/partition_stats.ts";
import { assert, assertEquals } from "../testing/assert.ts";
import { VirtualClock } from "../testing/virtual_clock.ts";
import { exposition } from "./exposition.ts";
import { type RunFacts, swarmFamilies } from "./families.ts";

const FACTS: RunFacts = {
  version: "0.0.0-test",
  ffmpegVersion: "7.1.5",
  denoVersion: Deno.version.deno,
  streamUrl: "http://127.0.0.1/stream.m3u8",
  variant: "all",
  lineReader: "native",
  targetDurationMs: 2000,
  startedAt: 0,
};

Deno.test("bytes missing at the stop are their own bytes counter, outside events_total; promtool is clean", async () => {
  const snapshot = new PartitionStats({
    targetClients: 1,
    targetDurationMs: 2000,
    dropThreshold: 0.01,
  })
    .snapshot(0);
  snapshot.events.inFlightAtStop = 2;
  snapshot.events.inFlightBytesAtStop = 123_456;
  const box = new LoadboxMonitor(new VirtualClock(), (path) => Deno.readTextFile(path));
  await box.sample();
  const text = exposition(
    swarmFamilies(FACTS, {
      snapshot,
      view: fleetView(snapshot),
      lines: lineHealth(snapshot, 0.01),
      clients: null,
      origin: {
        cpuPercent: 40,
        memory: null,
        net: {
          rxBytesPerSecond: 1,
          txBytesPerSecond: 2,
          rxP50: 1,
          rxMax: 1,
          txP50: 2,
          txMax: 2,
          windowMs: 1,
        },
        nginx: null,
        sources: {},
        totals: { cpuBusySeconds: 4, cpuIdleSeconds: 6, rxBytes: 10, txBytes: 20 },
      },
      loadbox: { latest: await box.sample(), saturatedSeconds: 0 },
    }),
    { run_id: "r1" },
  );
  const lines = text.split("\n");
  assert(
    lines.includes('hlsswarm_in_flight_at_stop_missing_bytes_total{run_id="r1"} 123456'),
    text,
  );
  assert(lines.includes("# TYPE hlsswarm_in_flight_at_stop_missing_bytes_total counter"));
  assert(lines.includes('hlsswarm_events_total{run_id="r1",event="in_flight_at_stop"} 2'), text);
  assert(!text.includes('event="in_flight_at_stop_missing_bytes"'), "no bytes among the events");
  for (
    const name of [
      "origin_cpu_seconds_total",
      "origin_network_bytes_total",
      "loadbox_cpu_seconds_total",
    ]
  ) {
    assert(lines.some((l) => l.startsWith(`hlsswarm_${name}{`)), `${name} in\n${text}`);
  }
  // promtool's linter: counters end in _total, units are base units, no rate gauges.
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await child.output();
  const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals([out.code, said], [0, ""]);
});
