/**
 * The dashboard's Audience row: the viewers an audience plan (`--stages`, `--session-duration`)
 * asked for against the viewers there were, joins and leaves, sessions per viewer slot, session
 * length, and the time the plan's ramp stood still on a saturated load box
 * (src/metrics/audience.ts). Joins, leaves, viewers and sessions are written by every run (the
 * plain ramp joins each client once and never leaves); the target and the hold only with a plan,
 * so without one those series are empty.
 * @module
 */
import { instant, q, rate, type Row, sel, stat, timeseries } from "./panels.ts";

const A = "hlsswarm_audience_";
const WHERE = "Measured by hls-swarm where the viewers run (the counts the exit summary has), " +
  "summed over shards.";
/** `sum(hlsswarm_audience_<name>{run…})`: a fleet's figure is its shards' sum. */
const sum = (name: string) => `sum(${A}${name}${sel()})`;

/** Sessions ended by leaving: their length's sum over their count, in a window or the run. */
const meanSession = (window: "rate" | "run") =>
  window === "rate"
    ? `${rate(`${A}session_seconds_sum`)} / ${rate(`${A}session_seconds_count`)}`
    : `${sum("session_seconds_sum")} / ${sum("session_seconds_count")}`;

/** Viewers against the plan, joins and leaves, sessions, session length, the ramp's holds. */
export const AUDIENCE_ROWS: Row[] = [{
  title: "Audience: did the viewers come and go as the plan asked?",
  lines: [{
    h: 8,
    panels: [
      [
        8,
        timeseries(
          "Viewers and target",
          `${WHERE} viewers: joins - leaves (counted when hls-swarm asks, so FFmpeg processes ` +
            "lag a leave by up to a segment; see active). target: what the audience plan " +
            "(--stages) asks for now, a fleet's the sum of its shards' shares; configured, not " +
            "measured, and absent without a plan. active: FFmpeg processes running (process " +
            "state). Viewers below target while the ramp is held (Ramp now, below) is the load " +
            "box, not the plan.",
          { unit: "short", min: 0, decimals: 0 },
          [
            q(sum("target_viewers"), "target"),
            q(sum("viewers"), "viewers"),
            q(`sum(hlsswarm_clients_active${sel()})`, "active (FFmpeg running)"),
          ],
        ),
      ],
      [
        8,
        timeseries(
          "Joins and leaves per second",
          `${WHERE} joins: sessions hls-swarm asked to begin; leaves: sessions that ended ` +
            "because their --session-duration was over or the target fell (graceful stops, " +
            "not failures; sessions the run's end cut are not leaves). Rates over the panel's " +
            "rate interval, so a flash crowd shorter than it shows lower and longer.",
          { unit: "short", min: 0 },
          [
            q(rate(`${A}joins_total`), "joins/s"),
            q(rate(`${A}leaves_total`), "leaves/s"),
          ],
        ),
      ],
      [
        8,
        timeseries(
          "Session length (mean)",
          `${WHERE} The mean length of the sessions that ended by leaving (the join to its ` +
            "FFmpeg's exit), from the histogram's sum over its count: of those that ended in " +
            "the rate interval, and of all that ended since the run started (the summary's " +
            "Session length). Cut sessions are left out, so with long sessions the mean runs " +
            "low until the run has seen many end.",
          { unit: "s", min: 0 },
          [
            q(meanSession("rate"), "ended in the interval"),
            q(meanSession("run"), "since the run started"),
          ],
        ),
      ],
    ],
  }, {
    h: 5,
    panels: [
      [
        8,
        stat(
          "Joins, leaves and sessions so far",
          `${WHERE} Since the run started: joins, leaves, sessions whose FFmpeg began, the ` +
            "viewer slots (client ids) they used, and sessions the run's end cut (counted at " +
            "the stop, so 0 until then).",
          { unit: "short", decimals: 0 },
          [
            instant(sum("joins_total"), "joins"),
            instant(sum("leaves_total"), "leaves"),
            instant(sum("sessions_begun_total"), "sessions begun"),
            instant(sum("slots_used"), "slots used"),
            instant(sum("sessions_cut_total"), "cut by the end"),
          ],
        ),
      ],
      [
        5,
        stat(
          "Sessions per viewer slot",
          `${WHERE} Sessions begun over the viewer slots that began one: 1 when every viewer ` +
            "stays, more as viewers leave and others take their slots.",
          { unit: "short", decimals: 2 },
          [q(`${sum("sessions_begun_total")} / ${sum("slots_used")}`, "sessions per slot")],
        ),
      ],
      [
        6,
        timeseries(
          "Ramp held, seconds per minute",
          `${WHERE} Seconds per minute the plan's stage clock stood still because the load box ` +
            "was saturated (CPU or event-loop lag; see Load box): joins wait while it does, " +
            "leaves go on, and the plan's shape comes later by the time held. A fleet's adds " +
            "up its shards' (2 shards held for a whole minute show 120). Absent without a plan.",
          { unit: "s", min: 0, warnAt: 1 },
          [q(`60 * ${rate(`${A}ramp_held_seconds_total`)}`, "held s/min")],
        ),
      ],
      [
        5,
        stat(
          "Ramp now",
          `${WHERE} Whether the plan's joins wait on a saturated load box now: joining, or ` +
            "held (a fleet's counts the shards held). Absent without a plan.",
          {
            unit: "short",
            decimals: 0,
            warnAt: 1,
            mappings: [
              { type: "value", options: { "0": { text: "joining", color: "green" } } },
              {
                type: "range",
                options: { from: 1, to: null, result: { text: "held", color: "red" } },
              },
            ],
          },
          [q(sum("ramp_held"), "shards held")],
        ),
      ],
    ],
  }],
}];
