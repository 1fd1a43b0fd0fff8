/**
 * `hls-swarm merge FILE…`: the fleet's summary from its shards' summaries. A FILE is a JSON
 * summary (`--summary-json`), or any text whose last `HLS_SWARM_SUMMARY` line is one (a pod's
 * `kubectl logs`); `-` reads standard input. Thresholds are judged on the merged fleet only.
 * @module
 */
import { Command } from "commander";
import { parseSubcommand } from "./parse_subcommand.ts";
import {
  MergeInputError,
  mergeSummaries,
  readShardSummary,
  type ShardSummary,
} from "../report/merge.ts";
import { writeTextFileAtomic } from "../atomic_write.ts";
import { runOutcome } from "../report/outcome.ts";
import { decodeSummaryLine, MAX_SUMMARY_JSON_BYTES } from "../report/summary_line.ts";
import { formatSummary } from "../report/summary_text.ts";
import {
  type MergeOutputFlags,
  mergeOutputsOf,
  writeMergeOutputs,
} from "../report/merge_outputs.ts";
import { evaluateThresholds } from "../report/thresholds.ts";
import { parseThreshold, type Threshold } from "../config/thresholds.ts";
import { PROGRAM_NAME } from "../version.ts";
import { writeReportFiles } from "../report/html/outputs.ts";
import { EXIT } from "../exit/codes.ts";
import type { CliIo } from "../exit/io.ts";

interface MergeOptions extends MergeOutputFlags {
  summaryJson?: string;
  threshold?: string[];
  allowMissingShards?: boolean;
  html?: string;
  markdown?: string;
}

/**
 * Runs `merge` with its arguments (after the word `merge`) and resolves with the exit code:
 * 0, 2 (an input cannot be read or does not belong), 5 (shards missing or failed), 99
 * (a threshold failed on the merged fleet).
 *
 * @example Not run: it needs shard summaries on disk and a CliIo (tests/merge_hostile_test.ts)
 * ```ts ignore
 * const code = await runMerge(["shard-0.json", "shard-1.json", "--threshold", "error_rate<1%"], io);
 * ```
 */
