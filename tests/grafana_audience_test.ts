/**
 * The dashboard's audience, rendition and edge address queries (the Audience row, the row by
 * rendition and edge address, and any other query of their families) against a real
 * Prometheus scraping a real run that has all three: an audience plan (`--stages` to 6 viewers
 * and back to 0, sessions of 4 s), a rendition mix over the ABR test origin's 360p and 180p,
 * and two edge addresses (`--resolve` over two caching nginx edges on 127.0.0.2 and 127.0.0.3).
 * Every such query returns data, and the panels' figures at the run's last scrape equal the
 * exit summary's: joins, leaves, sessions begun, slots, sessions per slot, the mean session
 * length, the ramp's held time, and the viewers by rendition and by edge address.
 * tests/grafana_test.ts runs the dashboard's other queries.
 */
import { parsePromText } from "../src/exporters/prom_text.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertBetween, assertEquals } from "../src/testing/assert.ts";
import { startEdge } from "./cdn_edges.ts";
import {
  AUDIENCE_QUERY,
  type GPanel,
  readDashboard,
  runQueries,
  startGrafanaPrometheus,
  substitute,
} from "./grafana_helpers.ts";
import { finishSwarm, freePort, spawnSwarm, uniqueAgent, waitFor } from "./helpers.ts";

const HOST = "audience.hls-swarm.test";
/** 0 → 6 viewers in 3 s, hold 12 s, → 0 in 3 s: joins, leaves, then nothing to do. */
const STAGES = "3s:6,12s:6,3s:0";
const PEAK = 6;
/**
 * 12 s longer than the stages: every leave's FFmpeg has exited, and Prometheus has scraped the
 * final counts, well before the stop, unless a saturated load box held the ramp nearly that
 * long (5.3 s in one run on the shared 2-core test box).
 */
const DURATION_S = 30;
/** Grafana's $__rate_interval at a 1 s scrape interval is at least 4 s; a short run, 10 s. */
const RATE_INTERVAL = "10s";

