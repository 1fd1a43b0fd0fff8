/**
 * Issue 21, findings 2 and 3: one regression test per hostile input that used to exhaust memory,
 * overflow the stack, crash, or merge wrongly. Each now ends with exit 2 and one line that names
 * the file, the JSON path and what is wrong (or, for clocks six days apart, merges either way).
 */
import { decodeSummaryLine, SUMMARY_LINE_PREFIX } from "../src/report/summary_line.ts";
import { formatSummary } from "../src/report/summary_text.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals, assertStringIncludes } from "../src/testing/assert.ts";
import {
  base64,
  FIXTURES,
  gzipRepeated,
  type Json,
  loadFixture,
  mergeCli,
  mergeInProcess,
  type MergeRun,
  setPath,
} from "./merge_inputs.ts";
import { SWARM_ARGV } from "./helpers.ts";

const dir = Deno.makeTempDirSync({ prefix: "hls-swarm-merge-hostile-" });

/** Writes docs to files a.json, b.json, … and merges them in-process. */
async function merge(docs: Json[], extra: string[] = []): Promise<MergeRun & { files: string[] }> {
  const files = docs.map((_, i) => `${dir}/${"abcdefgh"[i]}.json`);
  docs.forEach((d, i) => Deno.writeTextFileSync(files[i], JSON.stringify(d)));
  return { ...(await mergeInProcess([...files, ...extra])), files };
}

/** Exit 2, and stderr is exactly one line matching `pattern`. */
function refused(run: MergeRun, pattern: RegExp): void {
  assertEquals(run.code, 2, run.stderr);
  const lines = run.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 1, run.stderr);
  assert(pattern.test(lines[0]), lines[0]);
  console.log(`  exit ${run.code} in ${run.ms.toFixed(1)} ms: ${lines[0]}`);
}

Deno.test("finding 2: a gzip bomb in the summary line is refused at 64 MiB of JSON, in bounded memory", async () => {
  // 1.4 GiB of JSON-ish text, gzipped to a log of about 1.9 MB (the 1.4 MB log took
  // merge to 2.1 GB of RSS).
  const chunk = new TextEncoder().encode(" ".repeat(1024 * 1024));
  const gz = await gzipRepeated(chunk, 1400);
  // The same with a gzip trailer that lies (claims 1,000 bytes): no shortcut, only the limit.
  const forged = gz.slice();
  new DataView(forged.buffer).setUint32(forged.length - 4, 1000, true);
  const line = (b: Uint8Array) => `${SUMMARY_LINE_PREFIX}gz:${base64(b)}`;
  const text = `{"level":"info","msg":"run_started"}\n${line(forged)}\n`;
  const log = `${dir}/bomb.log`;
  Deno.writeTextFileSync(log, text);
  console.log(
    `  bomb: ${gz.length} bytes of gzip, ${text.length} bytes of log, inflates to 1.4 GiB`,
  );

  // k8s run decodes pod logs with the same function.
  for (const payload of [gz, forged]) {
    let message = "";
    const t0 = performance.now();
    try {
      decodeSummaryLine(`${line(payload)}\n`);
    } catch (e) {
      message = (e as Error).message;
    }
    console.log(
      `  decodeSummaryLine (${payload === gz ? "true" : "forged"} trailer): ${
        (performance.now() - t0).toFixed(0)
      } ms`,
    );
    assertEquals(
      message,
      "the summary line's JSON is larger than 64 MiB, the most a summary may hold",
    );
  }

  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "maxrss_kb=%M", Deno.execPath(), ...SWARM_ARGV, "merge", log],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const stderr = new TextDecoder().decode(out.stderr);
  const rssMiB = Number(/maxrss_kb=(\d+)/.exec(stderr)![1]) / 1024;
  console.log(
    `  real CLI: exit ${out.code}, ${ms.toFixed(0)} ms, max RSS ${rssMiB.toFixed(0)} MiB`,
  );
  assertEquals(out.code, 2, stderr);
  assertStringIncludes(
    stderr,
    `hls-swarm merge: ${log}: the summary line's JSON is larger than 64 MiB`,
  );
  assert(rssMiB < 250, `max RSS ${rssMiB} MiB`);
});

Deno.test("finding 2: inputs past 256 MiB are refused, a file by its size, stdin as it streams", async () => {
  const big = `${dir}/big.log`;
  const f = Deno.openSync(big, { create: true, write: true, truncate: true });
  f.truncate(256 * 1024 * 1024 + 1); // sparse: nothing is written
  f.close();
  refused(
    await mergeInProcess([big]),
    /^hls-swarm merge: .*big\.log: larger than 256 MiB, the most merge reads of an input$/,
  );
  Deno.removeSync(big);
  const run = await mergeCli(["-"], new Uint8Array(256 * 1024 * 1024 + 10).fill(32));
  console.log(`  stdin of 256 MiB + 10 bytes: exit ${run.code} in ${run.ms.toFixed(0)} ms`);
  refused(run, /^hls-swarm merge: -: larger than 256 MiB, the most merge reads of an input$/);
});

Deno.test("finding 3: shard.count 1e8 is refused at once", async () => {
  const doc = loadFixture(FIXTURES.shard0);
  setPath(doc, "shard.count", 1e8);
  const run = await merge([doc]);
  refused(run, /a\.json: shard\.count: 100000000 is outside 1 \.\. 10000 \(a shard count\)$/);
  assert(run.ms < 1000, `${run.ms} ms`);
});

