import { assert, assertEquals } from "../testing/assert.ts";
import { detectFormat } from "./formats.ts";
import { readLineBatches } from "./lines.ts";
import type { CdnRecord, FormatName } from "./record.ts";
import { cacheStatus, cmcdSid } from "./record.ts";
import { timeLocal } from "./nginx.ts";

const DIR = new URL("../../testdata/cdn-logs/", import.meta.url).pathname;

/** Every record of a sample, with the format detected from its first line. */
async function sample(name: string): Promise<{ format: FormatName; records: CdnRecord[] }> {
  let format = null;
  const state = {}, records: CdnRecord[] = [];
  for await (const batch of readLineBatches(DIR + name)) {
    for (const line of batch) {
      format ??= detectFormat(line);
      assert(format, `${name}: format detected`);
      const r = format.parse(line, state);
      if (r) records.push(r);
    }
  }
  return { format: format!.name, records };
}

const brief = (r: CdnRecord) =>
  [r.path, r.status, r.userAgent?.split("/").pop(), r.sid, r.cache, r.edge].join(" ");

Deno.test("nginx hls_swarm format (captured): start to the ms, cache status, CMCD sid through \\x22", async () => {
  const { format, records } = await sample("nginx-hls_swarm.log");
  assertEquals(format, "nginx");
  assertEquals(records.map(brief), [
    "/nginx-ready-probe 404 2.9.6  miss ",
    "/stream.m3u8 200 client-0 run42-0 miss ",
    "/seg00000.ts 200 client-0 run42-0 miss ",
    "/seg00001.ts 200 client-0 run42-0 miss ",
    "/stream.m3u8 200 client-1 run42-1 miss ",
    "/seg00000.ts 200 client-1 run42-1 hit ",
    "/seg00001.ts 200 client-1 run42-1 hit ",
    // Refused without an answer; Deno's fetch retried the GET once on the closed connection.
    "/seg00000.ts 444 client-3 run42-3  ",
    "/seg00000.ts 444 client-3 run42-3  ",
  ]);
  // $msec 1796678092.680 less $request_time 0.001.
  assertEquals(records[3].time, 1796678092679);
  assert(records.every((r) => r.precise));
});

Deno.test("nginx combined (captured): the whole second of the end, no cache field", async () => {
  const { format, records } = await sample("nginx-combined.log");
  assertEquals(format, "nginx-combined");
  assertEquals(records.length, 9);
  assertEquals(records[1].time, Date.parse("2026-12-07T21:14:52Z"));
  assertEquals([records[1].cache, records[1].precise, records[2].bytes], [null, false, 245716]);
  assertEquals(timeLocal("10/Oct/2000:13:55:36 -0700"), Date.parse("2000-10-10T20:55:36Z"));
});

Deno.test("CloudFront layout written by nginx (captured): #Fields header, start = end - time-taken", async () => {
  const { format, records } = await sample("cloudfront-nginx-layout.log");
  assertEquals(format, "cloudfront");
  assertEquals(records.map((r) => `${r.path} ${r.cache} ${r.edge}`).slice(1), [
    "/stream.m3u8 miss edge-a",
    "/seg00000.ts miss edge-a",
    "/seg00001.ts miss edge-a",
    "/stream.m3u8 miss edge-a",
    "/seg00000.ts hit edge-a",
    "/seg00001.ts hit edge-a",
    "/seg00000.ts error edge-a",
    "/seg00000.ts error edge-a",
  ]);
  // time-taken 0.001 s before the whole second nginx wrote.
  assertEquals(records[1].time, Date.parse("2026-12-07T21:14:52Z") - 1);
});

Deno.test("CloudFront standard log, 33 fields, gzipped: URL-encoded agent, CMCD in the query, edges", async () => {
  const { format, records } = await sample("cloudfront-standard.log.gz");
  assertEquals(format, "cloudfront");
  assertEquals(records.map(brief), [
    "/live/stream.m3u8 200 client-0  miss FRA56-P1",
    "/live/seg00002.ts 200 client-0  hit FRA56-P1",
    "/live/seg00002.ts 200 5.0 (X11; Linux x86_64) run42-1 expired AMS1-C1",
    "/live/seg00003.ts 502 client-1  error AMS1-C1",
  ]);
  assertEquals(records[1].time, Date.parse("2026-12-07T19:00:02Z") - 120);
});

Deno.test("Fastly JSON lines: strftime time, query dropped, fastly_info.state, server identity", async () => {
  const { format, records } = await sample("fastly.ndjson");
  assertEquals(format, "fastly");
  assertEquals(records.map(brief), [
    "/live/stream.m3u8 200 client-0  miss cache-fra-etou8220123-FRA",
    "/live/seg00002.ts 200 client-0  hit cache-fra-etou8220123-FRA",
    "/live/seg00002.ts 200 client-1  expired cache-ams-ehaa2100044-AMS",
    "/live/seg00003.ts 503 client-1  pass cache-ams-ehaa2100044-AMS",
  ]);
  assertEquals(records[0].time, Date.parse("2026-12-07T19:00:01Z"));
});

Deno.test("Akamai DataStream 2 JSON: reqTimeSec with ms, cacheStatus 1/0, URL-encoded UA, cmcd", async () => {
  const { format, records } = await sample("akamai-ds2.ndjson");
  assertEquals(format, "akamai");
  assertEquals(records.map(brief), [
    "/live/stream.m3u8 200 client-0  miss 23.50.51.173",
    "/live/seg00002.ts 200 client-0  hit 23.50.51.173",
    "/live/seg00002.ts 200 5.0 run42-1 hit 23.50.51.180",
  ]);
  assertEquals(records[0].time, 1796670001123);
});

Deno.test("cache words and CMCD sids normalise; a line of no known format is not detected", () => {
  assertEquals(
    ["HIT", "MISS", "EXPIRED", "STALE", "BYPASS", "RefreshHit", "LimitExceeded", "-", "WEIRD"].map(
      cacheStatus,
    ),
    ["hit", "miss", "expired", "expired", "pass", "expired", "error", null, "unknown"],
  );
  assertEquals(cmcdSid('bl=2000,sid="r-7",v=1'), "r-7");
  assertEquals(cmcdSid("-"), null);
  assertEquals(detectFormat("hello world"), null);
});
