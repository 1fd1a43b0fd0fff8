/**
 * deploy/prometheus/ as Prometheus runs it: `promtool check rules`, `promtool test rules` with a
 * unit test of every recording rule (two runs, one of two shards with errors, one without), and
 * a real Prometheus that scrapes two real shards through the shipped scrape job's relabelling
 * and evaluates the rules. Debian's Prometheus is built without Kubernetes service discovery,
 * so there the job's `kubernetes_sd_configs` is swapped for static targets that carry the
 * `__meta_kubernetes_*` labels the discovery would set; everything after that is as shipped.
 */
import { parse } from "yaml";
import { toYaml } from "../src/k8s/yaml.ts";
import { INDEX_LABEL, podLabelMeta, RUN_ID_LABEL } from "../src/k8s/labels.ts";
import { prometheusConfig } from "../src/k8s/prometheus.ts";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { finishSwarm, freePort, ROOT, spawnSwarm, uniqueAgent, waitFor } from "./helpers.ts";
import { startPrometheus } from "./prometheus.ts";

const RULES = `${ROOT}deploy/prometheus/rules.yml`;

async function promtool(args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command("promtool", { args, cwd, stdout: "piped", stderr: "piped" })
    .output().catch((e) => {
      throw new Error(`promtool not found (make deps installs prometheus): ${e.message}`);
    });
  const d = new TextDecoder();
  return { code: out.code, out: d.decode(out.stdout) + d.decode(out.stderr) };
}

/** The record names in rules.yml. */
async function recordNames(): Promise<string[]> {
  const doc = parse(await Deno.readTextFile(RULES)) as {
    groups: { rules: { record: string }[] }[];
  };
  return doc.groups.flatMap((g) => g.rules.map((r) => r.record));
}

/**
 * The histogram_quantile Prometheus computes for two buckets, (0, lo] and (lo, hi], holding
 * `a` and `b` observations per second (its linear interpolation, in the same float steps).
 */
function quantile(q: number, lo: number, hi: number, a: number, b: number): number {
  const rank = q * (a + b);
  return rank <= a ? lo * (rank / a) : lo + (hi - lo) * ((rank - a) / b);
}

const L = (labels: Record<string, string>) =>
  "{" + Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",") + "}";
/** A counter growing by `perSecond` at the 15 s interval, for 3 minutes. */
const grows = (perSecond: number) => `0+${perSecond * 15}x12`;
const steady = (value: number) => `${value}x12`;

