/**
 * The stderr parser on the FFmpeg 7.1 and 9.0 captures (the 5.1 ones: stderr_events_test.ts), and
 * the rules that must hold on all three versions: sequence skips, FFmpeg's own timestamps.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import {
  accessLog,
  CAPTURED_VERSIONS,
  captureLines,
  countOf,
  replayStderr,
  tallyEvents,
  tallyLog,
} from "./capture_replay.ts";
import { datetimePrefixMs } from "./line_time.ts";
import type { HttpEvent } from "./http_event.ts";

const NEW_VERSIONS = ["7.1", "9.0"] as const;

for (const v of NEW_VERSIONS) {
  for (const run of ["nginx_keepalive", "404_segments", "window_slide", "expired_skip"]) {
    Deno.test(`FFmpeg ${v} "${run}": requests, statuses and 2xx bytes equal nginx's log`, async () => {
      const ours = tallyEvents(await replayStderr(v, `stderr_trace_${run}.txt`));
      const nginx = tallyLog(await accessLog(v, `access_trace_${run}.txt`));
      assert(nginx.bytes2xx > 1_000_000, "a capture with real traffic");
      assertEquals(ours.requests, nginx.requests);
      assertEquals(ours.statuses, nginx.statuses);
      // Error pages' Content-Length (7.1+ log it: 28 × 153 B here) is not body bytes.
      assertEquals(ours.bytes2xx, nginx.bytes2xx);
    });
  }

  Deno.test(`FFmpeg ${v}: failed, skipped and retried segments, refused connections`, async () => {
    // -seg_max_retry 3: each of the 4 failing segments is tried 5 times (README of the capture).
    const e404 = await replayStderr(v, "stderr_trace_404_segments.txt");
    assertEquals(countOf(e404, "segmentsFailed"), 24);
    assertEquals(countOf(e404, "segmentsSkipped"), 4);
    assertEquals(countOf(e404, "keepaliveRetries"), 4);
    assertEquals(countOf(e404, "tcpConnected"), 31);
    const refused = await replayStderr(v, "stderr_trace_connection_refused.txt");
    assertEquals(countOf(refused, "tcpRefused"), 4);
    assertEquals(countOf(refused, "reconnects"), 3);
  });
}

/** Segment numbers nginx served that were skipped between the first and the last one served. */
async function segmentsNeverFetched(v: typeof CAPTURED_VERSIONS[number], run: string) {
  const numbers = (await accessLog(v, `access_trace_${run}.txt`))
    .flatMap((e) => /seg(\d+)\.ts$/.exec(e.path)?.[1] ?? []).map(Number);
  const fetched = new Set(numbers);
  let missing = 0;
  for (let n = Math.min(...numbers); n <= Math.max(...numbers); n++) if (!fetched.has(n)) missing++;
  return missing;
}

for (const v of CAPTURED_VERSIONS) {
  Deno.test(`FFmpeg ${v}: a sliding playlist window is not a sequence skip`, async () => {
    const lines = await captureLines(v, "stderr_trace_window_slide.txt");
    // Every reload moved the media sequence by 2 …
    const jumps = lines.filter((l) => / Media sequence change \(\d+ -> \d+\)/.test(l))
      .map((l) => /\((\d+) -> (\d+)\)/.exec(l)!).map((m) => Number(m[2]) - Number(m[1]));
    assertEquals(jumps.length >= 5 && jumps.every((d) => d === 2), true, `jumps ${jumps}`);
    // … yet nginx served every segment: nothing was missed, and nothing is counted.
    assertEquals(await segmentsNeverFetched(v, "window_slide"), 0);
    const events = await replayStderr(v, "stderr_trace_window_slide.txt");
    assertEquals([countOf(events, "sequenceSkips"), countOf(events, "segmentsExpired")], [0, 0]);
  });

  Deno.test(`FFmpeg ${v}: segments that expired during a freeze are one skip of N`, async () => {
    const events = await replayStderr(v, "stderr_trace_expired_skip.txt");
    // Media sequence 50 -> 60 at SIGCONT, but only 56–59 were lost (the access log's only gap).
    const lost = await segmentsNeverFetched(v, "expired_skip");
    assertEquals(lost, 4);
    assertEquals([countOf(events, "sequenceSkips"), countOf(events, "segmentsExpired")], [1, lost]);
  });
}

