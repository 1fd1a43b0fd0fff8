/**
 * No FFmpeg outlives hls-swarm: not after SIGTERM (graceful path), not after SIGKILL (the
 * parent-death signal set by setpriv).
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import {
  ffmpegPids,
  finishSwarm,
  spawnSwarm,
  uniqueAgent,
  waitFor,
  waitForClients,
} from "./helpers.ts";

/** SIGTERM's bit in /proc/PID/status SigIgn. */
const SIGTERM_BIT = 1n << 14n;

/**
 * Waits until the `count` stand-ins of `agent` ignore SIGTERM: a stand-in that has started but not
 * yet run its `trap` would die of the first signal, and the test would race bash's start-up.
 */
function ignoringTerm(agent: string, count: number): Promise<void> {
  return waitFor(
    async () => {
      const pids = await ffmpegPids(agent, true);
      const ignoring = await Promise.all(pids.map(async (pid) => {
        const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
        const mask = /^SigIgn:\s*([0-9a-f]+)$/m.exec(status)?.[1];
        return mask !== undefined && (BigInt(`0x${mask}`) & SIGTERM_BIT) !== 0n;
      }));
      return ignoring.length === count && ignoring.every(Boolean);
    },
    10_000,
    `${count} stand-ins ignoring SIGTERM`,
  );
}

Deno.test("shutdown leaves no FFmpeg behind", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  /** Starts hls-swarm with `clients` clients and waits until they all run. */
  const running = async (name: string, clients: number, extra: string[] = []) => {
    const agent = uniqueAgent(name);
    const child = spawnSwarm([
      `--clients=${clients}`,
      "--ramp-rate=20",
      "--metrics=off",
      `--user-agent=${agent}`,
      ...extra,
      origin.url,
    ]);
    await waitForClients(agent, clients);
    return { agent, child };
  };
  try {
    await t.step("SIGTERM: graceful stop, summary printed, exit 0, no FFmpeg", async () => {
      const { agent, child } = await running("sigterm", 4);
      child.kill("SIGTERM");
      const run = await finishSwarm(child);
      assertEquals(run.code, 0, run.stderr);
      assertStringIncludes(run.stdout, "stopped by SIGTERM");
      assertEquals(await ffmpegPids(agent), []);
    });

    await t.step("SIGKILL of hls-swarm: no FFmpeg remains 2 s later", async () => {
      const { agent, child } = await running("sigkill", 4);
      child.kill("SIGKILL");
      await child.output();
      await new Promise((r) => setTimeout(r, 2000));
      assertEquals(await ffmpegPids(agent), []);
    });

    const stubborn = new URL("./fixtures/stubborn-ffmpeg.sh", import.meta.url).pathname;

    await t.step("an FFmpeg that ignores SIGTERM is killed after the grace period", async () => {
      const { agent, child } = await running("grace", 2, [
        "--shutdown-grace=1s",
        `--ffmpeg=${stubborn}`,
      ]);
      await ignoringTerm(agent, 2);
      child.kill("SIGTERM");
      const run = await finishSwarm(child);
      assertEquals(run.code, 0, run.stderr);
      assert(
        /137 {2}killed by hls-swarm \(SIGKILL after grace period\) +2/.test(run.stdout),
        run.stdout,
      );
      assertEquals(await ffmpegPids(agent), []);
    });

    await t.step("a second SIGINT forces SIGKILL without waiting out the grace", async () => {
      const { agent, child } = await running("sigint2", 2, [
        "--shutdown-grace=60s",
        `--ffmpeg=${stubborn}`,
      ]);
      await ignoringTerm(agent, 2);
      child.kill("SIGINT");
      // Two signals sent together coalesce into one; give the first its turn.
      await new Promise((r) => setTimeout(r, 500));
      assertEquals(
        (await ffmpegPids(agent, true)).length,
        2,
        "SIGTERM is ignored by this stand-in",
      );
      child.kill("SIGINT");
      const run = await finishSwarm(child);
      assertEquals(run.code, 0, run.stderr);
      assert(run.logs.some((l) => l.msg === "shutdown_forced"), run.stderr);
      assertEquals(await ffmpegPids(agent), []);
    });
  } finally {
    await origin.close();
  }
});
