/**
 * deploy/grafana/ as Grafana and Prometheus see it: the dashboard type-checks against Grafana's
 * schema (@grafana/schema) and is its generator's output; its layout, variables and panels are
 * sound; and every query of every panel but the audience's, the renditions' and the edge
 * addresses' (tests/grafana_audience_test.ts runs those) returns data from a real Prometheus that
 * scraped a real run (4 FFmpeg clients through a caching nginx edge (tests/cdn_edges.ts: X-Cache, X-Served-By)
 * in front of nginx, which answers every tenth segment 404 and proxies the rest to an upstream
 * that answers after 100 to 200 ms; one client killed mid-run; the origin's node and nginx
 * exporters re-exported), both without a shard label (one process) and with one added by
 * relabelling (a fleet). The dashboard's segment TTFB quantiles over the run agree with the exit
 * summary's, and its CDN hit ratios with the summary's CDN section.
 */
import { parsePromText } from "../src/exporters/prom_text.ts";
import { LATENCY_BUCKETS } from "../src/metrics/families.ts";
import { Sketch } from "../src/math/sketch.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { startEdge } from "./cdn_edges.ts";
import {
  AUDIENCE_QUERY,
  BUILT_INS,
  DIR,
  readDashboard,
  runQueries,
  startGrafanaPrometheus,
  startSlowUpstream,
  substitute,
} from "./grafana_helpers.ts";
import {
  ffmpegPids,
  finishSwarm,
  freePort,
  metricValue,
  ROOT,
  spawnSwarm,
  startNginx,
  startNginxExporter,
  startNodeExporter,
  uniqueAgent,
  waitFor,
} from "./helpers.ts";

const CLIENTS = 4;
/** Dashboard vs exit summary, segment TTFB p50 and p95. */
const TTFB_TOLERANCE = 0.05;
const GENERATOR = `${DIR}/dashboard.ts`;

async function deno(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, out: d.decode(out.stdout), err: d.decode(out.stderr) };
}

Deno.test("hls-swarm.json type-checks against @grafana/schema and is its generator's output", async () => {
  // --no-config: the schema package stays out of the project's deno.json and lockfile.
  const check = await deno(["check", "--no-config", "--no-lock", GENERATOR]);
  assertEquals(check.code, 0, JSON.stringify(check));
  const run = await deno(["run", "--no-config", "--no-lock", GENERATOR, "--stdout"]);
  assertEquals(run.code, 0, JSON.stringify(run));
  assertEquals(
    JSON.parse(run.out),
    await readDashboard(),
    "hls-swarm.json is stale: run deno run --no-config --no-lock --allow-write=deploy/grafana " +
      "deploy/grafana/dashboard.ts",
  );
  console.log("deno check deploy/grafana/dashboard.ts against @grafana/schema@13.2.3: clean");
});

