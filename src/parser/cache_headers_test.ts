import { assertEquals } from "../testing/assert.ts";
import { CacheHeaders, edgeName, normaliseCacheStatus } from "./cache_headers.ts";
import { parsersFor } from "./parsers_for.ts";
import { StderrParser } from "./stderr_events.ts";

Deno.test("cache statuses of nginx, Varnish/Fastly, Cloudflare, CloudFront and Squid normalise", () => {
  const table: [string, string][] = [
    ["HIT", "hit"],
    ["hit", "hit"],
    ["MISS", "miss"],
    ["EXPIRED", "stale"],
    ["STALE", "stale"],
    ["UPDATING", "stale"],
    ["REVALIDATED", "stale"],
    ["BYPASS", "pass"],
    ["PASS", "pass"],
    ["DYNAMIC", "pass"],
    ["Hit from cloudfront", "hit"],
    ["RefreshHit from cloudfront", "stale"],
    ["Miss from cloudfront", "miss"],
    ["Error from cloudfront", "unknown"],
    ["TCP_MEM_HIT", "hit"],
    ["TCP_REFRESH_HIT", "stale"],
    ["TCP_MISS", "miss"],
    // A chain: every hop appends, so the last entry is the edge nearest the viewer.
    ["HIT, MISS", "miss"],
    ["MISS, HIT", "hit"],
    ["", "unknown"],
    ["NONSENSE", "unknown"],
  ];
  for (const [value, want] of table) {
    assertEquals([value, normaliseCacheStatus(value)], [value, want]);
  }
});

Deno.test("edge names: the last hop, CF-RAY's colo, Via's received-by, bounded and label-safe", () => {
  assertEquals(edgeName("cache-sea1927-SEA, cache-ams4133-AMS", false, false), "cache-ams4133-AMS");
  assertEquals(edgeName("8a1b2c3d4e5f6789-FRA", true, false), "FRA");
  assertEquals(
    edgeName("1.1 varnish, 1.1 a1b2.cloudfront.net (CloudFront)", false, true),
    "a1b2.cloudfront.net",
  );
  assertEquals(edgeName('evil"} 1\nx{a="', false, false), "evil___1_x_a__");
  assertEquals(edgeName("x".repeat(500), false, false)?.length, 64);
  assertEquals(edgeName("other", false, false), "other_");
  assertEquals(edgeName("  ", false, false), null);
});

Deno.test("a configured header wins over the known ones; Age must be a whole number", () => {
  const h = new CacheHeaders({ cacheHeader: "X-My-Cache", edgeHeader: "X-Pop" });
  h.begin("0x1", 7);
  for (
    const m of [
      "header='X-Cache: MISS'",
      "header='x-my-cache: HIT'",
      "header='Via: 1.1 proxy-b'",
      "header='X-Pop: pop-7'",
      "header='Age: 12'",
      "header='Server: nginx'",
    ]
  ) h.header("0x1", m);
  assertEquals(h.take("0x1"), { status: "hit", ageS: 12, edge: "pop-7", ttfbMs: 7 });
  h.begin("0x1", 1);
  h.header("0x1", "header='Age: -3'");
  h.header("0x1", "header='X-Amz-Cf-Pop: FRA56-P1'");
  assertEquals(h.take("0x1"), { status: null, ageS: null, edge: "FRA56-P1", ttfbMs: 1 });
  h.begin("0x1", 1);
  h.header("0x1", "header='Server: nginx'");
  assertEquals(h.take("0x1"), null); // no CDN header: nothing to say
});

Deno.test("the parser gives one cache event per response, when its headers end (5.1 order)", () => {
  const p = new StderrParser();
  const lines = [
    "[http @ 0x1] [debug] request: GET /seg1.ts HTTP/1.1",
    "[http @ 0x1] [trace] header='HTTP/1.1 200 OK'",
    "[http @ 0x1] [trace] http_code=200",
    "[http @ 0x1] [trace] header='Content-Length: 1000'",
    "[http @ 0x1] [trace] header='X-Cache: HIT'",
    "[http @ 0x1] [trace] header='Age: 4'",
    "[http @ 0x1] [trace] header='X-Served-By: edge-a'",
    "[http @ 0x1] [trace] header=''",
    "[http @ 0x1] [debug] request: GET /seg2.ts HTTP/1.1",
    "[http @ 0x1] [trace] http_code=404",
    "[http @ 0x1] [trace] header='X-Cache-Status: MISS'",
    "[http @ 0x1] [trace] header=''",
    "[http @ 0x1] [debug] request: GET /seg3.ts HTTP/1.1",
    "[http @ 0x1] [trace] http_code=200",
    "[http @ 0x1] [trace] header='Server: nginx'",
    "[http @ 0x1] [trace] header=''",
  ];
  const events = lines.flatMap((l, i) => p.push(l, i * 10)).filter((e) => e.type === "cache");
  assertEquals(events, [
    {
      type: "cache",
      req: 1,
      kind: "segment",
      status: 200,
      ttfbMs: 20,
      cache: "hit",
      ageS: 4,
      edge: "edge-a",
    },
    {
      type: "cache",
      req: 2,
      kind: "segment",
      status: 404,
      ttfbMs: 10,
      cache: "miss",
      ageS: null,
      edge: null,
    },
  ]);
});

Deno.test("parsersFor gives each client's stderr parser the run's --cache-header and --edge-header", () => {
  const p = parsersFor({ cacheHeader: "X-My-Cache", edgeHeader: "X-Pop" }).stderr();
  const events = [
    "[http @ 0x1] [debug] request: GET /seg1.ts HTTP/1.1",
    "[http @ 0x1] [trace] http_code=200",
    "[http @ 0x1] [trace] header='X-My-Cache: BYPASS'",
    "[http @ 0x1] [trace] header='X-Pop: pop-9'",
    "[http @ 0x1] [trace] header=''",
  ].flatMap((l, i) => p.push(l, i));
  assertEquals(
    events.filter((e) => e.type === "cache").map((e) => e.type === "cache" && [e.cache, e.edge]),
    [["pass", "pop-9"]],
  );
});
