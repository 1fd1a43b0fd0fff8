/**
 * `hls-swarm merge --junit --timeline --request-log` on two real shards (one FFmpeg client each
 * against the built-in origin): the JUnit XML read back by a JUnit parser (junit2json, which CI
 * reporters of the same family use; chosen over an XSD check because no JUnit XSD ships in a
 * Debian package, and a parser is what reads the file in CI), the timeline's rows adding up to
 * the merged summary, and the merged request log holding every shard's lines with their shard.
 * @module
 */
import { parse as parseJunit } from "junit2json";
import { readFileFrames } from "../src/report/file_frames.ts";
import { TIMELINE_HEADER } from "../src/report/timeline.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import { mergeCli } from "./merge_inputs.ts";
import { readNdjson, runShards, type ShardOutputs } from "./shard_outputs.ts";

const RUN_ID = "merge-outputs-test";
const dir = await Deno.makeTempDir({ prefix: "hls-swarm-merge-outputs-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
let recorded: ShardOutputs[] | null = null;
/** The two shards, run once for every test of this file. */
async function shards(): Promise<ShardOutputs[]> {
  recorded ??= await runShards(dir, RUN_ID, 2);
  return recorded;
}

const requestLogArgs = (list: ShardOutputs[]) =>
  list.flatMap((s) => ["--shard-request-log", `${s.index}=${s.requestLog}`]);

Deno.test("merge --junit --timeline --request-log: read back, they add up to the merged summary", async () => {
  const list = await shards();
  const out = (name: string) => `${dir}/merged-${name}`;
  const merged = await mergeCli([
    ...list.map((s) => s.summary),
    "--threshold=error_rate<1%",
    "--threshold=startup_p50<1ms",
    `--summary-json=${out("summary.json")}`,
    `--junit=${out("junit.xml")}`,
    `--timeline=${out("timeline.csv")}`,
    `--request-log=${out("requests.ndjson")}`,
    ...requestLogArgs(list),
  ]);
  // startup_p50<1ms fails: no viewer starts within a millisecond.
  assertEquals(merged.code, 99, merged.stderr);
  const summary = JSON.parse(await Deno.readTextFile(out("summary.json")));

  // JUnit, as a CI reporter reads it: one case per threshold and one for the run.
  const junit = await parseJunit(await Deno.readTextFile(out("junit.xml")));
  assert(junit && "testsuite" in junit, "a <testsuites> document");
  const suite = junit.testsuite![0];
  const cases = suite.testcase!;
  console.log(
    `junit2json: suite "${suite.name}", ${suite.tests} tests, ${suite.failures} failures: ` +
      cases.map((c) => `${c.name}${c.failure ? ` FAILED (${c.failure[0].message})` : ""}`)
        .join("; "),
  );
  assertEquals(suite.name, `hls-swarm ${RUN_ID}`);
  assertEquals(
    cases.map((c) => [c.classname, c.name, c.failure !== undefined]),
    [
      ["hls-swarm.thresholds", "error_rate<1%", false],
      ["hls-swarm.thresholds", "startup_p50<1ms", true],
      ["hls-swarm.run", `run ${RUN_ID}`, false],
    ],
  );
  assertEquals([suite.tests, suite.failures], [3, 1]);
  const startup = summary.thresholds.find((t: { threshold: string }) =>
    t.threshold.startsWith("startup")
  );
  assertEquals(
    cases[1].failure![0].message,
    `startup_p50<1ms: actual ${Number(startup.actual.toFixed(6))}`,
  );
  assertEquals(suite.time, Number((summary.durationMs / 1000).toFixed(1)));

  // The timeline: one row per second of the merged series, whose counts add up to the summary's.
  const [header, ...rows] = (await Deno.readTextFile(out("timeline.csv"))).trimEnd().split("\n");
  assertEquals(header, TIMELINE_HEADER);
  const columns = header.split(",");
  const column = (name: string) => rows.map((r) => Number(r.split(",")[columns.indexOf(name)]));
  const sum = (name: string) => column(name).reduce((a, b) => a + b, 0);
  const snap = summary.snapshot;
  assertEquals(rows.length, snap.series.fields.segments.length);
  const totals = {
    manifest: sum("manifest_requests_per_s"),
    segment: sum("segment_requests_per_s"),
    init: sum("init_requests_per_s"),
    other: sum("other_requests_per_s"),
  };
  console.log(`timeline: ${rows.length} rows; requests ${JSON.stringify(totals)}`);
  assertEquals(totals, snap.requests);
  assert(totals.segment > 0, "segments were fetched");
  assertEquals(sum("video_starts_per_s"), summary.viewers.sessions.started);
  const bytes = Object.values(snap.bytes as Record<string, number>).reduce((a, b) => a + b, 0);
  // Each row rounds its Mbit to 3 decimals: the sum is within half a thousandth a row.
  assert(Math.abs(sum("mbit_per_s") - bytes * 8 / 1e6) <= rows.length * 0.0005, "Mbit adds up");
  // Per-second percentiles need per-second sketches, which summaries do not keep: left empty.
  for (const c of columns.filter((c) => /_p\d+_ms$/.test(c))) {
    assert(rows.every((r) => r.split(",")[columns.indexOf(c)] === ""), `${c} is empty`);
  }

  // The request log: every shard's lines, in shard order, each with its shard first.
  const lines = await readNdjson(out("requests.ndjson"));
  let at = 0;
  for (const s of list) {
    const own = await readNdjson(s.requestLog);
    assert(own.length > 0, `shard ${s.index} logged requests`);
    assertEquals(lines.slice(at, at + own.length), own.map((l) => ({ shard: s.index, ...l })));
    at += own.length;
  }
  assertEquals(at, lines.length);
  // One line per request the merged summary counts.
  const byKind: Record<string, number> = { manifest: 0, segment: 0, init: 0, other: 0 };
  for (const l of lines) byKind[l.kind as string]++;
  console.log(`request log: ${lines.length} lines, by kind ${JSON.stringify(byKind)}`);
  assertEquals(byKind, snap.requests);
  assert(
    merged.stderr.includes(`request log: ${lines.length} lines from shards 0 (`),
    merged.stderr,
  );
});

Deno.test("a shard prints its request log into its log before its summary line, whole", async () => {
  for (const s of await shards()) {
    const framed = readFileFrames(s.podLog, "request-log");
    assert(framed !== null, "frames in the pod's log");
    assertEquals(framed.incomplete, null);
    assertEquals(framed.text, await Deno.readTextFile(s.requestLog));
    assertEquals(framed.end?.omittedLines, 0);
    // The summary line is still the last line.
    assert(s.podLog.trimEnd().split("\n").at(-1)!.startsWith("HLS_SWARM_SUMMARY "));
  }
});

Deno.test("merge's output flags refuse bad input with exit 2 and one line each", async () => {
  const list = await shards();
  const summaries = list.map((s) => s.summary);
  const notALog = `${dir}/not-a-request-log.ndjson`;
  await Deno.writeTextFile(notALog, '{"time":"2030-01-01T00:00:00Z","client":0}\n[1]\n');
  const cases: [string[], string][] = [
    [["--request-log=x.ndjson"], "--request-log: needs the shards' request logs"],
    [["--timeline=-"], "--timeline: writes a file; - (stdout) is not one"],
    [[`--shard-request-log=0=${list[0].requestLog}`], "--shard-request-log: needs --request-log"],
    [["--request-log=x", "--shard-request-log=shard.ndjson"], "expected INDEX=PATH"],
    [["--request-log=x", "--shard-request-log=0=a", "--shard-request-log=0=b"], "shard 0 twice"],
    [[`--request-log=${dir}/x`, "--shard-request-log=5=a"], "no summary of shard 5 was merged"],
    [[`--request-log=${dir}/x`, `--shard-request-log=1=${notALog}`], "line 2 is not a JSON object"],
    [[`--request-log=${dir}/x`, `--shard-request-log=1=${dir}/none`], "cannot read"],
  ];
  for (const [args, message] of cases) {
    const r = await mergeCli([...summaries, ...args]);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert(r.stderr.includes(message), `${args.join(" ")}: ${r.stderr}`);
  }
  // Nothing half-written is left where the merged log would go.
  assertEquals([...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("x")), []);
});
