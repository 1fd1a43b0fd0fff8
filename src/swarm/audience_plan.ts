/**
 * This process's audience: which viewer slots it runs and the target it follows, from
 * `--stages` (its share of the stages' target) or from `--clients`/`--ramp-rate` with
 * `--session-duration` (the plain ramp, then the full count, with viewers replaced as they
 * leave).
 * @module
 */
import type { SwarmConfig } from "../config/config.ts";
import { describeSessionDist, sessionLengthMs } from "../config/session_duration.ts";
import type { AudiencePlan } from "./audience.ts";
import { type ShardPlan, shardPlan } from "./shard_plan.ts";
import { clientRandom } from "../math/random.ts";
import {
  describeStages,
  nextStageChange,
  shareOf,
  stagesDurationMs,
  stageSlots,
  stagesPeak,
  stageTarget,
} from "../config/stages.ts";

type PlanConfig =
  & Pick<
    SwarmConfig,
    "stages" | "sessionDuration" | "shard" | "clients" | "rampRate" | "durationMs"
  >
  // --ramp-jitter (absent: none).
  & Partial<Pick<SwarmConfig, "rampJitterMs">>;

/**
 * The slots this process runs. With stages, shard I of N runs its share of the peak, numbered
 * after the shards before it; else {@linkcode shardPlan}'s range of `--clients`.
 *
 * @example
 * ```ts
 * const stages = [{ durationMs: 60_000, target: 10 }];
 * processPlan({
 *   stages, sessionDuration: null, shard: { index: 2, count: 3 }, clients: 10, rampRate: 5,
 *   durationMs: 0,
 * });
 * // { firstClient: 7, clients: 3, rampRate: 5 }: the 3rd, 6th and 9th viewer the stages ask for
 * ```
 */
export function processPlan(config: PlanConfig): ShardPlan {
  if (!config.stages) return shardPlan(config.shard, config.clients, config.rampRate);
  // The ramp rate is not used with stages: the stages' slopes are the ramp.
  return { ...stageSlots(stagesPeak(config.stages), config.shard), rampRate: config.rampRate };
}

/**
 * The audience this process follows, or null for the plain ramp (no stages, no sessions).
 *
 * @example
 * ```ts
 * const config = {
 *   stages: [{ durationMs: 10_000, target: 4 }], sessionDuration: null, shard: null,
 *   clients: 4, rampRate: 5, durationMs: 0,
 * };
 * audiencePlan(config, processPlan(config), 1)?.target(5_000); // 2
 * ```
 */
export function audiencePlan(
  config: PlanConfig,
  plan: ShardPlan,
  seed: number,
): AudiencePlan | null {
  const dist = config.sessionDuration;
  const sessionMs = dist
    ? (slot: number, session: number) =>
      sessionLengthMs(dist, plan.firstClient + slot, session, seed)
    : null;
  const stages = config.stages;
  const jitterMs = config.rampJitterMs ?? 0;
  const joinDelay = (nextChange: (t: number) => number) =>
    jitterMs > 0
      ? (slot: number, session: number, t: number) =>
        joinDelayMs(plan.firstClient + slot, session, seed, jitterMs, nextChange(t) - t)
      : null;
  if (stages) {
    const shard = config.shard ?? { index: 0, count: 1 };
    const nextChange = (t: number) => nextStageChange(stages, t);
    return {
      slots: plan.clients,
      target: (t) => shareOf(stageTarget(stages, t), shard.index, shard.count),
      // The share changes only where the whole target does.
      nextChange,
      // With --duration the last target holds (sessions still turning over) until it is up;
      // without, the run ends with the last stage.
      endMs: config.durationMs > 0 ? null : stagesDurationMs(stages),
      sessionMs,
      joinDelayMs: joinDelay(nextChange),
    };
  }
  if (!sessionMs) return null;
  // The plain ramp's schedule: client k at k / rate, then all of them; with the jitter, each
  // first session joins exactly when ramp.ts's rampOffsets would start it.
  const perMs = plan.rampRate / 1000;
  const nextChange = (t: number) => {
    const k = Math.floor(t * perMs + 1e-9) + 1;
    return k >= plan.clients ? Infinity : k / perMs;
  };
  return {
    slots: plan.clients,
    target: (t) => Math.min(plan.clients, Math.floor(t * perMs + 1e-9) + 1),
    nextChange,
    endMs: null,
    sessionMs,
    // The ramp's interval bounds its jitter, also once every slot is taken (a replacement).
    joinDelayMs: joinDelay((t) => Math.min(nextChange(t), t + 1 / perMs)),
  };
}

/**
 * How long viewer `id`'s session `session` (from 1) joins after the target asked for it: a
 * deterministic draw in [0, min(jitter, interval / 2)), `interval` being the time to the
 * target's next step (Infinity: none), seeded by the id and the session. Session 1 draws what
 * ramp.ts's `rampOffsets` draws for the id, so the plain ramp with sessions starts its viewers
 * as the plain ramp does (client 0 at once).
 *
 * @example
 * ```ts
 * joinDelayMs(0, 1, 1, 200, 100); // 0: client 0 starts at once
 * joinDelayMs(3, 1, 1, 200, 100) < 50; // true: at most half the interval
 * joinDelayMs(3, 2, 1, 200, Infinity) < 200; // true: at most the jitter
 * ```
 */
export function joinDelayMs(
  id: number,
  session: number,
  seed: number,
  jitterMs: number,
  intervalMs: number,
): number {
  if (id === 0 && session === 1) return 0;
  const cap = Math.min(jitterMs, intervalMs / 2);
  // Session 1 is seeded as the ramp is; each later session by its number.
  return clientRandom(id, (seed ^ Math.imul(session - 1, 0x2545f491)) >>> 0)() * cap;
}

/**
 * The audience in comment lines (`# …`), for `--print-cmd` and `k8s render`: the stages and
 * sessions, and with `shards` > 1 each shard's share of the peak and its viewer slots.
 *
 * @example
 * ```ts
 * const stages = [{ durationMs: 60_000, target: 10 }, { durationMs: 30_000, target: 0 }];
 * audienceComments({ stages, sessionDuration: null }, 2);
 * // ["# stages: →10 in 1m, →0 in 30s (peak 10 viewers)",
 * //  "# each shard follows its share: shard i runs viewers k ≡ i (mod 2) of the target; peaks 5, 5 (slots 0–4, 5–9)"]
 * ```
 */
export function audienceComments(
  config: Pick<SwarmConfig, "stages" | "sessionDuration">,
  shards: number,
): string[] {
  const lines: string[] = [];
  const { stages, sessionDuration } = config;
  if (stages) {
    lines.push(`# stages: ${describeStages(stages)} (peak ${stagesPeak(stages)} viewers)`);
    if (shards > 1) {
      const parts = Array.from(
        { length: shards },
        (_, index) => stageSlots(stagesPeak(stages), { index, count: shards }),
      );
      lines.push(
        `# each shard follows its share: shard i runs viewers k ≡ i (mod ${shards}) of the ` +
          `target; peaks ${parts.map((p) => p.clients).join(", ")} (slots ${
            parts.map((p) => `${p.firstClient}–${p.firstClient + p.clients - 1}`).join(", ")
          })`,
      );
    }
  }
  if (sessionDuration) {
    lines.push(
      `# sessions: ${describeSessionDist(sessionDuration)}; a leaver's slot is taken by a new ` +
        "viewer while the target asks for one",
    );
  }
  return lines;
}
