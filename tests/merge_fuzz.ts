/**
 * The merge fuzzer (issue 21), run by tests/merge_fuzz_test.ts in a process of its own so that
 * its peak memory is merge's and the fuzzer's alone: thousands of mutations of real shard
 * summaries (testdata/merge) and of their summary lines, each merged in-process through the
 * function the CLI calls (runMerge), and a sample through the real CLI. Each case must end with
 * a planned exit code, one line of error and no stack trace, never quote a secret and never
 * report a non-finite figure; an assertion that fails ends the process with exit 1.
 * Prints what it tried, then `FUZZ_RESULT {json}` as its last line.
 *
 *     deno run -A tests/merge_fuzz.ts [SEED] [CASES]
 * @module
 */
import { clientRandom } from "../src/math/random.ts";
import { SUMMARY_LINE_PREFIX } from "../src/report/summary_line.ts";
import type { RunSummary } from "../src/report/summary.ts";
import { assert, assertEquals } from "../src/testing/assert.ts";
import {
  base64,
  FIXTURES,
  gzipRepeated,
  type Json,
  loadFixture,
  mergeCli,
  mergeInProcess,
  type MergeRun,
  peakRssMiB,
} from "./merge_inputs.ts";

const SEED = Number(Deno.args[0] ?? 21);
const CASES = Number(Deno.args[1] ?? 2000);
/** How often (in cases) garbage is collected between cases. */
const GC_EVERY = Number(Deno.env.get("HLS_SWARM_FUZZ_GC_EVERY") ?? 10);
const collectGarbage = (globalThis as { gc?: () => void }).gc;
/** Prints each case that raised the peak memory by 10 MiB (HLS_SWARM_FUZZ_TRACE=1). */
const TRACE_MEMORY = Deno.env.get("HLS_SWARM_FUZZ_TRACE") === "1";
/** Every this many cases, the same inputs go through the real CLI too. */
const CLI_EVERY = 250;
/** Strings are sometimes replaced by this: no message may ever quote it. */
const SECRET = "Bearer s3cr3t-token-do-not-print";
/** Numbers JSON can spell but JSON.stringify cannot write: put in raw. */
const RAW = ["1e999", "-1e999", "-0", "1E400", "0.0000000000000000000001"];
const NUMBERS: Json[] = [
  1e308,
  -1e308,
  1.7e308,
  -1,
  -1e9,
  1e9,
  1e8,
  2 ** 53,
  2 ** 53 + 2,
  0.5,
  1e-300,
  0,
  3.999,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  604_800,
  604_801,
  10_000,
  10_001,
];
const SWAPS: Json[] = ["x", "", true, false, null, [], {}, [1, 2], { a: 1 }, "NaN", "1e999"];
const ALLOWED_EXITS = [0, 1, 2, 5, 99];

type Doc = { [key: string]: Json };
type Random = () => number;

const rnd: Random = clientRandom(0, SEED);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
const dir = Deno.makeTempDirSync({ prefix: "hls-swarm-merge-fuzz-" });

/** Every path of a document, to a leaf or a container (dot-separated). */
function pathsOf(doc: Json): string[] {
  const out: string[] = [];
  const stack: [Json, string][] = [[doc, ""]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (path) out.push(path);
    if (v === null || typeof v !== "object") continue;
    // Long lists (series, bins) contribute their first few items only.
    const entries = Array.isArray(v)
      ? v.slice(0, 3).map((x, i) => [String(i), x] as const)
      : Object.entries(v);
    for (const [k, x] of entries) stack.push([x, path ? `${path}.${k}` : k]);
  }
  return out;
}

function getAt(doc: Json, path: string): { parent: Record<string, Json>; key: string } {
  const keys = path.split(".");
  let at = doc as Record<string, Json>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, Json>;
  return { parent: at, key: keys.at(-1)! };
}

/** One mutation of a field: what it did, for the log. */
type FieldMutation = (doc: Doc, path: string) => string;

