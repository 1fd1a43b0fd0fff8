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
  ENV_PREFIX,
  envName,
  FLAG_GROUPS,
  type FlagGroup,
  type FlagKind,
  type FlagSpec,
} from "./flag_spec.ts";

/** The swarm command's flags, in help order. */
export const FLAGS: readonly FlagSpec[] = [...RUN_FLAGS, ...OUTPUT_FLAGS];

/** Variables read in addition to the flag table's own: canonical name, then the Go alias. */
export const EXTRA_ENV = {
  /** The stream URL, used when no URL argument is given. */
  streamUrl: { name: "HLS_SWARM_URL", alias: "STREAM_URL" },
  /** Port for the metrics listener on 0.0.0.0, used when the metrics address is not set. */
  metricsPort: { name: "HLS_SWARM_METRICS_PORT", alias: "METRICS_PORT" },
  /** More flags, split like a shell would split them; real command-line flags win. */
  extraArgs: { name: "HLS_SWARM_EXTRA_ARGS", alias: "EXTRA_ARGS" },
  /** Kubernetes' Indexed Job completion index: the shard index, with --shards. */
  jobIndex: { name: "JOB_COMPLETION_INDEX", alias: undefined },
} as const;

/**
 * Finds a flag by its long name or single-letter alias.
 *
 * @example
 * ```ts
 * findFlag("ramp-rate")?.alias; // "RAMP_RATE"
 * ```
 */
export function findFlag(name: string): FlagSpec | undefined {
  return FLAGS.find((f) => f.name === name || f.short === name);
}
