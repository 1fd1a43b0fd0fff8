/**
 * The end of `k8s run`: each shard's log, read with `kubectl logs` several at a time, and the
 * summary its last line holds, written to `DIR/shard-I.log` and `DIR/shard-I.json`.
 * @module
 */
import { decodeSummaryLine } from "../report/summary_line.ts";
import { type JobProgress, podForIndex, shardPods } from "./job_status.ts";
import { type Kubectl, namespaceArgs } from "./kubectl.ts";
import { CONTAINER } from "./labels.ts";
import type { RunSpec } from "./manifests.ts";
import { listPods } from "./start.ts";

/** What collecting uses from the outside world. */
export interface CollectDeps {
  kubectl: Kubectl;
  /** Writes a file only its owner can read (mode 0600). */
  writeTextFile(path: string, text: string): Promise<void>;
}

/**
 * `kubectl logs` at once, at most: enough that 100 shards take seconds, not minutes, and few
 * enough not to crowd the API server (kubectl's own default for parallel requests is 5-10).
 */
export const LOG_CONCURRENCY = 8;

/**
 * Runs `fn` on every item, at most `limit` at a time; resolves with the results in order.
 *
 * @example
 * ```ts
 * await mapBounded([1, 2, 3], 2, async (n) => n * 2); // [2, 4, 6]
 * ```
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Writes every shard's log and summary; returns the summary files and the failed indexes. */
export async function collect(
  spec: RunSpec,
  progress: JobProgress,
  out: string,
  deps: CollectDeps,
  say: (text: string) => void,
): Promise<{ files: string[]; failed: number[] }> {
  const list = await listPods(spec, deps.kubectl);
  if (list === null) say("kubectl get pods failed: no pod's log can be read");
  const pods = list === null ? [] : shardPods(list, CONTAINER);
  await deps.writeTextFile(`${out}/job-progress.json`, JSON.stringify(progress, null, 2) + "\n");
  const indexes = Array.from({ length: spec.shards }, (_, i) => i);
  // Read in parallel; reported in index order, so the output reads the same every time.
  const results = await mapBounded(indexes, LOG_CONCURRENCY, async (index) => {
    const lines: string[] = [];
    const file = await collectOne(spec, index, progress, pods, out, deps, (t) => lines.push(t));
    return { file, lines };
  });
  for (const r of results) r.lines.forEach(say);
  return {
    files: results.flatMap((r) => (r.file ? [r.file] : [])),
    failed: progress.failedIndexes,
  };
}

/** Shard `index`'s log and summary; resolves with the summary's file, or null. */
async function collectOne(
  spec: RunSpec,
  index: number,
  progress: JobProgress,
  pods: ReturnType<typeof shardPods>,
  out: string,
  deps: CollectDeps,
  say: (text: string) => void,
): Promise<string | null> {
  const failedIndex = progress.failedIndexes.includes(index);
  const pod = podForIndex(pods, index);
  const status = failedIndex ? "failed" : "missing";
  if (!pod) {
    say(`shard ${index}: ${status}: no pod found`);
    return null;
  }
  const exit = pod.exit
    ? `exit ${pod.exit.code}${pod.exit.reason ? ` ${pod.exit.reason}` : ""}`
    : pod.phase;
  const logs = await deps.kubectl([
    "logs",
    ...namespaceArgs(spec.namespace),
    pod.name,
    "-c",
    CONTAINER,
  ]);
  const logFile = `${out}/shard-${index}.log`;
  await deps.writeTextFile(logFile, logs.stdout);
  let json: string | null = null;
  try {
    json = logs.code === 0 ? await decodeSummaryLine(logs.stdout) : null;
  } catch (e) {
    say(`shard ${index}: ${status}: pod ${pod.name}: ${(e as Error).message}`);
    return null;
  }
  if (json === null) {
    const why = logs.code === 0 ? "no HLS_SWARM_SUMMARY line in its log" : logs.stderr.trim();
    say(`shard ${index}: ${status}: pod ${pod.name} (${exit}): ${why}; see ${logFile}`);
    return null;
  }
  // The summary alone, as JSON: the log's other lines are JSON logs, and the file is easy to read.
  const file = `${out}/shard-${index}.json`;
  await deps.writeTextFile(file, json + "\n");
  if (failedIndex) say(`shard ${index}: failed: pod ${pod.name} (${exit}), summary kept`);
  return file;
}
