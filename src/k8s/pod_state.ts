/**
 * Where each shard's pod is, from `kubectl get pods -o json`: not yet scheduled, pulling,
 * waiting at the start barrier, running, done; and when it is stuck, why, in Kubernetes' words
 * (Unschedulable, ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerConfigError…).
 * A pod Kubernetes counts as active is not necessarily running: these say which is which.
 * @module
 */
import { BARRIER_CONTAINER } from "./barrier.ts";
import { INDEX_LABEL } from "./labels.ts";

/** A shard pod's state, coarsest first. */
export type PodStage = "pending" | "barrier" | "running" | "succeeded" | "failed";

/** One pod, as far as the start and the progress are concerned. */
export interface PodState {
  name: string;
  index: number;
  stage: PodStage;
  /** metadata.creationTimestamp (RFC 3339, so it sorts as text). */
  created: string;
  /** Why a pending (or failed) pod is so, e.g. "ImagePullBackOff: Back-off pulling image …". */
  reason: string | null;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === "object" && v !== null ? v as Json : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Messages can be long (a whole scheduler verdict); the first line, cut, is enough. */
function short(message: string | undefined): string {
  const line = (message ?? "").split("\n")[0].trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** A waiting or failed container's reason and message, or null. */
function containerTrouble(status: Json): string | null {
  const state = obj(status.state);
  const waiting = obj(state.waiting), terminated = obj(state.terminated);
  // ContainerCreating and PodInitializing are progress, not trouble.
  const reason = str(waiting.reason);
  if (reason && reason !== "ContainerCreating" && reason !== "PodInitializing") {
    const message = short(str(waiting.message));
    return message ? `${reason}: ${message}` : reason;
  }
  if (typeof terminated.exitCode === "number" && terminated.exitCode !== 0) {
    return `${str(status.name)} exited ${terminated.exitCode}` +
      (str(terminated.reason) ? ` (${terminated.reason})` : "");
  }
  return null;
}

/**
 * The state of every pod with a completion index in a pod list.
 *
 * @example Not run: it reads `kubectl get pods -o json`
 * ```ts ignore
 * podStates(JSON.parse(stdout)).filter((p) => p.stage === "pending").map((p) => p.reason);
 * ```
 */
export function podStates(list: unknown): PodState[] {
  return arr(obj(list).items).flatMap((item) => {
    const meta = obj(item.metadata);
    const name = str(meta.name);
    const index = Number(str(obj(meta.labels)[INDEX_LABEL]));
    if (!name || !Number.isInteger(index)) return [];
    const created = str(meta.creationTimestamp) ?? "";
    const at = (stage: PodStage, reason: string | null): PodState[] => [
      { name, index, stage, created, reason },
    ];
    const status = obj(item.status);
    const phase = str(status.phase);
    const inits = arr(status.initContainerStatuses);
    const mains = arr(status.containerStatuses);
    const trouble = [...inits, ...mains].map(containerTrouble).find((t) => t !== null) ?? null;
    if (phase === "Succeeded") return at("succeeded", null);
    if (phase === "Failed") return at("failed", trouble ?? str(status.reason) ?? null);
    const unscheduled = arr(status.conditions).find((c) =>
      c.type === "PodScheduled" && c.status === "False"
    );
    if (unscheduled) {
      const why = `${str(unscheduled.reason) ?? "NotScheduled"}: ${
        short(str(unscheduled.message))
      }`;
      return at("pending", why);
    }
    const barrier = inits.find((c) => c.name === BARRIER_CONTAINER);
    if (barrier && obj(obj(barrier.state).running).startedAt !== undefined) {
      return at("barrier", null);
    }
    const running = mains.some((c) => obj(c.state).running !== undefined);
    if (phase === "Running" && running && !trouble) {
      return at("running", null);
    }
    return at("pending", trouble);
  });
}

/**
 * The newest pod of each index: a pod lost to a disruption is replaced, and its successor
 * stands for the shard.
 *
 * @example Not run: it reads `kubectl get pods -o json`
 * ```ts ignore
 * latestByIndex(podStates(list)).size; // shards with a pod
 * ```
 */
export function latestByIndex(states: readonly PodState[]): Map<number, PodState> {
  const out = new Map<number, PodState>();
  for (const s of states) {
    const had = out.get(s.index);
    if (!had || s.created > had.created) out.set(s.index, s);
  }
  return out;
}

/** Indexes listed in full up to this many per reason, then "+N more". */
const LIST_MAX = 8;

/**
 * One line about the shards that are not where they should be: each reason with its indexes,
 * and the indexes that have no pod at all.
 *
 * @example Not run: it needs the pods' states from kubectl
 * ```ts ignore
 * stuckText(latestByIndex(states), 4, ["barrier", "running", "succeeded"]);
 * // "shard 3 pending: ImagePullBackOff: Back-off pulling image \"x\""
 * ```
 */
export function stuckText(
  byIndex: ReadonlyMap<number, PodState>,
  shards: number,
  fine: readonly PodStage[],
): string {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < shards; i++) {
    const s = byIndex.get(i);
    if (s && fine.includes(s.stage)) continue;
    const key = !s ? "no pod yet" : `${s.stage}${s.reason ? `: ${s.reason}` : ""}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups].map(([why, indexes]) => {
    const shown = indexes.slice(0, LIST_MAX).join(", ");
    const more = indexes.length > LIST_MAX ? ` +${indexes.length - LIST_MAX} more` : "";
    return `shard${indexes.length > 1 ? "s" : ""} ${shown}${more} ${why}`;
  }).join("; ");
}

/**
 * Counts by stage, as "2 at the barrier, 1 pending".
 *
 * @example Not run: it needs the pods' states from kubectl
 * ```ts ignore
 * stageCounts(latestByIndex(states)); // "3 running, 1 pending"
 * ```
 */
export function stageCounts(byIndex: ReadonlyMap<number, PodState>): string {
  const words: Record<PodStage, string> = {
    pending: "pending",
    barrier: "at the barrier",
    running: "running",
    succeeded: "succeeded",
    failed: "failed",
  };
  const counts = new Map<PodStage, number>();
  for (const s of byIndex.values()) counts.set(s.stage, (counts.get(s.stage) ?? 0) + 1);
  return [...counts].map(([stage, n]) => `${n} ${words[stage]}`).join(", ") || "no pods";
}
