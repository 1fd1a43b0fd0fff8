/**
 * What CDNs serve: playlists sent chunked (no Content-Length, as a CDN or packager that rewrites
 * playlists sends them) and fMP4/CMAF segments (EXT-X-MAP init + .m4s). nginx stands in front
 * of the built-in origin making CMAF: it proxies the playlist through `sub_filter` (a rewrite
 * that changes no byte, which makes nginx send it chunked) and serves init and segments itself,
 * the segments paced (16 KB writes at 400 KB/s: a 220 KB segment takes about half a second).
 * Bytes by kind must agree with what nginx sent, and every segment's download time must be
 * inferred and agree with nginx's `$request_time`, as for TS.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { classifyUrl, type RequestKind } from "../src/parser/url_kind.ts";
import type { RequestRecord } from "../src/client/request_log.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { median } from "../src/parser/event_helpers.ts";
import { assert, assertBetween, assertEquals } from "../src/testing/assert.ts";
import { runSwarm, startNginx, uniqueAgent } from "./helpers.ts";

const CLIENTS = 5;

/** One line of the test's nginx log (format `cmaf` below). */
interface Sent {
  client: number;
  path: string;
  kind: RequestKind;
  status: number;
  /** $body_bytes_sent: the body on the wire, chunk framing included. */
  body: number;
  /** $sent_http_content_length (null: none, the body was chunked). */
  length: number | null;
  /** $upstream_response_length: the playlist as the origin sent it, before the chunking. */
  upstream: number | null;
  requestMs: number;
}

