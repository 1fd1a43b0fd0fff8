/**
 * The audience's figures: joins (a viewer slot's session begins), leaves (the viewer leaves:
 * its session is over or the target fell), sessions cut by the run's end, how long the
 * sessions lasted, and how many sessions each viewer slot had. Joins and leaves are counted when
 * hls-swarm asks for them, so joins - leaves is the number of viewers at any second (the series'
 * running FFmpeg processes lag a leave by the time FFmpeg takes to exit: up to a segment, as it
 * ends at its next packet after SIGTERM; and a new viewer in a slot whose last viewer's FFmpeg
 * is still exiting starts its own FFmpeg once that one has exited). All of it is counted
 * where the clients run, so it merges exactly: counts add, sketches merge, and the slots of
 * different shards are different slots, so their session counts add too.
 *
 * A session's length is measured from its join (hls-swarm starting the slot's FFmpeg) to the
 * exit of that FFmpeg after it was asked to leave (or to stop, at the run's end).
 * @module
 */
import { Sketch, type SketchWire } from "../math/sketch.ts";
import { count, map, obj, optional, type Rule } from "./validate.ts";

/** The audience as it travels in a snapshot. */
export interface AudienceWire {
  joins: number;
  leaves: number;
  /** Sessions still running when the run stopped. */
  cut: number;
  /** Lengths of the sessions that ended by leaving, in ms. */
  sessionMs: SketchWire;
  /** Lengths, up to the stop, of the sessions the run's end cut. */
  cutMs: SketchWire;
  /** Viewer slots by how many sessions they had: `{"1": 40, "2": 12}`. */
  slotSessions: Record<string, number>;
  /**
   * Set by the process that runs the audience plan (`--stages`, `--session-duration`), absent
   * without one: the viewers its plan asks for now, the ms its ramp stood still while the load
   * box was saturated, and 1 while it stands still now. A merge adds them: the fleet's target,
   * its shards' held time summed, and how many shards are held now.
   */
  target?: number;
  heldMs?: number;
  holding?: number;
}

/**
 * One shard's audience.
 *
 * @example
 * ```ts
 * const a = new AudienceStats();
 * a.join(3, 0);
 * a.leave(3);
 * a.ended(3, 60_500, "leave");
 * a.wire().sessionMs.count; // 1
 * ```
 */
export class AudienceStats {
  joins = 0;
  leaves = 0;
  cut = 0;
  readonly sessionMs = new Sketch();
  readonly cutMs = new Sketch();
  /** Per slot: sessions so far, and when its current one began (monotonic ms). */
  #slots = new Map<number, { sessions: number; since: number | null }>();

  /**
   * Slot `id`'s next session begins (its FFmpeg starts) at monotonic `at`; `counted` false when
   * its join was counted already, as it was asked for ({@linkcode AudienceStats.queued}).
   */
  join(id: number, at: number, counted = true): void {
    const slot = this.#slots.get(id) ?? { sessions: 0, since: null };
    slot.sessions++;
    slot.since = at;
    this.#slots.set(id, slot);
    if (counted) this.joins++;
  }

  /** A viewer joins a slot whose last viewer's FFmpeg is still exiting: its session waits. */
  queued(): void {
    this.joins++;
  }

  /** A waiting viewer leaves before its session began (the target fell again). */
  unqueued(): void {
    this.leaves++;
  }

  /** The run's end came while a viewer waited for its slot: a session cut at 0 ms. */
  cutQueued(): void {
    this.cut++;
    this.cutMs.add(0);
  }

  /** Slot `id`'s viewer leaves now (its FFmpeg is asked to stop). */
  leave(id: number): void {
    const slot = this.#slots.get(id);
    if (slot && slot.since !== null) this.leaves++;
  }

  /** Slot `id`'s FFmpeg exited at `at`: after a leave, or cut by the run's end. */
  ended(id: number, at: number, how: "leave" | "cut"): void {
    const slot = this.#slots.get(id);
    if (!slot || slot.since === null) return;
    const ms = Math.max(0, at - slot.since);
    slot.since = null;
    if (how === "leave") {
      this.sessionMs.add(ms);
    } else {
      this.cut++;
      this.cutMs.add(ms);
    }
  }

