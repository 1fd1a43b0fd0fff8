/**
 * `make fuzz-fanin`: the native fan-in built with AddressSanitizer and UndefinedBehaviorSanitizer,
 * fed for N seconds with sessions of random and refused spawn requests, broken frames, and clients
 * whose output is hostile (bench/fanin-fuzz/inputs.ts), each session checked against what it had
 * to give (bench/fanin-fuzz/session.ts). Prints what it tried and what it found; exits 1 on any
 * sanitizer report or wrong answer, naming the seed that replays it. Not part of `make test`.
 *
 *   deno run -A bench/fanin-fuzz/fuzz.ts --binary build/hls-swarm-fanin-asan --seconds 60 [--seed N]
 * @module
 */
import { Rng } from "./inputs.ts";
import { runSession, type SessionReport } from "./session.ts";

function option(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

const binary = option("binary", "build/hls-swarm-fanin-asan");
const seconds = Number(option("seconds", "60"));
const verbose = Deno.args.includes("--verbose");
const seed = Number(option("seed", String(Date.now() % 1e9)));
if (!(seconds > 0) || !Number.isInteger(seed)) {
  console.error("usage: fuzz.ts [--binary PATH] [--seconds N > 0] [--seed INTEGER] [--verbose]");
  Deno.exit(2);
}

// A build without the sanitizers would report nothing whatever happened: make sure they are in.
const probe = await new Deno.Command(binary, {
  args: ["--version"],
  env: { ASAN_OPTIONS: "help=1" },
  stdout: "null",
  stderr: "piped",
}).output().catch((e: Error) => {
  console.error(`fuzz-fanin: ${binary}: ${e.message}`);
  Deno.exit(2);
});
if (!new TextDecoder().decode(probe.stderr).includes("AddressSanitizer")) {
  console.error(
    `fuzz-fanin: ${binary} is not built with -fsanitize=address (make fuzz-fanin builds it)`,
  );
  Deno.exit(2);
}

const rng = new Rng(seed);
const t0 = performance.now();
const reports: SessionReport[] = [];
const count = (into: Record<string, number>, key: string, n = 1) =>
  into[key] = (into[key] ?? 0) + n;
console.log(`fan-in fuzz: ${binary} (ASan+UBSan), seed ${seed}, ${seconds} s`);
let failed: { session: number; report: SessionReport; dir: string } | null = null;
while (performance.now() - t0 < seconds * 1000 && !failed) {
  const dir = await Deno.makeTempDir({ prefix: "fanin-fuzz-" });
  try {
    const report = await runSession(binary, rng, dir);
    reports.push(report);
    if (verbose) console.log(JSON.stringify({ ...report, problems: report.problems.length }));
    if (report.problems.length) failed = { session: reports.length, report, dir };
  } finally {
    if (!failed) await Deno.remove(dir, { recursive: true }); // kept to replay a failure
  }
}

const modes: Record<string, number> = {}, refused: Record<string, number> = {};
const frames: Record<string, number> = {}, exits: Record<string, number> = {};
let requests = 0, stdinBytes = 0, started = 0, outputBytes = 0, lines = 0, dropped = 0;
for (const r of reports) {
  count(modes, r.mode);
  count(exits, `exit ${r.exitCode}`);
  if (r.frame) count(frames, r.frame);
  for (const [k, n] of Object.entries(r.refused)) count(refused, k, n);
  requests += r.requests;
  stdinBytes += r.stdinBytes;
  started += r.started;
  outputBytes += r.outputBytes;
  lines += r.lines;
  dropped += r.dropped;
}
const list = (o: Record<string, number>) =>
  Object.entries(o).map(([k, n]) => `${k} ${n}`).join(", ");
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const refusedTotal = Object.values(refused).reduce((a, b) => a + b, 0);
console.log(
  `sessions: ${reports.length} in ${((performance.now() - t0) / 1000).toFixed(1)} s (${
    list(modes)
  })`,
);
console.log(`requests: ${requests}, ${mb(stdinBytes)} on stdin, written in pieces cut anywhere`);
console.log(`  refused as they must be: ${refusedTotal} (${list(refused)})`);
console.log(`  broken frames: ${list(frames)}; fan-in exits: ${list(exits)}`);
console.log(
  `children started: ${started}; their planned output ${
    mb(outputBytes)
  }; lines read ${lines}, dropped ${dropped}`,
);
if (failed) {
  console.log(
    `FAILED in session ${failed.session} (replay: --seed ${seed}; its files: ${failed.dir}):`,
  );
  for (const p of failed.report.problems.slice(0, 20)) console.log(`  ${p}`);
  Deno.exit(1);
}
console.log("sanitizer reports: 0; wrong answers: 0");
