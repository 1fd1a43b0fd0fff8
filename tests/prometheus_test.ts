/**
 * /metrics as real Prometheus tooling sees it: promtool accepts a live scrape with per-client
 * series on, and a real Prometheus server scraping every 2 s agrees with the exit summary.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertBetween, assertEquals } from "../src/testing/assert.ts";
import { startPrometheus } from "./prometheus.ts";
import {
  ffmpegPids,
  finishSwarm,
  freePort,
  metricValue as sample,
  spawnSwarm,
  startNginx,
  startNginxExporter,
  startNodeExporter,
  uniqueAgent,
  waitFor,
} from "./helpers.ts";

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return await res.text();
}

Deno.test("promtool check metrics accepts a mid-run scrape of 50 clients with tier 2 on", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const port = freePort();
  const agent = uniqueAgent("promtool");
  const child = spawnSwarm([
    "--clients=50",
    "--ramp-rate=25",
    `--metrics=127.0.0.1:${port}`,
    "--prom-client-metrics",
    `--user-agent=${agent}`,
    origin.url,
  ]);
  try {
    await waitFor(
      async () => {
        const text = await scrape(port).catch(() => "");
        return sample(text, "hlsswarm_clients_with_media") === 50;
      },
      60_000,
      "50 clients with media",
    );
    const text = await scrape(port);
    assertEquals(sample(text, "hlsswarm_clients_target"), 50);
    assertEquals(sample(text, "hlsswarm_clients_active"), 50);
    assert(
      sample(text, "hlsswarm_client_requests_total", { client_id: "49", kind: "segment" })! > 0,
    );
    const check = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = check.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    const out = await check.output();
    const report = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, report);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    await ready.body?.cancel();
    assertEquals(ready.status, 200);
  } finally {
    child.kill("SIGTERM");
    await finishSwarm(child);
    await origin.close();
  }
});

Deno.test("a real Prometheus scraping every 2 s agrees with the exit summary", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const metricsPort = freePort();
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-prom-" });
  const prometheus = await startPrometheus(dir, {
    global: { scrape_interval: "2s", evaluation_interval: "2s" },
    scrape_configs: [{
      job_name: "hls-swarm",
      static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }],
    }],
  });
  const query = async (q: string, time?: number) =>
    Number((await prometheus.query(q, time))[0]?.value?.[1]);
  const json = `${dir}/summary.json`;
  const agent = uniqueAgent("prometheus");
  try {
    const child = spawnSwarm([
      "--clients=20",
      "--ramp-rate=10",
      "--duration=60s",
      `--metrics=127.0.0.1:${metricsPort}`,
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      origin.url,
    ]);
    // Mid-run: Prometheus' view of running clients is the process count.
    await new Promise((r) => setTimeout(r, 30_000));
    const running = (await ffmpegPids(agent, true)).length;
    await new Promise((r) => setTimeout(r, 4000)); // let a scrape land
    assertEquals(await query("hlsswarm_clients_active"), running);
    const run = await finishSwarm(child);
    assertEquals(run.code, 0, run.stderr.slice(-2000));
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    // Evaluate at the last scrape before the stop began.
    const stopAt = Date.parse(s.stoppedAt) / 1000;
    const promRate = await query('rate(hlsswarm_requests_total{kind="segment"}[30s])', stopAt - 1);
    const ours = s.recentRates.segments!;
    console.log(`segment rate: Prometheus ${promRate.toFixed(3)}/s, summary ${ours.toFixed(3)}/s`);
    assertBetween(promRate, ours * 0.95, ours * 1.05);
  } finally {
    await prometheus.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await origin.close();
  }
});

Deno.test("--origin-metrics-host re-exports the origin's real exporters and summarises them", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const nginx = await startNginx(origin.dir);
  const node = await startNodeExporter();
  const nginxExporter = await startNginxExporter(nginx);
  const port = freePort();
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const child = spawnSwarm([
      "--clients=3",
      "--ramp-rate=10",
      "--duration=12s",
      `--metrics=127.0.0.1:${port}`,
      `--origin-metrics=${node.url}`,
      `--nginx-metrics=${nginxExporter.url}`,
      "--origin-metrics-interval=1s",
      "--origin-metrics-window=10s",
      `--summary-json=${json}`,
      nginx.url("/stream.m3u8"),
    ]);
    await new Promise((r) => setTimeout(r, 9000));
    const text = await scrape(port);
    assertEquals(sample(text, "hlsswarm_origin_source_up", { source: "node" }), 1);
    assertEquals(sample(text, "hlsswarm_origin_source_up", { source: "nginx" }), 1);
    // CPU seconds over all CPUs since the first scrape (about 8 s before): a counter whose
    // modes add up to the CPUs' time, busy share between 0 and 1.
    const busy = sample(text, "hlsswarm_origin_cpu_seconds_total", { mode: "busy" })!;
    const idle = sample(text, "hlsswarm_origin_cpu_seconds_total", { mode: "idle" })!;
    assertBetween(busy + idle, 1, 10 * navigator.hardwareConcurrency);
    assertBetween(busy / (busy + idle), 0, 1);
    assert(sample(text, "hlsswarm_origin_nginx_connections", { state: "active" })! >= 3, text);
    const run = await finishSwarm(child);
    assertEquals(run.code, 0, run.stderr.slice(-2000));
    assert(run.stdout.includes("Origin (from its exporters"), run.stdout);
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    assert(s.origin?.memory && s.origin.memory.totalBytes > 0);
    assertEquals(s.origin?.sources.node?.healthy, true);
  } finally {
    await Deno.remove(json).catch(() => {});
    await nginxExporter.stop();
    await node.stop();
    await nginx.stop();
    await origin.close();
  }
});
