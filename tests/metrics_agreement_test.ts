/**
 * The numbers agree with what the origin served: request counts, bytes and error statuses in
 * the summary against nginx's and the built-in origin's access logs.
 */
import { DEFAULT_ORIGIN_OPTIONS, parseAccessLogLine, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import type { ThresholdResult } from "../src/report/thresholds.ts";
import { assert, assertBetween, assertEquals } from "../src/testing/assert.ts";
import { runSwarm, startNginx, tallyAccessLog, uniqueAgent } from "./helpers.ts";

function within(actual: number, expected: number, fraction: number, what: string): void {
  assert(expected > 0, `${what}: nothing to compare`);
  console.log(`${what}: hls-swarm ${actual}, origin ${expected}`);
  assertBetween(
    actual,
    expected * (1 - fraction),
    expected * (1 + fraction),
    `${what}: ${actual} vs ${expected}`,
  );
}

async function summaryOf(path: string): Promise<RunSummary & { thresholds: ThresholdResult[] }> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("20 clients for 60 s: counts within 1 % and bytes within 2 % of nginx's access log", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const nginx = await startNginx(origin.dir);
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const agent = uniqueAgent("agreement");
    const run = await runSwarm([
      "--clients=20",
      "--ramp-rate=10",
      "--duration=60s",
      "--metrics=off",
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      nginx.url("/stream.m3u8"),
    ]);
    assertEquals(run.code, 0, run.stderr.slice(-2000));
    const s = await summaryOf(json);
    const served = tallyAccessLog(await nginx.accessLog(), `${agent}/client-`);
    within(s.traffic.requests.manifest, served.manifest, 0.01, "manifest requests");
    within(s.traffic.requests.segment, served.segment, 0.01, "segment requests");
    within(s.traffic.bytes.segment, served.bytes.segment, 0.02, "segment bytes");
    within(s.traffic.bytes.manifest, served.bytes.manifest, 0.02, "manifest bytes");
    // Fleet percentiles come from one merged sketch holding every response's sample.
    const responses = s.traffic.statuses.reduce((n, x) => n + x.count, 0);
    assertEquals(
      s.traffic.ttfbMs.segment.count + s.traffic.ttfbMs.manifest.count,
      responses,
      "every response contributed one TTFB sample",
    );
    assertEquals(s.lines.dropped, 0);
    assertEquals(s.clients.receivedMedia, 20);
  } finally {
    await Deno.remove(json).catch(() => {});
    await nginx.stop();
    await origin.close();
  }
});

Deno.test("5 % injected 404s: the summary's 404 count matches the origin's log; error_rate<1% exits 99", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, failRate: 0.05 });
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const agent = uniqueAgent("errors");
    const run = await runSwarm([
      "--clients=10",
      "--ramp-rate=10",
      "--duration=40s",
      "--metrics=off",
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      "--threshold=error_rate<1%",
      origin.url,
    ]);
    assertEquals(run.code, 99, run.stderr.slice(-2000));
    const s = await summaryOf(json);
    const log = (await Deno.readTextFile(origin.accessLogPath)).split("\n")
      .map(parseAccessLogLine)
      .filter((e) => e?.userAgent.startsWith(`${agent}/client-`));
    const served404 = log.filter((e) => e!.status === 404).length;
    const counted404 = s.traffic.statuses.find((x) => x.status === 404)?.count ?? 0;
    assert(served404 >= 3, `expected injected 404s, the origin served ${served404}`);
    within(counted404, served404, 0.01, "404 responses");
    // The per-second series split the errors by class: every 404 is a 4xx, in some second.
    const fields = s.snapshot.series.fields;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assertEquals(sum(fields.errors4xx), counted404, "the series' 4xx are the summary's 404s");
    assertEquals(sum(fields.errors5xx), 0, "the origin served no 5xx");
    assert(sum(fields.errors) >= sum(fields.errors4xx), "4xx are some of the errors");
    assertEquals(s.thresholds, [{
      threshold: "error_rate<1%",
      figure: "error_rate",
      actual: s.traffic.errorRate,
      passed: false,
    }]);
  } finally {
    await Deno.remove(json).catch(() => {});
    await origin.close();
  }
});
