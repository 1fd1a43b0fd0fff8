import { assertEquals } from "../testing/assert.ts";
import { Matcher, viewerOf } from "./match.ts";
import type { CdnRecord } from "./record.ts";
import { buildReport } from "./report.ts";
import type { SwarmRequest } from "./swarm_log.ts";

const T0 = Date.parse("2026-12-07T19:00:00Z");

function req(client: number, path: string, at: number, extra: Partial<SwarmRequest> = {}) {
  const kind = path.endsWith(".m3u8") ? "manifest" : "segment";
  return { time: T0 + at, client, kind, path, status: 200, event: null, cache: null, ...extra };
}

function line(client: number, path: string, at: number, extra: Partial<CdnRecord> = {}) {
  return {
    time: T0 + at,
    precise: true,
    path,
    status: 200,
    bytes: 1,
    userAgent: `hls-swarm/0.1.0/client-${client}`,
    sid: null,
    cache: "hit" as const,
    edge: null,
    ...extra,
  };
}

function report(swarm: SwarmRequest[], cdn: CdnRecord[], tolerance = 0) {
  const m = new Matcher(swarm, 2000);
  for (const c of cdn) m.add(c, "edge.log");
  const { outcomes, skew } = m.finish();
  return buildReport({
    outcomes,
    skew,
    ignored: m.ignored,
    run: m.run,
    windowMs: 2000,
    tolerance,
    examples: 5,
    edges: ["edge.log"],
  });
}

Deno.test("a CDN clock 3.5 s ahead: the skew is found from the segments, then repeated manifests pair in order", () => {
  const swarm: SwarmRequest[] = [], cdn: CdnRecord[] = [];
  for (let i = 0; i < 10; i++) {
    for (const c of [0, 1]) {
      swarm.push(req(c, "/stream.m3u8", i * 2000 + c * 10));
      swarm.push(req(c, `/seg${i}.ts`, i * 2000 + c * 10 + 5));
      cdn.push(line(c, "/stream.m3u8", 3500 + i * 2000 + c * 10 + 1));
      cdn.push(line(c, `/seg${i}.ts`, 3500 + i * 2000 + c * 10 + 7));
    }
  }
  const r = report(swarm, cdn);
  assertEquals(r.skew, { ms: 3502, samples: 20 });
  assertEquals([r.total.counted, r.total.logged, r.total.matched, r.mismatches], [40, 40, 40, 0]);
  assertEquals(r.byKind.manifest.matched, 20);
  assertEquals(r.ok, true);
});

Deno.test("in flight at the ends is explained; a line from another hour is outside the run; the rest are mismatches", () => {
  const swarm = [
    req(0, "/a.ts", 0),
    req(0, "/b.ts", 10_000),
    req(0, "/c.ts", 20_000),
    req(0, "/d.ts", 30_000),
    req(0, "/e.ts", 29_500, { status: null, event: "stopped" }), // the stop cut it
    req(0, "/lost.ts", 15_000), // the CDN lost its line
  ];
  const cdn = [
    line(0, "/a.ts", 0),
    line(0, "/b.ts", 10_000),
    line(0, "/c.ts", 20_000),
    line(0, "/d.ts", 30_000),
    line(0, "/z.ts", 30_800), // sent as hls-swarm stopped: no request line was read
    line(0, "/old.ts", -3_600_000), // yesterday's run, same client id
    line(0, "/ghost.ts", 12_000), // only the CDN has it
    line(9, "/a.ts", 0), // a viewer not in the request logs
    { ...line(0, "/a.ts", 0), userAgent: "curl/8" }, // not a viewer
  ];
  const r = report(swarm, cdn);
  assertEquals(
    [r.total.matched, r.total.onlySwarm, r.total.onlyCdn, r.total.explained],
    [4, 1, 1, 2],
  );
  assertEquals(r.ignored, { notViewer: 1, otherViewers: 1, outsideRun: 1 });
  assertEquals(r.examples.map((e) => `${e.type} ${e.path}`), [
    "only_cdn /ghost.ts",
    "only_swarm /lost.ts",
  ]);
  assertEquals(r.ok, false);
  assertEquals(report(swarm, cdn, 2).ok, true, "a tolerance of 2 passes");
});

Deno.test("a request the edge refused (444) long before the stop is a status difference; a CMCD sid names the viewer", () => {
  const swarm = [
    req(3, "/a.ts", 0),
    req(3, "/b.ts", 2_000, { status: null, event: "stopped" }),
    req(3, "/c.ts", 10_000, { status: 404 }),
    req(3, "/d.ts", 20_000),
  ];
  const cdn = [
    line(3, "/a.ts", 0),
    line(3, "/b.ts", 2_000, { status: 444, cache: null }),
    line(3, "/c.ts", 10_000, { status: 404, cache: "miss" }),
    line(3, "/d.ts", 20_000, { userAgent: "Mozilla/5.0", sid: "run1-3" }),
  ];
  const r = report(swarm, cdn);
  assertEquals([r.total.matched, r.total.statusDiffers, r.mismatches], [4, 1, 1]);
  assertEquals(r.examples[0].type, "status_differs");
  assertEquals([r.examples[0].swarmStatus, r.examples[0].cdnStatus], [null, 444]);
  assertEquals(r.edges["edge.log"], {
    lines: 4,
    hit: 2,
    miss: 1,
    expired: 0,
    pass: 0,
    error: 0,
    unknown: 0,
    hitRatio: 2 / 3,
  });
  assertEquals(viewerOf({ sid: "abc-12", userAgent: "x/client-1" }), 12);
  assertEquals(viewerOf({ sid: null, userAgent: "x/client-1 extra" }), null);
});
