/**
 * What `kubectl get job -o json` and `kubectl get pods -o json` say about a run: how far the
 * Job is, which indexes completed or failed, and which pod holds each shard's log.
 * @module
 */
import { INDEX_LABEL } from "./labels.ts";

/** The parts of a Job's status that a run follows. */
export interface JobProgress {
  active: number;
  ready: number;
  succeeded: number;
  failed: number;
  completedIndexes: number[];
  failedIndexes: number[];
  /** "Complete" or "Failed" once the Job has finished, else null. */
  finished: "Complete" | "Failed" | null;
  /** The reason Kubernetes gives for a Failed Job (e.g. FailedIndexes), or null. */
  reason: string | null;
}

/**
 * Indexes in Kubernetes' interval notation, `"1,3-5"`.
 *
 * @example
 * ```ts
 * parseIndexes("0-2,5"); // [0, 1, 2, 5]
 * parseIndexes(undefined); // []
 * ```
 */
export function parseIndexes(text: string | undefined): number[] {
  const out: number[] = [];
  for (const part of (text ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`unexpected index interval "${part}" in "${text}"`);
    const from = Number(m[1]), to = Number(m[2] ?? m[1]);
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === "object" && v !== null ? v as Json : {});
const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * The progress in a Job object (parsed `kubectl get job -o json`).
 *
 * @example
 * ```ts
 * jobProgress({ status: { succeeded: 2, completedIndexes: "0-1",
 *   conditions: [{ type: "Complete", status: "True" }] } }).finished; // "Complete"
 * ```
 */
export function jobProgress(job: unknown): JobProgress {
  const status = obj(obj(job).status);
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(obj) : [];
  const done = conditions.find((c) =>
    (c.type === "Complete" || c.type === "Failed") && c.status === "True"
  );
  return {
    active: num(status.active),
    ready: num(status.ready),
    succeeded: num(status.succeeded),
    failed: num(status.failed),
    completedIndexes: parseIndexes(str(status.completedIndexes)),
    failedIndexes: parseIndexes(str(status.failedIndexes)),
    finished: done ? done.type as "Complete" | "Failed" : null,
    reason: done ? str(done.reason) ?? null : null,
  };
}

/**
 * One line of progress for stderr.
 *
 * @example Not run: it needs a Job's status from kubectl
 * ```ts ignore
 * progressText(p, 4); // "1 active (1 ready), 2/4 succeeded, 1 failed [index 3]"
 * ```
 */
export function progressText(p: JobProgress, shards: number): string {
  const failed = p.failedIndexes.length
    ? `, ${p.failedIndexes.length} failed [index ${p.failedIndexes.join(", ")}]`
    : p.failed
    ? `, ${p.failed} pods failed`
    : "";
  // "Active", as Kubernetes says: a pod that cannot pull its image is active, not running.
  return `${p.active} active (${p.ready} ready), ${p.completedIndexes.length}/${shards} ` +
    `succeeded${failed}`;
}

/** A shard's pod, as far as collecting its log is concerned. */
export interface ShardPod {
  name: string;
  index: number;
  phase: string;
  created: string;
  /** The hls-swarm container's exit code and reason, once it terminated. */
  exit: { code: number; reason: string | null } | null;
}

/**
 * The pods of a pod list (parsed `kubectl get pods -o json`) that carry a completion index.
 *
 * @example Not run: it reads `kubectl get pods -o json`
 * ```ts ignore
 * shardPods(JSON.parse(stdout)).map((p) => p.index);
 * ```
 */
export function shardPods(list: unknown, container: string): ShardPod[] {
  const items = Array.isArray(obj(list).items) ? obj(list).items as unknown[] : [];
  return items.flatMap((item) => {
    const meta = obj(obj(item).metadata);
    const index = Number(str(obj(meta.labels)[INDEX_LABEL]));
    const name = str(meta.name);
    if (!name || !Number.isInteger(index)) return [];
    const status = obj(obj(item).status);
    const cs = (Array.isArray(status.containerStatuses) ? status.containerStatuses : [])
      .map(obj).find((c) => c.name === container);
    const terminated = cs ? obj(obj(cs.state).terminated) : {};
    return [{
      name,
      index,
      phase: str(status.phase) ?? "Unknown",
      created: str(meta.creationTimestamp) ?? "",
      exit: typeof terminated.exitCode === "number"
        ? { code: terminated.exitCode, reason: str(terminated.reason) ?? null }
        : null,
    }];
  });
}

/**
 * The pod whose log stands for shard `index`: the one that succeeded, else the newest (a pod
 * lost to a disruption is replaced, and the replacement's log is the one that counts).
 *
 * @example Not run: it reads `kubectl get pods -o json`
 * ```ts ignore
 * podForIndex(shardPods(list, "hls-swarm"), 2)?.name; // "run-1-2-x7k2p"
 * ```
 */
export function podForIndex(pods: readonly ShardPod[], index: number): ShardPod | null {
  const mine = pods.filter((p) => p.index === index);
  return mine.find((p) => p.phase === "Succeeded") ??
    mine.toSorted((a, b) => b.created.localeCompare(a.created))[0] ?? null;
}