Deno.test("the audience, rendition and edge address queries return data from a real run, and agree with its summary", async () => {
  const dashboard = await readDashboard();
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, abr: true });
  const port = freePort();
  const upstream = new URL(origin.url).origin;
  const edgeA = await startEdge("edge-a", "127.0.0.2", port, upstream, "none");
  const edgeB = await startEdge("edge-b", "127.0.0.3", port, upstream, "none");
  const metricsPort = freePort();
  const prom = await startGrafanaPrometheus("audience", {
    job_name: "hls-swarm",
    static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }],
  });
  const runId = `grafana-audience-${crypto.randomUUID().slice(0, 8)}`;
  const json = await Deno.makeTempFile({ suffix: ".json" });
  let child: Deno.ChildProcess | null = null;
  try {
    const started = Date.now() / 1000;
    child = spawnSwarm([
      `--stages=${STAGES}`,
      "--session-duration=fixed:4s",
      `--duration=${DURATION_S}s`,
      // The plan waits until Prometheus has scraped the empty counters a few times.
      `--start-at=${new Date(Date.now() + 8_000).toISOString()}`,
      "--variant-mix=360p=50%,180p=50%",
      `--resolve=${HOST}:${port}:127.0.0.2,127.0.0.3`,
      `--run-id=${runId}`,
      `--metrics=127.0.0.1:${metricsPort}`,
      `--user-agent=${uniqueAgent("grafana-audience")}`,
      `--summary-json=${json}`,
      `http://${HOST}:${port}/master.m3u8`,
    ]);
    // A scrape in the hold: every family the queries name is served by then.
    let midRun = "";
    await waitFor(
      async () => {
        midRun = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(
          (r) => r.text(),
          () => "",
        );
        return /^hlsswarm_audience_leaves_total\{[^}]*\} [1-9]/m.test(midRun);
      },
      40_000,
      "a leave in /metrics",
    );
    const run = await finishSwarm(child);
    child = null;
    assertEquals(run.code, 0, run.stderr.slice(-2000));
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));

    const served = new Set(
      [...parsePromText(midRun).families.values()].flatMap((f) => f.samples.map((x) => x.name)),
    );
    const ours = (t: { expr: string }) => AUDIENCE_QUERY.test(t.expr);
    const panels = dashboard.panels.filter((p) => p.type !== "row");
    const named = new Set(
      panels.flatMap((p) =>
        p.targets!.filter(ours).flatMap((t) => [...t.expr.matchAll(/([a-z_:]+)\{/g)])
      ).map((m) => m[1]),
    );
    assertEquals([...named].filter((n) => !served.has(n)), [], "queried but not served");

    const span = await prom.span(runId, started);
    const rangeS = Math.ceil(span.end - span.start) + 1;
    const vars = {
      __rate_interval: RATE_INTERVAL,
      __interval: "2s",
      __range: `${rangeS}s`,
      run_id: runId,
    };
    const { lines, empty, ran } = await runQueries(
      dashboard.panels,
      ours,
      [{ p: prom, shard: ".*" }],
      vars,
      span,
    );
    console.log(
      `run ${runId}: ${(span.end - span.start).toFixed(1)} s of scrapes, ` +
        `$__rate_interval=${RATE_INTERVAL}; series per query (${ran} queries):\n` +
        lines.join("\n"),
    );
    assertEquals(empty, [], `queries without data:\n${empty.join("\n")}`);
    const audienceRow = dashboard.panels.find((p) => p.title.startsWith("Audience:"));
    assert(audienceRow, "the dashboard has an Audience row");
    assert(ran >= 20, `${ran} audience, rendition and edge address queries`);

    /** A panel's query as the dashboard sends it: each series' values over the run. */
    const series = async (title: string, refId: string) => {
      const t = panels.find((p: GPanel) => p.title === title)?.targets?.find((x) =>
        x.refId === refId
      );
      assert(t, `${title} ${refId}`);
      const expr = substitute(t.expr, { ...vars, shard: ".*" });
      const { result } = await prom.api("query_range", {
        query: expr,
        start: span.start,
        end: span.end,
        step: 1,
      });
      return result.map((r) => ({
        labels: r.metric,
        values: r.values!.map(([, v]) => Number(v)).filter(Number.isFinite),
      }));
    };
    const last = async (title: string, refId: string) =>
      (await series(title, refId))[0].values.at(-1)!;
    const max = async (title: string, refId: string) =>
      Math.max(...(await series(title, refId))[0].values);

    // Viewers against the plan: up to the peak, and back to 0 with the target.
    const a = s.audience;
    const figures = {
      peak: [await max("Viewers and target", "A"), await max("Viewers and target", "B")],
      end: [await last("Viewers and target", "A"), await last("Viewers and target", "B")],
      joinsPerS: await max("Joins and leaves per second", "A"),
      leavesPerS: await max("Joins and leaves per second", "B"),
    };
    console.log(`target, viewers: ${JSON.stringify(figures)}`);
    assertEquals(figures.peak, [PEAK, PEAK]);
    assertEquals(figures.end, [0, 0]);
    assert(figures.joinsPerS > 0 && figures.leavesPerS > 0, JSON.stringify(figures));

    // The counts so far at the last scrape are the summary's: nothing happens after the stages.
    const soFar = [];
    for (const refId of ["A", "B", "C", "D", "E"]) {
      soFar.push(await last("Joins, leaves and sessions so far", refId));
    }
    const begun = Object.entries(s.snapshot.audience.slotSessions)
      .reduce((n, [k, v]) => n + Number(k) * v, 0);
    console.log(
      `joins, leaves, sessions begun, slots, cut: dashboard ${soFar}; summary ` +
        `${[a.joins, a.leaves, begun, a.slots, a.cut]}; sessions per slot ${a.sessionsPerSlot}, ` +
        `mean session ${a.meanSessionMs} ms, held ${s.snapshot.audience.heldMs ?? "?"} ms`,
    );
    assert(a.joins > PEAK, `sessions turned over: ${a.joins} joins`);
    assertEquals(soFar, [a.joins, a.leaves, begun, a.slots, a.cut]);
    const perSlot = await last("Sessions per viewer slot", "A");
    assertBetween(perSlot, a.sessionsPerSlot! - 1e-9, a.sessionsPerSlot! + 1e-9, "per slot");
    // The histogram's sum is the sketch's, so its mean is the summary's (rounded to 0.1 ms).
    const mean = 1000 * await last("Session length (mean)", "B");
    assertBetween(mean, a.meanSessionMs! - 0.1, a.meanSessionMs! + 0.1, "mean session ms");
    // The ramp held as long as the summary says: not at all unless this box was saturated.
    const heldMs = s.snapshot.audience.heldMs ?? 0;
    const heldPerMin = await max("Ramp held, seconds per minute", "A");
    assert(heldMs > 0 ? heldPerMin > 0 : heldPerMin === 0, `${heldPerMin} s/min, ${heldMs} ms`);
    assertEquals(await last("Ramp now", "A"), 0, "no join waits after the stages");
    const heldTotal = await prom.api("query", {
      query: `sum(hlsswarm_audience_ramp_held_seconds_total{run_id="${runId}"})`,
      time: span.end,
    });
    const heldS = Number(heldTotal.result[0].value![1]);
    assertBetween(heldS, heldMs / 1000 - 1e-3, heldMs / 1000 + 1e-3, "held s");

    // Viewers by rendition and by edge address: the snapshot's, label by label.
    for (
      const [title, label, groups] of [
        ["Viewers by rendition", "rendition", s.snapshot.renditions],
        ["Viewers by edge address", "edge_address", s.snapshot.edgeAddresses],
      ] as const
    ) {
      const shown = Object.fromEntries(
        (await series(title, "A")).map((r) => [r.labels[label], r.values.at(-1)]),
      );
      const expected = Object.fromEntries(
        Object.entries(groups ?? {}).map(([k, c]) => [k, c.viewers]),
      );
      console.log(
        `${title}: dashboard ${JSON.stringify(shown)}, summary ${JSON.stringify(expected)}`,
      );
      assertEquals(Object.keys(expected).length, 2, JSON.stringify(expected));
      assertEquals(shown, expected);
    }
  } finally {
    if (child) {
      child.kill("SIGTERM");
      await finishSwarm(child);
    }
    await Deno.remove(json).catch(() => {});
    await prom.stop();
    await edgeA.stop();
    await edgeB.stop();
    await origin.close();
  }
});
