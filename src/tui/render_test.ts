import { PartitionStats } from "../stats/partition_stats.ts";
import { assert, assertEquals, assertStringIncludes } from "../testing/assert.ts";
import {
  coverageOf,
  type DashboardModel,
  DashboardModelBuilder,
  type ModelSource,
  type OriginPanel,
  type SwarmView,
} from "./model.ts";
import { originPanelOf } from "./origin_panel.ts";
import { renderDashboard, type RenderOptions } from "./render.ts";
import { SYNTHETIC_EPOCH_MS, syntheticSource, syntheticSwarm } from "./synthetic.ts";
import { visibleWidth } from "./text.ts";
import { MAX_TREND_HEIGHT, TRENDS } from "./trends.ts";
import { formatBitrate, formatRate } from "../report/format.ts";

function model(swarm: SwarmView, now: number, rows = 0, over: Partial<ModelSource> = {}) {
  return new DashboardModelBuilder(syntheticSource(swarm, over)).build(now, rows);
}

const ORIGIN: OriginPanel = {
  cpuPercent: 41.5,
  memory: { usedBytes: 2e9, totalBytes: 8e9, percent: 25 },
  net: { rxBytesPerSecond: 125_000, txBytesPerSecond: null },
  nginx: { activeConnections: 12, requestsPerSecond: null },
  healthy: true,
};

const SIZES: Omit<RenderOptions, "showDetails" | "color">[] = [
  { width: 120, height: 40 },
  { width: 200, height: 60 },
  { width: 80, height: 24 },
  { width: 100, height: 30 },
  { width: 60, height: 20 },
  { width: 20, height: 5 },
];

/** Renders and checks the frame's contract: lines fit the screen. */
function render(m: DashboardModel, opts: RenderOptions): string[] {
  const lines = renderDashboard(m, opts);
  assert(lines.length <= opts.height, `${lines.length} lines > ${opts.height}`);
  for (const line of lines) {
    assert(visibleWidth(line) <= opts.width, `line wider than ${opts.width}: "${line}"`);
  }
  return lines;
}

Deno.test("every line fits the screen at every size, with and without colour and details", () => {
  const swarm = syntheticSwarm({ clients: 50, seconds: 30, stalled: 2, behind: 2, failEvery: 5 });
  for (const origin of [undefined, () => ORIGIN]) {
    const m = model(swarm, 30_000, 40, { origin });
    for (const size of SIZES) {
      for (const showDetails of [false, true]) {
        for (const color of [false, true]) render(m, { ...size, showDetails, color });
      }
    }
  }
});

Deno.test("120×40 shows every panel in full, with live numbers", () => {
  const swarm = syntheticSwarm({ clients: 20, seconds: 30, failEvery: 4 });
  const m = model(swarm, 30_000, 40, { origin: () => ORIGIN });
  const text = render(m, { width: 120, height: 40, showDetails: true, color: false }).join("\n");
  for (
    const title of [
      "hls-swarm",
      "clients 20/20 running",
      "ramp",
      "── Requests",
      "── Throughput",
      "── Latency, ms",
      "── Playback",
      "── Errors",
      "── Origin",
      "── Clients, worst first",
      "q quit · d hide clients",
      "logs: hls-swarm-20250102-030405.log",
      "segment download (inferred)",
      "p90",
      "elapsed 0:30",
      "remaining 4:30",
      "404×",
      "segments failed",
      "CPU 41.5 %",
    ]
  ) assertStringIncludes(text, title);
  assert(/segment\s+300\s+10\.0\/s/.test(text), text);
  // Unknown origin figures are n/a, never 0.
  assertStringIncludes(text, "tx n/a");
  assertStringIncludes(text, "requests n/a");
});

Deno.test("80×24 is compact: every main panel is still there", () => {
  const swarm = syntheticSwarm({ clients: 20, seconds: 30 });
  const m = model(swarm, 30_000);
  const lines = render(m, { width: 80, height: 24, showDetails: false, color: false });
  const text = lines.join("\n");
  for (const title of ["── Requests", "── Throughput", "── Latency", "── Playback", "── Errors"]) {
    assertStringIncludes(text, title);
  }
  assertEquals(lines.length, 24);
  assertStringIncludes(lines[23], "q quit"); // the footer stays on the bottom row
});