export async function runMerge(args: string[], io: CliIo): Promise<number> {
  let files: string[] = [];
  let opts: MergeOptions = {};
  const cmd = new Command(`${PROGRAM_NAME} merge`)
    .description("merge shard summaries into the fleet's summary, exactly")
    .argument(
      "<files...>",
      "JSON summaries, or logs ending with an HLS_SWARM_SUMMARY line; - for stdin",
    )
    .option("--summary-json <file>", "also write the merged summary as JSON; - writes it to stdout")
    .option(
      "--threshold <expr>",
      "pass/fail check on a merged figure, e.g. 'segment_ttfb_p95<500ms' (repeatable)",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option("--allow-missing-shards", "exit 0 even when shards are missing or failed")
    .option("--junit <file>", "also write the merged thresholds and outcome as JUnit XML")
    .option("--timeline <file>", "also write the merged per-second series as CSV")
    .option("--request-log <file>", "also write the shards' request logs, each line with its shard")
    .option(
      "--shard-request-log <index=path>",
      "a shard's --request-log, for --request-log (repeatable)",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option("--html <file>", "also write the merged fleet as a self-contained HTML report")
    .option("--markdown <file>", "also append the merged summary as Markdown (CI job summary)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action((f: string[], o: MergeOptions) => {
      files = f;
      opts = o;
    });
  const ended = parseSubcommand(cmd, args);
  if (ended !== null) return ended;
  // Whatever an input holds, merge ends with an exit code and one line, never a stack trace:
  // an exception that slipped past the checks is still bad input.
  try {
    return await mergeFiles(files, opts, io);
  } catch (e) {
    const message = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split("\n")[0];
    io.stderr(`${PROGRAM_NAME} merge: cannot merge these inputs (${message.slice(0, 500)})\n`);
    return EXIT.usage;
  }
}

async function mergeFiles(files: string[], opts: MergeOptions, io: CliIo): Promise<number> {
  const thresholds: Threshold[] = [];
  for (const text of opts.threshold ?? []) {
    const t = parseThreshold(text);
    if (typeof t === "string") {
      io.stderr(`${PROGRAM_NAME} merge: threshold: ${t}\n`);
      return EXIT.usage;
    }
    thresholds.push(t);
  }
  const outputs = mergeOutputsOf(opts);
  if (Array.isArray(outputs)) {
    for (const e of outputs) io.stderr(`${PROGRAM_NAME} merge: ${e}\n`);
    return EXIT.usage;
  }

  let summary;
  let shards: ShardSummary[] = [];
  try {
    const inputs = [];
    for (const name of files) inputs.push({ name, summary: await readInput(name) });
    summary = mergeSummaries(inputs);
    shards = inputs.map((i) => i.summary);
  } catch (e) {
    io.stderr(`${PROGRAM_NAME} merge: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const results = evaluateThresholds(summary, thresholds);
  const fleet = summary.fleet!;
  const incomplete = fleet.missing.length > 0 || fleet.failed.length > 0;
  const outcome = incomplete && !opts.allowMissingShards
    ? {
      code: EXIT.shardsMissing,
      reason: `shards missing: [${fleet.missing.join(", ")}], failed: [${
        fleet.failed.map((f) => f.index).join(", ")
      }] of ${fleet.shards}`,
    }
    : runOutcome(summary, results, 0);
  (opts.summaryJson === "-" ? io.stderr : io.stdout)(formatSummary(summary, results));
  if (opts.summaryJson) {
    const json = JSON.stringify({ ...summary, thresholds: results, outcome }, null, 2) + "\n";
    try {
      if (opts.summaryJson === "-") io.stdout(json);
      else await writeTextFileAtomic(opts.summaryJson, json);
    } catch (e) {
      io.stderr(`${PROGRAM_NAME} merge: cannot write --summary-json: ${(e as Error).message}\n`);
      return EXIT.failure;
    }
  }
  const say = (line: string) => io.stderr(`${PROGRAM_NAME} merge: ${line}\n`);
  const unwritten = await writeMergeOutputs(outputs, summary, results, outcome, say);
  if (unwritten) {
    say(unwritten.reason);
    return unwritten.code;
  }
  const reports = { html: opts.html ?? null, markdown: opts.markdown ?? null };
  await writeReportFiles({ ...summary, thresholds: results, outcome }, reports, { shards }, say);
  if (outcome.code !== EXIT.ok) io.stderr(`${PROGRAM_NAME} merge: ${outcome.reason}\n`);
  return outcome.code;
}

/** The most an input (a file, or stdin) may hold: a JSON summary is at most
 * {@linkcode MAX_SUMMARY_JSON_BYTES}, and a pod's log around its summary line is allowed four
 * times that. Read as a stream and abandoned past it. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;
const MIB = 1024 * 1024;

/** One input: a JSON summary, or text whose last summary line is one. */
async function readInput(name: string): Promise<ShardSummary> {
  let text: string;
  try {
    text = await readCapped(name);
  } catch (e) {
    if (e instanceof MergeInputError) throw e;
    throw new MergeInputError(`${name}: cannot read (${(e as Error).message})`);
  }
  // A JSON summary file parses whole; a log (whose first lines may be JSON log records) does
  // not, and its last summary line is the summary. A text beyond a summary's size is not one.
  let value: unknown = undefined;
  try {
    if (text.length > MAX_SUMMARY_JSON_BYTES) throw new SyntaxError("too long for a summary");
    value = parseShallowJson(text);
  } catch {
    let json: string | null;
    try {
      json = decodeSummaryLine(text);
    } catch (e) {
      throw new MergeInputError(`${name}: ${(e as Error).message}`);
    }
    if (json === null) {
      throw new MergeInputError(
        `${name}: neither a JSON summary nor a log with an HLS_SWARM_SUMMARY line`,
      );
    }
    try {
      value = parseShallowJson(json);
    } catch (e) {
      throw new MergeInputError(
        `${name}: the summary line is not valid JSON (${(e as Error).message})`,
      );
    }
  }
  return readShardSummary(value, name);
}

/** A summary nests 6 levels deep; JSON.parse of 8 MiB of `[` took 4 s and 600 MB. */
const MAX_JSON_DEPTH = 32;

/** JSON.parse, after a linear scan refuses nesting deeper than {@linkcode MAX_JSON_DEPTH}. */
function parseShallowJson(text: string): unknown {
  let depth = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw new SyntaxError(`nested deeper than ${MAX_JSON_DEPTH}`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return JSON.parse(text);
}

/** The text of a file (`-`: stdin), refused past {@linkcode MAX_INPUT_BYTES}. */
async function readCapped(name: string): Promise<string> {
  const tooLarge = () =>
    new MergeInputError(
      `${name}: larger than ${MAX_INPUT_BYTES / MIB} MiB, the most merge reads of an input`,
    );
  const file = name === "-" ? null : await Deno.open(name);
  // A regular file says its size up front; a pipe is counted as it streams.
  if (file && (await file.stat()).size > MAX_INPUT_BYTES) {
    file.close();
    throw tooLarge();
  }
  const stream = file ? file.readable : Deno.stdin.readable;
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > MAX_INPUT_BYTES) throw tooLarge();
      parts.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  parts.push(decoder.decode());
  return parts.join("");
}