Deno.test("finding 3: a sketch offset of 1e9, or a gap of 1e6 between two shards, is refused", async () => {
  const doc = loadFixture(FIXTURES.shard0);
  setPath(doc, "snapshot.latency.ttfbSegment.offset", 1e9);
  refused(
    await merge([doc]),
    /a\.json: snapshot\.latency\.ttfbSegment\.offset: 1000000000 is outside -345 \.\. 1209 \(the keys of 1 µs \.\. 1 year\)$/,
  );
  const [a, b] = [loadFixture(FIXTURES.shard0), loadFixture(FIXTURES.shard1)];
  setPath(a, "snapshot.latency.ttfbSegment.offset", -200);
  setPath(b, "snapshot.latency.ttfbSegment.offset", -200 + 1e6);
  refused(
    await merge([a, b]),
    /b\.json: snapshot\.latency\.ttfbSegment\.offset: 999800 is outside/,
  );
  // The widest gap that is allowed merges (no stack-sized spread in between).
  const bins = (b.snapshot as unknown as RunSummary["snapshot"]).latency.ttfbSegment.bins.length;
  setPath(b, "snapshot.latency.ttfbSegment.offset", 1209 - (bins - 1));
  const widest = await merge([a, b]);
  assertEquals(widest.code, 0, widest.stderr);
});

Deno.test("finding 3: counts of 1.7e308 are refused, and counts that add past 2^53 too; a threshold cannot pass on them", async () => {
  const [a, b] = [loadFixture(FIXTURES.shard0), loadFixture(FIXTURES.shard1)];
  setPath(a, "snapshot.requests.segment", 1.7e308);
  setPath(b, "snapshot.requests.segment", 1.7e308);
  refused(
    await merge([a, b], ["--threshold", "error_rate<1%"]),
    /a\.json: snapshot\.requests\.segment: 1\.7e\+308 is outside 0 \.\. 9007199254740991 \(a count\)$/,
  );
  // Each below 2^53, their sum not: exact counts cannot be promised, so no figure is given.
  setPath(a, "snapshot.requests.segment", 6e15);
  setPath(b, "snapshot.requests.segment", 6e15);
  refused(
    await merge([a, b], ["--threshold", "error_rate<1%"]),
    /merging .*a\.json, .*b\.json: requests\.segment: the parts add up to 12000000000000000, beyond 2\^53/,
  );
});

Deno.test("finding 3: the same unsharded summary given twice is refused, not counted double", async () => {
  const doc = loadFixture(FIXTURES.whole);
  refused(
    await merge([doc, doc]),
    /two summaries of the unsharded run fixture-run-2: .*a\.json and .*b\.json$/,
  );
  refused(
    await mergeInProcess([FIXTURES.shard0, FIXTURES.shard0Log]),
    /two summaries of shard 0: .*shard-0\.json and .*shard-0\.logs\.txt$/,
  );
});

Deno.test("finding 3: two shards six days apart merge the same in either order", async () => {
  const [a, b] = [loadFixture(FIXTURES.shard0), loadFixture(FIXTURES.shard1)];
  const series = b.snapshot as { series: { start: number } };
  setPath(b, "snapshot.series.start", series.series.start + 6 * 24 * 3600);
  const json = (i: number) => `${dir}/fleet-${i}.json`;
  const one = await merge([a, b], [`--summary-json=${json(1)}`]);
  const two = await merge([b, a], [`--summary-json=${json(2)}`]);
  console.log(
    `  a,b: exit ${one.code} in ${one.ms.toFixed(0)} ms; b,a: exit ${two.code} in ${
      two.ms.toFixed(0)
    } ms`,
  );
  assertEquals([one.code, two.code], [0, 0], one.stderr + two.stderr);
  const [x, y] = [json(1), json(2)].map((f) => JSON.parse(Deno.readTextFileSync(f)) as RunSummary);
  const [sa, sb] = [a, b].map((d) => (d.snapshot as unknown as RunSummary["snapshot"]).series);
  const span = sb.start + sb.fields.segments.length - sa.start;
  assert(span > 6 * 24 * 3600, `${span} s`);
  assertEquals(x.snapshot.series.fields.segments.length, span);
  assertEquals(x.snapshot.series, y.snapshot.series);
  // A week and a second apart is refused, in one line.
  setPath(b, "snapshot.series.start", sa.start + 7 * 24 * 3600);
  refused(await merge([a, b]), /cannot span 60\d{4} s .*more than a week$/);
});

Deno.test("finding 3: a non-object origin is refused, and the text summary does not crash on one", async () => {
  const doc = loadFixture(FIXTURES.shard0);
  setPath(doc, "origin", "http://user:secret@origin");
  const run = await merge([doc]);
  refused(run, /a\.json: origin: expected an object, got a string$/);
  assert(!run.stderr.includes("secret"), "the value is not quoted");
  const ok = await merge([loadFixture(FIXTURES.shard0)], ["--summary-json=-"]);
  const summary = JSON.parse(ok.stdout) as RunSummary;
  for (const origin of ["x", 3, [], { sources: null }]) {
    const text = formatSummary({ ...summary, origin } as unknown as RunSummary, []);
    assertStringIncludes(text, "Run id:                 fixture-run-1");
  }
});
