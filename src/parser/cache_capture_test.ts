/**
 * The CDN headers of real FFmpeg 5.1 and 7.1 runs through an nginx caching proxy (the "edge",
 * tools/ffmpeg-matrix/capture_cdn.sh), against the edge's own access log: the same cache status
 * for every request, in order, per kind.
 */
import { assertEquals } from "../testing/assert.ts";
import { captureLines, replayStderr } from "./capture_replay.ts";
import { classifyUrl } from "./url_kind.ts";

for (const version of ["5.1", "7.1"] as const) {
  Deno.test(`FFmpeg ${version} through a caching edge: X-Cache per request agrees with the edge's log`, async () => {
    const events = await replayStderr(version, "stderr_trace_cdn_edge.txt", { stopped: true });
    // `$request $status $bytes "$ua" $upstream_cache_status`
    const log = (await captureLines(version, "access_cdn_edge.txt")).map((l) => {
      const [, path, status, cache] = /^\S+ (\S+) \S+ (\d+) \d+ "[^"]*" (\S+)$/.exec(l)!;
      return `${classifyUrl(path)} ${status} ${cache.toLowerCase().replace("expired", "stale")}`;
    });
    const requests = events.filter((e) => e.type === "request").length;
    const cache = events.flatMap((e) =>
      e.type === "cache" ? [`${e.kind} ${e.status} ${e.cache}`] : []
    );
    const edges = new Set(events.flatMap((e) => (e.type === "cache" ? [e.edge] : [])));
    const tally = (xs: string[]) => {
      const t: Record<string, number> = {};
      for (const x of xs) t[x] = (t[x] ?? 0) + 1;
      return t;
    };
    console.log(`${version}: ${requests} requests, edge log ${log.length} lines`, tally(cache));
    // The edge logs a request once it answered it; FFmpeg logs the headers as they arrive. The
    // stop (SIGINT) may cut the last request before its headers came: at most one is missing.
    assertEquals(cache, log.slice(0, cache.length));
    assertEquals(
      log.length - cache.length <= 1,
      true,
      `${log.length} logged, ${cache.length} read`,
    );
    assertEquals(requests - cache.length <= 1, true, `${requests} requests, ${cache.length} read`);
    assertEquals([...edges], ["edge-a"]);
    // It has each kind of answer the test is about.
    for (const s of ["manifest 206 hit", "segment 206 hit", "manifest 206 stale"]) {
      assertEquals(cache.includes(s), true, s);
    }
  });
}
