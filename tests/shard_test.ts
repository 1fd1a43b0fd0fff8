/**
 * A run split into shards: each shard runs its share of the client ids at its share of the ramp
 * rate, they start together at --start-at, print their summaries as a last stdout line, and
 * `hls-swarm merge` adds them up exactly. Late, missing and bad shards get their own exit codes.
 */
import { DEFAULT_ORIGIN_OPTIONS, parseAccessLogLine, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { decodeSummaryLine } from "../src/report/summary_line.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { finishSwarm, runSwarm, spawnSwarm, uniqueAgent } from "./helpers.ts";

const CLIENTS = 6;

Deno.test("two shards start together, cover every client id once, and merge exactly", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-shards-" });
  const agent = uniqueAgent("shards");
  const runId = `shard-test-${crypto.randomUUID().slice(0, 8)}`;
  try {
    // Far enough ahead that both shards finish preflight first.
    const startAt = new Date(Date.now() + 8000).toISOString();
    const shards = [0, 1].map((i) =>
      spawnSwarm([
        `--clients=${CLIENTS}`,
        "--ramp-rate=6",
        "--duration=15s",
        `--shard=${i}/2`,
        `--start-at=${startAt}`,
        `--run-id=${runId}`,
        "--summary-line",
        "--metrics=off",
        `--user-agent=${agent}`,
        origin.url,
      ])
    );
    const runs = await Promise.all(shards.map(finishSwarm));
    const logs: string[] = [];
    for (const [i, run] of runs.entries()) {
      assertEquals(run.code, 0, run.stderr.slice(-2000));
      const last = run.stdout.trimEnd().split("\n").at(-1)!;
      assert(last.startsWith("HLS_SWARM_SUMMARY "), last.slice(0, 80));
      logs.push(`${dir}/shard-${i}.log`);
      // As `kubectl logs` gives it: the JSON log records of stderr, then stdout.
      await Deno.writeTextFile(logs[i], run.stderr + run.stdout);
    }

    await t.step("merge adds the shards up, and agrees with the origin's log", async () => {
      const json = `${dir}/fleet.json`;
      const merged = await runSwarm(["merge", ...logs, `--summary-json=${json}`]);
      assertEquals(merged.code, 0, merged.stderr);
      assertStringIncludes(merged.stdout, "Shards merged:          2 of 2");
      const fleet: RunSummary = JSON.parse(await Deno.readTextFile(json));
      const parts = await Promise.all(
        logs.map(async (f) => {
          const text = await Deno.readTextFile(f);
          return JSON.parse(decodeSummaryLine(text)!) as RunSummary;
        }),
      );
      assertEquals(fleet.runId, runId);
      assertEquals(fleet.clients.started, CLIENTS);
      assertEquals(
        fleet.traffic.totalRequests,
        parts[0].traffic.totalRequests + parts[1].traffic.totalRequests,
      );
      // Every client id 0..C-1 reached the origin, each from exactly one shard.
      const served = (await Deno.readTextFile(origin.accessLogPath)).split("\n")
        .map(parseAccessLogLine)
        .filter((e) => e?.userAgent.startsWith(`${agent}/client-`));
      const ids = new Set(served.map((e) => Number(e!.userAgent.split("/client-")[1])));
      assertEquals([...ids].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
      assertEquals(parts.map((p) => [p.shard?.firstClient, p.shard?.clients]), [[0, 3], [3, 3]]);
      assertEquals(fleet.traffic.totalRequests, served.length);
      // The shards started within 100 ms of --start-at.
      for (const p of parts) {
        assert(Math.abs(p.shard!.startOffsetMs!) < 100, `offset ${p.shard!.startOffsetMs} ms`);
      }
    });

    await t.step("a missing shard is listed and fails the merge, unless allowed", async () => {
      const missing = await runSwarm(["merge", logs[0]]);
      assertEquals(missing.code, 5, missing.stderr);
      assertStringIncludes(missing.stderr, "shards missing: [1], failed: [] of 2");
      assertStringIncludes(missing.stdout, "Missing shards:         1");
      const allowed = await runSwarm(["merge", "--allow-missing-shards", logs[0]]);
      assertEquals(allowed.code, 0, allowed.stderr);
    });

    await t.step(
      "inputs that do not belong together are refused with a clear message",
      async () => {
        await Deno.writeTextFile(`${dir}/garbage.txt`, "not a summary\n");
        const garbage = await runSwarm(["merge", logs[0], `${dir}/garbage.txt`]);
        assertEquals(garbage.code, 2);
        assertStringIncludes(
          garbage.stderr,
          "garbage.txt: neither a JSON summary nor a log with an HLS_SWARM_SUMMARY line",
        );
        // The summary line may be gzip+base64 (a large summary): decode it, change its run id,
        // and hand merge the other run's shard as JSON.
        const other = JSON.parse(decodeSummaryLine(await Deno.readTextFile(logs[1]))!);
        await Deno.writeTextFile(
          `${dir}/other-run.json`,
          JSON.stringify({ ...other, runId: "another-run" }),
        );
        const mixed = await runSwarm(["merge", logs[0], `${dir}/other-run.json`]);
        assertEquals(mixed.code, 2);
        assertStringIncludes(mixed.stderr, `mixed run ids: ${logs[0]} has "${runId}"`);
        const twice = await runSwarm(["merge", logs[0], logs[0]]);
        assertEquals(twice.code, 2);
        assertStringIncludes(twice.stderr, "two summaries of shard 0");
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await origin.close();
  }
});

Deno.test("a shard that reaches --start-at too late exits 4 without starting a client", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  try {
    const run = await runSwarm([
      "--clients=2",
      "--shard=1/2",
      `--start-at=${new Date(Date.now() - 60_000).toISOString()}`,
      "--start-tolerance=5s",
      "--metrics=off",
      origin.url,
    ]);
    assertEquals(run.code, 4, run.stderr.slice(-2000));
    assertStringIncludes(run.stderr, "more than --start-tolerance 5000 ms allows");
    assert(!run.logs.some((l) => l.msg === "client_started"), "no client started");
  } finally {
    await origin.close();
  }
});