Deno.test("80×24 with details: the client table takes room, least important panels give way", () => {
  const swarm = syntheticSwarm({ clients: 20, seconds: 30, stalled: 1 });
  const m = model(swarm, 30_000, 24, { origin: () => ORIGIN });
  const text = render(m, { width: 80, height: 24, showDetails: true, color: false }).join("\n");
  assertStringIncludes(text, "── Clients, worst first");
  assertStringIncludes(text, "── Requests");
  assertStringIncludes(text, "stalled");
  assert(!text.includes("── Origin"), "the origin panel is dropped first");
});

Deno.test("figures not known yet show … or n/a, never a fake 0", () => {
  const stats = new PartitionStats({
    targetClients: 10,
    targetDurationMs: 2000,
    dropThreshold: 0.01,
  });
  const swarm: SwarmView = {
    snapshot: () => stats.snapshot(SYNTHETIC_EPOCH_MS),
    clientRows: () => [],
    dropThreshold: 0.01,
  };
  const m = model(swarm, 100, 0, { runStartedAt: () => null });
  assertEquals(m.phase, "starting");
  assertEquals(m.averageBytesPerSecond, null);
  const text = render(m, { width: 120, height: 40, showDetails: false, color: false }).join("\n");
  assert(/segment\s+0\s+…/.test(text), text);
  assert(/now\s+…/.test(text), text);
  assert(/TTFB segment\s+n\/a\s+n\/a/.test(text), text);
  assertStringIncludes(text, "error rate n/a");
  assertStringIncludes(text, "elapsed …");
  assertStringIncludes(text, "starting (preflight)");
  assertStringIncludes(text, "metrics: no FFmpeg output yet");
  assert(!text.includes("0.0/s"), "no rate is shown before two samples exist");
});

Deno.test("the metrics-health indicator follows real drop counts", () => {
  const render80 = (dropped: number) =>
    renderDashboard(
      model(syntheticSwarm({ clients: 4, seconds: 10, droppedLines: dropped }), 10_000),
      { width: 120, height: 40, showDetails: false, color: false },
    )[0];
  assertStringIncludes(render80(0), "● metrics healthy");
  assertStringIncludes(render80(5), "● metrics degraded (0.57 % of output lines dropped");
  assertStringIncludes(render80(500), "● metrics SEVERELY degraded (57.47 %");
});

Deno.test("--stats=false and lower log levels say what is not measured", () => {
  const swarm = syntheticSwarm({ clients: 4, seconds: 10 });
  const off = render(model(swarm, 10_000, 0, { stats: false }), {
    width: 120,
    height: 40,
    showDetails: false,
    color: false,
  }).join("\n");
  assertStringIncludes(off, "not measured (--stats=false)");
  assert(!/manifest \(\.m3u8\)\s+\d/.test(off), "no request count is shown when not measured");
  const debug = render(model(swarm, 10_000, 0, { statsLogLevel: "debug" }), {
    width: 120,
    height: 40,
    showDetails: false,
    color: false,
  }).join("\n");
  assert(/manifest \(\.m3u8\)\s+20/.test(debug), debug);
  assertStringIncludes(debug, "not measured at --stats-loglevel debug");
  assertEquals(coverageOf(true, "verbose").requests, false);
});

Deno.test("the origin panel is hidden without a scraper and shows failures with one", () => {
  const swarm = syntheticSwarm({ clients: 4, seconds: 10 });
  const opts = { width: 120, height: 40, showDetails: false, color: false };
  assert(!render(model(swarm, 10_000), opts).join("\n").includes("Origin"));
  const broken: OriginPanel = {
    cpuPercent: null,
    memory: null,
    net: null,
    nginx: null,
    healthy: false,
    error: "node_exporter: connection refused",
  };
  const text = render(model(swarm, 10_000, 0, { origin: () => broken }), opts).join("\n");
  assertStringIncludes(text, "unhealthy");
  assertStringIncludes(text, "CPU n/a");
  assertStringIncludes(text, "memory n/a of n/a (n/a)");
  assertStringIncludes(text, "error: node_exporter: connection refused");
});

