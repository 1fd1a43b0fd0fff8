/**
 * One short real swarm, run twice against the same nginx: once through the native fan-in and
 * once through Deno's pipes (`--line-reader`). Above the transport the path of a line is one
 * (src/client/runner.ts), so both runs must count exactly the requests nginx logged for them,
 * parse every line they delivered, and lose none. What may differ, and must: the fan-in leaves
 * out the lines no parser reads (counted as filtered), Deno's pipes read them all.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { ffmpegPids, runSwarm, startNginx, tallyAccessLog, uniqueAgent } from "./helpers.ts";

const CLIENTS = 4;

Deno.test("native fan-in and Deno's pipes: the same swarm counts what nginx served, line for line", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const nginx = await startNginx(origin.dir);
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-readers-" });
  try {
    const seen: Record<string, { s: RunSummary; manifest: number; segment: number }> = {};
    for (const reader of ["native", "deno"] as const) {
      const agent = uniqueAgent(`reader-${reader}`);
      const json = `${dir}/${reader}.json`;
      const run = await runSwarm([
        `--clients=${CLIENTS}`,
        "--ramp-rate=10",
        "--duration=12s",
        "--metrics=off",
        `--line-reader=${reader}`,
        `--user-agent=${agent}`,
        `--summary-json=${json}`,
        nginx.url("/stream.m3u8"),
      ]);
      assertEquals(run.code, 0, run.stderr.slice(-2000));
      const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
      const served = tallyAccessLog(await nginx.accessLog(), `${agent}/client-`);
      seen[reader] = { s, ...served };
      const { manifest, segment } = s.traffic.requests;
      const l = s.lines;
      console.log(
        `${reader}: requests manifest ${manifest} segment ${segment}, nginx ${served.manifest} ` +
          `${served.segment}; lines read ${l.read} dropped ${l.dropped} filtered ` +
          `${l.filtered ?? 0}; stderr parsed ${l.byStream.stderr.parsed}, progress parsed ` +
          `${l.byStream.progress.parsed}`,
      );
      assertEquals(s.run.lineReader, reader);
      assertEquals(s.clients.receivedMedia, CLIENTS, reader);
      // Every request the clients made reached nginx's log, and none other.
      assert(served.segment > CLIENTS, `${reader}: nginx served ${served.segment} segments`);
      assertEquals([manifest, segment], [served.manifest, served.segment], reader);
      // One path above the transport: every line it delivered was parsed, none was lost.
      for (const stream of ["stderr", "progress"] as const) {
        const c = l.byStream[stream];
        assertEquals([c.dropped, c.parsed], [0, c.read], `${reader} ${stream}`);
      }
      assertEquals(await ffmpegPids(agent), []);
    }
    // The fan-in passes only the lines a parser reads; Deno's pipes read every line.
    assert((seen.native.s.lines.filtered ?? 0) > 0, "the fan-in filtered no line");
    assertEquals(seen.deno.s.lines.filtered ?? 0, 0);
    assert(seen.deno.s.lines.read > seen.native.s.lines.read, "Deno's pipes read every line");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await nginx.stop();
    await origin.close();
  }
});
