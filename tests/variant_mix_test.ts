/**
 * `--variant-mix` against the ABR test origin (360p and 180p) behind nginx: 7 viewers asked for
 * 360p=60%, 180p=40% (4.2 and 2.8 viewers) get 4 and 3 by the largest remainder, and nginx's log
 * shows it: each viewer's segments, after FFmpeg's opening reads of every variant, are of its
 * rendition, and the split of those segment requests is within 1 viewer of the mix. The summary's
 * figures by rendition match nginx's log; a mix naming a rendition the master lacks is exit 2,
 * listing what the master has.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { groupFamilies } from "../src/metrics/groups.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import { runSwarm, startNginx, uniqueAgent } from "./helpers.ts";

/** Segment requests per viewer and rendition in nginx's log (`/360p/seg00001.ts`). */
function segmentsByViewer(lines: readonly string[], agent: string) {
  const viewers = new Map<number, string[]>();
  for (const line of lines) {
    const m = new RegExp(`^GET /(\\w+)/seg\\d+\\.ts .*"${agent}/client-(\\d+)"$`).exec(line);
    if (!m) continue;
    const id = Number(m[2]);
    viewers.set(id, [...(viewers.get(id) ?? []), m[1]]);
  }
  return viewers;
}

Deno.test("--variant-mix: nginx's log splits the segments by rendition as the mix asked", async (t) => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, abr: true });
  const nginx = await startNginx(origin.dir);
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-mix-" });
  const url = nginx.url("/master.m3u8");
  try {
    await t.step("7 viewers, 360p=60%,290k=40%: 4 and 3, within 1 viewer of the mix", async () => {
      const agent = uniqueAgent("mix");
      const json = `${dir}/mix.json`;
      const run = await runSwarm([
        "--clients=7",
        "--ramp-rate=14",
        "--duration=10s",
        "--metrics=off",
        `--user-agent=${agent}`,
        // By height and by bandwidth (the 180p variant's BANDWIDTH is 290400).
        "--variant-mix=360p=60%,290k=40%",
        `--summary-json=${json}`,
        url,
      ]);
      assertEquals(run.code, 0, run.stderr.slice(-1500));
      assertStringIncludes(run.stdout, "Rendition mix:");
      const viewers = segmentsByViewer(await nginx.accessLog(), agent);
      assertEquals(viewers.size, 7);
      // FFmpeg reads the first segments of every variant while it opens the master; after
      // those, a viewer fetches its own rendition's segments only.
      const steady = new Map<string, number>();
      const rendition = new Map<number, string>();
      for (const [id, segs] of viewers) {
        const after = segs.slice(4);
        assert(after.length > 0, `client ${id} fetched ${segs.length} segments`);
        assertEquals(new Set(after).size, 1, `client ${id}: ${after}`);
        rendition.set(id, after[0]);
        for (const r of after) steady.set(r, (steady.get(r) ?? 0) + 1);
      }
      const count = (r: string) => [...rendition.values()].filter((x) => x === r).length;
      const total = [...steady.values()].reduce((a, b) => a + b, 0);
      const share = (r: string) => (steady.get(r) ?? 0) / total;
      console.log(
        `viewers: 360p ${count("360p")}, 180p ${count("180p")}; steady segment requests: ` +
          `360p ${steady.get("360p")}, 180p ${steady.get("180p")} ` +
          `(${(share("360p") * 100).toFixed(1)} % / ${(share("180p") * 100).toFixed(1)} %; ` +
          "mix 60 / 40 %)",
      );
      assertEquals([count("360p"), count("180p")], [4, 3]);
      // Within 1 viewer (1/7 of the requests) of the mix asked.
      assert(Math.abs(share("360p") - 0.6) <= 1 / 7, `360p share ${share("360p")}`);
      // Interleaved by id: 360p, 180p, 360p, 180p, 360p, 180p, 360p.
      assertEquals([...rendition].sort(([a], [b]) => a - b).map(([, r]) => r), [
        "360p",
        "180p",
        "360p",
        "180p",
        "360p",
        "180p",
        "360p",
      ]);
      const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
      const by = Object.fromEntries((s.renditions ?? []).map((g) => [g.name, g]));
      assertEquals(by["360p"].viewers, 4);
      assertEquals(by["290k"].viewers, 3);
      // The swarm counts each viewer's segments, its opening reads included, under its
      // rendition; nginx's log, the same way (a request in flight at the stop may differ).
      const logged = (r: string) =>
        [...viewers].filter(([id]) => rendition.get(id) === r)
          .reduce((n, [, segs]) => n + segs.length, 0);
      for (const [label, r] of [["360p", "360p"], ["290k", "180p"]] as const) {
        const counted = by[label].requests.segment;
        console.log(`${label}: swarm ${counted} segment requests, nginx ${logged(r)}`);
        assert(Math.abs(counted - logged(r)) <= 4, `${label}: ${counted} vs ${logged(r)}`);
        assertEquals(by[label].experience.sessions.started, by[label].viewers);
      }
      assert(by["360p"].bytes > by["290k"].bytes, "the higher rendition moved more bytes");
      assertStringIncludes(s.run.config.variantMix ?? "", "360p → v0 640x360");
      assertStringIncludes(s.run.ffmpegArgv.join(" "), "-map 0:p:0");
      const families = groupFamilies(s.snapshot);
      const requests = families.find((f) => f.name === "hlsswarm_rendition_requests_total");
      assert(requests?.samples.some(([l]) => l.rendition === "290k" && l.kind === "segment"));
    });

    await t.step("a rendition the master lacks is exit 2, listing what it has", async () => {
      const run = await runSwarm(["--clients=2", "--variant-mix=1080p=50%,360p=50%", url]);
      assertEquals(run.code, 2, run.stderr.slice(-1500));
      assertStringIncludes(
        run.stderr,
        "variant-mix: no variant is 1080p; the master playlist has: v0 640x360 950 kbit/s, " +
          "v1 320x180 290 kbit/s",
      );
    });
  } finally {
    await nginx.stop();
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
