/**
 * The CI outputs of `hls-swarm merge`, so a sharded run keeps them: `--junit` (the thresholds
 * and outcome judged on the merged fleet), `--timeline` (the merged snapshot's per-second
 * series) and `--request-log` (the shards' request logs one after the other, each line with its
 * shard). The flags' values are checked before anything is merged
 * ({@linkcode mergeOutputsOf}); the files are written once the fleet's summary is known
 * ({@linkcode writeMergeOutputs}).
 * @module
 */
import { openAtomicFile, writeTextFileAtomic } from "../atomic_write.ts";
import { EXIT, type ExitCode } from "../exit/codes.ts";
import type { Snapshot } from "../stats/snapshot.ts";
import { junitXml } from "./junit.ts";
import type { RunOutcome } from "./outcome.ts";
import type { RunSummary } from "./summary.ts";
import type { ThresholdResult } from "./thresholds.ts";
import { fileWriter, type LineWriter, TIMELINE_HEADER, TimelineWriter } from "./timeline.ts";

/** merge's output flags, as commander parses them. */
export interface MergeOutputFlags {
  junit?: string;
  timeline?: string;
  requestLog?: string;
  shardRequestLog?: string[];
}

/** A shard's request log: `--shard-request-log INDEX=PATH`. */
export interface ShardRequestLog {
  index: number;
  path: string;
}

/** What to write, checked. */
export interface MergeOutputs {
  junit: string | null;
  timeline: string | null;
  requestLog: { path: string; shards: ShardRequestLog[] } | null;
}

/** The longest request-log line merge reads (a line is a few hundred bytes; URLs are paths). */
const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Checks the output flags; the outputs, or every problem (one line each).
 *
 * @example
 * ```ts
 * const o = mergeOutputsOf({ requestLog: "all.ndjson", shardRequestLog: ["0=a.ndjson"] });
 * Array.isArray(o) ? o : o.requestLog?.shards; // [{ index: 0, path: "a.ndjson" }]
 * (mergeOutputsOf({ shardRequestLog: ["a.ndjson"] }) as string[]).length; // 2 problems
 * ```
 */
export function mergeOutputsOf(flags: MergeOutputFlags): MergeOutputs | string[] {
  const errors: string[] = [];
  const shards: ShardRequestLog[] = [];
  for (const value of flags.shardRequestLog ?? []) {
    const m = /^(\d{1,6})=(.+)$/s.exec(value);
    if (!m) {
      errors.push(
        `--shard-request-log: expected INDEX=PATH, e.g. 0=shard-0.ndjson (got "${value}")`,
      );
      continue;
    }
    const index = Number(m[1]);
    const twin = shards.find((s) => s.index === index);
    if (twin) errors.push(`--shard-request-log: shard ${index} twice (${twin.path}, ${m[2]})`);
    shards.push({ index, path: m[2] });
  }
  const files = { junit: flags.junit, timeline: flags.timeline, "request-log": flags.requestLog };
  for (const [flag, value] of Object.entries(files)) {
    // stdout carries the text summary: a file there would be mixed into it.
    if (value === "-") errors.push(`--${flag}: writes a file; - (stdout) is not one`);
  }
  if (flags.requestLog && !shards.length) {
    errors.push("--request-log: needs the shards' request logs: --shard-request-log INDEX=PATH");
  }
  if (!flags.requestLog && shards.length) {
    errors.push("--shard-request-log: needs --request-log FILE, where the merged log goes");
  }
  if (errors.length) return errors;
  return {
    junit: flags.junit ?? null,
    timeline: flags.timeline ?? null,
    requestLog: flags.requestLog
      ? { path: flags.requestLog, shards: shards.sort((a, b) => a.index - b.index) }
      : null,
  };
}

/**
 * Writes the outputs of a merged fleet; resolves with null when all are written, or with the exit
 * code and a line saying why not: 2 when a shard's request log is not one (or belongs to no shard
 * merged), 1 when a file cannot be written. `say` gets a line per request log merged.
 *
 * @example Not run: it needs a merged summary (tests/merge_outputs_test.ts)
 * ```ts ignore
 * await writeMergeOutputs(outputs, summary, thresholds, outcome, (t) => console.error(t));
 * ```
 */
export async function writeMergeOutputs(
  outputs: MergeOutputs,
  summary: RunSummary,
  thresholds: readonly ThresholdResult[],
  outcome: RunOutcome,
  say: (line: string) => void,
): Promise<{ code: ExitCode; reason: string } | null> {
  const cannot = (what: string, e: unknown) => ({
    code: EXIT.failure,
    reason: `cannot write ${what}: ${(e as Error).message}`,
  });
  if (outputs.requestLog) {
    const present = new Set(summary.fleet?.present ?? [summary.shard?.index ?? 0]);
    const stray = outputs.requestLog.shards.find((s) => !present.has(s.index));
    if (stray) {
      return {
        code: EXIT.usage,
        reason: `--shard-request-log ${stray.index}=${stray.path}: no summary of shard ` +
          `${stray.index} was merged (present: ${[...present].join(", ")})`,
      };
    }
    try {
      const counts = await mergeRequestLogs(outputs.requestLog.path, outputs.requestLog.shards);
      const without = [...present].filter((i) =>
        !outputs.requestLog!.shards.some((s) => s.index === i)
      );
      say(
        `request log: ${counts.reduce((a, c) => a + c.lines, 0)} lines from shard` +
          `${counts.length > 1 ? "s" : ""} ${
            counts.map((c) => `${c.index} (${c.lines})`).join(", ")
          }` +
          (without.length ? `; none given for shard ${without.join(", ")}` : ""),
      );
    } catch (e) {
      if (e instanceof RequestLogError) return { code: EXIT.usage, reason: e.message };
      return cannot("--request-log", e);
    }
  }
  if (outputs.timeline) {
    try {
      await writeMergedTimeline(outputs.timeline, summary.snapshot);
    } catch (e) {
      return cannot("--timeline", e);
    }
  }
  if (outputs.junit) {
    const xml = junitXml(summary.runId, thresholds, outcome, summary.durationMs / 1000);
    try {
      await writeTextFileAtomic(outputs.junit, xml);
    } catch (e) {
      return cannot("--junit", e);
    }
  }
  return null;
}

