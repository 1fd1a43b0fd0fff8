/**
 * `--request-log`: one NDJSON line per request the summary counts, written by every worker of
 * the process into one file, with statuses and bytes that add up to the summary's.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RequestRecord } from "../src/client/request_log.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { runSwarm, uniqueAgent } from "./helpers.ts";

Deno.test("the request log has one line per counted request, and adds up to the summary", async () => {
  // 30 % of segments fail: even a run slowed by a busy machine (20 segment requests) meets some.
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, failRate: 0.3 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-reqlog-" });
  try {
    const log = `${dir}/requests.ndjson`, json = `${dir}/summary.json`;
    const agent = uniqueAgent("reqlog");
    const run = await runSwarm([
      "--clients=4",
      "--ramp-rate=4",
      "--duration=16s",
      "--workers=2",
      "--metrics=off",
      `--user-agent=${agent}`,
      `--request-log=${log}`,
      `--summary-json=${json}`,
      `${origin.url}?session=abc123secret`,
    ]);
    assertEquals(run.code, 0, run.stderr.slice(-1500));
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    const lines = (await Deno.readTextFile(log)).split("\n").filter(Boolean);
    console.log(lines.slice(0, 5).join("\n"));
    const records: RequestRecord[] = lines.map((l) => JSON.parse(l));
    assertEquals(records.length, s.traffic.totalRequests);
    assertEquals(new Set(records.map((r) => r.client)), new Set([0, 1, 2, 3]));
    const byStatus = new Map<number, number>();
    for (const r of records) {
      if (r.status !== null) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    }
    assertEquals(
      [...byStatus].sort(([a], [b]) => a - b).map(([status, count]) => ({ status, count })),
      s.traffic.statuses,
    );
    // Every 404 the origin served this run's clients is in the log, no more.
    const served404 = (await Deno.readTextFile(origin.accessLogPath)).split("\n")
      .filter((l) => l.includes(agent) && / 404 /.test(l)).length;
    assert(served404 > 0, "the origin injected 404s");
    assertEquals(byStatus.get(404) ?? 0, served404, "the injected 404s are in the log");
    assertEquals(records.reduce((n, r) => n + (r.bytes ?? 0), 0), s.traffic.totalBytes);
    const segment = records.find((r) =>
      r.kind === "segment" && r.status! >= 200 && r.status! < 300
    )!;
    assert(segment.ttfb_ms !== null && segment.ttfb_ms >= 0, JSON.stringify(segment));
    assert(records.some((r) => r.download_ms_inferred !== null), "some inferred download times");
    // The signed query of the playlist never reaches the file.
    assert(records.some((r) => r.url.endsWith(".m3u8?<redacted>")), lines[0]);
    assert(!lines.join("").includes("abc123secret"));
    assert(records.every((r) => !Number.isNaN(Date.parse(r.time))));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await origin.close();
  }
});