const FIELD_MUTATIONS: readonly [string, FieldMutation][] = [
  ["number", (doc, path) => {
    const { parent, key } = getAt(doc, path);
    parent[key] = rnd() < 0.2 ? `__RAW_${pick(RAW)}__` : pick(NUMBERS);
    return "number";
  }],
  ["swap", (doc, path) => {
    const { parent, key } = getAt(doc, path);
    parent[key] = rnd() < 0.15 ? SECRET : structuredClone(pick(SWAPS));
    return "swap";
  }],
  ["delete", (doc, path) => {
    const { parent, key } = getAt(doc, path);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
    return "delete";
  }],
  ["lengthen", (doc, path) => {
    const { parent, key } = getAt(doc, path);
    // Past a week of seconds (604,800) now and then; long lists of small values only, so an
    // input stays a few MB and the peak memory measured is merge's, not the generator's.
    const n = rnd() < 0.05 ? 700_000 : pick([100, 2_000, 20_000]);
    const fill = n > 20_000 ? pick<Json>([0, 1, null]) : pick<Json>([0, 1, 2 ** 52, "x", null]);
    parent[key] = Array.isArray(parent[key])
      ? (parent[key] as Json[]).concat(new Array<Json>(n).fill(fill))
      : new Array<Json>(n).fill(fill);
    return "lengthen";
  }],
  ["long-string", (doc, path) => {
    const { parent, key } = getAt(doc, path);
    // A million characters now and then (up to 6 MB of JSON, as \u0000 escapes).
    parent[key] = pick(["a", "é", "\u0000", "\n"]).repeat(
      rnd() < 0.03 ? 1_000_000 : pick([100, 1_000, 100_000]),
    );
    return "long-string";
  }],
];

/** A mutated input set: files to write (name → text) and what was done. */
interface Case {
  files: [string, string][];
  /** The kind of mutation, for the tally. */
  kind: string;
  what: string;
}

function serialize(doc: Json): string {
  return JSON.stringify(doc).replace(/"__RAW_([^_]+)__"/g, "$1");
}

async function gzLine(json: string): Promise<string> {
  const gz = await gzipRepeated(new TextEncoder().encode(json), 1);
  return `${SUMMARY_LINE_PREFIX}gz:${base64(gz)}`;
}

/** The bombs: inflating past the 64 MiB cap, and a smaller one that fits but is not JSON. */
const BOMBS = {
  over: await gzipRepeated(new Uint8Array(1024 * 1024).fill(32), 65),
  under: await gzipRepeated(new TextEncoder().encode("[".repeat(1024 * 1024)), 8),
  /** `over` with a gzip trailer that claims 1,000 bytes: only the inflate limit stops it. */
  forged: new Uint8Array(0),
};
BOMBS.forged = BOMBS.over.slice();
new DataView(BOMBS.forged.buffer).setUint32(BOMBS.forged.length - 4, 1000, true);

const docs = [FIXTURES.shard0, FIXTURES.shard1, FIXTURES.whole].map(loadFixture);
const logs = [FIXTURES.shard0Log, FIXTURES.shard1Log].map((f) => Deno.readTextFileSync(f));
const paths = docs.map(pathsOf);

