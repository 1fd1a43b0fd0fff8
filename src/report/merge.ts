/**
 * The fleet's summary from its shards' summaries: every field of every input is checked before
 * any is used (summary_schema.ts, stats/snapshot.ts), then that they belong together (run id,
 * version, shard count, one summary per shard); the snapshots are merged exactly, sums checked,
 * and the same summary is rebuilt from the merged snapshot, with which shards are present,
 * missing and failed.
 * @module
 */
import { EXIT, ExitError } from "../exit/codes.ts";
import { mergeSnapshots } from "../fleet/merge.ts";
import { mergeLoadbox } from "../loadbox/monitor.ts";
import { readSnapshot, SnapshotError } from "../stats/snapshot.ts";
import { validate, ValidationError } from "../stats/validate.ts";
import { SHARD_SUMMARY } from "./summary_schema.ts";
import {
  buildSummary,
  type FleetInfo,
  type RunRecord,
  type RunSummary,
  SUMMARY_SCHEMA,
  SUMMARY_VERSION,
} from "./summary.ts";

/** A summary as read from a shard: the record plus its outcome. */
export type ShardSummary = RunSummary & { outcome?: { code: number; reason: string | null } };

/** An input that cannot be merged: one line, naming the input and what is wrong. */
export class MergeInputError extends ExitError {
  override name = "MergeInputError";
  readonly exitCode = EXIT.usage;
}

/**
 * Checks that `value` (parsed JSON from `where`) is a summary this build can merge: the format
 * and version first, then every field merge reads, snapshot included, against the bounds of
 * {@linkcode SHARD_SUMMARY}. Throws a {@linkcode MergeInputError} of one line: `where`, the JSON
 * path and what is wrong.
 *
 * @example Not run: it needs a shard's summary (tests/merge_inputs.ts builds some)
 * ```ts ignore
 * const shard = readShardSummary(JSON.parse(text), "shard-0.json");
 * ```
 */
export function readShardSummary(value: unknown, where: string): ShardSummary {
  const doc =
    (typeof value === "object" && value !== null && !Array.isArray(value) ? value : {}) as Record<
      string,
      unknown
    >;
  if (doc.schema !== SUMMARY_SCHEMA) {
    throw new MergeInputError(
      `${where}: not an hls-swarm summary (no "schema": "${SUMMARY_SCHEMA}")`,
    );
  }
  if (doc.version !== SUMMARY_VERSION) {
    throw new MergeInputError(
      `${where}: summary version ${
        typeof doc.version === "number" ? doc.version : `(${typeof doc.version})`
      }; this hls-swarm merges version ${SUMMARY_VERSION} (merge with the version that wrote it)`,
    );
  }
  try {
    validate(doc, SHARD_SUMMARY);
    readSnapshot(doc.snapshot, where);
  } catch (e) {
    if (e instanceof ValidationError) throw new MergeInputError(`${where}: ${e.message}`);
    if (e instanceof SnapshotError) throw new MergeInputError(e.message);
    throw e;
  }
  return doc as unknown as ShardSummary;
}

/**
 * Merges shard summaries (each with the name it was read from) into the fleet's summary.
 * Throws a {@linkcode MergeInputError} when they do not belong together.
 *
 * @example Not run: it needs shard summaries (tests/merge_inputs.ts builds some)
 * ```ts ignore
 * const fleet = mergeSummaries([{ name: "a.json", summary: a }, { name: "b.json", summary: b }]);
 * fleet.fleet?.missing; // shard indexes with no summary
 * ```
 */