  wire(): AudienceWire {
    const slotSessions: Record<string, number> = {};
    for (const { sessions } of this.#slots.values()) {
      slotSessions[sessions] = (slotSessions[sessions] ?? 0) + 1;
    }
    return {
      joins: this.joins,
      leaves: this.leaves,
      cut: this.cut,
      sessionMs: this.sessionMs.toWire(),
      cutMs: this.cutMs.toWire(),
      slotSessions,
    };
  }
}

/**
 * The audiences of several shards as one. `mergeSketch` is the snapshot merge's own (it checks
 * that counts stay exact).
 */
export function mergeAudience(
  parts: readonly AudienceWire[],
  mergeSketch: (wires: SketchWire[], path: string) => SketchWire,
  exact: (n: number, path: string) => number,
): AudienceWire {
  const add = (k: "joins" | "leaves" | "cut") =>
    exact(parts.reduce((n, p) => n + p[k], 0), `audience.${k}`);
  const slotSessions: Record<string, number> = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.slotSessions)) {
      slotSessions[k] = exact((slotSessions[k] ?? 0) + v, `audience.slotSessions.${k}`);
    }
  }
  return {
    joins: add("joins"),
    leaves: add("leaves"),
    cut: add("cut"),
    sessionMs: mergeSketch(parts.map((p) => p.sessionMs), "audience.sessionMs"),
    cutMs: mergeSketch(parts.map((p) => p.cutMs), "audience.cutMs"),
    slotSessions,
    ...mergePlan(parts, exact),
  };
}

/** The plan's figures of a merge: summed over the parts that have them, absent when none has. */
function mergePlan(
  parts: readonly AudienceWire[],
  exact: (n: number, path: string) => number,
): Pick<AudienceWire, "target" | "heldMs" | "holding"> {
  if (!parts.some((p) => p.target !== undefined)) return {};
  const add = (k: "target" | "heldMs" | "holding") =>
    exact(parts.reduce((n, p) => n + (p[k] ?? 0), 0), `audience.${k}`);
  return { target: add("target"), heldMs: add("heldMs"), holding: add("holding") };
}

/** The snapshot rule of an audience, given the snapshot's rule for a sketch. */
export function audienceRule(sketch: Rule): Rule {
  return obj({
    joins: count,
    leaves: count,
    cut: count,
    sessionMs: sketch,
    cutMs: sketch,
    slotSessions: map(/^[1-9]\d{0,8}$/, "a session count", count, 10_000),
    target: optional(count),
    heldMs: optional(count),
    holding: optional(count),
  });
}

/**
 * What the audience's figures say, for the summary: mean session lengths and sessions per slot.
 * `meanMs` is over the sessions that ended by leaving; `meanWithCutMs` counts the cut ones'
 * watched time too, over the same sessions: for exponential sessions that is the
 * maximum-likelihood mean (a run's end cuts the long sessions more often than the short ones,
 * so the plain mean of the ended ones runs low by about mean / (run length - mean)).
 *
 * @example
 * ```ts
 * const a = new AudienceStats();
 * a.join(0, 0); a.leave(0); a.ended(0, 30_000, "leave");
 * audienceFigures(a.wire()).meanMs; // about 30000 (within the sketch's 1 %)
 * ```
 */
export function audienceFigures(w: AudienceWire): {
  meanMs: number | null;
  meanWithCutMs: number | null;
  slots: number;
  sessionsPerSlot: number | null;
} {
  const slots = Object.values(w.slotSessions).reduce((n, v) => n + v, 0);
  const sessions = Object.entries(w.slotSessions).reduce((n, [k, v]) => n + Number(k) * v, 0);
  return {
    meanMs: w.sessionMs.count ? w.sessionMs.sum / w.sessionMs.count : null,
    meanWithCutMs: w.sessionMs.count ? (w.sessionMs.sum + w.cutMs.sum) / w.sessionMs.count : null,
    slots,
    sessionsPerSlot: slots ? sessions / slots : null,
  };
}