async function makeCase(i: number): Promise<Case> {
  const kind = rnd();
  const which = Math.floor(rnd() * 3);
  const doc = structuredClone(docs[which]);
  const partner = which === 0 ? docs[1] : docs[0];
  if (kind < 0.6) {
    // One to three field mutations, merged with its partner shard half the time.
    const done: string[] = [];
    for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
      const path = pick(paths[which]);
      const [, mutate] = pick(FIELD_MUTATIONS);
      try {
        done.push(`${mutate(doc, path)} ${path}`);
      } catch {
        done.push(`(gone) ${path}`); // an earlier mutation removed the path
      }
    }
    const files: [string, string][] = [[`m${i}.json`, serialize(doc)]];
    if (rnd() < 0.5) files.push([`p${i}.json`, JSON.stringify(partner)]);
    return { files, kind: `field: ${done[0].split(" ")[0]}`, what: done.join("; ") };
  }
  if (kind < 0.85) {
    // The summary as a gz line in a pod log, then damaged.
    const line = await gzLine(serialize(doc));
    const head = logs[which === 1 ? 1 : 0].slice(0, 2000);
    const payloadAt = SUMMARY_LINE_PREFIX.length + 3;
    const damage = pick([
      "truncate",
      "flip base64",
      "flip gzip",
      "garbage",
      "bomb",
      "forged bomb",
      "small bomb",
      "cr",
      "none",
    ]);
    let text = line;
    if (damage === "truncate") {
      text = line.slice(0, payloadAt + Math.floor(rnd() * (line.length - payloadAt)));
    }
    if (damage === "flip base64") {
      const at = payloadAt + Math.floor(rnd() * (line.length - payloadAt));
      text = line.slice(0, at) + pick(["A", "/", "+", "=", "*", " "]) + line.slice(at + 1);
    }
    if (damage === "flip gzip") {
      const bytes = Uint8Array.from(atob(line.slice(payloadAt)), (c) => c.charCodeAt(0));
      bytes[Math.floor(rnd() * bytes.length)] ^= 1 << Math.floor(rnd() * 8);
      text = `${SUMMARY_LINE_PREFIX}gz:${base64(bytes)}`;
    }
    if (damage === "garbage") text = line + pick(["AAAA", "====", "\u00ff", " extra"]);
    if (damage === "bomb") text = `${SUMMARY_LINE_PREFIX}gz:${base64(BOMBS.over)}`;
    if (damage === "forged bomb") text = `${SUMMARY_LINE_PREFIX}gz:${base64(BOMBS.forged)}`;
    if (damage === "small bomb") text = `${SUMMARY_LINE_PREFIX}gz:${base64(BOMBS.under)}`;
    if (damage === "cr") text = line.replace("gz:", "gz:\r");
    return {
      files: [[`l${i}.log`, `${head}\n${text}\n`]],
      kind: `gz line: ${damage}`,
      what: `gz line: ${damage}`,
    };
  }
  // Whole inputs: duplicates, mixtures, raw junk.
  const shape = pick([
    "same twice",
    "shard twice",
    "whole and shard",
    "three",
    "junk",
    "deep",
    "empty",
  ]);
  const j = (d: Json) => JSON.stringify(d);
  const files: [string, string][] = {
    "same twice": [[`a${i}.json`, j(doc)], [`b${i}.json`, j(doc)]],
    "shard twice": [[`a${i}.json`, j(docs[0])], [`b${i}.log`, logs[0]]],
    "whole and shard": [[`a${i}.json`, j(docs[2])], [`b${i}.json`, j(docs[1])]],
    "three": [[`a${i}.json`, j(docs[0])], [`b${i}.json`, j(docs[1])], [`c${i}.json`, j(docs[1])]],
    "junk": [[`a${i}.json`, j(doc).slice(0, Math.floor(rnd() * 20_000))]],
    "deep": [[`a${i}.json`, "[".repeat(pick([1_000, 100_000, 1_000_000]))]],
    "empty": [[`a${i}.json`, ""]],
  }[shape] as [string, string][];
  return { files, kind: `inputs: ${shape}`, what: `inputs: ${shape}` };
}

/** What a case must never do, whichever exit it took. */
function checkRun(run: MergeRun, what: string, out: string): void {
  assert(
    ALLOWED_EXITS.includes(run.code),
    `${what}: exit ${run.code}: ${run.stderr.slice(0, 300)}`,
  );
  // Errors never quote input (a merged summary does carry its shards' own fields on).
  assert(!run.stderr.includes(SECRET), `${what}: a secret was printed`);
  assert(!/\n\s+at /.test(run.stderr), `${what}: a stack trace: ${run.stderr.slice(0, 300)}`);
  if (run.code === 2) {
    const lines = run.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, `${what}: ${run.stderr.slice(0, 300)}`);
    assert(lines[0].length < 2000, `${what}: a line of ${lines[0].length} characters`);
    return;
  }
  const summary = JSON.parse(Deno.readTextFileSync(out)) as RunSummary;
  for (const v of [summary.traffic.errorRate, summary.traffic.totalRequests, summary.durationMs]) {
    assert(typeof v === "number" && Number.isFinite(v), `${what}: a figure is ${v}`);
  }
}

