/**
 * Four shards as four hosts: an origin namespace runs nginx, four shard namespaces each run one
 * hls-swarm shard configured with nothing but the environment a Kubernetes Indexed Job gives a
 * pod, and a real Prometheus in the root namespace scrapes them every second through
 * `file_sd_configs` targets labelled as the shipped relabelling labels them, evaluating the
 * shipped recording rules. `hls-swarm merge` of the shards' logs must agree with nginx's access
 * log (per source address) and with what Prometheus recorded. Needs root and `ip netns`.
 */
import { parse } from "yaml";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { classifyUrl } from "../src/parser/url_kind.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { decodeSummaryLine, SUMMARY_LINE_PREFIX } from "../src/report/summary_line.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { nginxConf, ROOT, runSwarm, SWARM_ARGV, uniqueAgent } from "./helpers.ts";
import { type Prometheus, startPrometheus } from "./prometheus.ts";
import { createLan, type Lan, netnsSkipReason, waitForHttp } from "./netns.ts";

const SHARDS = 4;
/** 14 over 4 shards: ranges of 3, 4, 3 and 4 clients. */
const CLIENTS = 14;
const DURATION_S = 40;
const START_AHEAD_MS = 10_000;
const ORIGIN_PORT = 8080;
const METRICS_PORT = 17091;

const skipReason = await netnsSkipReason();
if (skipReason !== null) console.log(`fleet_netns_test skipped: ${skipReason}`);

/** First client id of shard `i`: floor(i·C/N). */
const firstClient = (i: number) => Math.floor(i * CLIENTS / SHARDS);

function pct(a: number, b: number): string {
  return b === 0 ? "n/a" : `${((a - b) / b * 100).toFixed(2)} %`;
}

function table(title: string, head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r.map((x, c) => c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c])).join("  ");
  return [title, line(head), ...rows.map((r) => line(r.map(String)))].join("\n");
}

/** A child we started, stopped with SIGTERM (then SIGKILL) and awaited. */
async function stopChild(child: Deno.ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child) return;
  const done = child.status.then(() => true, () => true);
  try {
    child.kill("SIGTERM");
  } catch {
    return; // Already exited (and awaited by `status`).
  }
  const timer = new Promise<boolean>((r) => setTimeout(() => r(false), graceMs));
  const exited = await Promise.race([done, timer]);
  if (!exited) {
    try {
      child.kill("SIGKILL");
    } catch { /* exited meanwhile */ }
    await done;
  }
}

