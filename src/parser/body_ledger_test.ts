import { assert, assertEquals } from "../testing/assert.ts";
import { type Body, BodyLedger, type CutBody, pathPrefix } from "./body_ledger.ts";
import {
  accessLog,
  CAPTURED_VERSIONS,
  captureLines,
  countOf,
  replayStderr,
  tallyEvents,
  tallyLog,
} from "./capture_replay.ts";
import type { HttpEvent } from "./http_event.ts";

const seg = (bytes: number, prefix = "/", at = 0): Body => ({
  req: 1,
  kind: "segment",
  prefix,
  bytes,
  at,
});
const sizes = (bodies: Body[]) => bodies.map((b) => b.bytes);
/** In-flight bodies as [announced, received]. */
const cuts = (bodies: CutBody[]) => bodies.map((c) => [c.body.bytes, c.received]);

Deno.test("path prefix: the directory of the path, query ignored", () => {
  assertEquals(pathPrefix("/seg1.ts"), "/");
  assertEquals(pathPrefix("/live/v0/seg1.ts?sig=a/b"), "/live/v0/");
  assertEquals(pathPrefix("seg1.ts"), "");
});

Deno.test("a segment counts once a later segment of its playlist was answered and asked past", () => {
  const l = new BodyLedger();
  l.announce(seg(100));
  // HTTP/1.1 prefetch: the next segment is asked for right after the first one opened.
  assertEquals(sizes(l.request("/")), []);
  l.announce(seg(200));
  // A reload comes only after segment 100 was consumed; 200 may still be unread.
  assertEquals(sizes(l.request("/")), [100]);
  l.announce({ req: 1, kind: "manifest", prefix: "/", bytes: 5, at: 0 });
  // Another playlist's request proves nothing about this one's segments, but a playlist body
  // is read whole before the demuxer asks for anything.
  assertEquals(sizes(l.request("/v1/")), [5]);
  assertEquals(sizes(l.request("/")), []);
  l.announce(seg(300));
  assertEquals(sizes(l.request("/")), [200]);
});

/** A stop by hls-swarm at an origin that took `typicalDownloadMs` per segment. */
const stop = (typicalDownloadMs: number | null, lastLineAt = 0, lastPacketAt = 0) => ({
  requested: true,
  typicalDownloadMs,
  lastLineAt,
  lastPacketAt,
});

Deno.test("at a stop, FFmpeg's exit statistics say which bodies were cut", () => {
  const stopped = (read: number, typicalDownloadMs: number | null = 600) => {
    const l = new BodyLedger();
    l.announce(seg(1000));
    l.request("/");
    l.announce(seg(900));
    assertEquals(sizes(l.request("/")), [1000]);
    l.announce(seg(800));
    l.bytesRead(read);
    l.exited();
    return l.settle(stop(typicalDownloadMs));
  };
  // Everything arrived: the two still open count too.
  assertEquals(sizes(stopped(2700).counted), [900, 800]);
  // 300 bytes short: the newest body was cut; 500 of its bytes arrived.
  assertEquals(cuts(stopped(2400).inFlight), [[800, 500]]);
  assertEquals(sizes(stopped(2400).counted), [900]);
  // More short than the newest body holds: the one before was still arriving too.
  assertEquals(cuts(stopped(1500).inFlight), [[900, 500], [800, 0]]);
  // An origin that delivered earlier segments in a blink had sent the cut body in full.
  assertEquals(sizes(stopped(1500, 8).counted), [900, 800]);
  // With no earlier segment to judge the origin by, a cut body is in flight.
  assertEquals(cuts(stopped(2400, null).inFlight), [[800, 500]]);
  // A run that ended by itself (a crash) counts everything, as announced.
  const crashed = new BodyLedger();
  crashed.announce(seg(1000));
  assertEquals(sizes(crashed.settle({ ...stop(600), requested: false }).counted), [1000]);
});

Deno.test("without exit statistics (FFmpeg killed): a body active in the last second was moving", () => {
  const judge = (lastPacketAt: number) => {
    const l = new BodyLedger();
    l.announce(seg(1000, "/", 10_000));
    return l.settle(stop(600, 20_000, lastPacketAt));
  };
  assertEquals(cuts(judge(19_500).inFlight), [[1000, 0]]); // how much arrived is unknown
  assertEquals(sizes(judge(12_000).counted), [1000]);
});

/** The body bytes that arrived, from the capture's own `Statistics: N bytes read` lines. */
async function bytesRead(v: typeof CAPTURED_VERSIONS[number], name: string): Promise<number> {
  return (await captureLines(v, name)).reduce((n, l) => {
    const m = /\[AVIOContext @ \S+\] \[verbose\] Statistics: (\d+) bytes read/.exec(l);
    return n + (m ? Number(m[1]) : 0);
  }, 0);
}

const missingSizes = (events: HttpEvent[]) =>
  events.flatMap((e) => e.type === "count" && e.key === "inFlightBytesAtStop" ? [e.n] : []);

const RUNS = ["nginx_keepalive", "404_segments", "window_slide", "expired_skip"];

for (const v of ["5.1", "7.1"] as const) {
  for (const run of RUNS) {
    Deno.test(`FFmpeg ${v} "${run}", slow origin, stopped: bytes are what FFmpeg received`, async () => {
      const name = `stderr_trace_${run}.txt`;
      // 20 ms a line: a segment body (~70 lines) seems to take over a second to arrive.
      const events = await replayStderr(v, name, { stopped: true, arrival: (i) => i * 20 });
      const nginx = tallyLog(await accessLog(v, `access_trace_${run}.txt`));
      const counted = tallyEvents(events).bytes2xx;
      const missing = missingSizes(events);
      // The stop cut the segment asked for right before FFmpeg exited; window_slide fetches
      // two segments per reload, so two were open.
      assertEquals(missing.length, run === "window_slide" ? 2 : 1);
      assertEquals(countOf(events, "inFlightAtStop"), missing.length);
      // What counts is what FFmpeg itself says it read, and every announced byte is either
      // counted or missing.
      assertEquals(counted, await bytesRead(v, name));
      assertEquals(counted + missing.reduce((a, b) => a + b, 0), nginx.bytes2xx);
      // The newest cut one is the last segment nginx served, and part of it is missing.
      const served = (await accessLog(v, `access_trace_${run}.txt`)).filter((e) =>
        e.kind === "segment" && e.status === 206
      );
      assert(missing.every((m) => m > 0) && missing.at(-1)! <= served.at(-1)!.bytes, `${missing}`);
    });
  }
}

for (const v of CAPTURED_VERSIONS) {
  for (const run of RUNS) {
    Deno.test(`FFmpeg ${v} "${run}", fast origin, stopped: every byte nginx sent counts`, async () => {
      const name = `stderr_trace_${run}.txt`;
      // 0.1 ms a line (9.0 uses its own timestamps): loopback nginx, bodies in a few ms.
      const events = await replayStderr(v, name, { stopped: true, arrival: (i) => i / 10 });
      const nginx = tallyLog(await accessLog(v, `access_trace_${run}.txt`));
      assertEquals(tallyEvents(events).bytes2xx, nginx.bytes2xx);
      assertEquals(countOf(events, "inFlightAtStop"), 0);
    });
  }
}
