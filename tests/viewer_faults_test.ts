/**
 * The viewer experience against the built-in origin's per-viewer faults, with real FFmpeg: a
 * viewer whose playlist always fails has only start failures, one whose first segment is held
 * past the end exits before video start, one whose first segment is held 1.5 s starts that much
 * later (checked against the origin's own access log), the others start at once, and a stream
 * with program date-time gives every viewer a live latency.
 */
import { parseAccessLogLine } from "../src/test_origin/access_log.ts";
import { DEFAULT_ORIGIN_OPTIONS, parseFault, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { runSwarm, uniqueAgent } from "./helpers.ts";

const HOLD_MS = 1500;

Deno.test("viewer experience: VSF, a held startup and live latency, against the origin's clock", async () => {
  const origin = await startOrigin({
    ...DEFAULT_ORIGIN_OPTIONS,
    port: 0,
    faults: [
      parseFault("playlist-fail:status=404:clients=1"),
      parseFault(`startup:hold=${HOLD_MS}ms:clients=2`),
      // Client 3's first segment is held past the end of the run: stopped before media.
      parseFault("startup:hold=25s:clients=3"),
    ],
  });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-viewer-" });
  try {
    const json = `${dir}/summary.json`, timeline = `${dir}/timeline.csv`;
    const agent = uniqueAgent("viewer");
    const run = await runSwarm([
      "--clients=4",
      "--ramp-rate=10",
      "--duration=14s",
      "--metrics=off",
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      `--timeline=${timeline}`,
      "--threshold=vsf_rate<1%",
      origin.url,
    ]);
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    const v = s.viewers;
    console.log(JSON.stringify({ sessions: v.sessions, startupMs: v.startupMs }));
    // The VSF threshold fails: client 1 never starts.
    assertEquals(run.code, 99, run.stderr.slice(-1500));
    assertEquals(v.sessions.started, 2, "clients 0 and 2 start once each");
    // Every run of client 1 that ended by itself is a failed start: exactly the exits hls-swarm
    // did not ask for. Client 3, still waiting at the stop, is an exit before video start (and so
    // is client 1's last run, if the stop cut it).
    assert(v.sessions.vsf >= 1, "client 1's runs fail before media");
    assertEquals(v.sessions.vsf, s.lifecycle.unexpectedExits);
    assert(v.sessions.ebvs === 1 || v.sessions.ebvs === 2, `ebvs ${v.sessions.ebvs}`);
    assertEquals(v.sessions.vsf + v.sessions.ebvs + 2, s.lifecycle.starts);

    // The truth of client 2's startup, from the origin's own clock: its first playlist request
    // arrived at t0; its first segment was answered at t1 + the time the origin took (the hold).
    const entries = (await Deno.readTextFile(origin.accessLogPath)).split("\n")
      .map(parseAccessLogLine).filter((e) => e?.userAgent === `${agent}/client-2`);
    const first = entries[0]!, segment = entries.find((e) => e!.path.endsWith(".ts"))!;
    const truth = segment.time.getTime() + segment.durationMs - first.time.getTime();
    assert(truth >= HOLD_MS, `the hold is in the truth (${truth} ms)`);
    const measured = v.startupMs.max!;
    console.log(`client 2 startup: measured ${measured} ms, origin ${truth.toFixed(1)} ms`);
    assert(
      Math.abs(measured - truth) <= Math.max(0.05 * truth, 50),
      `startup ${measured} ms vs the origin's ${truth} ms`,
    );
    assert(v.startupMs.p50! < HOLD_MS, "the other viewers start without the hold");
    // The built-in stream carries program date-time: every started viewer has a live latency.
    assert(v.liveLatencyMs.count > 0, "live latency measured");
    assertEquals(v.rebuffers, 0, "no phantom rebuffers on a healthy stream");

    // The timeline's viewer columns add up to the summary's counts, second by second.
    const [header, ...rows] = (await Deno.readTextFile(timeline)).trimEnd().split("\n");
    const col = (name: string) => {
      const i = header.split(",").indexOf(name);
      assert(i >= 0, `timeline column ${name}`);
      return rows.map((r) => Number(r.split(",")[i] || 0));
    };
    const sum = (name: string) => col(name).reduce((a, b) => a + b, 0);
    assertEquals(
      [sum("video_starts_per_s"), sum("video_start_failures_per_s")],
      [v.sessions.started, v.sessions.vsf],
    );
    assertEquals(sum("exits_before_video_start_per_s"), v.sessions.ebvs);
    // Watch time: the summary's viewer-seconds (no rebuffering here: all of it is play time).
    const played = sum("viewers_playing") + sum("viewers_rebuffering");
    assert(Math.abs(played - v.watchMs / 1000) <= 1, `played ${played} s vs ${v.watchMs} ms`);
    // Startup percentiles go on the row written when the sessions started (p95 of two is the
    // lower one in a DDSketch, so the held startup shows only in the summary's max).
    assert(col("startup_p50_ms").some((ms) => ms > 0), "startups on a row");
  } finally {
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