/** What the fuzzer reports. */
export interface FuzzResult {
  seed: number;
  cases: number;
  seconds: number;
  exits: Record<string, number>;
  maxMs: number;
  maxWhat: string;
  cliRuns: number;
  peakRssMiB: number;
}

async function main(): Promise<FuzzResult> {
  const exits: Record<string, number> = {};
  const kinds = new Map<string, { n: number; ms: number; max: number }>();
  let maxMs = 0, maxWhat = "", cliRuns = 0, lastPeak = 0;
  const t0 = performance.now();
  for (let i = 0; i < CASES; i++) {
    const c = await makeCase(i);
    const names = c.files.map(([name, text]) => {
      Deno.writeTextFileSync(`${dir}/${name}`, text);
      return `${dir}/${name}`;
    });
    const out = `${dir}/out.json`;
    const args = [...names, `--summary-json=${out}`];
    if (i % 3 === 0) args.push("--threshold", "error_rate<1%");
    const before = TRACE_MEMORY ? peakRssMiB() : 0;
    const run = await mergeInProcess(args);
    if (TRACE_MEMORY && peakRssMiB() > before + 10) {
      console.log(
        `  case ${i}: merge raised the peak ${before.toFixed(0)} → ${peakRssMiB().toFixed(0)} MiB`,
      );
    }
    checkRun(run, `case ${i} (${c.what})`, out);
    exits[run.code] = (exits[run.code] ?? 0) + 1;
    const k = kinds.get(c.kind) ?? { n: 0, ms: 0, max: 0 };
    kinds.set(c.kind, { n: k.n + 1, ms: k.ms + run.ms, max: Math.max(k.max, run.ms) });
    if (run.ms > maxMs) [maxMs, maxWhat] = [run.ms, c.what];
    // V8 collects garbage lazily, and a refused bomb leaves up to 64 MiB of it: collected here
    // (when run with --expose-gc), the peak measured is that of the largest case, not of many
    // dead ones side by side.
    if (i % GC_EVERY === 0 || c.kind.includes("bomb")) collectGarbage?.();
    if (TRACE_MEMORY) {
      const peak = peakRssMiB();
      if (peak > lastPeak + 10) {
        console.log(`  case ${i}: peak ${peak.toFixed(0)} MiB after ${c.what}`);
      }
      lastPeak = Math.max(peak, lastPeak);
    }
    if (i % CLI_EVERY === 0) {
      const cli = await mergeCli(args);
      checkRun(cli, `case ${i} via the CLI (${c.what})`, out);
      assertEquals([cli.code, cli.stderr.split("\n")[0]], [run.code, run.stderr.split("\n")[0]]);
      cliRuns++;
    }
    for (const name of names) Deno.removeSync(name);
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`seed ${SEED}: ${CASES} inputs tried in ${seconds.toFixed(1)} s`);
  for (const [kind, t] of [...kinds].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(
      `  ${kind.padEnd(24)}${String(t.n).padStart(5)} cases, mean ${(t.ms / t.n).toFixed(1)} ms, ` +
        `max ${t.max.toFixed(0)} ms`,
    );
  }
  console.log(`exits by code: ${Object.entries(exits).map(([c, n]) => `${c}: ${n}`).join(", ")}`);
  console.log(`max time per case: ${maxMs.toFixed(0)} ms (${maxWhat.slice(0, 120)})`);
  console.log(`${cliRuns} cases also through the real CLI: same exit and first line`);
  const peak = peakRssMiB();
  console.log(`peak memory of this process (VmHWM): ${peak.toFixed(0)} MiB`);
  return { seed: SEED, cases: CASES, seconds, exits, maxMs, maxWhat, cliRuns, peakRssMiB: peak };
}

if (import.meta.main) {
  const result = await main();
  Deno.removeSync(dir, { recursive: true });
  console.log(`FUZZ_RESULT ${JSON.stringify(result)}`);
}
