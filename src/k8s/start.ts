/**
 * `k8s run`'s side of the start barrier (src/k8s/barrier.ts): watch the pods until every
 * shard's pod waits at the barrier, saying which are stuck and why, then release them with a
 * start time `lead` ahead. Gives up at the timeout, or as soon as a pod fails, since a run
 * without one of its shards would not be the run asked for.
 * @module
 */
import { formatDuration } from "../report/format.ts";
import { startConfigMap } from "./barrier.ts";
import { type Kubectl, namespaceArgs } from "./kubectl.ts";
import { JOB_NAME_LABEL } from "./labels.ts";
import { podLabels, type RunSpec } from "./manifests.ts";
import { rfc3339 } from "./options.ts";
import { latestByIndex, podStates, stageCounts, stuckText } from "./pod_state.ts";
import { toYamlStream } from "./yaml.ts";

/** What the wait uses from the outside world. */
export interface StartDeps {
  kubectl: Kubectl;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** How to wait. */
export interface StartOptions {
  /** Give up after this long from the first look. */
  timeoutMs: number;
  pollMs: number;
  /** How far after the release the shards start (the kubelet's volume sync, then preflight). */
  leadMs: number;
}

/** The pod states are printed when they change, and at least this often. */
const EVERY_MS = 30_000;
/** kubectl get pods failing this many times in a row ends the wait. */
const MAX_FAILURES = 5;

/**
 * `kubectl get pods` of the run, parsed; null when kubectl fails or prints no JSON.
 *
 * @example Not run: it runs kubectl against a cluster
 * ```ts ignore
 * const list = await listPods(spec, kubectl);
 * ```
 */
export async function listPods(spec: RunSpec, kubectl: Kubectl): Promise<unknown | null> {
  const got = await kubectl([
    "get",
    "pods",
    ...namespaceArgs(spec.namespace),
    "-l",
    `${JOB_NAME_LABEL}=${spec.runId}`,
    "-o",
    "json",
  ]);
  if (got.code !== 0) return null;
  try {
    return JSON.parse(got.stdout);
  } catch {
    return null;
  }
}

/**
 * Waits until every shard's pod is at the barrier, then creates the start ConfigMap. Resolves
 * with the start time, or null when it gave up (having said why).
 *
 * @example Not run: it runs kubectl against a cluster
 * ```ts ignore
 * const startAt = await releaseAtBarrier(spec, { timeoutMs: 600_000, pollMs: 5000,
 *   leadMs: 120_000 }, deps, say);
 * ```
 */
export async function releaseAtBarrier(
  spec: RunSpec,
  opts: StartOptions,
  deps: StartDeps,
  say: (text: string) => void,
): Promise<string | null> {
  const start = deps.now();
  let last = "", lastAt = -Infinity, failures = 0;
  for (;;) {
    const list = await listPods(spec, deps.kubectl);
    const elapsed = deps.now() - start;
    if (list === null) {
      if (++failures >= MAX_FAILURES) {
        say(`kubectl get pods failed ${failures} times in a row; not starting`);
        return null;
      }
    } else {
      failures = 0;
      const byIndex = latestByIndex(podStates(list));
      const stuck = stuckText(byIndex, spec.shards, ["barrier", "running", "succeeded"]);
      const text = `${stageCounts(byIndex)} of ${spec.shards}${stuck ? `; ${stuck}` : ""}`;
      if (text !== last || elapsed - lastAt >= EVERY_MS) {
        say(`barrier: ${text} [${formatDuration(elapsed)}]`);
        [last, lastAt] = [text, elapsed];
      }
      const failed = [...byIndex.values()].filter((p) => p.stage === "failed");
      if (failed.length) {
        say(`shard ${failed.map((p) => p.index).join(", ")} failed before the start; not starting`);
        return null;
      }
      const arrived = [...byIndex.values()].filter((p) => p.stage !== "pending").length;
      if (arrived === spec.shards) break;
    }
    if (elapsed >= opts.timeoutMs) {
      say(
        `barrier: not every pod runs after ${formatDuration(opts.timeoutMs)} ` +
          `(--barrier-timeout): ${last}; not starting`,
      );
      return null;
    }
    await deps.sleep(opts.pollMs);
  }
  // Whole seconds, rounded up: --start-at is read to the second.
  const startAt = rfc3339(new Date(Math.ceil((deps.now() + opts.leadMs) / 1000) * 1000));
  const cm = startConfigMap(spec.runId, spec.namespace, podLabels(spec), startAt);
  const applied = await deps.kubectl(["apply", "-f", "-"], toYamlStream([cm]));
  if (applied.code !== 0) {
    say(`kubectl apply of the start failed (exit ${applied.code}): ${applied.stderr.trim()}`);
    return null;
  }
  say(
    `barrier: all ${spec.shards} pods wait after ${formatDuration(deps.now() - start)}; ` +
      `released: the shards start at ${startAt}`,
  );
  return startAt;
}
