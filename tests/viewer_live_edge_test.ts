/**
 * Live latency against the truth the origin knows. While 4 viewers watch the built-in stream
 * (which carries EXT-X-PROGRAM-DATE-TIME), the test polls the origin's playlist every 100 ms and
 * notes each segment's program date-time and duration (what the origin wrote into it) and when it
 * was first listed. The origin's access log says when each viewer's segments were answered. The
 * truth at wall second s (CTA-2066's live latency, as the issue defines it: a segment's program
 * date-time plus its duration, to now) is s less the end of the newest segment the viewer had
 * received by s; the summary's figure (inferred from FFmpeg's `Skip` lines, its start position
 * and the arrivals it logged), sampled once a viewer-second, must agree within 0.5 s at p50 and
 * p95. The time from a segment's end to its publication (the encoder's delay, the same for every
 * viewer) is printed beside it. Without program date-time the figure is "unknown", not a guess.
 */
import { parseAccessLogLine } from "../src/test_origin/access_log.ts";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import { parseProgramDateTime } from "../src/parser/program_date_time.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { Sketch, SKETCH_ACCURACY } from "../src/math/sketch.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { runSwarm, uniqueAgent } from "./helpers.ts";

const VIEWERS = 4;

/** A segment as the origin's playlist describes it (epoch ms). */
interface Published {
  /** Its program date-time plus its duration: the wall-clock end of its media. */
  end: number;
  /** When the poller first saw it listed. */
  listed: number;
}

/** Polls `url` until `signal` aborts; segment name → what its playlist said of it. */
async function publications(url: string, signal: AbortSignal): Promise<Map<string, Published>> {
  const seen = new Map<string, Published>();
  while (!signal.aborted) {
    const text = await fetch(url, { headers: { "User-Agent": "live-edge-poller" } })
      .then((r) => r.text()).catch(() => "");
    const now = Date.now();
    let pdt = NaN, duration = NaN;
    for (const line of text.split("\n")) {
      if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
        pdt = parseProgramDateTime(line.slice(line.indexOf(":") + 1)) ?? NaN;
      } else if (line.startsWith("#EXTINF:")) duration = parseFloat(line.slice(8)) * 1000;
      else if (line.endsWith(".ts") && !seen.has(line) && pdt === pdt) {
        seen.set(line, { end: pdt + duration, listed: now });
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

Deno.test("live latency: within 0.5 s of when the origin published the newest segment held", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-live-edge-" });
  const stop = new AbortController();
  try {
    const polled = publications(origin.url, stop.signal);
    const agent = uniqueAgent("live-edge");
    const json = `${dir}/summary.json`;
    const run = await runSwarm([
      `--clients=${VIEWERS}`,
      `--ramp-rate=${VIEWERS}`,
      "--duration=20s",
      "--metrics=off",
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      origin.url,
    ]);
    stop.abort();
    const published = await polled;
    assertEquals(run.code, 0, run.stderr.slice(-1500));
    const measured =
      (JSON.parse(await Deno.readTextFile(json)) as RunSummary).viewers.liveLatencyMs;

    const truth = new Sketch(SKETCH_ACCURACY), delay = new Sketch(SKETCH_ACCURACY);
    for (const p of published.values()) delay.add(Math.max(1, p.listed - p.end));
    const log = (await Deno.readTextFile(origin.accessLogPath)).split("\n").map(parseAccessLogLine);
    for (let id = 0; id < VIEWERS; id++) {
      const received = log
        .filter((e) => e?.userAgent === `${agent}/client-${id}` && e.status < 300)
        .filter((e) => published.has(e!.path.slice(1)))
        .map((e) => ({
          at: e!.time.getTime() + e!.durationMs,
          published: published.get(e!.path.slice(1))!,
        }));
      assert(received.length > 3, `client ${id} received segments`);
      const end = Math.max(...received.map((r) => r.at));
      for (let s = Math.ceil(received[0].at / 1000) * 1000; s <= end; s += 1000) {
        const held = received.filter((r) => r.at <= s).map((r) => r.published);
        truth.add(Math.max(1, s - Math.max(...held.map((p) => p.end))));
      }
    }
    const t50 = truth.quantile(0.5)!, t95 = truth.quantile(0.95)!;
    console.log(
      `live latency p50 ${measured.p50} ms (truth ${t50.toFixed(0)}), p95 ${measured.p95} ms ` +
        `(truth ${
          t95.toFixed(0)
        }); ${measured.count} viewer-second samples (truth ${truth.count}); ` +
        `segments listed ${delay.quantile(0.5)!.toFixed(0)} ms (p50) after their media's end`,
    );
    assert(Math.abs(measured.p50! - t50) <= 500, "p50 within 0.5 s of the truth");
    assert(Math.abs(measured.p95! - t95) <= 500, "p95 within 0.5 s of the truth");
  } finally {
    stop.abort();
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("live latency without program date-time is unknown, not a guess", async () => {
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0, programDateTime: false });
  try {
    const run = await runSwarm([
      "--clients=2",
      "--ramp-rate=2",
      "--duration=6s",
      "--metrics=off",
      `--user-agent=${uniqueAgent("no-pdt")}`,
      origin.url,
    ]);
    assertEquals(run.code, 0, run.stderr.slice(-1500));
    assert(
      /Live latency:\s+unknown \(the playlists carry no EXT-X-PROGRAM-DATE-TIME/.test(run.stdout),
      run.stdout,
    );
  } finally {
    await origin.close();
  }
});
