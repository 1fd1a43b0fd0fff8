/**
 * How much a `k8s run` pod prints into its log for `--request-log`: the request log of one hour
 * of a pod's viewers, framed as the pod frames it at its end (src/report/file_frames.ts: gzip
 * parts of 1 MiB, base64), against kubelet's container-log rotation (`containerLogMaxSize`,
 * 10 MiB by default; `kubectl logs` reads the newest file only, so what rotated away is lost
 * and k8s run says the request log is incomplete) and the frames' own 64 MiB cap (lines past it
 * are left out and counted).
 *
 * What is real and what is synthesized: the lines are written by the swarm's own RequestLog
 * (src/client/request_log.ts) from parser events, so their fields, order and rounding are a
 * run's; the events are synthesized, since no hour-long pod was recorded: each viewer asks for
 * its playlist and a segment once per segment duration (as FFmpeg does on a live stream),
 * TTFBs drawn around 20 ms (playlists) and 35 ms (segments), downloads and sizes around a
 * 3 Mbit/s rendition's, with seeded noise, on CDN-style paths; with `cdn` the responses carry a
 * cache status, Age and one of 4 edges, as through a CDN. Only the request log is counted: the
 * pod's JSON log lines (a few per viewer session) and its summary line come on top.
 *
 *   deno run -A bench/pod_log_size.ts [VIEWERS] [HOURS]   (default 100 viewers, 1 hour)
 */
import { MAX_FRAMED_FILE_BYTES, printFileFrames } from "../src/report/file_frames.ts";
import { appendSink, RequestLog } from "../src/client/request_log.ts";
import type { CacheStatus } from "../src/parser/cache_headers.ts";

const VIEWERS = Number(Deno.args[0] ?? 100);
const HOURS = Number(Deno.args[1] ?? 1);
const MIB = 1024 * 1024;
/** kubelet's default containerLogMaxSize. */
const ROTATION = 10 * MIB;
const EDGES = ["cache-fra-eddf8230041-FRA", "cache-fra-eddf8230077-FRA", "cache-ams-1", "e2"];
const CACHE: CacheStatus[] = ["hit", "hit", "hit", "miss"];

/** A seeded generator (mulberry32), so every run draws the same hour. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the request log of `VIEWERS` viewers for `HOURS` at `segmentS` s segments. */
function synthesize(path: string, segmentS: number, cdn: boolean): number {
  const rnd = random(segmentS * 10 + (cdn ? 1 : 0));
  const noisy = (mean: number) => mean * Math.exp((rnd() - 0.5) * 0.8);
  const sink = appendSink(path);
  const epoch = Date.UTC(2026, 11, 8);
  const log = new RequestLog(sink, () => epoch);
  const base = "/out/v1/3f2a9c0d7e1b4a5c8d6e2f1a0b9c8d7e/stream_720p";
  let lines = 0;
  const steps = Math.round((HOURS * 3600) / segmentS);
  const req = new Array<number>(VIEWERS).fill(0);
  for (let i = 0; i < VIEWERS; i++) log.runStart(i, 1);
  for (let step = 0; step < steps; step++) {
    for (let v = 0; v < VIEWERS; v++) {
      // Viewers spread over the segment's time, as a ramp leaves them.
      const at = (step * segmentS + (v / VIEWERS) * segmentS) * 1000;
      const seq = 1_000_000 + step;
      for (const kind of ["manifest", "segment"] as const) {
        const r = ++req[v];
        const path = kind === "manifest" ? `${base}.m3u8` : `${base}_${seq}.ts`;
        const ttfb = noisy(kind === "manifest" ? 20 : 35);
        log.event(v, { type: "request", req: r, kind, path, at });
        log.event(v, { type: "response", req: r, kind, status: 200, ttfbMs: ttfb });
        if (cdn) {
          log.event(v, {
            type: "cache",
            req: r,
            kind,
            status: 200,
            ttfbMs: ttfb,
            cache: kind === "manifest" ? "miss" : CACHE[Math.floor(rnd() * CACHE.length)],
            ageS: kind === "manifest" ? 0 : Math.floor(rnd() * segmentS * 2),
            edge: EDGES[v % EDGES.length],
          });
        }
        if (kind === "segment") {
          log.event(v, { type: "segment_download_inferred", req: r, ms: noisy(60), at });
        }
        const bytes = kind === "manifest"
          ? 420 + Math.floor(rnd() * 40)
          : Math.round(noisy((3e6 / 8) * segmentS));
        log.event(v, { type: "body_bytes", req: r, kind, bytes });
        lines++;
      }
    }
    // The swarm flushes every second; here every segment's worth of seconds.
    log.flush();
  }
  for (let v = 0; v < VIEWERS; v++) log.endRun(v);
  log.flush();
  sink.close();
  return lines;
}

const dir = await Deno.makeTempDir({ prefix: "hls-swarm-pod-log-" });
const mib = (n: number) => `${(n / MIB).toFixed(1)} MiB`;
console.log(
  `request log of ${VIEWERS} viewers for ${HOURS} h, framed into a pod's log ` +
    `(rotation at ${mib(ROTATION)}, frames capped at ${mib(MAX_FRAMED_FILE_BYTES)} of lines)`,
);
console.log(
  "segment  responses  lines      NDJSON/h  framed/h  10 MiB after  printed (cap)  " +
    "lines left out  frame time",
);
try {
  for (const segmentS of [2, 6]) {
    for (const cdn of [false, true]) {
      const path = `${dir}/requests-${segmentS}-${cdn}.ndjson`;
      await Deno.writeTextFile(path, "");
      const lines = synthesize(path, segmentS, cdn);
      const ndjson = (await Deno.stat(path)).size;
      // The whole file framed (no cap): what an hour of it weighs in a log.
      let whole = 0;
      await printFileFrames("request-log", path, (t) => (whole += t.length), Infinity);
      // As a pod prints it: lines past the cap left out and counted.
      let printed = 0;
      const t0 = performance.now();
      const end = await printFileFrames("request-log", path, (t) => (printed += t.length));
      const ms = performance.now() - t0;
      const perHour = whole / HOURS;
      console.log(
        [
          `${segmentS} s`.padEnd(8),
          (cdn ? "CDN" : "origin").padEnd(10),
          String(lines).padEnd(10),
          mib(ndjson / HOURS).padStart(9),
          mib(perHour).padStart(9),
          `${((60 * ROTATION) / perHour).toFixed(0)} min`.padStart(13),
          mib(printed).padStart(14),
          String(end.omittedLines).padStart(15),
          `${ms.toFixed(0)} ms`.padStart(11),
        ].join(" "),
      );
      await Deno.remove(path);
    }
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
