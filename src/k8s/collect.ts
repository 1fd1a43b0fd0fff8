/**
 * The end of `k8s run`: each shard's log, read with `kubectl logs` several at a time, and the
 * summary its last line holds, written to `DIR/shard-I.log` and `DIR/shard-I.json`. With
 * --request-log, each pod's request log too, printed into its log in frames
 * (src/report/file_frames.ts), written to `DIR/shard-I.requests.ndjson` and merged.
 * @module
 */
import { envName } from "../config/flags.ts";
import { readFileFrames } from "../report/file_frames.ts";
import { decodeSummaryLine } from "../report/summary_line.ts";
import { type JobProgress, podForIndex, shardPods } from "./job_status.ts";
import { type Kubectl, namespaceArgs } from "./kubectl.ts";
import { CONTAINER } from "./labels.ts";
import type { RunSpec } from "./manifests.ts";
import { POD_REQUEST_LOG } from "./options.ts";
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

/** What was collected: summary files, request logs (whole ones only) and failed indexes. */
export interface Collected {
  files: string[];
  requestLogs: { index: number; file: string }[];
  failed: number[];
}

/**
 * Writes every shard's log and summary (and, with `requestLogs`, its request log); returns the
 * files and the failed indexes.
 */
export async function collect(
  spec: RunSpec,
  progress: JobProgress,
  out: string,
  deps: CollectDeps,
  say: (text: string) => void,
  requestLogs = false,
): Promise<Collected> {
  const list = await listPods(spec, deps.kubectl);
  if (list === null) say("kubectl get pods failed: no pod's log can be read");
  const pods = list === null ? [] : shardPods(list, CONTAINER);
  await deps.writeTextFile(`${out}/job-progress.json`, JSON.stringify(progress, null, 2) + "\n");
  const indexes = Array.from({ length: spec.shards }, (_, i) => i);
  // Read in parallel; reported in index order, so the output reads the same every time.
  const results = await mapBounded(indexes, LOG_CONCURRENCY, async (index) => {
    const lines: string[] = [];
    const got = await collectOne(
      spec,
      index,
      progress,
      pods,
      out,
      deps,
      (t) => lines.push(t),
      requestLogs,
    );
    return { ...got, index, lines };
  });
  for (const r of results) r.lines.forEach(say);
  return {
    files: results.flatMap((r) => (r.file ? [r.file] : [])),
    requestLogs: results.flatMap((r) =>
      r.file && r.requestLog ? [{ index: r.index, file: r.requestLog }] : []
    ),
    failed: progress.failedIndexes,
  };
}

/** Shard `index`'s log and summary (and request log); resolves with their files, or nulls. */
async function collectOne(
  spec: RunSpec,
  index: number,
  progress: JobProgress,
  pods: ReturnType<typeof shardPods>,
  out: string,
  deps: CollectDeps,
  say: (text: string) => void,
  requestLogs: boolean,
): Promise<{ file: string | null; requestLog: string | null }> {
  const none = { file: null, requestLog: null };
  const failedIndex = progress.failedIndexes.includes(index);
  const pod = podForIndex(pods, index);
  const status = failedIndex ? "failed" : "missing";
  if (!pod) {
    say(`shard ${index}: ${status}: no pod found`);
    return none;
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
    return none;
  }
  if (json === null) {
    const why = logs.code === 0 ? "no HLS_SWARM_SUMMARY line in its log" : logs.stderr.trim();
    say(`shard ${index}: ${status}: pod ${pod.name} (${exit}): ${why}; see ${logFile}`);
    return none;
  }
  // The summary alone, as JSON: the log's other lines are JSON logs, and the file is easy to read.
  const file = `${out}/shard-${index}.json`;
  await deps.writeTextFile(file, json + "\n");
  if (failedIndex) say(`shard ${index}: failed: pod ${pod.name} (${exit}), summary kept`);
  const requestLog = requestLogs
    ? await collectRequestLog(index, logs.stdout, out, deps, say)
    : null;
  return { file, requestLog };
}

/**
 * Shard `index`'s request log from its pod's log: written to `shard-I.requests.ndjson` when
 * whole, to `shard-I.requests.partial.ndjson` (and left out of the merge) when parts were lost;
 * resolves with the whole one's file, or null.
 */
async function collectRequestLog(
  index: number,
  log: string,
  out: string,
  deps: CollectDeps,
  say: (text: string) => void,
): Promise<string | null> {
  let framed;
  try {
    framed = readFileFrames(log, "request-log");
  } catch (e) {
    say(`shard ${index}: request log not collected: ${(e as Error).message}`);
    return null;
  }
  if (!framed) {
    say(`shard ${index}: no request log in its log (printed before its summary line)`);
    return null;
  }
  if (framed.incomplete) {
    const partial = `${out}/shard-${index}.requests.partial.ndjson`;
    await deps.writeTextFile(partial, framed.text);
    say(
      `shard ${index}: request log incomplete, ${framed.lines} lines kept in ${partial}, ` +
        `left out of the merged one: ${framed.incomplete}`,
    );
    return null;
  }
  const file = `${out}/shard-${index}.requests.ndjson`;
  await deps.writeTextFile(file, framed.text);
  const end = framed.end!;
  if (end.omittedLines) {
    say(
      `shard ${index}: request log: ${end.omittedLines} lines (${end.omittedBytes} bytes) ` +
        "past the 64 MiB a pod prints were left out by the pod",
    );
  }
  return file;
}

/**
 * The spec the pods run with: with --request-log given to `k8s run`, each pod writes its own
 * to {@linkcode POD_REQUEST_LOG} (its ConfigMap says so), which it prints into its log.
 *
 * @example Not run: it needs a RunSpec (k8s/options.ts)
 * ```ts ignore
 * podSpecFor(spec, ["--request-log", "requests.ndjson"]).settings.HLS_SWARM_REQUEST_LOG;
 * ```
 */
export function podSpecFor(spec: RunSpec, mergeArgs: readonly string[]): RunSpec {
  if (!mergeArgs.includes("--request-log")) return spec;
  return { ...spec, settings: { ...spec.settings, [envName("request-log")]: POD_REQUEST_LOG } };
}

/**
 * merge's arguments with the request logs collected: `--shard-request-log I=FILE` each, or
 * without `--request-log` when none was (merge would refuse it), said through `say`.
 *
 * @example
 * ```ts
 * mergeArgsWith(["--request-log", "r.ndjson"], [{ index: 1, file: "o/shard-1.requests.ndjson" }],
 *   () => {}); // ["--request-log", "r.ndjson", "--shard-request-log", "1=o/shard-1.requests.ndjson"]
 * ```
 */
export function mergeArgsWith(
  mergeArgs: readonly string[],
  requestLogs: readonly { index: number; file: string }[],
  say: (text: string) => void,
): string[] {
  const at = mergeArgs.indexOf("--request-log");
  if (at < 0) return [...mergeArgs];
  if (!requestLogs.length) {
    say(`no shard's request log was collected: ${mergeArgs[at + 1]} is not written`);
    return [...mergeArgs.slice(0, at), ...mergeArgs.slice(at + 2)];
  }
  return [
    ...mergeArgs,
    ...requestLogs.flatMap((r) => ["--shard-request-log", `${r.index}=${r.file}`]),
  ];
}