/** The columns a merged timeline leaves empty: per-second percentiles need per-second sketches,
 * which a summary does not keep (it has the run's whole sketch only). A row's percentile from
 * the whole run would pass for that second's. */
const PERCENTILE_COLUMNS = TIMELINE_HEADER.split(",").flatMap((c, i) =>
  /_p\d+_ms$/.test(c) ? [i] : []
);

/**
 * Writes the timeline CSV of a merged snapshot, one row per second of its series, with
 * {@linkcode TimelineWriter}; the percentile columns are empty (see above). Resolves with the
 * number of rows.
 *
 * @example Not run: it needs a merged summary's snapshot
 * ```ts ignore
 * await writeMergedTimeline("timeline.csv", merged.snapshot); // 61
 * ```
 */
export async function writeMergedTimeline(path: string, snapshot: Snapshot): Promise<number> {
  const file = await fileWriter(path);
  let rows = 0, header = true;
  const blanked: LineWriter = {
    write(text: string) {
      const lines = text.split("\n");
      for (let i = 0; i < lines.length; i++) {
        if (header || !lines[i]) {
          header = false;
          continue;
        }
        const cells = lines[i].split(",");
        for (const c of PERCENTILE_COLUMNS) cells[c] = "";
        lines[i] = cells.join(",");
        rows++;
      }
      return file.write(lines.join("\n"));
    },
  };
  const end = (snapshot.series.start ?? 0) + snapshot.series.fields.segments.length;
  await new TimelineWriter(blanked).add(snapshot, end);
  file.close();
  return rows;
}

/** A shard's request log that is not one: bad input (exit 2). */
class RequestLogError extends Error {}

/**
 * Writes the shards' request logs into `out`, one after the other in shard order, each line
 * with its shard first: `{"shard":1,"time":…}`. Every line must be a JSON object without a
 * `shard` of its own. Lines are copied as the shards wrote them (already redacted: the swarm's
 * redactor ran before they were written); nothing is re-read from the environment.
 */
async function mergeRequestLogs(
  out: string,
  shards: readonly ShardRequestLog[],
): Promise<{ index: number; lines: number }[]> {
  const file = await openAtomicFile(out);
  const encoder = new TextEncoder();
  const counts: { index: number; lines: number }[] = [];
  try {
    for (const { index, path } of shards) {
      let n = 0;
      const batch: string[] = [];
      const emit = async () => {
        const bytes = encoder.encode(batch.join(""));
        for (let done = 0; done < bytes.length;) {
          done += await file.file.write(bytes.subarray(done));
        }
        batch.length = 0;
      };
      for await (const line of readLines(path)) {
        n++;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          record = null;
        }
        if (typeof record !== "object" || record === null || Array.isArray(record)) {
          throw new RequestLogError(`${path}: line ${n} is not a JSON object: not a request log`);
        }
        const { time, client } = record as { time?: unknown; client?: unknown };
        if (typeof time !== "string" || typeof client !== "number") {
          throw new RequestLogError(
            `${path}: line ${n} has no "time" and "client": not a request log (--request-log)`,
          );
        }
        if ("shard" in record) {
          throw new RequestLogError(`${path}: line ${n} has a shard already (a merged log?)`);
        }
        batch.push(JSON.stringify({ shard: index, ...record }) + "\n");
        if (batch.length >= 4096) await emit();
      }
      await emit();
      counts.push({ index, lines: n });
    }
    await file.commit();
  } finally {
    await file.abort();
  }
  return counts;
}

/** The lines of a file, without their `\n`; an empty line is skipped, one past
 * {@linkcode MAX_LINE_BYTES} refused. */
async function* readLines(path: string): AsyncGenerator<string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    throw new RequestLogError(`${path}: cannot read (${(e as Error).message})`);
  }
  const decoder = new TextDecoder();
  let carry = "";
  for await (const chunk of file.readable) {
    const text = carry + decoder.decode(chunk, { stream: true });
    const lines = text.split("\n");
    carry = lines.pop()!;
    if (carry.length > MAX_LINE_BYTES) {
      throw new RequestLogError(`${path}: a line longer than 1 MiB: not a request log`);
    }
    for (const l of lines) if (l) yield l;
  }
  carry += decoder.decode();
  if (carry) yield carry;
}