Deno.test("the client table lists stalled clients first, then most failures, then drift", () => {
  const swarm = syntheticSwarm({ clients: 12, seconds: 30, stalled: 1, behind: 2 });
  // Client 9 fails more than any other; client 0 is stalled.
  for (let i = 0; i < 5; i++) {
    swarm.stats.record(9, { type: "request", req: 1, kind: "segment", path: "/x.ts", at: 0 });
    swarm.stats.record(9, { type: "response", req: 1, kind: "segment", status: 503, ttfbMs: 1 });
  }
  const rows = swarm.clientRows(12);
  const stalled = rows.filter((r) => r.status === "stalled").map((r) => r.id);
  assertEquals(rows.slice(0, stalled.length).map((r) => r.id), stalled);
  assert(stalled.includes(0), JSON.stringify(rows.slice(0, 4)));
  const rest = rows.slice(stalled.length);
  assertEquals(rest[0].id, 9);
  assertEquals(rest[0].failed, 5);
  assertEquals(swarm.clientRows(3).length, 3);
});

Deno.test("stopping and colour: the footer says how to force, NO_COLOR means no ANSI codes", () => {
  const swarm = syntheticSwarm({ clients: 4, seconds: 10 });
  const m = model(swarm, 10_000, 0, { stopReason: () => "quit" });
  const plain = render(m, { width: 120, height: 40, showDetails: false, color: false }).join("\n");
  assertStringIncludes(plain, "stopping (quit)");
  assertStringIncludes(plain, "Ctrl+C again kills every FFmpeg now");
  assert(!plain.includes("\x1b"), "no escape codes without colour");
  const colored = render(m, { width: 120, height: 40, showDetails: false, color: true });
  assert(colored.join("").includes("\x1b["), "colour codes with colour");
  const noKeys = model(swarm, 10_000, 0, { keys: false });
  assertStringIncludes(
    render(noKeys, { width: 120, height: 40, showDetails: false, color: false }).join("\n"),
    "keys off (stdin is not a terminal)",
  );
});

Deno.test("init and other request rates come from the per-second series", () => {
  const swarm = syntheticSwarm({ clients: 2, seconds: 10 });
  const builder = new DashboardModelBuilder(syntheticSource(swarm));
  assertEquals(builder.build(10_000, 0).kindRates.init, 0);
  swarm.stats.record(0, { type: "request", req: 1, kind: "init", path: "/init.mp4", at: 0 });
  swarm.stats.record(1, { type: "request", req: 1, kind: "init", path: "/init.mp4", at: 0 });
  for (const t of [11_000, 12_000]) swarm.stats.tick(t, SYNTHETIC_EPOCH_MS + t);
  swarm.wallNow = SYNTHETIC_EPOCH_MS + 12_000;
  assertEquals(builder.build(12_000, 0).kindRates.init, 0.2); // 2 requests over 10 s
});

Deno.test("originPanelOf: the scraper's figures and one health verdict over its sources", () => {
  const health = (healthy: boolean, scrapes: number, lastError: string | null = null) => ({
    url: "http://origin:9100/metrics",
    healthy,
    lastError,
    lastErrorAt: null,
    lastSuccessAt: null,
    consecutiveFailures: healthy ? 0 : 1,
    scrapes,
    failures: healthy ? 0 : 1,
  });
  const base = { cpuPercent: 12, memory: null, net: null, nginx: null, totals: null };
  assertEquals(originPanelOf({ ...base, sources: { node: health(true, 3) } }).healthy, true);
  assertEquals(originPanelOf({ ...base, sources: { node: health(false, 0) } }).healthy, null);
  const failing = originPanelOf({
    ...base,
    sources: { node: health(true, 3), nginx: health(false, 2, "nginx_up is 0") },
  });
  assertEquals(failing.healthy, false);
  assertEquals(failing.error, "nginx exporter: nginx_up is 0");
  assertEquals(failing.cpuPercent, 12);
  const text = render(
    model(syntheticSwarm({ clients: 2, seconds: 4 }), 4000, 0, {
      origin: () => originPanelOf({ ...base, sources: { node: health(false, 0) } }),
    }),
    { width: 120, height: 40, showDetails: false, color: false },
  ).join("\n");
  assertStringIncludes(text, "waiting for the first scrape");
});

