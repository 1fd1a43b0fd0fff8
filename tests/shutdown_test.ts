/**
 * No FFmpeg outlives hls-swarm: not after SIGTERM (graceful path), not after SIGKILL (the
 * parent-death signal set by the native fan-in, or by setpriv for Deno's own pipe reader), and
 * not after the fan-in itself is killed.
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

/** The pids of `parent`'s children whose command name is `name`. */
async function childrenNamed(parent: number, name: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === parent && stat.includes(`(${name})`)) pids.push(Number(e.name));
  }
  return pids;
}

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

    for (const reader of ["native", "deno"]) {
      await t.step(
        `SIGKILL of hls-swarm (${reader} reader): no FFmpeg remains 2 s later`,
        async () => {
          const { agent, child } = await running(`sigkill-${reader}`, 4, [
            `--line-reader=${reader}`,
          ]);
          child.kill("SIGKILL");
          await child.output();
          await new Promise((r) => setTimeout(r, 2000));
          assertEquals(await ffmpegPids(agent), []);
        },
      );
    }

    await t.step(
      "the fan-in SIGKILLed: its clients die with it, and a new one restarts them",
      async () => {
        const { agent, child } = await running("fanin-kill", 2, ["--line-reader=native"]);
        // Media first, so the run has something to show (exit 0, not "no client received media").
        const settle = () => new Promise((r) => setTimeout(r, 3000));
        await settle();
        const before = await ffmpegPids(agent);
        const helpers = await childrenNamed(child.pid, "hls-swarm-fanin");
        assertEquals(helpers.length, 1);
        Deno.kill(helpers[0], "SIGKILL");
        await waitFor(
          async () => {
            const now = await ffmpegPids(agent);
            return now.length === 2 && now.every((pid) => !before.includes(pid));
          },
          20_000,
          "2 new FFmpegs under a new fan-in",
        );
        assertEquals((await childrenNamed(child.pid, "hls-swarm-fanin")).length, 1);
        await settle();
        child.kill("SIGTERM");
        const run = await finishSwarm(child);
        assertEquals(run.code, 0, run.stderr);
        assert(run.logs.some((l) => l.msg === "fanin_restarted"), run.stderr);
        assertEquals(await ffmpegPids(agent), []);
      },
    );

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
