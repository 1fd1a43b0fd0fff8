import { assertEquals } from "../testing/assert.ts";
import { accessLog, countOf, replayStderr, tallyEvents, tallyLog } from "./capture_replay.ts";
import { isHlsContext, StderrParser } from "./stderr_events.ts";

/** Events of a 5.1 capture (replayed as a run that ended by itself: every body counts). */
const parseCapture = (name: string) => replayStderr("5.1", name);

for (
  const run of [
    "nginx_keepalive",
    "404_segments",
    "503_segments_and_playlist",
    "abr_master",
    "origin_frozen_20s",
  ]
) {
  Deno.test(`trace capture "${run}": requests, statuses and bytes equal nginx's access log`, async () => {
    const ours = tallyEvents(await parseCapture(`stderr_trace_${run}.txt`));
    const nginx = tallyLog(await accessLog("5.1", `access_trace_${run}.txt`));
    assertEquals(ours.requests, nginx.requests);
    assertEquals(ours.bytes2xx, nginx.bytes2xx);
    if (run !== "origin_frozen_20s") assertEquals(ours.statuses, nginx.statuses);
  });
}

Deno.test("a socket closed without a response (nginx 444) is an unanswered request", async () => {
  const events = await parseCapture("stderr_trace_444_close_without_response.txt");
  const ours = tallyEvents(events);
  const nginx = tallyLog(await accessLog("5.1", "access_trace_444_close_without_response.txt"));
  assertEquals(ours.requests, nginx.requests);
  assertEquals(countOf(events, "unanswered"), nginx.statuses[444]);
  assertEquals(ours.statuses[206], nginx.statuses[206]);
});

Deno.test("segment failures, playlist failures and keep-alive retries are events", async () => {
  const count = countOf;
  const e404 = await parseCapture("stderr_trace_404_segments.txt");
  assertEquals(count(e404, "segmentsFailed"), 3);
  assertEquals(count(e404, "keepaliveRetries") >= 3, true);
  const e503 = await parseCapture("stderr_trace_503_segments_and_playlist.txt");
  assertEquals(count(e503, "playlistsFailed") >= 1, true);
  const refused = await parseCapture("stderr_trace_connection_refused.txt");
  assertEquals(count(refused, "tcpRefused") >= 1, true);
  assertEquals(count(refused, "reconnects"), 3);
  const frozen = await parseCapture("stderr_trace_origin_frozen_20s.txt");
  assertEquals(count(frozen, "timeouts") >= 1, true);
  assertEquals(count(frozen, "segmentsExpired"), 5);
});

Deno.test("TCP connect time pairs start and success by context, not by ip:port", () => {
  const p = new StderrParser();
  p.push("[tcp @ 0xa] [verbose] Starting connection attempt to ::1 port 80", 0);
  p.push("[tcp @ 0xb] [verbose] Starting connection attempt to ::1 port 80", 5);
  assertEquals(p.push("[tcp @ 0xb] [verbose] Successfully connected to ::1 port 80", 7), [
    { type: "count", key: "tcpConnected", n: 1 },
    { type: "tcp_connect", ms: 2 },
  ]);
  assertEquals(p.push("[tcp @ 0xa] [verbose] Successfully connected to ::1 port 80", 9), [
    { type: "count", key: "tcpConnected", n: 1 },
    { type: "tcp_connect", ms: 9 },
  ]);
});

Deno.test("datetime prefix, https context: FFmpeg's stamps time the response", () => {
  const p = new StderrParser();
  const t = (ms: string) => `2026-01-23 08:12:29.${ms} `;
  assertEquals(p.push(`${t("601")}[https @ 0x5] [debug] request: GET /a.m3u8?tok=1 HTTP/1.1`, 0), [
    { type: "request", req: 1, kind: "manifest", path: "/a.m3u8?tok=1", at: 0 },
  ]);
  // Arrival says 30 ms; FFmpeg's stamps say 12 ms, and they win.
  assertEquals(p.push(`${t("613")}[https @ 0x5] [trace] http_code=200`, 30), [
    { type: "response", req: 1, kind: "manifest", status: 200, ttfbMs: 12 },
  ]);
  // A body counts once it is known complete: at the client's next request.
  assertEquals(p.push(`${t("613")}[https @ 0x5] [trace] header='Content-Length: 512'`, 31), []);
  assertEquals(p.timestampedLines, 3);
  // Opening lines are not requests: the request line is.
  assertEquals(p.push(`${t("614")}[in#0 @ 0x9] [debug] Opening 'x.m3u8' for reading`, 40), []);
  assertEquals(p.push(`${t("620")}[https @ 0x5] [debug] request: GET /s.ts HTTP/1.1`, 50), [
    { type: "body_bytes", req: 1, kind: "manifest", bytes: 512 },
    { type: "request", req: 2, kind: "segment", path: "/s.ts", at: 50 },
  ]);
});