Deno.test({
  name: "four shards as four hosts: merge agrees with nginx per host and with Prometheus",
  ignore: skipReason !== null,
}, async () => {
  const began = Date.now();
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-fleet-netns-" });
  /** Every process we start: nginx, Prometheus, the shards. */
  const children: Deno.ChildProcess[] = [];
  let lan: Lan | undefined;
  let origin: Awaited<ReturnType<typeof startOrigin>> | undefined;
  const shards: Deno.ChildProcess[] = [];
  let prometheus: Prometheus | undefined;
  try {
    // The stream is written in the root namespace; nginx in the origin namespace serves the
    // same directory.
    origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 }, { log: () => {} });
    lan = await createLan([
      { name: "origin", host: 1 },
      ...Array.from({ length: SHARDS }, (_, i) => ({ name: `shard${i}`, host: 11 + i })),
    ]);
    const originAddr = lan.addr("origin");
    const shardAddr = (i: number) => lan!.addr(`shard${i}`);

    // nginx, as helpers.ts' startNginx configures it, bound to the origin namespace's address;
    // a second log records which host asked, and which transfers the stop cut short.
    const ngDir = `${dir}/nginx`;
    await Deno.mkdir(ngDir);
    await Deno.writeTextFile(
      `${ngDir}/nginx.conf`,
      nginxConf(ngDir, origin.dir, `${originAddr}:${ORIGIN_PORT}`, {
        http: `log_format detail '$remote_addr $uri $status $body_bytes_sent ' ` +
          `'$sent_http_content_length "$request_completion" "$http_user_agent"';
  access_log ${ngDir}/detail.log detail;`,
      }),
    );
    const nginx = new Deno.Command("ip", {
      args: lan.execArgs("origin", ["nginx", "-c", `${ngDir}/nginx.conf`, "-p", ngDir]),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    children.push(nginx);
    const streamUrl = `http://${originAddr}:${ORIGIN_PORT}/stream.m3u8`;
    console.log(
      `LAN: origin ${originAddr}:${ORIGIN_PORT} (nginx), shards ${shardAddr(0)}..${
        shardAddr(SHARDS - 1)
      }:${METRICS_PORT}, bridge ${lan.gateway} (root namespace: Prometheus, merge)`,
    );
    // From the root namespace, over the bridge.
    await waitForHttp(`http://${originAddr}:${ORIGIN_PORT}/nginx_status`, 10_000).catch(
      async (e) => {
        const log = await Deno.readTextFile(`${ngDir}/error.log`).catch(() => "");
        throw new Error(`${e.message}\nnginx error.log:\n${log}`);
      },
    );

    // Prometheus: the shipped job (name, honor_labels) with file_sd targets carrying the
    // labels the Kubernetes relabelling gives a pod, and the shipped rules, every second.
    const runId = `fleet-netns-${crypto.randomUUID().slice(0, 8)}`;
    const shipped = parse(await Deno.readTextFile(`${ROOT}deploy/prometheus/prometheus.yml`)) as {
      scrape_configs: Record<string, unknown>[];
    };
    const job = shipped.scrape_configs[0];
    const relabelled = (job.relabel_configs as { target_label: string }[]).map((r) =>
      r.target_label
    );
    for (const label of ["shard", "run_id"]) {
      assert(relabelled.includes(label), `the shipped relabelling sets ${label}: ${relabelled}`);
    }
    const promDir = `${dir}/prometheus`;
    await Deno.mkdir(promDir);
    await Deno.writeTextFile(
      `${promDir}/targets.json`,
      JSON.stringify(
        Array.from({ length: SHARDS }, (_, i) => ({
          targets: [`${shardAddr(i)}:${METRICS_PORT}`],
          labels: {
            namespace: "load",
            pod: `${runId}-${i}-netns`,
            shard: String(i),
            run_id: runId,
          },
        })),
        null,
        2,
      ),
    );
    prometheus = await startPrometheus(promDir, {
      global: { scrape_interval: "1s", evaluation_interval: "1s" },
      rule_files: [`${ROOT}deploy/prometheus/rules.yml`],
      scrape_configs: [{
        job_name: job.job_name,
        honor_labels: job.honor_labels,
        scrape_interval: "1s",
        scrape_timeout: "900ms",
        file_sd_configs: [{ files: [`${promDir}/targets.json`], refresh_interval: "1s" }],
      }],
    });
    const query = (q: string, atMs?: number) =>
      prometheus!.query(q, atMs === undefined ? undefined : atMs / 1000);

    // The shards: `ip netns exec shardI deno run -A src/main.ts` with only a Job's environment.
    const agent = uniqueAgent("fleet-netns");
    const startAt = new Date(Date.now() + START_AHEAD_MS).toISOString();
    const runtime: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
    const denoDir = Deno.env.get("DENO_DIR");
    if (denoDir) runtime.DENO_DIR = denoDir;
    const jobEnv = (i: number): Record<string, string> => ({
      JOB_COMPLETION_INDEX: String(i),
      HLS_SWARM_SHARDS: String(SHARDS),
      HLS_SWARM_START_AT: startAt,
      HLS_SWARM_RUN_ID: runId,
      HLS_SWARM_SUMMARY_LINE: "true",
      HLS_SWARM_METRICS: `${shardAddr(i)}:${METRICS_PORT}`,
      HLS_SWARM_CLIENTS: String(CLIENTS),
      HLS_SWARM_RAMP_RATE: String(CLIENTS),
      HLS_SWARM_DURATION: `${DURATION_S}s`,
      HLS_SWARM_URL: streamUrl,
      HLS_SWARM_USER_AGENT: agent,
      HLS_SWARM_TUI: "false",
    });
    for (let i = 0; i < SHARDS; i++) {
      const child = new Deno.Command("ip", {
        args: lan.execArgs(`shard${i}`, [Deno.execPath(), ...SWARM_ARGV]),
        cwd: ROOT,
        clearEnv: true,
        env: { ...runtime, ...jobEnv(i) },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      shards.push(child);
      children.push(child);
    }
    // A watchdog: a shard that outlives its run by 30 s is stopped, and the test fails below.
    const deadline = Date.parse(startAt) + DURATION_S * 1000 + 30_000;
    const watchdog = setTimeout(() => {
      for (const s of shards) {
        try {
          s.kill("SIGTERM");
        } catch { /* exited */ }
      }
    }, deadline - Date.now());
    const outputs = await Promise.all(shards.map((s) => s.output()));
    clearTimeout(watchdog);
    const d = new TextDecoder();
    const logs: string[] = [];
    const parts: RunSummary[] = [];
    for (const [i, out] of outputs.entries()) {
      const stdout = d.decode(out.stdout), stderr = d.decode(out.stderr);
      assertEquals(out.code, 0, `shard ${i} exit ${out.code}:\n${stderr.slice(-2000)}`);
      // As `kubectl logs` gives it: the JSON log records (stderr), then stdout.
      logs.push(`${dir}/shard-${i}.log`);
      await Deno.writeTextFile(logs[i], stderr + stdout);
      const last = stdout.trimEnd().split("\n").at(-1)!;
      assert(last.startsWith(SUMMARY_LINE_PREFIX), `shard ${i}'s last line: ${last.slice(0, 80)}`);
      // Plain JSON, or gzip+base64 once the summary is over 16 KiB: merge reads both.
      parts.push(JSON.parse(decodeSummaryLine(stdout)!));
    }

    // Merge, in the root namespace.
    const fleetJson = `${dir}/fleet.json`;
    const merged = await runSwarm(["merge", ...logs, `--summary-json=${fleetJson}`]);
    assertEquals(merged.code, 0, merged.stderr);
    assertStringIncludes(merged.stdout, `Shards merged:          ${SHARDS} of ${SHARDS}`);
    const fleet: RunSummary = JSON.parse(await Deno.readTextFile(fleetJson));
    assertEquals(fleet.runId, runId);
    assertEquals(fleet.fleet?.present, [0, 1, 2, 3]);
    assertEquals(fleet.fleet?.missing, []);
    assertEquals(fleet.clients.started, CLIENTS);

    // Each shard ran its own range, [floor(I·C/N), floor((I+1)·C/N)), and started on time.
    const offsets: string[] = [];
    for (const [i, p] of parts.entries()) {
      assertEquals(p.shard?.index, i);
      assertEquals(
        [p.shard?.firstClient, p.shard?.clients],
        [firstClient(i), firstClient(i + 1) - firstClient(i)],
      );
      assertEquals(p.shard?.startAt, startAt);
      const offset = p.shard!.startOffsetMs!;
      offsets.push(`shard ${i}: ${offset} ms`);
      assert(Math.abs(offset) <= 100, `shard ${i} started ${offset} ms from --start-at`);
    }
    console.log(`start offsets from --start-at: ${offsets.join(", ")}`);

    // nginx's view: this run's requests, and which host each client id came from.
    const served = { manifest: 0, segment: 0, bytes: 0 };
    for (const line of (await Deno.readTextFile(`${ngDir}/access.log`)).split("\n")) {
      const m = /^\S+ (\S+) \S+ (\d+) (\d+) "([^"]*)"$/.exec(line);
      if (!m || !m[4].startsWith(`${agent}/client-`)) continue;
      const kind = classifyUrl(m[1]);
      if (kind !== "manifest" && kind !== "segment") continue;
      served[kind]++;
      if (m[2].startsWith("2")) served.bytes += Number(m[3]);
    }
    const hostsOf = new Map<number, Set<string>>();
    const cut = { transfers: 0, unsent: 0 };
    for (const line of (await Deno.readTextFile(`${ngDir}/detail.log`)).split("\n")) {
      const m = /^(\S+) (\S+) (\d+) (\d+) (\S+) "(\w*)" "([^"]*)"$/.exec(line);
      if (!m || !m[7].startsWith(`${agent}/client-`)) continue;
      const [, addr, uri, status, sent, length, completion, ua] = m;
      const id = Number(ua.slice(`${agent}/client-`.length));
      hostsOf.set(id, (hostsOf.get(id) ?? new Set()).add(addr));
      const kind = classifyUrl(uri);
      if (
        (kind === "manifest" || kind === "segment") && status.startsWith("2") && completion !== "OK"
      ) {
        cut.transfers++;
        cut.unsent += Number(length) - Number(sent);
      }
    }
    assertEquals(
      [...hostsOf.keys()].sort((a, b) => a - b),
      Array.from({ length: CLIENTS }, (_, i) => i),
      "every client id 0..C-1 reached the origin",
    );
    for (const [id, hosts] of hostsOf) {
      const shard = Array.from({ length: SHARDS }, (_, i) => i).findLast((i) =>
        firstClient(i) <= id
      )!;
      assertEquals([...hosts], [shardAddr(shard)], `client ${id} came only from shard ${shard}`);
    }

    const t = fleet.traffic;
    const mergedBytes = t.bytes.manifest + t.bytes.segment;
    console.log(
      "\n" + table("merged summary vs nginx access log (this run's user agent)", [
        "",
        "merged",
        "nginx",
        "diff",
      ], [
        [
          "manifests",
          t.requests.manifest,
          served.manifest,
          pct(t.requests.manifest, served.manifest),
        ],
        ["segments", t.requests.segment, served.segment, pct(t.requests.segment, served.segment)],
        ["bytes (2xx bodies)", mergedBytes, served.bytes, pct(mergedBytes, served.bytes)],
      ]) +
        `\ncut short at the stop: nginx ${cut.transfers} transfers, ${cut.unsent} B announced ` +
        `but not sent; hls-swarm ${t.events.inFlightAtStop} in flight, ` +
        `${t.events.inFlightBytesAtStop} B kept out`,
    );
    const within = (a: number, b: number, f: number, what: string) =>
      assert(b > 0 && Math.abs(a - b) <= b * f, `${what}: merged ${a} vs nginx ${b}`);
    within(t.requests.manifest, served.manifest, 0.01, "manifest requests");
    within(t.requests.segment, served.segment, 0.01, "segment requests");
    // Where the byte counts differ, it is in the transfers the stop cut short: hls-swarm counts
    // a cut body's Content-Length less what it kept out as in flight, nginx what it had sent.
    const keptOut = t.events.inFlightBytesAtStop;
    assertEquals(
      mergedBytes - served.bytes,
      cut.unsent - keptOut,
      "merged - nginx bytes = bytes nginx never sent of transfers cut at the stop - bytes " +
        "hls-swarm kept out as in flight",
    );
    within(
      mergedBytes,
      served.bytes,
      0.02,
      `bytes (${cut.unsent} B of ${cut.transfers} transfers cut at the stop were never sent, ` +
        `hls-swarm kept ${keptOut} B out)`,
    );

    // Prometheus at the last scrape before the stop: evaluated at the earliest stop, each
    // shard's latest sample is its last scrape before it began to stop.
    const stopMs = Math.min(...parts.map((p) => Date.parse(p.stoppedAt)));
    const sel = `run_id="${runId}"`;
    const byShard = async (q: string): Promise<Map<number, number>> => {
      const r = await query(q, stopMs);
      assertEquals(r.length, SHARDS, `${q}: ${JSON.stringify(r)}`);
      return new Map(r.map((s) => [Number(s.metric.shard), Number(s.value?.[1])]));
    };
    const fleetValue = async (q: string): Promise<number> => {
      const r = await query(q, stopMs);
      assertEquals(r.length, 1, `${q}: ${JSON.stringify(r)}`);
      assertEquals(r[0].metric.run_id, runId);
      return Number(r[0].value?.[1]);
    };
    const scrapeAt = await byShard(`timestamp(up{${sel}})`);
    // A shard reports its totals on a tick just after each wall-clock second, and its series
    // holds what happened in each second, so a scrape at t reads the totals through second
    // floor(t)-1, or through floor(t)-2 when it came before that tick.
    const through = (i: number, field: "manifests" | "segments" | "bytes", lag: number) => {
      const { start, fields } = parts[i].snapshot.series;
      return fields[field].slice(0, Math.floor(scrapeAt.get(i)!) - lag - start)
        .reduce((a, b) => a + b, 0);
    };
    const families = [
      ["segments", `hlsswarm_requests_total{${sel},kind="segment"}`],
      ["manifests", `hlsswarm_requests_total{${sel},kind="manifest"}`],
      ["bytes", `hlsswarm_downloaded_bytes_total{${sel}}`],
    ] as const;
    // Prometheus' fleet sums, and the merged summary's series (the shards' series, added up)
    // through each shard's last scrape before the stop.
    const prom = { segments: 0, manifests: 0, bytes: 0 };
    const then = { segments: 0, manifests: 0, bytes: 0 };
    for (const [field, series] of families) {
      const shardValues = await byShard(`sum by (shard) (${series})`);
      let sum = 0;
      for (let i = 0; i < SHARDS; i++) {
        const v = shardValues.get(i)!, hi = through(i, field, 0), lo = through(i, field, 1);
        assert(lo <= v && v <= hi, `shard ${i} ${field}: Prometheus ${v}, merged ${lo}..${hi}`);
        sum += v;
        then[field] += hi;
      }
      prom[field] = await fleetValue(`sum by (run_id) (${series})`);
      assertEquals(prom[field], sum, `${field}: the fleet sum is the shards' sum`);
      // The merged series is the shards' series added up.
      const total = (w: RunSummary) => w.snapshot.series.fields[field].reduce((a, b) => a + b, 0);
      assertEquals(total(fleet), parts.reduce((n, p) => n + total(p), 0), `merged ${field} series`);
    }
    const rules = {
      segmentRate: await fleetValue(`run_id_kind:hlsswarm_requests:rate1m{${sel},kind="segment"}`),
      up: await fleetValue(`run_id:hlsswarm_shards_up:count{${sel}}`),
      target: await fleetValue(`run_id:hlsswarm_clients_target:sum{${sel}}`),
      active: await fleetValue(`run_id:hlsswarm_clients_active:sum{${sel}}`),
      withMedia: await fleetValue(`run_id:hlsswarm_clients_with_media:sum{${sel}}`),
    };
    const ago = [...scrapeAt].sort(([a], [b]) => a - b)
      .map(([, s]) => `${Math.round(stopMs - s * 1000)}`);
    console.log(
      "\n" + table(
        `Prometheus at the last scrape before the stop (${ago.join(", ")} ms before it) ` +
          "vs merged summary",
        ["", "Prometheus", "merged then", "diff", "merged at exit"],
        [
          ...families.map(([field]) => [
            `${field} (sum by run_id)`,
            prom[field],
            then[field],
            pct(prom[field], then[field]),
            field === "segments"
              ? t.requests.segment
              : field === "manifests"
              ? t.requests.manifest
              : t.totalBytes,
          ]),
          [
            "segments: rate1m rule x 60 s",
            (rules.segmentRate * 60).toFixed(1),
            then.segments,
            pct(rules.segmentRate * 60, then.segments),
            "",
          ],
          ["shards up (rule)", rules.up, fleet.fleet!.present.length, "", ""],
          ["clients target (rule)", rules.target, fleet.clients.target, "", ""],
          ["clients active (rule)", rules.active, fleet.clients.peakRunning, "", ""],
          [
            "clients with media (rule)",
            rules.withMedia,
            fleet.clients.receivedMedia ?? "n/a",
            "",
            "",
          ],
        ],
      ),
    );
    assertEquals(rules.up, SHARDS, "shards up");
    assertEquals(rules.target, CLIENTS, "clients target");
    assertEquals(rules.active, fleet.clients.peakRunning, "clients active at the stop");
    assertEquals(rules.withMedia, fleet.clients.receivedMedia, "clients with media");
    // The whole run lies inside the rule's 1 m window, so rate x 60 s is the requests so far,
    // give or take Prometheus' extrapolation to the window's end and the 1 s evaluation step.
    const rate60 = rules.segmentRate * 60;
    assert(
      Math.abs(rate60 - then.segments) <= then.segments * 0.05,
      `rate1m rule x 60 s ${rate60} vs ${then.segments}`,
    );
  } finally {
    // Everything, whatever failed: shards, nginx, Prometheus, the origin, the LAN, the files.
    await Promise.all(children.map((child) => stopChild(child)));
    await prometheus?.stop();
    await origin?.close().catch(() => {});
    const problems = (await lan?.close()) ?? [];
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    if (problems.length) console.log(`cleanup problems: ${problems.join("; ")}`);
    console.log(`\ntest run time: ${((Date.now() - began) / 1000).toFixed(1)} s, cleanup included`);
  }
});
