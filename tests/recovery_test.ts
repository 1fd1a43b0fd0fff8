/**
 * An origin that goes away and comes back: clients exit, back off, and recover without help.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import {
  ffmpegPids,
  finishSwarm,
  spawnSwarm,
  startNginx,
  uniqueAgent,
  waitFor,
  waitForClients,
} from "./helpers.ts";

Deno.test("clients back off while the origin is down and recover when it returns", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const nginx = await startNginx(origin.dir);
  const agent = uniqueAgent("recovery");
  const child = spawnSwarm([
    "--clients=3",
    "--ramp-rate=10",
    "--timeout=2s",
    "--reconnect-delay=1",
    "--metrics=off",
    "--log-level=debug",
    `--user-agent=${agent}`,
    nginx.url("/stream.m3u8"),
  ]);
  try {
    await waitForClients(agent, 3);
    await nginx.stop();
    await new Promise((r) => setTimeout(r, 8000));
    const linesBefore = (await nginx.accessLog()).length;
    await nginx.start();
    // Every client fetches again after the origin is back.
    await waitFor(
      async () => {
        const fresh = (await nginx.accessLog()).slice(linesBefore);
        return [0, 1, 2].every((id) => fresh.some((l) => l.endsWith(`${agent}/client-${id}"`)));
      },
      30_000,
      "all 3 clients to fetch from the restarted origin",
    );
    child.kill("SIGTERM");
    const run = await finishSwarm(child);
    assertEquals(run.code, 0, run.stderr);
    const exits = run.logs.filter((l) => l.msg === "client_exited");
    assert(exits.length >= 3, `expected clients to exit while the origin was down:\n${run.stderr}`);
    // Their stderr explains why (the Go tool swallowed it).
    assert(exits.some((l) => Array.isArray(l.stderr_tail) && l.stderr_tail.length > 0));
    const scheduled = run.logs.filter((l) => l.msg === "client_restart_scheduled");
    assert(scheduled.length >= 3, "restarts were scheduled with backoff");
    const restarts = Number(/Restarts:\s+(\d+)/.exec(run.stdout)?.[1]);
    assert(restarts >= 3, run.stdout);
    assertEquals(await ffmpegPids(agent), []);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await nginx.stop();
    await origin.close();
  }
});