/** Per context address: request line stamp → status line stamp, read straight from the text. */
function stampedTtfbs(lines: string[]): number[] {
  const sent = new Map<string, number>();
  const out: number[] = [];
  for (const l of lines) {
    const m = /^\S+ \S+ \[https? @ (\S+)\] \[\w+\] (request: |http_code=)/.exec(l);
    if (!m) continue;
    if (m[2] === "request: ") sent.set(m[1], datetimePrefixMs(l)!);
    else if (sent.has(m[1])) {
      out.push(datetimePrefixMs(l)! - sent.get(m[1])!);
      sent.delete(m[1]);
    }
  }
  return out;
}

const ttfbs = (events: HttpEvent[]) =>
  events.flatMap((e) => e.type === "response" ? [e.ttfbMs] : []);

Deno.test("FFmpeg 9.0: TTFB comes from FFmpeg's timestamps, not from line arrival", async () => {
  for (const run of ["nginx_keepalive", "404_segments"]) {
    const name = `stderr_trace_${run}.txt`;
    const expected = stampedTtfbs(await captureLines("9.0", name)).map((d) => d === 0 ? 0.5 : d);
    // Lines "arrive" 100 ms apart: arrival times would give TTFBs of hundreds of ms.
    const events = await replayStderr("9.0", name, { arrival: (i) => i * 100 });
    assertEquals(ttfbs(events), expected);
    assert(expected.length >= 30 && expected.every((ms) => ms < 50), `${expected}`);
    // Same-millisecond answers are a real 0–1 ms: reported as its middle, not as 0.
    assert(expected.includes(0.5), "loopback answers within the millisecond");
  }
});

Deno.test("FFmpeg 7.1 (no timestamps): TTFB and TCP connect fall back to arrival times", async () => {
  const events = await replayStderr("7.1", "stderr_trace_nginx_keepalive.txt", {
    arrival: (i) => i * 100,
  });
  const all = ttfbs(events);
  assert(
    all.length === 30 && all.every((ms) => ms !== null && ms >= 100 && ms % 100 === 0),
    `${all}`,
  );
  const tcp = events.flatMap((e) => e.type === "tcp_connect" ? [e.ms] : []);
  assert(tcp.length === 4 && tcp.every((ms) => ms >= 100), `${tcp}`);
});

Deno.test("FFmpeg 9.0: TCP connect and inferred download times from timestamps", async () => {
  const events = await replayStderr("9.0", "stderr_trace_nginx_keepalive.txt", {
    arrival: (i) => i * 100,
  });
  const tcp = events.flatMap((e) => e.type === "tcp_connect" ? [e.ms] : []);
  assertEquals(tcp.length, 4);
  assert(tcp.every((ms) => ms > 0 && ms < 5), `${tcp}`);
  // A 220 KB segment over loopback: a few ms from headers to its last packet, not 60 lines × 100.
  const downloads = events.flatMap((e) => e.type === "segment_download_inferred" ? [e.ms] : []);
  assert(downloads.length >= 14 && downloads.every((ms) => ms < 100), `${downloads}`);
});

for (const v of CAPTURED_VERSIONS) {
  Deno.test(`FFmpeg ${v}: a request re-sent on a new connection after the origin closed the old one is counted once`, async () => {
    // nginx with keepalive_timeout 1s: FFmpeg reuses a closed connection for almost every
    // request, meets end of file and sends the request again at once.
    const lines = await captureLines(v, "stderr_trace_keepalive_closed.txt");
    const requestLines = lines.filter((l) => l.includes("] request: GET ")).length;
    const events = await replayStderr(v, "stderr_trace_keepalive_closed.txt");
    const ours = tallyEvents(events);
    const nginx = tallyLog(await accessLog(v, "access_trace_keepalive_closed.txt"));
    assert(requestLines > nginx.requests.manifest + nginx.requests.segment + 30, "re-sends");
    assertEquals(ours.requests, nginx.requests);
    assertEquals(ours.statuses, nginx.statuses);
    assertEquals(ours.bytes2xx, nginx.bytes2xx);
    assertEquals(countOf(events, "unanswered"), 0);
    assertEquals(
      countOf(events, "keepaliveRetries"),
      requestLines - events.filter((e) => e.type === "request").length,
    );
  });
}
