/**
 * The audience in /metrics (src/metrics/audience.ts), scraped over HTTP from a real run with
 * `--stages` and `--session-duration` against the built-in origin: the target gauge follows the
 * stages at scrape time, the joins, leaves and sessions equal the exit summary's, and promtool
 * accepts the scrape.
 */
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { parseStages, stageTarget } from "../src/config/stages.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import {
  finishSwarm,
  freePort,
  metricValue as sample,
  spawnSwarm,
  type SwarmRun,
  uniqueAgent,
} from "./helpers.ts";

/** 0 → 10 in 4 s, hold 6 s, → 0 in 4 s; then 0 holds until --duration (20 s) is up. */
const STAGES = "4s:10,6s:10,4s:0";
/** /metrics reuses a scrape for up to 1 s, and the plan looks at the clock every ≤ 250 ms. */
const STALE_MS = 1_500;

async function promtoolCheck(text: string): Promise<{ code: number; report: string }> {
  const check = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = check.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await check.output();
  const d = new TextDecoder();
  return { code: out.code, report: d.decode(out.stdout) + d.decode(out.stderr) };
}

Deno.test("audience metrics: the target follows the stages; joins and leaves equal the summary's", async () => {
  const parsed = parseStages(STAGES);
  if (!parsed.ok) throw new Error(parsed.error);
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-audience-metrics-" });
  const port = freePort();
  const json = `${dir}/summary.json`;
  const child = spawnSwarm([
    `--stages=${STAGES}`,
    "--session-duration=fixed:3s",
    "--duration=20s",
    `--metrics=127.0.0.1:${port}`,
    `--user-agent=${uniqueAgent("audience-metrics")}`,
    `--summary-json=${json}`,
    origin.url,
  ]);
  /** Each scrape: when its answer arrived (wall ms) and its text. */
  const scrapes: { at: number; text: string }[] = [];
  let run: SwarmRun;
  try {
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())
        .catch(() => null);
      if (text !== null) scrapes.push({ at: Date.now(), text });
      else if (scrapes.length) break; // the run is over: its endpoint closed
      await new Promise((r) => setTimeout(r, 400));
    }
  } finally {
    run = await finishSwarm(child);
    await origin.close();
  }
  const logs = run.logs;
  try {
    assertEquals(run.code, 0, run.stderr.slice(-1500));
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    const a = s.snapshot.audience;
    assert(a.joins > 10, `sessions of 3 s turned over: ${a.joins} joins`);
    assertEquals(a.joins, a.leaves, "every viewer left by the end (the target was 0)");

    // The target at each scrape against the stages' target on the stage clock (from
    // audience_started, less the time the box held the ramp), within the scrape's staleness.
    const at = (msg: string) =>
      logs.filter((r) => r.msg === msg).map((r) => Date.parse(String(r.time)));
    const [start] = at("audience_started");
    const holds = at("ramp_held").map((from, i) => [from, at("ramp_resumed")[i] ?? Infinity]);
    const stageTime = (wall: number) =>
      wall - start - holds.reduce((n, [x, y]) => n + Math.max(0, Math.min(y, wall) - x), 0);
    const rows: string[] = [];
    let withTarget = 0;
    for (const { at: wall, text } of scrapes) {
      const target = sample(text, "hlsswarm_audience_target_viewers");
      if (target === undefined) continue; // before the plan started
      withTarget++;
      const t = stageTime(wall);
      const lo = Math.max(0, t - STALE_MS);
      const window = [lo, (lo + t) / 2, t].map((x) => stageTarget(parsed.stages, x));
      rows.push(`${(t / 1000).toFixed(1)}s ${target}/${window[2]}`);
      assert(
        target >= Math.min(...window) - 1 && target <= Math.max(...window) + 1,
        `target ${target} at stage time ${t} ms, the stages' ${window.join("…")}`,
      );
      const viewers = sample(text, "hlsswarm_audience_viewers")!;
      assertEquals(
        viewers,
        sample(text, "hlsswarm_audience_joins_total")! -
          sample(text, "hlsswarm_audience_leaves_total")!,
      );
    }
    console.log(`stage time, target gauge/stages' target: ${rows.join(" ")}`);
    assert(withTarget >= 20, `only ${withTarget} scrapes had a target`);

    // The last scrape came after the last leave (0 held from 14 s to 20 s): it holds the totals.
    const last = scrapes[scrapes.length - 1].text;
    const begun = Object.entries(a.slotSessions).reduce((n, [k, v]) => n + Number(k) * v, 0);
    const slots = Object.values(a.slotSessions).reduce((n, v) => n + v, 0);
    console.log(
      `joins ${a.joins}, leaves ${a.leaves}, sessions begun ${begun} over ${slots} slots, ` +
        `held ${a.heldMs} ms`,
    );
    assertEquals(sample(last, "hlsswarm_audience_joins_total"), a.joins);
    assertEquals(sample(last, "hlsswarm_audience_leaves_total"), a.leaves);
    assertEquals(sample(last, "hlsswarm_audience_sessions_begun_total"), begun);
    assertEquals(sample(last, "hlsswarm_audience_slots_used"), slots);
    assertEquals(sample(last, "hlsswarm_audience_target_viewers"), 0);
    assertEquals(a.target, 0, "the summary's snapshot holds the plan's last target");
    assertEquals(
      sample(last, "hlsswarm_audience_session_seconds_count"),
      a.sessionMs.count,
      "sessions that ended by leaving",
    );

    const mid = scrapes[Math.floor(scrapes.length / 3)].text;
    assert(sample(mid, "hlsswarm_audience_viewers")! > 0, "a mid-run scrape has viewers");
    const check = await promtoolCheck(mid);
    assertEquals(check.code, 0, check.report);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
