/**
 * `hls-swarm reconcile --request-log FILE… CDN-LOG…`: did the CDN see what the viewers did?
 * Exit 0 when every request matches within `--tolerance`, 99 otherwise, 2 for a log that
 * cannot be read (one line saying which and where).
 * @module
 */
import { Command, Option } from "commander";
import { parseSubcommand } from "./parse_subcommand.ts";
import { parseDuration } from "../config/duration.ts";
import { EXIT } from "../exit/codes.ts";
import type { CliIo } from "../exit/io.ts";
import { PROGRAM_NAME } from "../version.ts";
import { detectFormat, FORMATS } from "../reconcile/formats.ts";
import { readLineBatches } from "../reconcile/lines.ts";
import { Matcher } from "../reconcile/match.ts";
import {
  FORMAT_NAMES,
  type FormatName,
  type LogFormat,
  LogLineError,
} from "../reconcile/record.ts";
import { buildReport } from "../reconcile/report.ts";
import { formatReconcile } from "../reconcile/report_text.ts";
import { readRequestLog, type SwarmRequest } from "../reconcile/swarm_log.ts";

interface Options {
  requestLog: string[];
  format: "auto" | FormatName;
  window: string;
  tolerance: string;
  examples: string;
  json?: boolean;
}

/** What the command reads the time from (progress lines); injected by tests. */
export interface ReconcileDeps {
  now(): number;
}

/** A progress line at most this often, and only once a file has taken this long. */
const PROGRESS_EVERY_MS = 2000;
const MIB = 1024 * 1024;
const NAME = `${PROGRAM_NAME} reconcile`;

/** An input that cannot be read: exit 2 with its message. */
class InputError extends Error {}

/**
 * Runs `reconcile` with its arguments (after the word `reconcile`); resolves with the exit code.
 *
 * @example Not run: it needs a request log and edge logs on disk (tests/reconcile_test.ts)
 * ```ts ignore
 * const code = await runReconcile(["--request-log", "requests.ndjson", "edge-a.log"], io);
 * ```
 */
export async function runReconcile(
  args: string[],
  io: CliIo,
  deps: ReconcileDeps = { now: () => performance.now() },
): Promise<number> {
  let logs: string[] = [];
  let opts: Options | null = null;
  const cmd = new Command(NAME)
    .description("match the run's request log with the CDN's access logs")
    .argument("<cdn-logs...>", "CDN access logs (one per edge, or with an edge field); .gz too")
    .requiredOption(
      "--request-log <file>",
      "the run's --request-log (repeat for each shard's)",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .addOption(
      new Option("--format <format>", "the CDN logs' format").choices(["auto", ...FORMAT_NAMES])
        .default("auto"),
    )
    .option("--window <duration>", "how far apart (after the skew) a pair may be", "2s")
    .option("--tolerance <n>", "mismatches allowed: a count, or N% of the requests", "0")
    .option("--examples <n>", "unmatched requests shown per type", "5")
    .option("--json", "print the report as JSON")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action((l: string[], o: Options) => {
      logs = l;
      opts = o;
    });
  const ended = parseSubcommand(cmd, args);
  if (ended !== null) return ended;
  const o = opts!;
  const window = parseDuration(o.window);
  const examples = Number(o.examples);
  const tolerance = /^(\d+(?:\.\d+)?)(%?)$/.exec(o.tolerance);
  const usage = !window.ok
    ? `--window: ${window.error}`
    : !Number.isInteger(examples) || examples < 0
    ? `--examples: "${o.examples}" is not a whole number`
    : !tolerance
    ? `--tolerance: "${o.tolerance}" is neither a count nor a percentage such as 0.5%`
    : null;
  if (usage || !window.ok || !tolerance) {
    io.stderr(`${NAME}: ${usage}\n`);
    return EXIT.usage;
  }
  try {
    const requests: SwarmRequest[] = [];
    for (const path of o.requestLog) {
      await withInput(path, () => readRequestLog(path, requests));
    }
    const matcher = new Matcher(requests, window.ms);
    const edges: string[] = [];
    const base = (p: string) => p.split("/").pop()!;
    // A log is an edge, named by its file; two edges' access.log go by their paths.
    const clash = new Set(logs.map(base)).size < logs.length;
    for (const path of logs) {
      const edge = clash ? path : base(path);
      // A log whose lines name their edge (CloudFront's x-edge-location) is not one edge.
      const named = await withInput(
        path,
        () => readCdnLog(path, edge, o.format, matcher, io, deps),
      );
      if (!named) edges.push(edge);
    }
    const { outcomes, skew } = matcher.finish();
    const allowed = tolerance[2]
      ? Math.floor(requests.length * Number(tolerance[1]) / 100)
      : Number(tolerance[1]);
    const report = buildReport({
      outcomes,
      skew,
      ignored: matcher.ignored,
      run: matcher.run,
      windowMs: window.ms,
      tolerance: allowed,
      examples,
      edges,
    });
    io.stdout(o.json ? JSON.stringify(report, null, 2) + "\n" : formatReconcile(report));
    if (!report.ok) {
      io.stderr(`${NAME}: ${report.mismatches} mismatches, more than the tolerance ${allowed}\n`);
    }
    return report.ok ? EXIT.ok : EXIT.thresholds;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.stderr(`${NAME}: ${e.message}\n`);
    return EXIT.usage;
  }
}

/** Runs `read`, turning any failure to read `path` into one line naming it. */
async function withInput<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof InputError) throw e;
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof LogLineError
      ? e.message
      : (e as Error).message.split("\n")[0];
    throw new InputError(`${path}: ${why}`);
  }
}

async function readCdnLog(
  path: string,
  edge: string,
  wanted: Options["format"],
  matcher: Matcher,
  io: CliIo,
  deps: ReconcileDeps,
): Promise<boolean> {
  const size = (await Deno.stat(path)).size;
  const started = deps.now();
  let lastProgress = started, read = 0;
  const progress = (bytes: number) => {
    read = bytes;
    const now = deps.now();
    if (now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    const rate = bytes / MIB / ((now - started) / 1000);
    io.stderr(
      `${NAME}: ${edge}: ${(bytes / MIB).toFixed(0)} of ${(size / MIB).toFixed(0)} MiB ` +
        `(${Math.round((bytes / size) * 100)}%), ${rate.toFixed(0)} MiB/s\n`,
    );
  };
  let format: LogFormat | null = wanted === "auto" ? null : FORMATS[wanted];
  const state = {};
  let lineNo = 0, named = false;
  for await (const batch of readLineBatches(path, progress)) {
    for (const line of batch) {
      lineNo++;
      if (!format) {
        if (line.trim() === "") continue;
        format = detectFormat(line);
        if (!format) {
          throw new InputError(
            `${path}: line ${lineNo}: not a log format reconcile reads (${
              FORMAT_NAMES.join(", ")
            })`,
          );
        }
      }
      let record;
      try {
        record = format.parse(line, state);
      } catch (e) {
        if (!(e instanceof LogLineError)) throw e;
        throw new InputError(`${path}: line ${lineNo}: ${e.message} (format ${format.name})`);
      }
      if (!record) continue;
      matcher.add(record, edge);
      if (record.edge !== null) named = true;
    }
  }
  if (deps.now() - started >= PROGRESS_EVERY_MS) progress(read);
  return named;
}
