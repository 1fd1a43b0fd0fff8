/**
 * Fuzzing `merge` (issue 21): tests/merge_fuzz.ts tries thousands of mutated real summaries and
 * summary lines with one seed, in a process of its own (so its peak memory is its own, not that
 * of the tests running beside it), and reports. Every case must end with a planned exit within
 * 1 s, and the process, run with the V8 flags hls-swarm ships with, must stay under 200 MB of
 * RSS.
 */
import { assert, assertEquals } from "../src/testing/assert.ts";
import { ROOT, SWARM_ARGV } from "./helpers.ts";
import type { FuzzResult } from "./merge_fuzz.ts";

const SEED = 21;
const CASES = 3000;
const SHIPPED_V8_FLAGS = SWARM_ARGV.find((a) => a.startsWith("--v8-flags="))!;

Deno.test(`fuzz: ${CASES} mutated summaries and summary lines (seed ${SEED}) end in a planned exit, each within 1 s, under 200 MB`, async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--config=${ROOT}deno.json`,
      // The V8 flags hls-swarm ships with, plus gc() for the fuzzer (see tests/merge_fuzz.ts).
      `${SHIPPED_V8_FLAGS},--expose-gc`,
      `${ROOT}tests/merge_fuzz.ts`,
      String(SEED),
      String(CASES),
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  const lines = stdout.trimEnd().split("\n");
  for (const line of lines.filter((l) => !l.startsWith("FUZZ_RESULT "))) console.log(`  ${line}`);
  assertEquals(out.code, 0, stderr.slice(-3000));
  const r: FuzzResult = JSON.parse(lines.at(-1)!.slice("FUZZ_RESULT ".length));
  assertEquals(r.cases, CASES);
  assertEquals(
    Object.keys(r.exits).filter((c) => !["0", "1", "2", "5", "99"].includes(c)),
    [],
    "only planned exits",
  );
  assert((r.exits["0"] ?? 0) > 0 && (r.exits["2"] ?? 0) > CASES / 4, "both merges and refusals");
  assert(r.cliRuns >= 5, `${r.cliRuns} runs of the real CLI`);
  assert(r.maxMs < 1000, `a case took ${r.maxMs} ms: ${r.maxWhat}`);
  assert(r.peakRssMiB < 200, `peak RSS ${r.peakRssMiB} MiB`);
});