export function mergeSummaries(
  inputs: readonly { name: string; summary: ShardSummary }[],
): RunSummary {
  if (!inputs.length) throw new MergeInputError("no summaries to merge");
  const [first] = inputs;
  const differ = (what: string, pick: (s: ShardSummary) => unknown) => {
    const other = inputs.find((i) => pick(i.summary) !== pick(first.summary));
    if (other) {
      throw new MergeInputError(
        `mixed ${what}: ${first.name} has ${JSON.stringify(pick(first.summary))}, ` +
          `${other.name} has ${JSON.stringify(pick(other.summary))}`,
      );
    }
  };
  differ("run ids", (s) => s.runId);
  differ("hls-swarm versions", (s) => s.run.hlsSwarmVersion);
  differ("shard counts", (s) => s.shard?.count ?? null);
  // One summary per shard: the same shard twice (or the same file twice, or two summaries of
  // an unsharded run) would count its requests twice.
  const seen = new Map<number, string>();
  for (const { name, summary } of inputs) {
    const index = summary.shard?.index ?? 0;
    const twin = seen.get(index);
    if (twin !== undefined) {
      throw new MergeInputError(
        summary.shard
          ? `two summaries of shard ${index}: ${twin} and ${name}`
          : `two summaries of the unsharded run ${summary.runId}: ${twin} and ${name}`,
      );
    }
    seen.set(index, name);
  }
  let snapshot;
  try {
    snapshot = mergeSnapshots(inputs.map((i) => i.summary.snapshot));
  } catch (e) {
    if (!(e instanceof SnapshotError)) throw e;
    const names = inputs.slice(0, 3).map((i) => i.name).join(", ");
    throw new MergeInputError(
      `merging ${names}${inputs.length > 3 ? ` and ${inputs.length - 3} more` : ""}: ${e.message}`,
    );
  }
  const all = inputs.map((i) => i.summary);
  // Loops, not Math.min(...list): a spread's size would scale with the inputs.
  const times = (pick: (s: ShardSummary) => string) => all.map((s) => Date.parse(pick(s)));
  const least = (v: number[]) => v.reduce((a, b) => Math.min(a, b));
  const most = (v: number[]) => v.reduce((a, b) => Math.max(a, b));
  const reasons = [...new Set(all.map((s) => s.stopReason))];
  return buildSummary({
    run: fleetRun(all),
    runId: first.summary.runId,
    shard: null,
    fleet: fleetInfo(all),
    snapshot,
    target: first.summary.target,
    startedAt: least(times((s) => s.startedAt)),
    endedAt: most(times((s) => s.endedAt)),
    stoppedAt: least(times((s) => s.stoppedAt)),
    rampStartedAt: least(times((s) => s.rampStartedAt)),
    stopReason: reasons.join(", "),
    metricsUrl: null,
    statsEnabled: all.every((s) => s.clients.receivedMedia !== null),
    dropThreshold: first.summary.lines.threshold,
    origin: all.find((s) => s.origin)?.origin ?? null,
    loadbox: mergeLoadbox(
      all.map((s, i) => ({ shard: s.shard?.index ?? i, report: s.loadbox ?? null })),
    ),
  });
}

/** The run record of a fleet: the first shard's, with the hosts added up. */
function fleetRun(all: readonly ShardSummary[]): RunRecord {
  const hosts = all.map((s) => s.run.host);
  const min = (v: (number | null)[]) => {
    const known = v.filter((x): x is number => x !== null);
    return known.length ? known.reduce((a, b) => Math.min(a, b)) : null;
  };
  const total = (v: number[], what: string) => {
    const n = v.reduce((a, b) => a + b, 0);
    if (!Number.isSafeInteger(n)) {
      throw new MergeInputError(`run.host.${what}: the shards add up to ${n}, beyond 2^53`);
    }
    return n;
  };
  return {
    ...all[0].run,
    lineReader: fleetReaders(all),
    workers: total(all.map((s) => s.run.workers ?? 0), "workers"),
    host: {
      hostname: [...new Set(hosts.map((h) => h.hostname))].join(","),
      cpus: total(hosts.map((h) => h.cpus), "cpus"),
      memoryBytes: hosts.every((h) => h.memoryBytes !== null)
        ? total(hosts.map((h) => h.memoryBytes!), "memoryBytes")
        : null,
      openFilesLimit: min(hosts.map((h) => h.openFilesLimit)),
      processLimit: min(hosts.map((h) => h.processLimit)),
    },
  };
}

/**
 * The line reader of a fleet: the one all shards used, or, when they differ, each reader with its
 * shards, so a fleet that partly ran on Deno's pipes (twice the CPU per line) does not pass for
 * a native one.
 */
function fleetReaders(all: readonly ShardSummary[]): string {
  const shardsOf = new Map<string, number[]>();
  all.forEach((s, i) => {
    // Summaries written before the field existed have none.
    const reader = s.run.lineReader ?? "unknown";
    shardsOf.set(reader, [...(shardsOf.get(reader) ?? []), s.shard?.index ?? i]);
  });
  if (shardsOf.size === 1) return [...shardsOf.keys()][0];
  return "mixed: " +
    [...shardsOf].sort(([a], [b]) => a.localeCompare(b)).map(([reader, shards]) =>
      `${reader} (shard${shards.length > 1 ? "s" : ""} ${shards.sort((a, b) => a - b).join(", ")})`
    ).join("; ");
}

/** Which shards are present, missing and failed. */
function fleetInfo(all: readonly ShardSummary[]): FleetInfo {
  const count = all[0].shard?.count ?? all.length;
  const index = (s: ShardSummary, i: number) => s.shard?.index ?? i;
  const present = all.map(index).sort((a, b) => a - b);
  const have = new Set(present);
  return {
    shards: count,
    present,
    missing: Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(i)),
    failed: all.flatMap((s, i) => {
      const code = s.outcome?.code ?? 0;
      // A shard that measured its part and only breached a threshold did not fail: the
      // thresholds are judged again on the merged fleet.
      return code === EXIT.ok || code === EXIT.thresholds
        ? []
        : [{ index: index(s, i), code, reason: s.outcome?.reason ?? null }];
    }).sort((a, b) => a.index - b.index),
    startOffsetsMs: all.map((s, i) => ({
      index: index(s, i),
      offsetMs: s.shard?.startOffsetMs ?? null,
    }))
      .sort((a, b) => a.index - b.index),
  };
}
