import { assertEquals } from "../testing/assert.ts";
import { CdnStats, TOP_EDGES } from "../stats/cdn.ts";
import { cdnFamilies } from "./cdn.ts";
import { exposition } from "./exposition.ts";

Deno.test("/metrics: CDN families by kind and cache, edges bounded to the top 20 plus other", () => {
  assertEquals(cdnFamilies(new CdnStats().toWire()), []); // a bare origin: nothing new
  const cdn = new CdnStats();
  let req = 0;
  // 30 edges; edge-i serves i + 1 responses, so the top 20 are edge-10 .. edge-29.
  for (let i = 0; i < 30; i++) {
    for (let n = 0; n <= i; n++) {
      cdn.record(0, {
        type: "cache",
        req: ++req,
        kind: n % 2 ? "manifest" : "segment",
        status: 206,
        ttfbMs: n % 3 ? 2 : 40,
        cache: n % 3 ? "hit" : "miss",
        ageS: n,
        edge: `edge-${i}`,
      });
    }
  }
  const text = exposition(cdnFamilies(cdn.toWire()));
  const edges = new Set([...text.matchAll(/edge="([^"]+)"/g)].map((m) => m[1]));
  console.log(`${edges.size} edge label values; ${text.split("\n").length} lines`);
  assertEquals(edges.size, TOP_EDGES + 1);
  assertEquals(edges.has("other") && edges.has("edge-29") && !edges.has("edge-9"), true);
  // edge-0 .. edge-9 serve 1 + … + 10 = 55 responses, 19 of them misses (n = 0, 3, 6, 9).
  const other = (cache: string) =>
    Number(
      new RegExp(`hlsswarm_cdn_edge_responses_total\\{edge="other",cache="${cache}"\\} (\\d+)`)
        .exec(text)?.[1],
    );
  assertEquals(other("hit") + other("miss"), 55);
  assertEquals(
    /hlsswarm_cdn_ttfb_seconds_count\{kind="segment",cache="hit"\} \d+/.test(text),
    true,
  );
  assertEquals(/hlsswarm_cdn_segment_age_seconds_bucket\{le="1"\}/.test(text), true);
});
