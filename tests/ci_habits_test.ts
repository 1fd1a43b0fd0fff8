/**
 * The habits CI pipelines expect: short flags, an interrupted run's own exit code, thresholds
 * that abort a run early, JUnit XML, a per-second CSV, a progress line worth reading, /metrics
 * that outlives the run for a last scrape, and shell completion from the flag table.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { TIMELINE_HEADER } from "../src/report/timeline.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import {
  finishSwarm,
  freePort,
  metricValue,
  ROOT,
  runSwarm,
  spawnSwarm,
  uniqueAgent,
  waitFor,
  waitForClients,
} from "./helpers.ts";

Deno.test("CI habits, each against a real origin", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-ci-" });
  try {
    await t.step(
      "-c, -d; --timeline adds up to the summary; --junit XML; the progress line",
      async () => {
        const json = `${dir}/a.json`, csv = `${dir}/timeline.csv`, junit = `${dir}/junit.xml`;
        const run = await runSwarm([
          "-c",
          "3",
          "-d",
          "12s",
          "--ramp-rate=3",
          "--metrics=off",
          `--summary-json=${json}`,
          `--timeline=${csv}`,
          `--junit=${junit}`,
          "--threshold=error_rate<1%",
          "--threshold=segment_ttfb_p95<0.001ms",
          origin.url,
        ]);
        assertEquals(run.code, 99, run.stderr.slice(-1500));
        const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
        assertEquals(s.clients.target, 3);
        const [header, ...rows] = (await Deno.readTextFile(csv)).trim().split("\n");
        assertEquals(header, TIMELINE_HEADER);
        assert(rows.length >= 11 && rows.length <= 16, `${rows.length} rows`);
        const sum = (col: number) => rows.reduce((n, r) => n + Number(r.split(",")[col]), 0);
        assertEquals(sum(2), s.traffic.requests.manifest);
        assertEquals(sum(3), s.traffic.requests.segment);
        assert(rows.some((r) => r.split(",")[9] !== ""), "some row has a TTFB p95");
        // The progress line (no TTY) carries the figures a person watches.
        const progress = run.logs.find((l) => l.msg === "progress");
        assert(progress, "a progress line");
        for (
          const key of ["requests_per_s", "error_pct", "segment_ttfb_p95_ms", "mbit_s", "stalled"]
        ) {
          assert(key in progress, `progress has ${key}: ${JSON.stringify(progress)}`);
        }
        const xml = await Deno.readTextFile(junit);
        assertStringIncludes(xml, '<testsuites name="hls-swarm" tests="3" failures="1">');
        assertStringIncludes(
          xml,
          '<testcase classname="hls-swarm.thresholds" name="error_rate&lt;1%"></testcase>',
        );
        assertStringIncludes(xml, '<failure message="segment_ttfb_p95&lt;0.001ms: actual');
      },
    );

    await t.step("a signal before --duration exits 3; without --duration it exits 0", async () => {
      for (const [duration, code] of [["60s", 3], ["0", 0]] as const) {
        const agent = uniqueAgent("signal");
        const child = spawnSwarm([
          "-c",
          "2",
          "--ramp-rate=4",
          `--duration=${duration}`,
          "--metrics=off",
          `--user-agent=${agent}`,
          origin.url,
        ]);
        await waitForClients(agent, 2);
        child.kill("SIGTERM");
        const run = await finishSwarm(child);
        assertEquals(run.code, code, run.stderr.slice(-1500));
        assertStringIncludes(run.stdout, "(stopped by SIGTERM)");
      }
    });

    await t.step(
      "--abort-on-fail stops the run at the first failure after the grace, exit 99",
      async () => {
        const started = Date.now();
        const run = await runSwarm([
          "-c",
          "2",
          "--ramp-rate=4",
          "-d",
          "90s",
          "--metrics=off",
          "--abort-on-fail",
          "--abort-grace=4s",
          "--threshold=segment_ttfb_p95<0.001ms",
          origin.url,
        ]);
        const seconds = (Date.now() - started) / 1000;
        assertEquals(run.code, 99, run.stderr.slice(-1500));
        assert(seconds < 40, `stopped after ${seconds} s, not at the 90 s duration`);
        assertStringIncludes(run.stdout, "(stopped by thresholds)");
        assert(run.logs.some((l) => l.msg === "thresholds_failed_aborting"));
      },
    );

    await t.step(
      "--metrics-linger keeps /metrics up after the summary, with the final totals",
      async () => {
        const port = freePort();
        const json = `${dir}/linger.json`;
        const child = spawnSwarm([
          "-c",
          "2",
          "--ramp-rate=4",
          "-d",
          "8s",
          `--metrics=127.0.0.1:${port}`,
          "--metrics-linger=6s",
          `--summary-json=${json}`,
          origin.url,
        ]);
        await waitFor(
          async () => (await Deno.stat(json).catch(() => null)) !== null,
          30_000,
          "the summary",
        );
        await new Promise((r) => setTimeout(r, 500));
        const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        assertEquals(
          metricValue(text, "hlsswarm_requests_total", { kind: "segment" }),
          s.traffic.requests.segment,
        );
        const run = await finishSwarm(child);
        assertEquals(run.code, 0, run.stderr.slice(-1500));
        assert(run.logs.some((l) => l.msg === "metrics_lingering"));
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await origin.close();
  }
});

Deno.test("completion scripts come from the flag table and load in bash, zsh and fish", async () => {
  const script = async (shell: string) => (await runSwarm(["completion", shell])).stdout;
  // bash: complete a flag name, then a flag's choices.
  const complete = async (words: string[]) => {
    const file = await Deno.makeTempFile();
    await Deno.writeTextFile(file, await script("bash"));
    const cmd = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); ` +
      `COMP_CWORD=${words.length - 1}; _hls_swarm; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = await new Deno.Command("bash", { args: ["-c", cmd], stdout: "piped" }).output();
    await Deno.remove(file);
    return new TextDecoder().decode(out.stdout).trim().split("\n");
  };
  assertEquals(await complete(["hls-swarm", "--variant-m"]), ["--variant-mix"]);
  assertEquals(await complete(["hls-swarm", "--varia"]), ["--variant", "--variant-mix"]);
  assertEquals(await complete(["hls-swarm", "--variant", "h"]), ["highest"]);
  assertEquals(await complete(["hls-swarm", "me"]), ["merge"]);
  for (const shell of ["zsh", "fish"]) {
    const file = await Deno.makeTempFile();
    await Deno.writeTextFile(file, await script(shell));
    const out = await new Deno.Command(shell, { args: ["-n", file], stderr: "piped" }).output();
    assertEquals(out.code, 0, `${shell} -n: ${new TextDecoder().decode(out.stderr)}`);
    await Deno.remove(file);
  }
  const bad = await runSwarm(["completion", "tcsh"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "usage: hls-swarm completion bash|zsh|fish");
  assert(ROOT);
});