/** A panel's rows: from its title to the next title or the footer, blank rows after it cut. */
function block(lines: string[], title: string): string[] {
  const start = lines.findIndex((l) => l.startsWith(`── ${title}`));
  assert(start >= 0, `no ${title}:\n${lines.join("\n")}`);
  let end = start + 1;
  while (end < lines.length - 1 && !lines[end].startsWith("──")) end++;
  while (!lines[end - 1].trim()) end--;
  return lines.slice(start, end);
}

Deno.test("without an origin the lower half holds the trends and the worst clients, from the series", () => {
  const swarm = syntheticSwarm({ clients: 20, seconds: 60, stalled: 1, failEvery: 4 });
  const m = model(swarm, 60_000, 40);
  const lines = render(m, { width: 120, height: 40, showDetails: false, color: false });
  const lower = lines.slice(20, 39);
  assert(lower.filter((l) => l.trim()).length >= 18, lines.join("\n"));
  const trends = block(lines, "Trends, per second");
  // The figures are the per-second series': now is the mean of the last 10 s, peak the top second.
  const series = m.series;
  const requests = series.manifests.map((v, i) =>
    v + series.segments[i] + series.inits[i] + series.others[i]
  );
  const mean = (v: number[]) => v.slice(-10).reduce((a, b) => a + b, 0) / v.slice(-10).length;
  const row = (label: string) => trends.find((l) => l.startsWith(` ${label} `))!;
  assertStringIncludes(
    row("requests/s"),
    `${formatRate(mean(requests))}  peak ${formatRate(Math.max(...requests))}`,
  );
  assertStringIncludes(row("errors/s"), `peak ${formatRate(Math.max(...series.errors))}`);
  assert(Math.max(...series.errors) > 0, "failEvery 4 makes errors");
  assert(/ 20 {2}peak 20$/.test(row("viewers running")), row("viewers running"));
  assertStringIncludes(row("throughput"), `peak ${formatBitrate(Math.max(...series.bytes))}`);
  // The worst clients fill what the trends leave: the stalled client first.
  const table = block(lines, "Worst clients");
  assertStringIncludes(table[0], `of 20 · d shows all`);
  assert(/^\s+0\s+stalled\s/.test(table[2]), table.join("\n"));
  assertEquals(trends.length + table.length, 39 - lines.indexOf(trends[0]), "every row used");
});

Deno.test("the lower half is measured: the table gets its rows, the trends grow taller with the rest", () => {
  const swarm = syntheticSwarm({ clients: 3, seconds: 60 });
  const m = model(swarm, 60_000, 60);
  const lines = render(m, { width: 200, height: 60, showDetails: false, color: false });
  const trends = block(lines, "Trends, per second");
  // Without an audience plan its rows (joins/s, leaves/s) are not shown.
  const rows = TRENDS.filter((t) => !t.audience).length;
  assertEquals(trends.length, 1 + rows * MAX_TREND_HEIGHT, trends.join("\n"));
  const table = block(lines, "Worst clients");
  assertEquals(table.length, 2 + 3, "title, header and the 3 clients, nothing padded");
  // 80×24: compact panels, then as many one-line trends as fit; no table.
  const small = render(m, { width: 80, height: 24, showDetails: false, color: false });
  const few = block(small, "Trends, per second");
  assertEquals(small.indexOf(few[0]) + few.length, 23, small.join("\n"));
  assert(!small.some((l) => l.includes("Worst clients")), small.join("\n"));
});

Deno.test("trends not measured at a lower log level are left out, and the title says why", () => {
  const swarm = syntheticSwarm({ clients: 3, seconds: 20 });
  const m = model(swarm, 20_000, 40, { statsLogLevel: "debug" });
  const lines = render(m, { width: 120, height: 40, showDetails: false, color: false });
  const trends = block(lines, "Trends, per second");
  assertStringIncludes(trends[0], "not measured at --stats-loglevel debug");
  assert(!trends.some((l) => l.startsWith(" throughput ")), trends.join("\n"));
  assert(trends.some((l) => l.startsWith(" requests/s ")), trends.join("\n"));
});