Deno.test("promtool: the recording rules check clean and every rule passes its unit test", async () => {
  const check = await promtool(["check", "rules", RULES]);
  console.log(check.out.trim());
  assertEquals(check.code, 0, check.out);

  const r1 = (shard: string, more: Record<string, string> = {}) => ({
    run_id: "r1",
    shard,
    job: "hls-swarm",
    ...more,
  });
  const r2 = (more: Record<string, string> = {}) => ({
    run_id: "r2",
    shard: "0",
    job: "hls-swarm",
    ...more,
  });
  const series: [string, Record<string, string>, string][] = [
    // r1: two shards; requests 1+2 and 3+2 per second.
    ["hlsswarm_requests_total", r1("0", { kind: "segment" }), grows(1)],
    ["hlsswarm_requests_total", r1("0", { kind: "manifest" }), grows(2)],
    ["hlsswarm_requests_total", r1("1", { kind: "segment" }), grows(3)],
    ["hlsswarm_requests_total", r1("1", { kind: "manifest" }), grows(2)],
    ["hlsswarm_responses_total", r1("0", { kind: "segment", status: "200" }), grows(1)],
    ["hlsswarm_responses_total", r1("1", { kind: "segment", status: "200" }), grows(2)],
    ["hlsswarm_responses_total", r1("1", { kind: "segment", status: "404" }), grows(1)],
    ["hlsswarm_responses_total", r1("1", { kind: "manifest", status: "302" }), grows(1)],
    ["hlsswarm_downloaded_bytes_total", r1("0", { kind: "segment" }), grows(100)],
    ["hlsswarm_downloaded_bytes_total", r1("1", { kind: "segment" }), grows(200)],
    ["hlsswarm_events_total", r1("0", { event: "unanswered_requests" }), grows(1)],
    ["hlsswarm_events_total", r1("1", { event: "unanswered_requests" }), steady(0)],
    ["hlsswarm_events_total", r1("1", { event: "segments_failed" }), grows(1)],
    ["hlsswarm_clients_target", r1("0"), steady(5)],
    ["hlsswarm_clients_target", r1("1"), steady(5)],
    ["hlsswarm_clients_active", r1("0"), steady(4)],
    ["hlsswarm_clients_active", r1("1"), steady(5)],
    ["hlsswarm_clients_with_media", r1("0"), steady(3)],
    ["hlsswarm_clients_with_media", r1("1"), steady(5)],
    ["hlsswarm_clients_stalled", r1("0"), steady(1)],
    ["hlsswarm_clients_stalled", r1("1"), steady(0)],
    // The audience: r1's shards join 3/s and 1/s, leave 2/s and 1/s, and follow a plan's
    // shares of 4 and 2 viewers with 3 and 2.
    ["hlsswarm_audience_joins_total", r1("0"), grows(3)],
    ["hlsswarm_audience_joins_total", r1("1"), grows(1)],
    ["hlsswarm_audience_leaves_total", r1("0"), grows(2)],
    ["hlsswarm_audience_leaves_total", r1("1"), grows(1)],
    ["hlsswarm_audience_viewers", r1("0"), steady(3)],
    ["hlsswarm_audience_viewers", r1("1"), steady(2)],
    ["hlsswarm_audience_target_viewers", r1("0"), steady(4)],
    ["hlsswarm_audience_target_viewers", r1("1"), steady(2)],
    // TTFB of segments: per shard 1/s within 0.1 s, 1/s within (0.1, 0.2] s.
    ...["0", "1"].flatMap((s): [string, Record<string, string>, string][] => [
      ["hlsswarm_ttfb_seconds_bucket", r1(s, { kind: "segment", le: "0.1" }), grows(1)],
      ["hlsswarm_ttfb_seconds_bucket", r1(s, { kind: "segment", le: "0.2" }), grows(2)],
      ["hlsswarm_ttfb_seconds_bucket", r1(s, { kind: "segment", le: "+Inf" }), grows(2)],
    ]),
    // CPU seconds: box 0 busy 0.5/s of 2/s, box 1 busy 1/s of 2/s; the origin (both shards
    // re-export it) busy 3/s of 4/s, receiving 1000 B/s and sending 5000 B/s.
    ["hlsswarm_loadbox_cpu_seconds_total", r1("0", { mode: "busy" }), grows(0.5)],
    ["hlsswarm_loadbox_cpu_seconds_total", r1("0", { mode: "idle" }), grows(1.5)],
    ["hlsswarm_loadbox_cpu_seconds_total", r1("1", { mode: "busy" }), grows(1)],
    ["hlsswarm_loadbox_cpu_seconds_total", r1("1", { mode: "idle" }), grows(1)],
    ...["0", "1"].flatMap((s): [string, Record<string, string>, string][] => [
      ["hlsswarm_origin_cpu_seconds_total", r1(s, { mode: "busy" }), grows(3)],
      ["hlsswarm_origin_cpu_seconds_total", r1(s, { mode: "idle" }), grows(1)],
      ["hlsswarm_origin_network_bytes_total", r1(s, { direction: "receive" }), grows(1000)],
      ["hlsswarm_origin_network_bytes_total", r1(s, { direction: "transmit" }), grows(5000)],
    ]),
    ["up", r1("0"), steady(1)],
    ["up", r1("1"), steady(1)],
    ["up", r1("2"), steady(0)],
    // r2: one shard, no failed request: the failed-requests rule must still give 0. No
    // audience plan: its viewers joined once and stay, and it has no target.
    ["hlsswarm_requests_total", r2({ kind: "segment" }), grows(1)],
    ["hlsswarm_responses_total", r2({ kind: "segment", status: "200" }), grows(1)],
    ["hlsswarm_events_total", r2({ event: "unanswered_requests" }), steady(0)],
    ["up", r2(), steady(1)],
    ["hlsswarm_audience_joins_total", r2(), steady(3)],
    ["hlsswarm_audience_leaves_total", r2(), steady(0)],
    ["hlsswarm_audience_viewers", r2(), steady(3)],
  ];
  const at = "2m";
  const expect = (record: string, samples: [Record<string, string>, number][]) => ({
    expr: record,
    eval_time: at,
    exp_samples: samples.map(([labels, value]) => ({ labels: record + L(labels), value })),
  });
  const tests = {
    rule_files: [RULES],
    evaluation_interval: "15s",
    tests: [{
      interval: "15s",
      input_series: series.map(([name, labels, values]) => ({ series: name + L(labels), values })),
      promql_expr_test: [
        expect("run_id:hlsswarm_requests:rate1m", [[{ run_id: "r1" }, 8], [{ run_id: "r2" }, 1]]),
        expect("run_id_kind:hlsswarm_requests:rate1m", [
          [{ run_id: "r1", kind: "segment" }, 4],
          [{ run_id: "r1", kind: "manifest" }, 4],
          [{ run_id: "r2", kind: "segment" }, 1],
        ]),
        expect("run_id_status_class:hlsswarm_responses:rate1m", [
          [{ run_id: "r1", status_class: "2xx" }, 3],
          [{ run_id: "r1", status_class: "3xx" }, 1],
          [{ run_id: "r1", status_class: "4xx" }, 1],
          [{ run_id: "r2", status_class: "2xx" }, 1],
        ]),
        expect("run_id:hlsswarm_downloaded_bytes:rate1m", [[{ run_id: "r1" }, 300]]),
        expect("run_id:hlsswarm_failed_requests:rate1m", [
          [{ run_id: "r1" }, 2],
          [{ run_id: "r2" }, 0],
        ]),
        expect("run_id:hlsswarm_error_ratio:rate1m", [[{ run_id: "r1" }, 0.25], [
          { run_id: "r2" },
          0,
        ]]),
        expect("run_id_event:hlsswarm_events:rate1m", [
          [{ run_id: "r1", event: "unanswered_requests" }, 1],
          [{ run_id: "r1", event: "segments_failed" }, 1],
          [{ run_id: "r2", event: "unanswered_requests" }, 0],
        ]),
        expect("run_id:hlsswarm_clients_target:sum", [[{ run_id: "r1" }, 10]]),
        expect("run_id:hlsswarm_clients_active:sum", [[{ run_id: "r1" }, 9]]),
        expect("run_id:hlsswarm_clients_with_media:sum", [[{ run_id: "r1" }, 8]]),
        expect("run_id:hlsswarm_clients_stalled:sum", [[{ run_id: "r1" }, 1]]),
        expect("run_id:hlsswarm_audience_joins:rate1m", [[{ run_id: "r1" }, 4], [
          { run_id: "r2" },
          0,
        ]]),
        expect("run_id:hlsswarm_audience_leaves:rate1m", [[{ run_id: "r1" }, 3], [
          { run_id: "r2" },
          0,
        ]]),
        expect("run_id:hlsswarm_audience_viewers:sum", [[{ run_id: "r1" }, 5], [
          { run_id: "r2" },
          3,
        ]]),
        // Without a plan there is no target, and no record of it.
        expect("run_id:hlsswarm_audience_target_viewers:sum", [[{ run_id: "r1" }, 6]]),
        // The fleet's buckets: 2/s within 0.1 s, 2/s more within 0.2 s.
        expect("run_id_kind:hlsswarm_ttfb_seconds:p50_1m", [
          [{ run_id: "r1", kind: "segment" }, quantile(0.5, 0.1, 0.2, 2, 2)],
        ]),
        expect("run_id_kind:hlsswarm_ttfb_seconds:p95_1m", [
          [{ run_id: "r1", kind: "segment" }, quantile(0.95, 0.1, 0.2, 2, 2)],
        ]),
        expect("run_id:hlsswarm_shards_up:count", [[{ run_id: "r1" }, 2], [{ run_id: "r2" }, 1]]),
        expect("run_id:hlsswarm_loadbox_cpu_busy:max_ratio_rate1m", [[{ run_id: "r1" }, 0.5]]),
        expect("run_id:hlsswarm_origin_cpu_busy:max_ratio_rate1m", [[{ run_id: "r1" }, 0.75]]),
        expect("run_id_direction:hlsswarm_origin_network_bytes:max_rate1m", [
          [{ run_id: "r1", direction: "receive" }, 1000],
          [{ run_id: "r1", direction: "transmit" }, 5000],
        ]),
      ],
    }],
  };
  const tested = tests.tests[0].promql_expr_test.map((t) => t.expr).sort();
  assertEquals(tested, (await recordNames()).sort(), "every rule has a unit test");

  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-rules-" });
  try {
    await Deno.writeTextFile(`${dir}/rules_test.yml`, toYaml(tests));
    const run = await promtool(["test", "rules", "rules_test.yml"], dir);
    console.log(run.out.trim());
    assertEquals(run.code, 0, run.out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a real Prometheus scrapes 2 real shards through the shipped relabelling and rules", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-prom-k8s-" });
  const ports = [freePort(), freePort()];
  const runId = "rules-test";
  // The shipped configuration, with static targets standing in for Kubernetes discovery.
  const config = prometheusConfig();
  const job = config.scrape_configs[0];
  const { kubernetes_sd_configs: _, ...rest } = job;
  const scrape = {
    ...rest,
    scrape_interval: "2s",
    static_configs: ports.map((port, shard) => ({
      targets: [`127.0.0.1:${port}`],
      labels: {
        [podLabelMeta("app.kubernetes.io/name")]: "hls-swarm",
        __meta_kubernetes_pod_container_port_name: "metrics",
        [podLabelMeta(INDEX_LABEL)]: String(shard),
        [podLabelMeta(RUN_ID_LABEL)]: runId,
        __meta_kubernetes_namespace: "load",
        __meta_kubernetes_pod_name: `${runId}-${shard}-abcde`,
      },
    })),
  };
  const rules = (await Deno.readTextFile(RULES)).replaceAll("[1m]", "[10s]");
  await Deno.writeTextFile(`${dir}/rules.yml`, rules);
  const promConfig = {
    ...config,
    global: { scrape_interval: "2s", evaluation_interval: "2s" },
    scrape_configs: [scrape],
  };
  // promtool checks the file first; startPrometheus then writes the same configuration.
  await Deno.writeTextFile(`${dir}/prometheus.yml`, toYaml(promConfig));
  const checked = await promtool(["check", "config", `${dir}/prometheus.yml`]);
  assertEquals(checked.code, 0, checked.out);
  const prometheus = await startPrometheus(dir, promConfig);
  const query = (q: string) => prometheus.query(q);
  const agent = uniqueAgent("rules");
  const shards = ports.map((port, i) =>
    spawnSwarm([
      "--clients=2",
      `--shard=${i}/2`,
      "--duration=30s",
      `--run-id=${runId}`,
      `--metrics=127.0.0.1:${port}`,
      `--user-agent=${agent}`,
      origin.url,
    ])
  );
  try {
    await waitFor(
      async () => {
        const up = await query("run_id:hlsswarm_shards_up:count").catch(() => []);
        const active = await query("run_id:hlsswarm_clients_active:sum").catch(() => []);
        return up?.[0]?.value?.[1] === "2" && active?.[0]?.value?.[1] === "2";
      },
      40_000,
      "2 shards up and 2 clients active in the recorded series",
    );
    // The plain ramp joins each client once: 2 viewers, and no plan, so no target.
    const viewers = await query("run_id:hlsswarm_audience_viewers:sum");
    assertEquals(viewers.map((s) => [s.metric.run_id, s.value?.[1]]), [[runId, "2"]]);
    assertEquals(await query("run_id:hlsswarm_audience_target_viewers:sum"), []);
    const up = await query("up");
    console.log(up.map((s) => JSON.stringify(s.metric)).join("\n"));
    assertEquals(
      up.map((s) => [s.metric.job, s.metric.run_id, s.metric.shard, s.metric.namespace]).sort(),
      [["hls-swarm", runId, "0", "load"], ["hls-swarm", runId, "1", "load"]],
    );
    const series = await query("hlsswarm_clients_target");
    assertEquals(series.map((s) => [s.metric.run_id, s.metric.shard, s.value?.[1]]).sort(), [
      [runId, "0", "1"],
      [runId, "1", "1"],
    ]);
    assert(series.every((s) => !("exported_run_id" in s.metric)), JSON.stringify(series));
    for (const run of await Promise.all(shards.map(finishSwarm))) {
      assertEquals(run.code, 0, run.stderr.slice(-2000));
    }
  } finally {
    for (const s of shards) {
      try {
        s.kill("SIGTERM");
      } catch { /* finished */ }
    }
    await Promise.allSettled(shards.map((s) => s.status));
    await prometheus.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await origin.close();
  }
});
