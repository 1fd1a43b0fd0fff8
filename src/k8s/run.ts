/**
 * `hls-swarm k8s run`: render, `kubectl apply`, follow the Job to its end, collect each shard's
 * summary from its pod's log, and merge them. Kubernetes is the coordinator: the shards meet at
 * --start-at on their own, and this command only watches and collects, so losing it (Ctrl+C, a
 * closed laptop) loses nothing but the collection, which `kubectl logs` and `hls-swarm merge`
 * can redo by hand.
 * @module
 */
import { EXIT } from "../exit/codes.ts";
import { formatDuration } from "../report/format.ts";
import { collect, mergeArgsWith, podSpecFor } from "./collect.ts";
import { type JobProgress, jobProgress, progressText } from "./job_status.ts";
import { type Kubectl, namespaceArgs } from "./kubectl.ts";
import { startConfigMap } from "./barrier.ts";
import { hasSecret, podLabels, runObjects, type RunSpec } from "./manifests.ts";
import { MERGE_OUTPUTS } from "./options.ts";
import { latestByIndex, podStates, stuckText } from "./pod_state.ts";
import { listPods, releaseAtBarrier } from "./start.ts";
import { toYamlStream } from "./yaml.ts";

/** What a run uses from the outside world. */
export interface RunDeps {
  kubectl: Kubectl;
  /** `hls-swarm merge` with these arguments; resolves with its exit code. */
  merge(args: string[]): Promise<number>;
  stderr(text: string): void;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Writes a file only its owner can read (mode 0600): manifests.yaml holds the Secret. */
  writeTextFile(path: string, text: string): Promise<void>;
  /** Narrows a file another wrote (merge's --summary-json) to mode 0600, if it exists. */
  makePrivate(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
}

/** How to follow and collect the run. */
export interface RunOptions {
  /** Where the manifests, the Job's status, the logs and the summaries are written. */
  out: string;
  /** Give up waiting for the Job after this long (from the apply, or from the barrier's
   * release), then collect what there is. */
  timeoutMs: number;
  /** With a barrier: how long the pods may take to all run, and how far after the release the
   * shards start. */
  barrier?: { timeoutMs: number; leadMs: number };
  pollMs: number;
  /** Arguments for merge besides the files: --summary-json, --threshold, --allow-missing-shards. */
  mergeArgs: string[];
  /** Delete the run's objects once collected. */
  cleanup: boolean;
}

/** Progress is printed when it changes, and at least this often. */
const PROGRESS_EVERY_MS = 30_000;
/** kubectl get failing this many times in a row ends the wait. */
const MAX_GET_FAILURES = 5;

/**
 * Runs the whole flow and resolves with the exit code: merge's (0, 5, 99…), 1 when kubectl
 * fails, the pods do not all reach the barrier in time (the run's objects are deleted then: no
 * load was sent), or the Job does not finish within the timeout (after collecting what there
 * is), and 5 when Kubernetes reports a failed index that merge did not already count.
 *
 * @example Not run: it runs kubectl against a cluster
 * ```ts ignore
 * const code = await runOnKubernetes(spec, { out: "run-1", timeoutMs: 900_000, pollMs: 5000,
 *   mergeArgs: [], cleanup: false }, deps);
 * ```
 */
export async function runOnKubernetes(
  given: RunSpec,
  opts: RunOptions,
  deps: RunDeps,
): Promise<number> {
  const spec = podSpecFor(given, opts.mergeArgs);
  const say = (text: string) => deps.stderr(`hls-swarm k8s: ${text}\n`);
  const yaml = toYamlStream(runObjects(spec));
  await deps.mkdir(opts.out);
  await deps.writeTextFile(`${opts.out}/manifests.yaml`, yaml);

  const secret = hasSecret(spec) ? `, with Secret ${spec.runId} in clear text, mode 0600` : "";
  say(`applying ${spec.shards} shards of run ${spec.runId} (manifests in ${opts.out}${secret})`);
  const applied = await deps.kubectl(["apply", "-f", "-"], yaml);
  if (applied.code !== 0) {
    say(`kubectl apply failed (exit ${applied.code}):\n${applied.stderr.trim()}`);
    return EXIT.failure;
  }
  for (const line of applied.stdout.trim().split("\n").filter(Boolean)) say(line);
  // The start ConfigMap too, when there is a barrier (it may not exist yet: ignored then).
  const all = spec.barrier
    ? toYamlStream([
      ...runObjects(spec),
      startConfigMap(spec.runId, spec.namespace, podLabels(spec), ""),
    ])
    : yaml;
  const remove = async () => {
    const deleted = await deps.kubectl(
      ["delete", "--ignore-not-found", "--wait=false", "-f", "-"],
      all,
    );
    say(
      deleted.code === 0
        ? `deleted run ${spec.runId}`
        : `kubectl delete failed: ${deleted.stderr.trim()}`,
    );
  };

  if (spec.barrier && opts.barrier) {
    const startAt = await releaseAtBarrier(
      spec,
      { ...opts.barrier, pollMs: opts.pollMs },
      deps,
      say,
    );
    if (startAt === null) {
      await remove();
      return EXIT.failure;
    }
  }
  const { progress, timedOut } = await waitForJob(spec, opts, deps, say);
  if (!progress) return EXIT.failure;
  const requestLogs = opts.mergeArgs.includes("--request-log");
  const collected = await collect(spec, progress, opts.out, deps, say, requestLogs);

  if (opts.cleanup) await remove();
  if (!collected.files.length) {
    say(`no shard printed a summary; logs are in ${opts.out}`);
    return EXIT.shardsMissing;
  }
  say(`merging ${collected.files.length} of ${spec.shards} shard summaries`);
  const mergeArgs = mergeArgsWith(opts.mergeArgs, collected.requestLogs, say);
  const code = await deps.merge([...mergeArgs, ...collected.files]);
  for (const flag of MERGE_OUTPUTS) {
    const at = mergeArgs.indexOf(flag);
    if (at >= 0 && mergeArgs[at + 1] !== "-") await deps.makePrivate(mergeArgs[at + 1]);
  }
  const allowMissing = opts.mergeArgs.includes("--allow-missing-shards");
  if (code === EXIT.ok && collected.failed.length && !allowMissing) {
    say(`Kubernetes failed index ${collected.failed.join(", ")}; exiting 5`);
    return EXIT.shardsMissing;
  }
  if (timedOut && code === EXIT.ok) return EXIT.failure;
  return code;
}

/** Polls the Job until it finishes or the timeout passes; null progress when it cannot be read. */
async function waitForJob(
  spec: RunSpec,
  opts: RunOptions,
  deps: RunDeps,
  say: (text: string) => void,
): Promise<{ progress: JobProgress | null; timedOut: boolean }> {
  const start = deps.now();
  let last = "", lastAt = -Infinity, failures = 0;
  let progress: JobProgress | null = null;
  for (;;) {
    const got = await deps.kubectl([
      "get",
      "job",
      spec.runId,
      ...namespaceArgs(spec.namespace),
      "-o",
      "json",
    ]);
    if (got.code === 0) {
      failures = 0;
      try {
        progress = jobProgress(JSON.parse(got.stdout));
      } catch (e) {
        say(`cannot read the Job's status: ${(e as Error).message}`);
        return { progress: null, timedOut: false };
      }
      let text = progressText(progress, spec.shards);
      // Kubernetes counts a pod that cannot pull its image as active: say which are stuck.
      if (!progress.finished && progress.active > progress.ready) {
        const list = await listPods(spec, deps.kubectl);
        const stuck = list === null ? "" : stuckText(
          latestByIndex(podStates(list)),
          spec.shards,
          ["barrier", "running", "succeeded"],
        );
        if (stuck) text += `; ${stuck}`;
      }
      const elapsed = deps.now() - start;
      if (text !== last || elapsed - lastAt >= PROGRESS_EVERY_MS) {
        say(`${spec.runId}: ${text} [${formatDuration(elapsed)}]`);
        last = text;
        lastAt = elapsed;
      }
      if (progress.finished) {
        say(`job ${progress.finished}${progress.reason ? ` (${progress.reason})` : ""}`);
        return { progress, timedOut: false };
      }
    } else if (++failures >= MAX_GET_FAILURES) {
      say(`kubectl get job failed ${failures} times in a row:\n${got.stderr.trim()}`);
      return { progress, timedOut: false };
    }
    if (deps.now() - start >= opts.timeoutMs) {
      say(
        `timed out after ${formatDuration(opts.timeoutMs)}; the Job runs on (kubectl delete ` +
          `job ${spec.runId} stops it); collecting what there is`,
      );
      return { progress, timedOut: true };
    }
    await deps.sleep(opts.pollMs);
  }
}
