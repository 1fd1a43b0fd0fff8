/**
 * The audience families (src/stats/audience.ts): joins, leaves, the viewers they leave, sessions
 * begun and the viewer slots they used, session lengths, and, with an audience plan
 * (`--stages`, `--session-duration`), the plan's target and the time its ramp stood still while
 * the load box was saturated. All of them come from the snapshot, so they merge across shards
 * and agree with the summary. Exits before video start are `hlsswarm_viewer_sessions_total
 * {outcome="ebvs"}` (src/metrics/viewers.ts).
 *
 * Rates and ratios are left to Prometheus, e.g. joins per second
 * `rate(hlsswarm_audience_joins_total[1m])`, and sessions per used slot
 * `hlsswarm_audience_sessions_begun_total / hlsswarm_audience_slots_used`.
 * @module
 */
import type { AudienceWire } from "../stats/audience.ts";
import { type Family, logBuckets } from "./exposition.ts";

const P = "hlsswarm_audience_";
/** 10 buckets per decade, 1 s to 3 hours: how long viewers watch. */
export const SESSION_BUCKETS: readonly number[] = logBuckets(1, 10_800, 10);

/**
 * The families of a snapshot's audience. The target and the held time are written only when
 * the snapshot has them (a plan runs).
 *
 * @example
 * ```ts
 * import { AudienceStats } from "../stats/audience.ts";
 * const a = new AudienceStats();
 * a.join(0, 0);
 * const wire = { ...a.wire(), target: 5, heldMs: 0, holding: 0 };
 * audienceFamilies(wire).find((f) => f.name === "hlsswarm_audience_target_viewers")?.samples;
 * // [[{}, 5]]
 * ```
 */
export function audienceFamilies(a: AudienceWire): Family[] {
  const scalar = (
    name: string,
    type: "counter" | "gauge",
    help: string,
    value: number,
  ): Family => ({ name: P + name, type, help, samples: [[{}, value]] });
  const slots = Object.values(a.slotSessions).reduce((n, v) => n + v, 0);
  const begun = Object.entries(a.slotSessions).reduce((n, [k, v]) => n + Number(k) * v, 0);
  const families: Family[] = [
    scalar(
      "joins_total",
      "counter",
      "Viewers who joined: sessions hls-swarm asked to begin (measured where the clients run).",
      a.joins,
    ),
    scalar(
      "leaves_total",
      "counter",
      "Viewers who left: their session was over or the target fell (a graceful stop, not a " +
        "failure; sessions the run's end cut are not leaves).",
      a.leaves,
    ),
    scalar(
      "viewers",
      "gauge",
      "Viewers now: joins - leaves (running FFmpeg processes lag a leave by up to a segment).",
      a.joins - a.leaves,
    ),
    scalar(
      "sessions_begun_total",
      "counter",
      "Sessions whose FFmpeg started, over every viewer slot (a join waiting for its slot's " +
        "last FFmpeg to exit begins later, or never when it leaves first).",
      begun,
    ),
    scalar(
      "slots_used",
      "gauge",
      "Viewer slots (client ids) that began at least one session; sessions_begun_total over " +
        "it is the sessions per slot.",
      slots,
    ),
    scalar(
      "sessions_cut_total",
      "counter",
      "Sessions the run's end cut (still watching when it stopped), counted at the stop.",
      a.cut,
    ),
    {
      name: P + "session_seconds",
      type: "histogram",
      help: "Length of the sessions that ended by leaving: the join to its FFmpeg's exit.",
      buckets: SESSION_BUCKETS,
      scale: 0.001,
      samples: [[{}, a.sessionMs]],
    },
  ];
  if (a.target === undefined) return families;
  families.push(
    scalar(
      "target_viewers",
      "gauge",
      "Viewers the audience plan (--stages, --session-duration) asks for now; a fleet's is " +
        "the sum of its shards' shares.",
      a.target,
    ),
    scalar(
      "ramp_held_seconds_total",
      "counter",
      "Time the plan's stage clock stood still because the load box was saturated (joins " +
        "wait while it does); a fleet's sums its shards' times.",
      (a.heldMs ?? 0) / 1000,
    ),
    scalar(
      "ramp_held",
      "gauge",
      "1 while the plan's joins wait on a saturated load box, else 0; a fleet's counts its " +
        "shards held now.",
      a.holding ?? 0,
    ),
  );
  return families;
}