Deno.test(`chunked playlists and CMAF segments, ${CLIENTS} clients for 24 s: bytes and download times agree with nginx`, async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, segmentType: "fmp4" });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-cmaf-" });
  const log = `${dir}/sent.log`;
  const upstream = new URL(origin.url).host;
  const nginx = await startNginx(origin.dir, undefined, {
    http: `log_format cmaf '$request $status $body_bytes_sent $sent_http_content_length ` +
      `$upstream_response_length $request_time "$http_user_agent"';`,
    server: `access_log ${log} cmaf;
    location ~ \\.m3u8$ {
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      sub_filter '#EXTM3U' '#EXTM3U';
      sub_filter_types application/vnd.apple.mpegurl;
    }
    location ~ \\.m4s$ { sendfile on; sendfile_max_chunk 16k; limit_rate 400k; }`,
  });
  const json = `${dir}/summary.json`, requestLog = `${dir}/requests.ndjson`;
  try {
    const agent = uniqueAgent("cmaf");
    const run = await runSwarm([
      `--clients=${CLIENTS}`,
      `--ramp-rate=${CLIENTS}`,
      "--duration=24s",
      "--metrics=off",
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      `--request-log=${requestLog}`,
      nginx.url("/stream.m3u8"),
    ]);
    assertEquals(run.code, 0, run.stderr.slice(-2000));
    // nginx logs a cut transfer when its next paced write (≤ 40 ms later) fails.
    await new Promise((r) => setTimeout(r, 1000));
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    const sent = parseLog(await Deno.readTextFile(log), agent);
    const ok = sent.filter((e) => e.status >= 200 && e.status < 300);
    const sum = (kind: RequestKind, f: (e: Sent) => number) =>
      ok.filter((e) => e.kind === kind).reduce((n, e) => n + f(e), 0);

    // The playlists came chunked (no Content-Length), every one.
    const playlists = ok.filter((e) => e.kind === "manifest");
    assert(playlists.length >= CLIENTS * 5, `${playlists.length} playlists`);
    assert(playlists.every((e) => e.length === null && e.upstream !== null), "chunked playlists");
    const payload = sum("manifest", (e) => e.upstream!), wire = sum("manifest", (e) => e.body);
    const segSent = sum("segment", (e) => e.body), segAnnounced = sum("segment", (e) => e.length!);
    const initSent = sum("init", (e) => e.body);
    const cut = ok.filter((e) => e.kind === "segment" && e.body < e.length!).length;
    const b = s.traffic.bytes, ev = s.traffic.events;
    const pct = (x: number, y: number) => `${((x / y - 1) * 100).toFixed(2)} %`;
    console.log(
      `manifest: hls-swarm ${b.manifest} B, nginx ${payload} B of playlists ` +
        `(${pct(b.manifest, payload)}; ${wire} B on the wire with the chunk framing)\n` +
        `init: hls-swarm ${b.init} B, nginx ${initSent} B (${pct(b.init, initSent)})\n` +
        `segment: hls-swarm ${b.segment} B, nginx sent ${segSent} B (${pct(b.segment, segSent)}; ` +
        `${cut} transfers cut by the stop); in flight at the stop ${ev.inFlightAtStop} ` +
        `(${ev.inFlightBytesAtStop} B announced, not received)`,
    );
    // Chunked bodies count their chunk sizes: the playlists exactly, not 0, not the framing.
    assertBetween(b.manifest, payload * 0.98, payload * 1.02, "manifest bytes");
    assertEquals(b.manifest, payload);
    assertBetween(b.init, initSent * 0.98, initSent * 1.02, "init bytes");
    assertBetween(b.segment, segSent * 0.98, segSent * 1.02, "segment bytes");
    assertEquals(s.traffic.requests.manifest, sent.filter((e) => e.kind === "manifest").length);
    assertEquals(s.traffic.requests.init, sent.filter((e) => e.kind === "init").length);
    assertEquals(s.traffic.requests.segment, sent.filter((e) => e.kind === "segment").length);
    // Cut transfers are counted apart, as for TS: every announced byte arrived or is missing.
    assertBetween(
      ev.inFlightAtStop,
      cut - 1,
      cut + 1,
      `in flight ${ev.inFlightAtStop}, cut ${cut}`,
    );
    assertEquals(b.segment + ev.inFlightBytesAtStop, segAnnounced);

    // Download times: inferred for CMAF segments, and as long as nginx took to send them.
    const records: RequestRecord[] = (await Deno.readTextFile(requestLog)).split("\n")
      .filter(Boolean).map((l) => JSON.parse(l));
    const byRequest = new Map(ok.map((e) => [`${e.client} ${e.path}`, e]));
    const pairs = records.flatMap((r) => {
      const e = byRequest.get(`${r.client} ${r.url}`);
      return r.kind === "segment" && r.download_ms_inferred !== null && e && e.body === e.length
        ? [{ inferred: r.download_ms_inferred, nginx: e.requestMs }]
        : [];
    });
    const diffs = pairs.map((p) => p.inferred - p.nginx);
    const within = diffs.filter((d) => Math.abs(d) <= 100).length;
    const whole = ok.filter((e) => e.kind === "segment" && e.body === e.length).length;
    console.log(
      `download inferred for ${s.traffic.segmentDownloadInferredMs.count} segments ` +
        `(${whole} sent whole); median ${s.traffic.segmentDownloadInferredMs.p50} ms, nginx ` +
        `$request_time median ${median(pairs.map((p) => p.nginx))} ms; inferred − nginx: ` +
        `median ${median(diffs)!.toFixed(1)} ms, ${within}/${pairs.length} within 100 ms`,
    );
    // FFmpeg opens two segments at once as it starts, so the first of them is not timed: all
    // but about one per client are.
    assert(pairs.length >= whole - CLIENTS * 2, `${pairs.length} of ${whole} timed`);
    assert(median(pairs.map((p) => p.nginx))! >= 300, "paced: downloads take time");
    assertBetween(median(diffs)!, -100, 100, "inferred − nginx, median");
    assert(within >= pairs.length * 0.8, `${within} of ${pairs.length} within 100 ms`);

    // The viewers' experience is built on those arrivals: every session started and was timed.
    const v = s.viewers;
    console.log(
      `viewers: ${v.sessions.started} started, startup p50 ${v.startupMs.p50} ms, ` +
        `${v.rebuffers} rebuffers`,
    );
    assert(v.sessions.started >= CLIENTS, `${v.sessions.started} sessions started`);
    assertEquals(v.startupMs.count, v.sessions.started);
    assertEquals(s.lines.dropped, 0);
  } finally {
    await nginx.stop();
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

/** This test's clients' lines of the nginx log. */
function parseLog(text: string, agent: string): Sent[] {
  return text.split("\n").flatMap((line) => {
    const m = /^GET (\S+) \S+ (\d+) (\d+) (\d+|-) (\d+|-) ([\d.]+) "([^"]*)"$/.exec(line);
    const client = m && new RegExp(`^${agent}/client-(\\d+)$`).exec(m[7]);
    if (!m || !client) return [];
    const num = (s: string) => s === "-" ? null : Number(s);
    return [{
      client: Number(client[1]),
      path: m[1],
      kind: classifyUrl(m[1]),
      status: Number(m[2]),
      body: Number(m[3]),
      length: num(m[4]),
      upstream: num(m[5]),
      requestMs: Number(m[6]) * 1000,
    }];
  });
}
