/**
 * What CDNs serve, on real FFmpeg 5.1, 7.1 and 9.0 output (tools/ffmpeg-matrix/capture.sh
 * chunked_playlist cmaf):
 * - playlists sent chunked, without Content-Length (nginx's `sub_filter` in front of the origin):
 *   their bytes are the chunk sizes FFmpeg logs, exactly the playlists the origin sent;
 * - fMP4/CMAF segments (EXT-X-MAP init + .m4s), served paced: counted like TS, and their
 *   download times inferred and equal to the time nginx took to send them.
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
import type { HttpEvent } from "./http_event.ts";
import { StderrParser } from "./stderr_events.ts";
import type { RequestKind } from "./url_kind.ts";

/** Body bytes by kind. */
function bytesByKind(events: HttpEvent[]): Partial<Record<RequestKind, number>> {
  const out: Partial<Record<RequestKind, number>> = {};
  for (const e of events) if (e.type === "body_bytes") out[e.kind] = (out[e.kind] ?? 0) + e.bytes;
  return out;
}

for (const v of CAPTURED_VERSIONS) {
  Deno.test(`FFmpeg ${v}, chunked playlists: their bytes are the chunk sizes, as the origin sent them`, async () => {
    const name = "stderr_trace_chunked_playlist.txt";
    const lines = await captureLines(v, name);
    const events = await replayStderr(v, name);
    // `$request $status $body_bytes_sent "$ua" $request_time $upstream_response_length`
    const log = (await captureLines(v, "access_trace_chunked_playlist.txt")).map((l) => {
      const [, path, body, upstream] = /^\S+ (\S+) \S+ \d+ (\d+) "[^"]*" \S+ (\S+)$/.exec(l)!;
      return { path, body: Number(body), upstream: upstream === "-" ? null : Number(upstream) };
    });
    const playlists = log.filter((e) => e.path.endsWith(".m3u8"));
    const chunkedResponses = lines.filter((l) => /header='Transfer-Encoding: chunked'/i.test(l));
    assertEquals(chunkedResponses.length, playlists.length, "every playlist came chunked");
    assert(!lines.some((l) => /m3u8/.test(l) && /Content-Length/i.test(l)), "no Content-Length");
    const origin = playlists.reduce((n, e) => n + e.upstream!, 0);
    const wire = playlists.reduce((n, e) => n + e.body, 0);
    const ours = bytesByKind(events);
    assert(playlists.length >= 10, `${playlists.length} playlists`);
    assertEquals(ours.manifest, origin);
    // nginx's $body_bytes_sent adds the framing: `241\r\n` … `\r\n0\r\n\r\n` per playlist.
    assertEquals(wire - origin, playlists.reduce((n, e) => n + framing(e.upstream!), 0));
    // Segments (Content-Length) as before: everything equals nginx's log.
    const nginx = tallyLog(await accessLog(v, "access_trace_chunked_playlist.txt"));
    const tally = tallyEvents(events);
    assertEquals(tally.requests, nginx.requests);
    assertEquals(tally.statuses, nginx.statuses);
    assertEquals(tally.bytes2xx, nginx.bytes2xx - (wire - origin));
  });

  Deno.test(`FFmpeg ${v}, CMAF: init and .m4s requests, statuses and bytes equal nginx's log`, async () => {
    const events = await replayStderr(v, "stderr_trace_cmaf.txt");
    const nginx = tallyLog(await accessLog(v, "access_trace_cmaf.txt"));
    const ours = tallyEvents(events);
    assert(nginx.requests.init >= 10 && nginx.requests.segment >= 10, JSON.stringify(nginx));
    assertEquals(ours.requests, nginx.requests);
    assertEquals(ours.statuses, nginx.statuses);
    assertEquals(ours.bytes2xx, nginx.bytes2xx);
    const log = await accessLog(v, "access_trace_cmaf.txt");
    const byKind = bytesByKind(events);
    for (const kind of ["manifest", "init", "segment"] as const) {
      assertEquals(
        byKind[kind],
        log.filter((e) => e.kind === kind).reduce((n, e) => n + e.bytes, 0),
      );
    }
  });

  Deno.test(`FFmpeg ${v}, CMAF: a download time is inferred for the segments, as for TS`, async () => {
    const events = await replayStderr(v, "stderr_trace_cmaf.txt");
    const segments = events.filter((e) => e.type === "response" && e.kind === "segment").length;
    const inferred = events.filter((e) => e.type === "segment_download_inferred");
    // The first two segments are opened together (the HLS demuxer's prefetch): one of them is
    // not timed; the last one, cut by the stop, is not either.
    assert(inferred.length >= segments - 3, `${inferred.length} of ${segments} segments`);
  });
}

/** Chunk framing of a body sent as one chunk: `<hex size>\r\n`, `\r\n`, `0\r\n\r\n`. */
function framing(bytes: number): number {
  return bytes.toString(16).length + 2 + 2 + 5;
}

Deno.test("FFmpeg 9.0, CMAF at a paced origin: inferred download times equal nginx's $request_time", async () => {
  const events = await replayStderr("9.0", "stderr_trace_cmaf.txt", { arrival: (i) => i * 100 });
  const paths = new Map<number, string>();
  for (const e of events) if (e.type === "request") paths.set(e.req, e.path);
  // `$msec c=… r=… $request $status $body_bytes_sent "$ua" $request_time`
  const sent = new Map((await captureLines("9.0", "access_ext_trace_cmaf.txt")).map((l) => {
    const [, path, s] = /^\S+ \S+ \S+ \S+ (\S+) .* ([\d.]+)$/.exec(l)!;
    return [path, Number(s) * 1000];
  }));
  const pairs = events.flatMap((e) =>
    e.type === "segment_download_inferred" ? [[e.ms, sent.get(paths.get(e.req)!)!]] : []
  );
  console.log(
    "inferred vs nginx $request_time (ms):",
    pairs.map(([a, b]) => `${a}/${b}`).join(" "),
  );
  assert(pairs.length >= 10, `${pairs.length} pairs`);
  // 16 KB writes at 400 KB/s: about half a second per segment, not the few ms of loopback.
  for (const [ours, nginx] of pairs) {
    assert(nginx >= 300 && Math.abs(ours - nginx) <= 50, `inferred ${ours} ms, nginx ${nginx} ms`);
  }
});

Deno.test("a chunked playlist cut before its last chunk: read when FFmpeg ended, in flight at a stop", async () => {
  const lines = await captureLines("7.1", "stderr_trace_chunked_playlist.txt");
  // The run as if it had ended right after the first playlist's first chunk.
  const cut = lines.findIndex((l) => /Chunked encoding data size: [1-9]/.test(l)) + 1;
  const size = Number(/size: (\d+)/.exec(lines[cut - 1])![1]);
  for (const stopped of [false, true]) {
    const parser = new StderrParser();
    const events = lines.slice(0, cut).flatMap((l, i) => parser.push(l, i));
    events.push(...parser.finish(stopped));
    assertEquals(bytesByKind(events), { manifest: size });
    assertEquals(countOf(events, "inFlightAtStop"), stopped ? 1 : 0);
    // What is left of a chunked body has no announced size: none is said to be missing.
    assertEquals(countOf(events, "inFlightBytesAtStop"), 0);
  }
});
