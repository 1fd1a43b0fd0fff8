/**
 * `--stages` with real FFmpeg against the built-in origin: 0 → 12 viewers in 6 s, hold 6 s,
 * → 20 in 2 s (a small flash crowd), hold 6 s, → 0 in 4 s. The per-second series' viewers
 * (joins - leaves) follow the stages' target, every viewer joins once and leaves once (leaves are not
 * failures), the run ends with its last stage, and the joins agree with the origin's access
 * log: the first playlist request of each User-Agent (one session each here), second by second.
 */
import { parseAccessLogLine } from "../src/test_origin/access_log.ts";
import { DEFAULT_ORIGIN_OPTIONS, startOrigin } from "../src/test_origin/mod.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { parseStages, stageTarget } from "../src/config/stages.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { runSwarm, uniqueAgent } from "./helpers.ts";

const STAGES = "6s:12,6s:12,2s:20,6s:20,4s:0";

Deno.test("stages: the viewers follow the target; joins match the origin's log", async () => {
  const parsed = parseStages(STAGES);
  if (!parsed.ok) throw new Error(parsed.error);
  const origin = await startOrigin({ ...DEFAULT_ORIGIN_OPTIONS, port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "hls-swarm-stages-" });
  try {
    const json = `${dir}/summary.json`;
    const agent = uniqueAgent("stages");
    const run = await runSwarm([
      `--stages=${STAGES}`,
      "--metrics=off",
      `--user-agent=${agent}`,
      `--summary-json=${json}`,
      origin.url,
    ]);
    assertEquals(run.code, 0, run.stderr.slice(-1500));
    const s: RunSummary = JSON.parse(await Deno.readTextFile(json));
    assertEquals(s.stopReason, "duration", "the run ends with its last stage");
    assertEquals(s.clients.target, 20, "the stages' peak is the viewer count");
    const a = s.audience;
    assertEquals([a.joins, a.leaves, a.cut], [20, 20, 0], "each viewer joins once, leaves once");
    assertEquals(a.ramp?.askedPerSecond, 4, "the flash crowd asked: 8 viewers in 2 s");
    assertEquals(s.lifecycle.unexpectedExits, 0, "a leave is not a failure");
    assertEquals(s.viewers.sessions.vsf, 0, "nor a start failure");
    assertEquals(s.lifecycle.restarts, 0, "nor a restart");

    // Viewers (joins - leaves so far) at the end of each second against the target on the stage
    // clock: from audience_started, less the time joins were held while the box was saturated
    // (ramp_held … ramp_resumed in the log), which shifts the rest of the shape later.
    const log = run.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) =>
      JSON.parse(l) as { time: string; msg: string }
    );
    const at = (msg: string) => log.filter((r) => r.msg === msg).map((r) => Date.parse(r.time));
    const [start] = at("audience_started");
    const holds = at("ramp_held").map((from, i) => [from, at("ramp_resumed")[i] ?? Infinity]);
    const stageTime = (wall: number) =>
      wall - start - holds.reduce((n, [a, b]) => n + Math.max(0, Math.min(b, wall) - a), 0);
    const series = s.snapshot.series;
    let viewers = 0, worst = 0, worstTarget = 0;
    const rows: string[] = [];
    series.fields.joins.forEach((joins, i) => {
      viewers += joins - series.fields.leaves[i];
      const t = stageTime((series.start + i + 1) * 1000);
      if (t < 0 || t > 24_000) return;
      const target = stageTarget(parsed.stages, t);
      worst = Math.max(worst, Math.abs(viewers - target));
      worstTarget = Math.max(worstTarget, Math.abs(series.fields.target[i] - target));
      rows.push(`${(t / 1000).toFixed(1)}s ${viewers}/${target}/${series.fields.running[i]}`);
    });
    console.log(`stage time: viewers/target/FFmpeg running: ${rows.join(" ")}`);
    console.log(`held: ${holds.map(([a, b]) => `${b - a} ms`).join(", ") || "never"}`);
    // A second's end falls between two ticks of the target: within one viewer of it.
    assert(worst <= 1, `viewers off the target by ${worst}`);
    // The series' own target column (the plan's, per second) is the stages' target too.
    assert(worstTarget <= 1, `the series' target is off the stages' by ${worstTarget}`);

    // Joins: the series' per second against the origin's first playlist request per viewer.
    const firsts = new Map<string, number>();
    for (const line of (await Deno.readTextFile(origin.accessLogPath)).split("\n")) {
      const e = parseAccessLogLine(line);
      if (!e?.userAgent.startsWith(`${agent}/client-`) || !e.path.endsWith(".m3u8")) continue;
      if (!firsts.has(e.userAgent)) firsts.set(e.userAgent, e.time.getTime());
    }
    assertEquals(firsts.size, 20, "every viewer reached the origin");
    const originPerSecond = new Map<number, number>();
    for (const t of firsts.values()) {
      const sec = Math.floor(t / 1000);
      originPerSecond.set(sec, (originPerSecond.get(sec) ?? 0) + 1);
    }
    let ours = 0, theirs = 0, drift = 0;
    const joins: string[] = [];
    series.fields.joins.forEach((n, i) => {
      ours += n;
      theirs += originPerSecond.get(series.start + i) ?? 0;
      drift = Math.max(drift, Math.abs(ours - theirs));
      if (n || originPerSecond.get(series.start + i)) {
        joins.push(`${n}/${originPerSecond.get(series.start + i) ?? 0}`);
      }
    });
    console.log(`joins per second, hls-swarm/origin: ${joins.join(" ")}`);
    assertEquals(ours, theirs, "the same joins in all");
    // A join reaches the origin a spawn later (tens of ms): one second's boundary at most.
    assert(drift <= 2, `joins so far differ by ${drift} at some second`);
  } finally {
    await origin.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
