/**
 * A live stream that stops advancing (the encoder freezes): clients are seen to stall, and with
 * --restart-on-stall hls-swarm restarts them; when the stream resumes they play again.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert } from "../src/testing/assert.ts";
import { finishSwarm, spawnSwarm, uniqueAgent, waitForClients } from "./helpers.ts";

Deno.test("a frozen encoder stalls the clients; --restart-on-stall restarts them", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const json = await Deno.makeTempFile({ suffix: ".json" });
  const agent = uniqueAgent("stall");
  const child = spawnSwarm([
    "--clients=2",
    "--ramp-rate=10",
    "--metrics=off",
    "--target-duration=2s",
    "--restart-on-stall",
    `--user-agent=${agent}`,
    `--summary-json=${json}`,
    origin.url,
  ]);
  try {
    await waitForClients(agent, 2);
    await new Promise((r) => setTimeout(r, 6000));
    Deno.kill(-origin.generatorPid, "SIGSTOP"); // the playlist stops advancing
    await new Promise((r) => setTimeout(r, 14_000));
    Deno.kill(-origin.generatorPid, "SIGCONT");
    await new Promise((r) => setTimeout(r, 10_000));
    child.kill("SIGTERM");
    const run = await finishSwarm(child);
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    assert(
      s.traffic.playback.stallEpisodes >= 2,
      `stall episodes: ${s.traffic.playback.stallEpisodes}`,
    );
    assert(run.logs.some((l) => l.msg === "client_stalled_restart"), run.stderr.slice(-3000));
    assert(s.lifecycle.exits.some((e) => e.reason === "stalled"), JSON.stringify(s.lifecycle));
    assert(run.stdout.includes("restarted by hls-swarm (stalled)"), run.stdout);
    assert(s.lifecycle.restarts >= 2);
    assert(s.traffic.playback.stalled === 0, "playing again after the stream resumed");
  } finally {
    try {
      Deno.kill(-origin.generatorPid, "SIGCONT");
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await Deno.remove(json).catch(() => {});
    await origin.close();
  }
});
