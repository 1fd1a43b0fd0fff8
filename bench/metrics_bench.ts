/**
 * Scrape cost of /metrics (registry.metrics()) at 500 clients with tier 2 (per-client) on.
 *
 *   deno bench -A bench/metrics_bench.ts
 */
import { systemClock } from "../src/clock.ts";
import { SwarmMetrics } from "../src/metrics/swarm_metrics.ts";
import { LifecycleStats } from "../src/stats/lifecycle.ts";
import { lineHealth } from "../src/stats/line_health.ts";
import { fleetFromCaptures } from "./fixtures.ts";

for (const [clients, perClient] of [[500, true], [500, false], [100, true]] as const) {
  const fleet = fleetFromCaptures(clients);
  const lifecycle = new LifecycleStats(clients);
  for (let id = 0; id < clients; id++) lifecycle.onState(id, "running");
  const metrics = new SwarmMetrics({
    clock: systemClock,
    lifecycle,
    fleet,
    lineHealth: () => lineHealth([], 0.01),
    streamUrl: "http://127.0.0.1:17080/stream.m3u8",
    variant: "all",
    ffmpegVersion: "5.1",
    targetDurationMs: 6000,
    startedAt: 0,
    perClient,
  });
  const text = await metrics.registry.metrics();
  console.log(
    `${clients} clients, tier 2 ${perClient ? "on" : "off"}: ` +
      `${text.split("\n").length} lines, ${text.length} bytes per scrape`,
  );
  Deno.bench(
    `scrape /metrics, ${clients} clients, tier 2 ${perClient ? "on" : "off"}`,
    async () => {
      await metrics.registry.metrics();
    },
  );
}
