/**
 * The audience: viewers who join while a target rises, leave when it falls, and, with
 * `--session-duration`, leave when their session is over, a new viewer taking their place while
 * the target still asks for one. It replaces the plain ramp when `--stages` or
 * `--session-duration` is given.
 *
 * Viewer slots are the client ids: a join takes the lowest free slot, a drop of the target
 * stops the highest busy one. A slot's next session is its next FFmpeg run (the request log's
 * `session`).
 *
 * While the load box is saturated no viewer joins, and the stage clock stands still, so the
 * shape asked for is kept, only later by the time held (the plain ramp shifts its schedule the
 * same way). Leaves go on while held: they only lighten the load.
 *
 * With `--ramp-jitter`, each join comes a deterministic delay after the moment the target asked
 * for it ({@linkcode AudiencePlan.joinDelayMs}): the slot is taken at once (so no other join
 * takes it) and its viewer starts when the delay is up. A delay is counted from its own step,
 * so delays never add up. A join already decided starts at its time even if the box saturates
 * meanwhile (at most one jitter late); a target that falls first cancels it (not a leave).
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Snapshot } from "../stats/snapshot.ts";

/** What the audience follows. Times are on the stage clock: ms since the start, less holds. */
export interface AudiencePlan {
  /** Viewer slots this process runs (local ids 0 … slots - 1). */
  slots: number;
  /** Viewers wanted at stage time `t` (at most `slots`). */
  target(tMs: number): number;
  /** The stage time after `t` at which the target may next change (Infinity: never). */
  nextChange(tMs: number): number;
  /** Stage time at which the plan is over, or null when it runs until stopped. */
  endMs: number | null;
  /** The length of a local slot's session (from 1) in ms, or null: viewers stay to the end. */
  sessionMs: ((slot: number, session: number) => number) | null;
  /**
   * How long after stage time `t`, when the target asks for it, a local slot's session (from 1)
   * joins, in ms; absent or null: at once.
   */
  joinDelayMs?: ((slot: number, session: number, tMs: number) => number) | null;
}

/** What the audience does to the partitions and tells the run. */
export interface AudienceActions {
  join(slot: number): void;
  leave(slot: number): void;
  /** True while the load box is saturated. */
  busy(): boolean;
  /** The box became saturated with a join waiting (`held` true), or freed again (false). */
  onHold?(held: boolean): void;
  /** Where the audience is, after each of its steps (for /metrics and the dashboard). */
  onStatus?(status: AudienceStatus): void;
}

/** Where the audience is now. */
export interface AudienceStatus {
  /** Viewers the plan asks for now (at most the slots). */
  target: number;
  /** The stage clock: ms since the start, less the time held. */
  stageMs: number;
  /** Whether joins wait now because the load box is saturated. */
  held: boolean;
  /** Time the stage clock stood still so far, the current hold included. */
  heldMs: number;
}

/** What the audience did, for logs and the summary. */
export interface AudienceResult {
  joins: number;
  leaves: number;
  /** Time the stage clock stood still while the box was saturated. */
  heldMs: number;
  /** Whether the plan ran to its end (false: stopped first). */
  completed: boolean;
}

/**
 * The audience's latest status, as the process's snapshot carries it. The plan runs in the
 * process, not in its partitions, so its figures join the merged snapshot here (absent without a
 * plan, or before it starts).
 *
 * @example
 * ```ts
 * import { PartitionStats } from "../stats/partition_stats.ts";
 * const now = new AudienceNow();
 * now.set({ target: 40, stageMs: 12_000, held: true, heldMs: 1_500.4 });
 * const snap = new PartitionStats({ targetClients: 40, targetDurationMs: 2000, dropThreshold: 0.01 })
 *   .snapshot(Date.now());
 * now.overlay(snap).audience.heldMs; // 1500
 * ```
 */
export class AudienceNow {
  status: AudienceStatus | null = null;
  /** The target at the end of each wall-clock second since the plan's first status. */
  #from: number | null = null;
  #targets: number[] = [];

  /** `wallNow`: the wall clock the seconds are read from (the injected Clock's). */
  constructor(readonly wallNow: () => number = () => Date.now()) {}