Deno.test("the HLS demuxer's contexts: hls (5.1, 7.1), in#N/hls and in#N (9.0)", () => {
  for (const ctx of ["hls", "in#0/hls", "in#0", "in#12/hls"]) assertEquals(isHlsContext(ctx), true);
  for (const ctx of ["http", "in#0/mpegts", "out#0/null", "vost#0:0/copy", "input"]) {
    assertEquals(isHlsContext(ctx), false);
  }
  const p = new StderrParser();
  const at = "2026-12-01 14:36:11.238 ";
  assertEquals(p.push(`${at}[in#0 @ 0x5] [warning] Failed to open segment 33 of playlist 0`, 0), [
    { type: "count", key: "segmentsFailed", n: 1 },
  ]);
  assertEquals(p.push(`${at}[in#0/hls @ 0x5] [warning] skipping 4 segments ahead, expired`, 1), [
    { type: "count", key: "sequenceSkips", n: 1 },
    { type: "count", key: "segmentsExpired", n: 4 },
  ]);
});

Deno.test("lines dropped between a request and its status: counted, but not timed", () => {
  const p = new StderrParser();
  p.push("[http @ 0x1] [debug] request: GET /s1.ts HTTP/1.1", 0);
  p.gap(); // the lossy queue dropped lines here
  assertEquals(p.push("[http @ 0x1] [trace] http_code=200", 900), [
    { type: "response", req: 1, kind: "segment", status: 200, ttfbMs: null },
    { type: "count", key: "untimedRequests", n: 1, kind: "segment", req: 1 },
  ]);
  // After the gap, a new pair is timed again.
  p.push("[http @ 0x2] [debug] request: GET /s2.ts HTTP/1.1", 1000);
  assertEquals(p.push("[http @ 0x2] [trace] http_code=200", 1004), [
    { type: "response", req: 2, kind: "segment", status: 200, ttfbMs: 4 },
  ]);
});

Deno.test("an error status without http_code (debug level) is still counted once", () => {
  const p = new StderrParser();
  p.push("[http @ 0x1] [debug] request: GET /s.ts HTTP/1.1", 0);
  assertEquals(p.push("[http @ 0x1] [warning] HTTP error 404 Not Found", 3), [
    { type: "response", req: 1, kind: "segment", status: 404, ttfbMs: 3 },
  ]);
  p.push("[http @ 0x2] [debug] request: GET /t.ts HTTP/1.1", 4);
  p.push("[http @ 0x2] [trace] http_code=503", 5);
  assertEquals(p.push("[http @ 0x2] [warning] HTTP error 503 Service Unavailable", 5), []);
});

Deno.test("garbage lines produce nothing and never throw", () => {
  const p = new StderrParser();
  for (
    const l of [
      "",
      "[",
      "[http @ ",
      "[http @ 0x1] [trace] http_code=abc",
      "[http @ 0x1] [trace] header='Content-Length: 12'",
      "\u0000\u0001binary",
      "[hls @ 0x1] [debug] Media sequence change (x -> y)",
      "x".repeat(10_000),
    ]
  ) assertEquals(p.push(l, 0), []);
});

Deno.test("hostile numbers are not believed: statuses outside 100–999, counts past 2^53", () => {
  // Found by the fuzz test (parsers_fuzz_test.ts): each went into the stats as printed.
  const p = new StderrParser();
  const lines = [
    "[http @ 0x1] [debug] request: GET /a/s1.ts HTTP/1.1",
    "[http @ 0x1] [trace] http_code=6",
    "[http @ 0x1] [trace] http_code=99999999999",
    "[http @ 0x1] [trace] http_code=200",
    "[http @ 0x1] [trace] header='Content-Length: 99999999999999999999'",
    "[hls @ 0x2] [warning] skipping 99999999999999999999 segments ahead, expired from playlists",
    "[AVIOContext @ 0x3] [verbose] Statistics: 99999999999999999999 bytes read, 0 seeks",
  ];
  const events = lines.flatMap((l, i) => p.push(l, i));
  events.push(...p.finish(false));
  assertEquals(events.map((e) => e.type === "response" ? `response ${e.status}` : e.type), [
    "request",
    "response 200",
  ]);
});
