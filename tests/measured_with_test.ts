/**
 * Issue 24, "the summary says how it was measured": the line reader and the worker threads are in
 * the JSON, the text header, `hlsswarm_info`, and survive `merge`, where shards that read their
 * FFmpeg output differently are listed with their readers instead of passing for one kind.
 */
import { type ScrapeInput, swarmFamilies } from "../src/metrics/families.ts";
import { fleetView, lineHealth } from "../src/fleet/view.ts";
import { PartitionStats } from "../src/stats/partition_stats.ts";
import { formatSummary } from "../src/report/summary_text.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { FIXTURES, type Json, loadFixture, mergeInProcess, setPath } from "./merge_inputs.ts";
import { exposition } from "../src/metrics/exposition.ts";

const dir = Deno.makeTempDirSync({ prefix: "hls-swarm-measured-with-" });

/** Merges the two fixture shards with these readers and worker counts; returns the JSON fleet. */
async function mergeShards(
  readers: (string | undefined)[],
  workers: (number | undefined)[],
): Promise<{ code: number; stderr: string; fleet: { run: Record<string, Json> } | null }> {
  const files = [FIXTURES.shard0, FIXTURES.shard1].map((path, i) => {
    const doc = loadFixture(path);
    setPath(doc, "run.lineReader", readers[i]);
    setPath(doc, "run.workers", workers[i]);
    const file = `${dir}/shard-${i}.json`;
    Deno.writeTextFileSync(file, JSON.stringify(doc));
    return file;
  });
  const json = `${dir}/fleet.json`;
  try {
    Deno.removeSync(json);
  } catch {
    // Not written yet.
  }
  const run = await mergeInProcess([...files, "--summary-json", json]);
  return {
    code: run.code,
    stderr: run.stderr,
    fleet: run.code === 0 || run.code === 99 ? JSON.parse(Deno.readTextFileSync(json)) : null,
  };
}

Deno.test("merge: one reader stays one reader; workers add up over the shards", async () => {
  const { code, stderr, fleet } = await mergeShards(["native", "native"], [2, 1]);
  assert(code === 0 || code === 99, stderr);
  console.log(`  lineReader=${fleet!.run.lineReader} workers=${fleet!.run.workers}`);
  assertEquals(fleet!.run.lineReader, "native");
  assertEquals(fleet!.run.workers, 3);
});

Deno.test("merge: mixed readers across shards are listed with their shards, not hidden", async () => {
  const { code, stderr, fleet } = await mergeShards(["native", "deno"], [1, 0]);
  assert(code === 0 || code === 99, stderr);
  console.log(`  lineReader=${fleet!.run.lineReader}`);
  assertEquals(fleet!.run.lineReader, "mixed: deno (shard 1); native (shard 0)");
  const text = formatSummary(fleet as never, []);
  const line = text.split("\n").find((l) => l.includes("Measured with:"))!;
  console.log(`  ${line.trim()}`);
  assertStringIncludes(line, "mixed: deno (shard 1); native (shard 0), 1 worker thread");
});

Deno.test("merge: summaries from before the field read as unknown; a forged reader is refused", async () => {
  const old = await mergeShards([undefined, undefined], [undefined, undefined]);
  assert(old.code === 0 || old.code === 99, old.stderr);
  assertEquals(old.fleet!.run.lineReader, "unknown");
  const forged = await mergeShards(["native", "\u001b[2Jevil"], [1, 1]);
  assertEquals(forged.code, 2);
  console.log(`  ${forged.stderr.trim()}`);
  assertStringIncludes(forged.stderr, "run.lineReader: expected native or deno");
});

Deno.test("text header: hls-swarm's version, the reader, workers, FFmpeg's version and flags", () => {
  const doc = loadFixture(FIXTURES.shard0);
  setPath(doc, "run.lineReader", "deno");
  setPath(doc, "run.workers", 0);
  setPath(doc, "run.ffmpeg.segMaxRetry", true);
  setPath(doc, "run.ffmpeg.datetimeLogFlag", false);
  setPath(doc, "run.ffmpeg.reconnectOnNetworkError", true);
  const run = doc.run as { hlsSwarmVersion: string; ffmpeg: { version: string } };
  const lines = formatSummary(doc as never, []).split("\n");
  const measured = lines.find((l) => l.includes("Measured with:"))!;
  const ffmpeg = lines.find((l) => l.trimStart().startsWith("FFmpeg:"))!;
  console.log(`  ${measured.trim()}\n  ${ffmpeg.trim()}`);
  assertStringIncludes(
    measured,
    `hls-swarm ${run.hlsSwarmVersion}, Deno pipes (no fan-in), main thread`,
  );
  assertStringIncludes(
    ffmpeg,
    `${run.ffmpeg.version} (seg_max_retry, reconnect_on_network_error)`,
  );
});

Deno.test("hlsswarm_info carries the line reader as one label", () => {
  const snapshot = new PartitionStats({
    targetClients: 1,
    targetDurationMs: 2000,
    dropThreshold: 0.01,
  })
    .snapshot(0);
  const input: ScrapeInput = {
    snapshot,
    view: fleetView(snapshot),
    lines: lineHealth(snapshot, 0.01),
    clients: null,
    origin: null,
    loadbox: null,
  };
  const text = exposition(
    swarmFamilies({
      version: "0.0.0-test",
      ffmpegVersion: "7.1.5",
      denoVersion: Deno.version.deno,
      streamUrl: "http://127.0.0.1/stream.m3u8",
      variant: "all",
      lineReader: "native",
      targetDurationMs: 2000,
      startedAt: 0,
    }, input),
    { run_id: "r1" },
  );
  const info = text.split("\n").find((l) => l.startsWith("hlsswarm_info{"))!;
  console.log(`  ${info}`);
  assertStringIncludes(info, 'line_reader="native"');
});
