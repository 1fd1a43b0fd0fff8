/**
 * Every command-line flag of the swarm command, in one table: its name, value kind, default,
 * help group, help text and environment variable. The CLI builds its parser and help from this
 * table, and the environment mapping reads it too, so a flag, its variable and its documentation
 * cannot drift apart.
 * @module
 */
import type { FlagSpec } from "./flag_spec.ts";
import { OUTPUT_FLAGS } from "./flags_output.ts";
import { RUN_FLAGS } from "./flags_run.ts";

export {
  DEFAULT_USER_AGENT,
  FLAG_GROUPS,
  type FlagGroup,
  type FlagKind,
  type FlagSpec,
} from "./flag_spec.ts";

/** The swarm command's flags, in help order. */
export const FLAGS: readonly FlagSpec[] = [...RUN_FLAGS, ...OUTPUT_FLAGS];

/** Variables read in addition to the flag table's own. */
export const EXTRA_ENV = {
  /** The stream URL, used when no URL argument is given. */
  streamUrl: "STREAM_URL",
  /** Port for the metrics listener on 0.0.0.0, used when METRICS_ADDR and --metrics are unset. */
  metricsPort: "METRICS_PORT",
  /** More flags, split like a shell would split them; real command-line flags win. */
  extraArgs: "EXTRA_ARGS",
} as const;

/**
 * Finds a flag by its long name or single-letter alias.
 *
 * @example
 * ```ts
 * findFlag("ramp-rate")?.env; // "RAMP_RATE"
 * ```
 */
export function findFlag(name: string): FlagSpec | undefined {
  return FLAGS.find((f) => f.name === name || f.short === name);
}
