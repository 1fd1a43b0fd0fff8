/**
 * The dashboard's cost per frame at 500 clients: building the model from a fleet fed synthetic
 * events (10 minutes of history, some clients stalled, drifting and failing), rendering it, and
 * both together as the 2 Hz timer does. The goal is under 5 ms per frame.
 *
 *   deno bench -A bench/tui_bench.ts
 */
import { frame } from "../src/tui/dashboard.ts";
import { DashboardModelBuilder, type OriginPanel } from "../src/tui/model.ts";
import { renderDashboard } from "../src/tui/render.ts";
import { syntheticSource, syntheticSwarm } from "../src/tui/synthetic.ts";

const SECONDS = 600;
const swarm = syntheticSwarm({
  clients: 500,
  seconds: SECONDS,
  stalled: 5,
  behind: 10,
  failEvery: 20,
  droppedLines: 10,
});
const origin: OriginPanel = {
  cpuPercent: 41.5,
  memory: { usedBytes: 2e9, totalBytes: 8e9, percent: 25 },
  net: { rxBytesPerSecond: 125_000, txBytesPerSecond: 50e6 },
  nginx: { activeConnections: 500, requestsPerSecond: 500 },
  healthy: true,
};
const builder = new DashboardModelBuilder(
  syntheticSource(swarm, { durationMs: 0, rampRate: 50, origin: () => origin }),
);
const now = SECONDS * 1000;
const model = builder.build(now, 40);

Deno.bench("model, 500 clients, no client table", { group: "model" }, () => {
  builder.build(now, 0);
});

Deno.bench("model, 500 clients, worst 40 clients", { group: "model" }, () => {
  builder.build(now, 40);
});

Deno.bench("render 120×40 with details and colour", { group: "render" }, () => {
  renderDashboard(model, { width: 120, height: 40, showDetails: true, color: true });
});

Deno.bench("render 80×24 with colour", { group: "render" }, () => {
  renderDashboard(model, { width: 80, height: 24, showDetails: false, color: true });
});

Deno.bench("whole frame 120×40, 500 clients (model + render + escape codes)", {
  group: "frame",
  baseline: true,
}, () => {
  const m = builder.build(now, 40);
  frame(renderDashboard(m, { width: 120, height: 40, showDetails: true, color: true }), 120, 40);
});

Deno.bench("whole frame 80×24, 500 clients, no client table", { group: "frame" }, () => {
  const m = builder.build(now, 0);
  frame(renderDashboard(m, { width: 80, height: 24, showDetails: false, color: true }), 80, 24);
});
