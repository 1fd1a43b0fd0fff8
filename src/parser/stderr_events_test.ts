import { assertEquals } from "../testing/assert.ts";
import { LineDecoder } from "../lines/decoder.ts";
import type { EventKey } from "../events/catalog.ts";
import { type HttpEvent, StderrParser } from "./stderr_events.ts";
import { classifyUrl, type RequestKind } from "./url_kind.ts";

const DATA = new URL("../../testdata/ffmpeg-5.1/", import.meta.url);

/** Parses a capture the way the pipeline does: bytes → lines (LF, CRLF, CR) → events. */
async function parseCapture(name: string): Promise<HttpEvent[]> {
  const bytes = await Deno.readFile(new URL(name, DATA));
  const parser = new StderrParser();
  const events: HttpEvent[] = [];
  const decoder = new LineDecoder();
  let t = 0;
  const onLine = (line: string) => events.push(...parser.push(line, t++));
  decoder.push(bytes, onLine);
  decoder.flush(onLine);
  events.push(...parser.finish());
  return events;
}

/** What nginx logged: `GET /path HTTP/1.1 STATUS BYTES "UA" time`. */
async function accessLog(name: string) {
  return (await Deno.readTextFile(new URL(name, DATA))).split("\n").filter(Boolean).map((l) => {
    const [, path, status, bytes] = /^\S+ (\S+) \S+ (\d+) (\d+)/.exec(l)!;
    return { kind: classifyUrl(path), status: Number(status), bytes: Number(bytes) };
  });
}

function tally(events: HttpEvent[]) {
  const requests: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let bytes2xx = 0;
  let unanswered = 0;
  for (const e of events) {
    if (e.type === "request") requests[e.kind] = (requests[e.kind] ?? 0) + 1;
    if (e.type === "response") statuses[e.status] = (statuses[e.status] ?? 0) + 1;
    if (e.type === "body_bytes") bytes2xx += e.bytes;
    if (e.type === "count" && e.key === "unanswered") unanswered += e.n;
  }
  return { requests, statuses, bytes2xx, unanswered };
}

function tallyLog(entries: { kind: RequestKind; status: number; bytes: number }[]) {
  const requests: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let bytes2xx = 0;
  for (const e of entries) {
    requests[e.kind] = (requests[e.kind] ?? 0) + 1;
    statuses[e.status] = (statuses[e.status] ?? 0) + 1;
    if (e.status >= 200 && e.status < 300) bytes2xx += e.bytes;
  }
  return { requests, statuses, bytes2xx };
}

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
    const ours = tally(await parseCapture(`stderr_trace_${run}.txt`));
    const nginx = tallyLog(await accessLog(`access_trace_${run}.txt`));
    assertEquals(ours.requests, nginx.requests);
    assertEquals(ours.bytes2xx, nginx.bytes2xx);
    if (run !== "origin_frozen_20s") assertEquals(ours.statuses, nginx.statuses);
  });
}

Deno.test("a socket closed without a response (nginx 444) is an unanswered request", async () => {
  const ours = tally(await parseCapture("stderr_trace_444_close_without_response.txt"));
  const nginx = tallyLog(await accessLog("access_trace_444_close_without_response.txt"));
  assertEquals(ours.requests, nginx.requests);
  assertEquals(ours.unanswered, nginx.statuses[444]);
  assertEquals(ours.statuses[206], nginx.statuses[206]);
});

Deno.test("segment failures, playlist failures and keep-alive retries are events", async () => {
  const count = (events: HttpEvent[], key: EventKey) =>
    events.reduce((n, e) => n + (e.type === "count" && e.key === key ? e.n : 0), 0);
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

Deno.test("FFmpeg 8 shapes: datetime prefix, https context, AVFormatContext open", () => {
  const p = new StderrParser();
  const t = "2026-01-23 08:12:29.601 ";
  assertEquals(p.push(`${t}[https @ 0x5] [debug] request: GET /live/a.m3u8?tok=1 HTTP/1.1`, 0), [
    { type: "request", kind: "manifest", path: "/live/a.m3u8?tok=1" },
  ]);
  assertEquals(p.push(`${t}[https @ 0x5] [trace] http_code=200`, 30), [
    { type: "response", kind: "manifest", status: 200, ttfbMs: 30 },
  ]);
  assertEquals(p.push(`${t}[https @ 0x5] [trace] header='Content-Length: 512'`, 31), [
    { type: "body_bytes", kind: "manifest", bytes: 512 },
  ]);
  assertEquals(p.timestampedLines, 3);
  // Opening lines are not requests: the request line is.
  assertEquals(p.push(`${t}[AVFormatContext @ 0x9] [debug] Opening 'x.m3u8' for reading`, 40), []);
});

Deno.test("an error status without http_code (debug level) is still counted once", () => {
  const p = new StderrParser();
  p.push("[http @ 0x1] [debug] request: GET /s.ts HTTP/1.1", 0);
  assertEquals(p.push("[http @ 0x1] [warning] HTTP error 404 Not Found", 3), [
    { type: "response", kind: "segment", status: 404, ttfbMs: 3 },
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