Deno.test("the dashboard's layout, variables and panels are sound", async () => {
  const d = await readDashboard();
  assert(d.schemaVersion >= 39, `schemaVersion ${d.schemaVersion}`);
  assertEquals(d.uid, "hls-swarm");
  const vars = new Map(d.templating.list.map((v) => [v.name, v]));
  assertEquals([...vars.keys()], ["datasource", "run_id", "shard"]);
  assertEquals(vars.get("datasource")?.type, "datasource");
  assertEquals(vars.get("datasource")?.query, "prometheus");
  assertEquals(vars.get("run_id")?.query, "label_values(hlsswarm_info, run_id)");
  const shard = vars.get("shard")!;
  assertEquals(shard.query, 'label_values(hlsswarm_info{run_id="$run_id"}, shard)');
  assertEquals([shard.multi, shard.includeAll, shard.allValue], [true, true, ".*"]);

  const all = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const ids = all.map((p) => p.id);
  assertEquals(new Set(ids).size, ids.length, `duplicate panel ids: ${ids}`);
  for (const p of all) {
    const g = p.gridPos;
    assert(g && g.x >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24, `${p.title}: ${g}`);
  }
  for (const [i, a] of all.entries()) {
    for (const b of all.slice(i + 1)) {
      const A = a.gridPos, B = b.gridPos;
      const apart = A.x + A.w <= B.x || B.x + B.w <= A.x || A.y + A.h <= B.y || B.y + B.h <= A.y;
      assert(apart, `"${a.title}" and "${b.title}" overlap`);
    }
  }
  const used = new Set<string>();
  const panels = all.filter((p) => p.type !== "row");
  assert(panels.length >= 30, `${panels.length} panels`);
  for (const p of panels) {
    assert(["timeseries", "stat", "bargauge", "table"].includes(p.type), `${p.title}: ${p.type}`);
    assert(p.title, `panel ${p.id} has no title`);
    assertEquals(p.datasource, { type: "prometheus", uid: "${datasource}" }, p.title);
    assert(p.fieldConfig?.defaults?.unit, `${p.title}: no unit`);
    assert(/\b(measured|inferred)\b/i.test(p.description ?? ""), `${p.title}: ${p.description}`);
    assert(p.targets?.length, `${p.title}: no targets`);
    const refIds = p.targets.map((t) => t.refId);
    assertEquals(new Set(refIds).size, refIds.length, `${p.title}: duplicate refIds`);
    for (const t of p.targets) {
      assert(t.refId && t.expr, `${p.title}: target without refId or expr`);
      assertEquals(t.datasource, p.datasource, `${p.title} ${t.refId}`);
      for (const m of t.expr.matchAll(/\$\{?(\w+)/g)) used.add(m[1]);
      // What is inferred says so where it is shown.
      if (t.expr.includes("_inferred_")) assert(/inferred/i.test(p.title), p.title);
      assert(/run_id="\$run_id",shard=~"\$shard"/.test(t.expr), `${p.title}: ${t.expr}`);
    }
  }
  for (const v of used) assert(vars.has(v) || BUILT_INS.includes(v), `undefined variable $${v}`);
  assert(used.has("run_id") && used.has("shard"), [...used].join());
  console.log(
    `${panels.length} panels in ${all.length - panels.length} rows; variables: ${[...used]}`,
  );
});

Deno.test("every query but the audience's returns data from a real Prometheus scraping a real run, with and without a shard label", async () => {
  const dashboard = await readDashboard();
  // 0.5 s segments: four times the TTFB samples of the default 2 s.
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, segmentSeconds: 0.5 });
  const upstream = startSlowUpstream(origin.dir);
  // nginx in front (stub_status for its exporter) answers every tenth segment 404 itself, so
  // the error panels have errors to show, and proxies the rest to the slow upstream.
  const nginx = await startNginx(origin.dir, undefined, {
    server: `location ~ 7\\.ts$ { return 404; }
    location / { proxy_pass http://127.0.0.1:${upstream.port}; }`,
  });
  // The clients go through a caching edge in front of nginx: the CDN panels' headers.
  const edge = await startEdge(
    "edge-a",
    "127.0.0.2",
    freePort(),
    new URL(nginx.url("/")).origin,
    "/no-such-viewer",
  );
  const node = await startNodeExporter();
  const nginxExporter = await startNginxExporter(nginx);
  const metricsPort = freePort();
  const job = {
    job_name: "hls-swarm",
    static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }],
  };
  const plain = await startGrafanaPrometheus("plain", job);
  // A fleet's Prometheus adds shard by relabelling (deploy/prometheus); here with a fixed value.
  const sharded = await startGrafanaPrometheus("sharded", {
    ...job,
    relabel_configs: [{ target_label: "shard", replacement: "0" }],
  });
  const runId = `grafana-${crypto.randomUUID().slice(0, 8)}`;
  const agent = uniqueAgent("grafana");
  const json = await Deno.makeTempFile({ suffix: ".json" });
  let child: Deno.ChildProcess | null = null;
  try {
    const started = Date.now() / 1000;
    child = spawnSwarm([
      `--clients=${CLIENTS}`,
      `--ramp-rate=${CLIENTS}`,
      "--duration=30s",
      // The ramp waits until Prometheus has scraped the empty counters a few times.
      `--start-at=${new Date(Date.now() + 10_000).toISOString()}`,
      `--run-id=${runId}`,
      `--metrics=127.0.0.1:${metricsPort}`,
      `--origin-metrics=${node.url}`,
      `--nginx-metrics=${nginxExporter.url}`,
      "--origin-metrics-interval=1s",
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      edge.url("/stream.m3u8"),
    ]);
    const scrape = () =>
      fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => "");
    await waitFor(
      async () => metricValue(await scrape(), "hlsswarm_clients_with_media") === CLIENTS,
      30_000,
      `${CLIENTS} clients with media`,
    );
    // Kill one FFmpeg: an unexpected exit and a restart for the lifecycle panels.
    await new Promise((r) => setTimeout(r, 6000));
    const [victim] = await ffmpegPids(agent, true);
    assert(victim, "no FFmpeg client found");
    Deno.kill(victim, "SIGKILL");
    await new Promise((r) => setTimeout(r, 4000));
    const midRun = await scrape();
    const run = await finishSwarm(child);
    child = null;
    assertEquals(run.code, 0, run.stderr.slice(-2000));
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));

    // Every metric a query names is one hls-swarm serves (the families' names win).
    const served = new Set(
      [...parsePromText(midRun).families.values()].flatMap((f) => f.samples.map((x) => x.name)),
    );
    const panels = dashboard.panels.filter((p) => p.type !== "row");
    // The audience's, rendition and edge address queries are tests/grafana_audience_test.ts'.
    const ours = (t: { expr: string }) => !AUDIENCE_QUERY.test(t.expr);
    const named = new Set(
      panels.flatMap((p) =>
        p.targets!.filter(ours).flatMap((t) => [...t.expr.matchAll(/([a-z_:]+)\{/g)])
      ).map((m) => m[1]),
    );
    const missing = [...named].filter((n) => !served.has(n));
    assertEquals(missing, [], `queried but not served: ${missing}`);

    const span = await plain.span(runId, started);
    const rangeS = Math.ceil(span.end - span.start) + 1;
    console.log(
      `run ${runId}: ${(span.end - span.start).toFixed(1)} s of scrapes; $__rate_interval=30s, ` +
        `$__interval=2s, $__range=${rangeS}s`,
    );
    const builtIns = { __rate_interval: "30s", __interval: "2s", __range: `${rangeS}s` };

    // The variables' own queries: label_values(selector, label) as Grafana sends it.
    const labelValues = async (p: typeof plain, query: string) => {
      const m = /^label_values\((.+), (\w+)\)$/.exec(substitute(query, { run_id: runId }))!;
      return await p.api<string[]>(`label/${m[2]}/values`, {
        "match[]": m[1],
        start: span.start,
        end: span.end,
      });
    };
    const v = new Map(dashboard.templating.list.map((x) => [x.name, x.query!]));
    for (const p of [plain, sharded]) {
      assert((await labelValues(p, v.get("run_id")!)).includes(runId), p.name);
    }
    assertEquals(await labelValues(plain, v.get("shard")!), []);
    assertEquals(await labelValues(sharded, v.get("shard")!), ["0"]);

    // Every query of every panel, but the audience's: no shard label (All), relabelled (All),
    // shard 0 selected.
    const passes = [
      { p: plain, shard: ".*" },
      { p: sharded, shard: ".*" },
      { p: sharded, shard: "0" },
    ];
    const { lines, empty, ran } = await runQueries(
      dashboard.panels,
      ours,
      passes,
      { ...builtIns, run_id: runId },
      span,
    );
    console.log(
      'series per query: no shard label, shard=".*" / relabelled, shard=".*" / relabelled, ' +
        `shard="0" selected (${ran} queries)`,
    );
    console.log(lines.join("\n"));
    assertEquals(empty, [], `queries without data:\n${empty.join("\n")}`);

    // A few panels' values at the last scrape, as the dashboard shows them (no shard label).
    const panelValues = async (title: string, refId: string) => {
      const t = panels.find((p) => p.title === title)?.targets?.find((x) => x.refId === refId);
      assert(t, `${title} ${refId}`);
      const expr = substitute(t.expr, { ...builtIns, run_id: runId, shard: ".*" });
      const rows = (await plain.api("query", { query: expr, time: span.end })).result;
      return rows.map((r) => ({ labels: r.metric, value: Number(r.value![1]) }));
    };
    const value = async (title: string, refId: string) =>
      (await panelValues(title, refId))[0]?.value;
    assertEquals(await value("Clients", "A"), CLIENTS);
    assertEquals(await value("hls-swarm processes reporting", "A"), 1);
    const errorRate = await value("Error rate", "A");
    assert(errorRate! > 0 && errorRate! < 0.25, `error rate ${errorRate}`);
    assertEquals(
      (await panelValues("Origin exporters", "A")).map((r) => [r.labels.source, r.value]).sort(),
      [["nginx", 1], ["node", 1]],
    );
    const exits = await panelValues("FFmpeg exits by cause, in total", "A");
    assert(
      exits.some((r) => r.labels.cause === "unexpected" && r.value >= 1),
      JSON.stringify(exits),
    );
    assert(s.lifecycle.restarts >= 1, JSON.stringify(s.lifecycle));

    // The CDN row against the summary's CDN section (from the same headers). Prometheus' last
    // scrape misses what came after it, so the ratios agree within a few requests.
    const byKind = new Map(
      (await panelValues("Hit ratio over the time range", "A")).map((
        r,
      ) => [r.labels.kind, r.value]),
    );
    const edges = await panelValues("Requests by edge", "A");
    console.log(
      `CDN: hit ratio over the run ${JSON.stringify(Object.fromEntries(byKind))}; summary ` +
        `manifest ${s.cdn.byKind.manifest.hitRatio}, segment ${s.cdn.byKind.segment.hitRatio}; ` +
        `edges ${edges.map((r) => `${r.labels.edge} ${r.value.toFixed(2)}/s`).join(", ")}`,
    );
    assertEquals(edges.map((r) => r.labels.edge), ["edge-a"]);
    // no-store segments are never hits; playlists cached for 1 s are, now and then.
    assertEquals([byKind.get("segment"), s.cdn.byKind.segment.hitRatio], [0, 0]);
    const manifest = byKind.get("manifest")!, summaryManifest = s.cdn.byKind.manifest.hitRatio!;
    assert(manifest > 0 && manifest < 1, `manifest hit ratio ${manifest}`);
    assert(Math.abs(manifest - summaryManifest) < 0.05, `${manifest} vs ${summaryManifest}`);
    const [edgeRatio] = await panelValues("Hit ratio by edge over the time range", "A");
    assertEquals(edgeRatio.labels.edge, "edge-a");
    assert(Math.abs(edgeRatio.value - s.cdn.edges[0].hitRatio!) < 0.05, JSON.stringify(edgeRatio));

    // Segment TTFB over the run. The ramp waited (--start-at) until Prometheus had scraped the
    // empty counters, so increase() over the run holds every sample Prometheus saw.
    const sel = `run_id="${runId}",kind="segment"`;
    const at = async (query: string, time: number) =>
      (await plain.api("query", { query, time })).result;
    const one = async (query: string, time = span.end) =>
      Number((await at(query, time))[0]?.value?.[1]);
    const early = await one(`sum(hlsswarm_requests_total{run_id="${runId}"})`, span.start);
    assertEquals(early, 0, "requests before Prometheus' first scrape: start later (--start-at)");
    // Every sample Prometheus holds is one the summary counted: its last buckets are the
    // summary's sketch bucketed as /metrics does, less the TTFBs of the stop (after the last
    // scrape: FFmpeg asks for one more segment after SIGTERM).
    const sketch = Sketch.fromWire(s.snapshot.latency.ttfbSegment);
    const promCount = await one(`sum(hlsswarm_ttfb_seconds_count{${sel}})`);
    const late = sketch.count - promCount;
    // What came after Prometheus' last scrape: the segment requests still waiting for their
    // status then (sent up to the slowest TTFB before it) or sent after it (the summary's own
    // series), and the stop's extra segment per client. On a busy box the last scrapes can lag
    // by seconds, so the bound comes from when it really was.
    const lastScrape = await one(`max(timestamp(hlsswarm_ttfb_seconds_count{${sel}}))`);
    const from = Math.floor(lastScrape - (sketch.quantile(1) ?? 0) / 1000) - 1;
    const series = s.snapshot.series;
    const after = series.fields.segments
      .filter((_, i) => series.start + i >= from)
      .reduce((a, b) => a + b, 0);
    console.log(
      `segment TTFBs after Prometheus' last scrape: ${late} (bound ${after} + ${CLIENTS})`,
    );
    assert(
      late >= 0 && late <= after + CLIENTS,
      `summary ${sketch.count}, Prometheus ${promCount}: ${late} late, ${after} segments requested ` +
        `from the last scrape (${lastScrape}) on`,
    );
    const buckets = await at(`sum by (le) (hlsswarm_ttfb_seconds_bucket{${sel}})`, span.end);
    assertEquals(buckets.length, LATENCY_BUCKETS.length + 1);
    for (const b of buckets) {
      const le = b.metric.le, prom = Number(b.value![1]);
      const ours = le === "+Inf" ? sketch.count : sketch.countAtMost(Number(le) / 0.001);
      assert(prom <= ours && prom >= ours - late, `le=${le}: Prometheus ${prom}, summary ${ours}`);
    }
    // The summary rounds its percentiles to 0.1 ms; the sketch in the same JSON gives them
    // unrounded.
    const pct = s.traffic.ttfbMs.segment;
    const report: string[] = [];
    const checks: [number, number, number][] = [];
    for (const [q, key] of [[0.5, "p50"], [0.95, "p95"]] as const) {
      const prom = 1000 * await one(
        `histogram_quantile(${q}, sum by (le) (increase(hlsswarm_ttfb_seconds_bucket{${sel}}` +
          `[${rangeS}s])))`,
      );
      // The dashboard's own stat panel asks the same, with the shard matcher.
      const stat = await value(
        "Segment time to first byte over the time range",
        q === 0.5 ? "A" : "B",
      );
      assert(Math.abs(stat! * 1000 - prom) < 1e-6, `panel ${stat} vs ${prom}`);
      const exact = sketch.quantile(q)!, rounded = pct[key]!;
      checks.push([prom, exact, rounded]);
      const rel = (x: number) => `${x >= prom ? "" : "+"}${((prom / x - 1) * 100).toFixed(2)} %`;
      report.push(
        `${key}: Prometheus ${prom.toFixed(4)} ms; summary ${rounded.toFixed(1)} ms ` +
          `(${rel(rounded)}), unrounded ${exact.toFixed(4)} ms (${rel(exact)})`,
      );
    }
    console.log(
      `segment TTFB over the run, ${promCount} samples in Prometheus' last scrape, ` +
        `${sketch.count} in the summary:\n  ${report.join("\n  ")}`,
    );
    for (const [prom, exact, rounded] of checks) {
      assert(Math.abs(prom / exact - 1) <= TTFB_TOLERANCE, report.join("; "));
      assert(Math.abs(prom - rounded) <= TTFB_TOLERANCE * rounded + 0.05, report.join("; "));
    }
  } finally {
    if (child) {
      child.kill("SIGTERM");
      await finishSwarm(child);
    }
    await Deno.remove(json).catch(() => {});
    await sharded.stop();
    await plain.stop();
    await nginxExporter.stop();
    await node.stop();
    await edge.stop();
    await nginx.stop();
    await upstream.close();
    await origin.close();
  }
});
