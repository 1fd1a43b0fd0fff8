/**
 * Re-records the nginx samples of testdata/cdn-logs (`nginx-hls_swarm.log`, `nginx-combined.log`,
 * `cloudfront-nginx-layout.log`) from a real nginx caching edge (tests/cdn_edges.ts) in front of
 * the built-in origin: a readiness probe that is not a viewer, client-0 (misses), client-1 (hits,
 * the same segments), both with a CMCD-Session header, and client-3 refused with 444.
 * src/reconcile/formats_test.ts reads them; re-run this when the edge's log formats change.
 *
 * Usage: deno run -A tools/cdn-logs/capture.ts
 * @module
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../../src/test_origin/mod.ts";
import { startEdge } from "../../tests/cdn_edges.ts";
import { freePort } from "../../tests/helpers.ts";

const OUT = new URL("../../testdata/cdn-logs/", import.meta.url).pathname;

const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
const edge = await startEdge(
  "edge-a",
  "127.0.0.2",
  freePort(),
  new URL(origin.url).origin,
  "/client-3",
);
try {
  const get = async (path: string, id: number) => {
    const res = await fetch(edge.url(path), {
      headers: {
        "User-Agent": `hls-swarm-capture/client-${id}`,
        "CMCD-Session": `sid="run42-${id}"`,
      },
    }).catch(() => null);
    return res ? await res.text() : "";
  };
  // Two segments the live window holds now, the same for both viewers.
  const playlist = await get("/stream.m3u8", 0);
  const segments = playlist.split("\n").filter((l) => l.endsWith(".ts")).slice(-2);
  if (segments.length < 2) throw new Error(`the origin's playlist has no segments:\n${playlist}`);
  for (const s of segments) await get(`/${s}`, 0);
  await get("/stream.m3u8", 1);
  for (const s of segments) await get(`/${s}`, 1);
  await Deno.writeTextFile(edge.blockFile, "");
  await get(`/${segments[0]}`, 3);
  // nginx writes a line once its response is done: give the 444 a moment.
  await new Promise((r) => setTimeout(r, 200));
  for (const [from, to] of [
    ["access.log", "nginx-hls_swarm.log"],
    ["combined.log", "nginx-combined.log"],
    ["cloudfront.log", "cloudfront-nginx-layout.log"],
  ]) {
    await Deno.copyFile(`${edge.dir}/${from}`, OUT + to);
    console.log(`${OUT}${to}`);
  }
} finally {
  await edge.stop();
  await origin.close();
}
