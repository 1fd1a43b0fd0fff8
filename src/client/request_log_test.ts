import { assertEquals } from "../testing/assert.ts";
import { replayStderr } from "../parser/capture_replay.ts";
import { redactorFor } from "../secrets/redact.ts";
import { RequestLog } from "./request_log.ts";

function logOf(events: Parameters<RequestLog["event"]>[1][]): Record<string, unknown>[] {
  let out = "";
  const log = new RequestLog({ write: (l) => out += l }, () => 0);
  for (const e of events) log.event(7, e);
  log.endRun(7);
  log.flush();
  return out.trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("a body cut at the stop, partly received, is logged in flight with the bytes that came", () => {
  // The order StderrParser.finish() emits them in: the counts, then the part received.
  const [r] = logOf([
    { type: "request", req: 1, kind: "segment", path: "/seg1.ts", at: 0 },
    { type: "response", req: 1, kind: "segment", status: 206, ttfbMs: 3 },
    { type: "count", key: "inFlightAtStop", n: 1, kind: "segment", req: 1 },
    { type: "count", key: "inFlightBytesAtStop", n: 1000, kind: "segment", req: 1 },
    { type: "body_bytes", req: 1, kind: "segment", bytes: 4000 },
  ]);
  assertEquals([r.event, r.bytes, r.status], ["in_flight_at_stop", 4000, 206]);
});

Deno.test("a re-sent request is one line, marked retried, with the re-send's status", () => {
  const lines = logOf([
    { type: "request", req: 1, kind: "manifest", path: "/live.m3u8?token=x", at: 0 },
    { type: "count", key: "keepaliveRetries", n: 1, kind: "manifest", req: 1 },
    { type: "response", req: 1, kind: "manifest", status: 200, ttfbMs: 2 },
    { type: "body_bytes", req: 1, kind: "manifest", bytes: 300 },
  ]);
  assertEquals(lines.length, 1);
  assertEquals([lines[0].event, lines[0].status, lines[0].url], [
    "retried",
    200,
    "/live.m3u8?<redacted>",
  ]);
});

Deno.test("FFmpeg 5.1 stopped at a slow origin: each body the stop cut is logged in flight", async () => {
  // As in parser/body_ledger_test.ts: 20 ms a line makes bodies seem slow, so the stop cuts one.
  const events = await replayStderr("5.1", "stderr_trace_window_slide.txt", {
    stopped: true,
    arrival: (i) => i * 20,
  });
  const cut = events.filter((e) => e.type === "count" && e.key === "inFlightAtStop").length;
  const lines = logOf(events);
  assertEquals(cut, 2);
  assertEquals(lines.filter((r) => r.event === "in_flight_at_stop").length, cut);
  // Every counted request has its line.
  assertEquals(lines.length, events.filter((e) => e.type === "request").length);
});

Deno.test("a token in the path is redacted like one in the query, by the run's redactor", () => {
  const token = "t0k3n-S3CR3T-9f8e";
  const redactor = redactorFor({
    headers: ["Authorization: Bearer b34r3r-S3CR3T-77"],
    redactHeaders: [],
    streamUrl: `http://cdn/live.m3u8?token=${token}`,
  });
  let out = "";
  const log = new RequestLog({ write: (l) => out += l }, () => 0, redactor);
  const paths = [
    `/live.m3u8?token=${token}`,
    `/tok/${token}/seg1.ts`,
    "/auth/b34r3r-S3CR3T-77/seg2.ts",
    "http://user:pw@cdn/seg3.ts",
    "/plain/seg4.ts",
  ];
  paths.forEach((path, req) =>
    log.event(1, { type: "request", req, kind: "segment", path, at: 0 })
  );
  log.endRun(1);
  log.flush();
  const urls = out.trim().split("\n").map((l) => JSON.parse(l).url);
  console.log(urls.join("\n"));
  assertEquals(urls, [
    "/live.m3u8?<redacted>",
    "/tok/<redacted>/seg1.ts",
    "/auth/<redacted>/seg2.ts",
    "http://<redacted>@cdn/seg3.ts",
    "/plain/seg4.ts",
  ]);
});

Deno.test("the CDN's cache status, Age and edge are on the request's line, errors included", () => {
  const lines = logOf([
    { type: "request", req: 1, kind: "segment", path: "/seg1.ts", at: 0 },
    { type: "response", req: 1, kind: "segment", status: 206, ttfbMs: 3 },
    {
      type: "cache",
      req: 1,
      kind: "segment",
      status: 206,
      ttfbMs: 3,
      cache: "hit",
      ageS: 4,
      edge: "edge-a",
    },
    { type: "body_bytes", req: 1, kind: "segment", bytes: 1000 },
    // 7.1+: an error's headers are logged, so its cache status comes before it is written.
    { type: "request", req: 2, kind: "segment", path: "/seg2.ts", at: 1 },
    { type: "response", req: 2, kind: "segment", status: 404, ttfbMs: 2 },
    {
      type: "cache",
      req: 2,
      kind: "segment",
      status: 404,
      ttfbMs: 2,
      cache: "miss",
      ageS: null,
      edge: "edge-a",
    },
    // 5.1: no headers for an error; it is written at the next request.
    { type: "request", req: 3, kind: "segment", path: "/seg3.ts", at: 2 },
    { type: "response", req: 3, kind: "segment", status: 503, ttfbMs: 2 },
    { type: "request", req: 4, kind: "manifest", path: "/live.m3u8", at: 3 },
  ]);
  assertEquals(lines.map((r) => [r.url, r.status, r.cache, r.age_s, r.edge]), [
    ["/seg1.ts", 206, "hit", 4, "edge-a"],
    ["/seg2.ts", 404, "miss", null, "edge-a"],
    ["/seg3.ts", 503, null, null, null],
    ["/live.m3u8", null, null, null, null],
  ]);
});

Deno.test("each request carries its viewing session: the run number session_ended logs", () => {
  let out = "";
  const log = new RequestLog({ write: (l) => out += l }, () => 0);
  const request = (req: number) =>
    log.event(7, { type: "request", req, kind: "manifest", path: "/live.m3u8", at: 0 });
  request(1); // before any runStart: the first session
  log.endRun(7);
  log.runStart(7, 2);
  request(1);
  log.endRun(7);
  log.flush();
  assertEquals(out.trim().split("\n").map((l) => JSON.parse(l).session), [1, 2]);
});
