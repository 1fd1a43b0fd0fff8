/**
 * What a flag is: its name, value kind, default, help group, help text and environment variables.
 * @module
 */
import { PROGRAM_NAME, VERSION } from "../version.ts";

/** Default User-Agent base; each client appends `/client-<id>`. */
export const DEFAULT_USER_AGENT = `${PROGRAM_NAME}/${VERSION}`;

/** How a flag's value is written on the command line. */
export type FlagKind = "bool" | "value" | "list";

/** One flag of the swarm command. */
export interface FlagSpec {
  /** Long name without dashes, e.g. "ramp-rate". Go spelling `-ramp-rate` is accepted too. */
  name: string;
  kind: FlagKind;
  /** Placeholder for the value in help, e.g. "<n>". */
  arg?: string;
  /** The default as the user would type it; shown in help. */
  default?: string;
  /**
   * The Go tool's container variable (`CLIENTS`, `DURATION`…), read when neither the flag nor
   * its canonical variable ({@linkcode envName}) is set.
   */
  alias?: string;
  group: FlagGroup;
  help: string;
  /** Allowed values, shown in help and checked by validation. */
  choices?: readonly string[];
  /** Single-letter alias, e.g. "v". */
  short?: string;
}

/** Help sections, in the order help prints them. */
export const FLAG_GROUPS = [
  "Orchestration",
  "Variant selection",
  "Network",
  "FFmpeg",
  "Stats collection",
  "Observability",
  "Origin metrics",
  "Results",
  "Safety and diagnostics",
] as const;
export type FlagGroup = typeof FLAG_GROUPS[number];

/** The prefix of every canonical variable. */
export const ENV_PREFIX = "HLS_SWARM_";

/**
 * A flag's canonical environment variable: `HLS_SWARM_` and its name in upper snake case.
 *
 * @example
 * ```ts
 * envName("ramp-rate"); // "HLS_SWARM_RAMP_RATE"
 * ```
 */
export function envName(flagName: string): string {
  return ENV_PREFIX + flagName.toUpperCase().replace(/-/g, "_");
}