  /** Keeps `status` (a bound function: it is passed as {@linkcode AudienceActions.onStatus}). */
  readonly set = (status: AudienceStatus): void => {
    this.status = status;
    const second = Math.floor(this.wallNow() / 1000);
    this.#from ??= second;
    const i = second - this.#from;
    if (i < 0) return; // the wall clock stepped back: the seconds held stay as they were
    // A second the plan's loop slept through (it looks at least every 250 ms, but a busy
    // event loop may skip one) kept the target it had.
    const last = this.#targets.at(-1) ?? 0;
    while (this.#targets.length < i) this.#targets.push(last);
    this.#targets[i] = status.target;
  };

  /** The target at the end of epoch second `second`: 0 before the plan, the last one after. */
  targetAt(second: number): number {
    if (this.#from === null || second < this.#from) return 0;
    return this.#targets[Math.min(second - this.#from, this.#targets.length - 1)];
  }

  /** `snap` with the plan's target (now, and per second in its series), held time and hold. */
  overlay(snap: Snapshot): Snapshot {
    const a = this.status;
    if (a === null) return snap;
    const audience = {
      ...snap.audience,
      target: a.target,
      heldMs: Math.round(a.heldMs),
      holding: a.held ? 1 : 0,
    };
    const { start, fields } = snap.series;
    const target = fields.segments.map((_, i) => this.targetAt(start + i));
    return { ...snap, audience, series: { start, fields: { ...fields, target } } };
  }
}

/** The longest the loop sleeps: it looks at the box (and its stop) at least this often. */
const MAX_SLEEP_MS = 250;

/**
 * Runs the audience until `signal` aborts or the plan ends (every target met at its end).
 *
 * @example
 * ```ts
 * import { VirtualClock } from "../testing/virtual_clock.ts";
 * const clock = new VirtualClock();
 * const joined: number[] = [];
 * const plan = {
 *   slots: 2, endMs: 2000, sessionMs: null,
 *   target: (t: number) => (t < 1000 ? 1 : 2),
 *   nextChange: (t: number) => (t < 1000 ? 1000 : Infinity),
 * };
 * const actions = { join: (s: number) => joined.push(s), leave: () => {}, busy: () => false };
 * await runAudience(plan, clock, new AbortController().signal, actions); // joined: [0, 1]
 * ```
 */
export async function runAudience(
  plan: AudiencePlan,
  clock: Clock,
  signal: AbortSignal,
  actions: AudienceActions,
): Promise<AudienceResult> {
  const start = clock.now();
  let heldMs = 0, joins = 0, leaves = 0;
  let heldSince: number | null = null;
  /** Busy slots and the monotonic time each one's session ends (Infinity: never, or not begun). */
  const busy = new Map<number, number>();
  /** Slots taken whose viewer joins later (--ramp-jitter), and the monotonic time it joins. */
  const pending = new Map<number, number>();
  const sessions = new Array<number>(plan.slots).fill(0);
  const leave = (slot: number) => {
    busy.delete(slot);
    if (pending.delete(slot)) {
      // It had not joined yet: no leave, and its session number is given again.
      sessions[slot]--;
      return;
    }
    leaves++;
    actions.leave(slot);
  };
  const join = (slot: number, now: number) => {
    const length = plan.sessionMs?.(slot, sessions[slot]) ?? Infinity;
    busy.set(slot, now + length);
    joins++;
    actions.join(slot);
  };
  while (!signal.aborted) {
    const now = clock.now();
    const t = now - start - heldMs - (heldSince === null ? 0 : now - heldSince);
    const over = plan.endMs !== null && t >= plan.endMs;
    for (const [slot, joinsAt] of pending) {
      if (joinsAt > now) continue;
      pending.delete(slot);
      join(slot, now);
    }
    for (const [slot, endsAt] of busy) if (endsAt <= now) leave(slot);
    const want = Math.min(plan.slots, plan.target(over ? plan.endMs! : t));
    if (busy.size > want) {
      const highest = [...busy.keys()].sort((a, b) => b - a);
      for (const slot of highest.slice(0, busy.size - want)) leave(slot);
    }
    if (busy.size < want && actions.busy()) {
      if (heldSince === null) {
        heldSince = now;
        actions.onHold?.(true);
      }
    } else {
      if (heldSince !== null) {
        heldMs += now - heldSince;
        heldSince = null;
        actions.onHold?.(false);
      }
      for (let slot = 0; busy.size < want && slot < plan.slots; slot++) {
        if (busy.has(slot)) continue;
        const session = ++sessions[slot];
        const delay = plan.joinDelayMs?.(slot, session, t) ?? 0;
        if (delay > 0) {
          busy.set(slot, Infinity);
          pending.set(slot, now + delay);
        } else join(slot, now);
      }
    }
    actions.onStatus?.({
      target: want,
      stageMs: t,
      held: heldSince !== null,
      heldMs: heldMs + (heldSince === null ? 0 : now - heldSince),
    });
    if (over) return { joins, leaves, heldMs, completed: true };
    // Sleep until the target may change, a session ends, the plan ends, or the next look.
    const stageAt = (stageMs: number) => start + heldMs + stageMs;
    let next = now + MAX_SLEEP_MS;
    if (heldSince === null) {
      next = Math.min(next, stageAt(plan.nextChange(t)));
      if (plan.endMs !== null) next = Math.min(next, stageAt(plan.endMs));
    }
    for (const endsAt of busy.values()) next = Math.min(next, endsAt);
    for (const joinsAt of pending.values()) next = Math.min(next, joinsAt);
    await clock.sleep(Math.max(0, next - now), signal);
  }
  if (heldSince !== null) heldMs += clock.now() - heldSince;
  return { joins, leaves, heldMs, completed: false };
}
