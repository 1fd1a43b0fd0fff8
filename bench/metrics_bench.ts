/**
 * Scrape cost of /metrics (the swarm's families written as Prometheus text) at 500 clients,
 * with tier 2 (per-client series) on and off.
 *
 *   deno bench -A bench/metrics_bench.ts
 */
import { fleetView, lineHealth } from "../src/fleet/view.ts";
import { exposition } from "../src/metrics/exposition.ts";
import { type RunFacts, type ScrapeInput, swarmFamilies } from "../src/metrics/families.ts";
import { clientRows } from "../src/stats/client_rows.ts";
import { shardFromCaptures } from "./fixtures.ts";

const FACTS: RunFacts = {
  version: "bench",
  ffmpegVersion: "5.1",
  denoVersion: Deno.version.deno,
  streamUrl: "http://127.0.0.1:17080/stream.m3u8",
  variant: "all",
  lineReader: "native",
  targetDurationMs: 6000,
  startedAt: 0,
};

for (const [clients, perClient] of [[500, true], [500, false], [100, true]] as const) {
  const shard = shardFromCaptures(clients);
  for (let id = 0; id < clients; id++) shard.lifecycle.onState(id, "running");
  const scrape = () => {
    const snapshot = shard.snapshot(1_700_000_000_000);
    const input: ScrapeInput = {
      snapshot,
      view: fleetView(snapshot),
      lines: lineHealth(snapshot, 0.01),
      clients: perClient ? clientRows(shard.clients.values()) : null,
      origin: null,
      loadbox: null,
    };
    return exposition(swarmFamilies(FACTS, input), { run_id: "bench" });
  };
  const text = scrape();
  console.log(
    `${clients} clients, tier 2 ${perClient ? "on" : "off"}: ` +
      `${text.split("\n").length} lines, ${text.length} bytes per scrape`,
  );
  Deno.bench(`scrape /metrics, ${clients} clients, tier 2 ${perClient ? "on" : "off"}`, () => {
    scrape();
  });
}
