/**
 * hls-swarm against a real nginx serving a live stream from the built-in generator: every
 * client runs, every client's User-Agent reaches the origin, and shutdown is clean.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { ffmpegPids, runSwarm, startNginx, uniqueAgent } from "./helpers.ts";

Deno.test("clients ramp, all run, each /client-N reaches nginx, shutdown is SIGTERM-clean", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const nginx = await startNginx(origin.dir);
  try {
    const url = nginx.url("/stream.m3u8");

    await t.step("flag spelling: --clients 10 --ramp-rate 10 --duration 8s", async () => {
      const agent = uniqueAgent("nginx");
      const run = await runSwarm([
        url, // flags may follow the URL
        "--clients",
        "10",
        "--ramp-rate",
        "10",
        "--duration",
        "8s",
        "--metrics",
        "off",
        "--user-agent",
        agent,
      ]);
      assertEquals(run.code, 0, run.stderr);
      assertStringIncludes(run.stdout, "Starts:                 10");
      assertStringIncludes(run.stdout, "Restarts:               0");
      assertStringIncludes(run.stdout, "Unexpected exits:       0");
      assertStringIncludes(run.stdout, "Peak running clients:   10");
      assertStringIncludes(run.stdout, "Clients with media:     10");
      // The lossy pipeline read every client's output and, at 10 clients, dropped nothing.
      const read = Number(/Lines read:\s+(\d+)/.exec(run.stdout)?.[1]);
      assert(read > 10 * 8 * 20, `expected trace-level stderr from every client, read ${read}`);
      assertStringIncludes(run.stdout, "Lines dropped:          0 (0.00 %)");
      // Every exit is hls-swarm's own SIGTERM: FFmpeg exits 255 on it; no 137.
      assert(/255 {2}stopped by hls-swarm \(SIGTERM\) +10/.test(run.stdout), run.stdout);
      assertEquals(run.stdout.includes("137"), false);

      const agents = new Set(
        (await nginx.accessLog())
          .map((l) => /"([^"]*)"$/.exec(l)?.[1] ?? "")
          .filter((ua) => ua.startsWith(`${agent}/client-`)),
      );
      assertEquals(
        [...agents].sort(),
        Array.from({ length: 10 }, (_, i) => `${agent}/client-${i}`).sort(),
      );
      assertEquals(await ffmpegPids(agent), []);
      const ramp = run.logs.find((l) => l.msg === "ramp_finished");
      assertEquals(ramp?.started, 10);
    });

    await t.step("Go spelling behaves the same: -clients 3 -duration 4s -tui=false", async () => {
      const agent = uniqueAgent("gospelling");
      const run = await runSwarm([
        "-clients",
        "3",
        "-ramp-rate",
        "10",
        "-duration",
        "4s",
        "-tui=false",
        "-metrics",
        "off",
        "-user-agent",
        agent,
        url,
      ]);
      assertEquals(run.code, 0, run.stderr);
      assertStringIncludes(run.stdout, "Starts:                 3");
      assert(/255 {2}stopped by hls-swarm \(SIGTERM\) +3/.test(run.stdout), run.stdout);
      const seen = (await nginx.accessLog()).filter((l) => l.includes(agent)).length;
      assert(seen >= 3, `expected requests from ${agent}, saw ${seen}`);
    });
  } finally {
    await nginx.stop();
    await origin.close();
  }
});
